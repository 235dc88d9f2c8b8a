"""Reading a study: a row per trial, the best one, what mattered, and a summary in plain words."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, Optional

from ...core.i18n import N_, ntr, tr
from ...core.tuning.space import (
    Dimension,
    SearchSpace,
    choice_words,
    dimension_name,
    params_in_words,
)
from .objective import CURVES, EPOCHS_RUN, ERROR, INTERRUPTED, SECONDS
from .recovery import RETRY_OF
from .study import smaller_is_better

if TYPE_CHECKING:
    import optuna

    from ...core.project import Project

STATE_WORDS = {"COMPLETE": N_("finished"), "PRUNED": N_("stopped early"), "FAIL": N_("failed"),
               "RUNNING": N_("running"), "WAITING": N_("queued")}
# An interrupted trial (Stop, or its worker died) has its values queued again as a new trial. Its words say where
# that copy stands, and the copy's say what it is: a walk read "tried again" beside "waiting" while nothing ran.
INTERRUPTED_WORDS = N_("interrupted (will run again)")              # its copy waits in the queue
RUNNING_AGAIN_WORDS = N_("interrupted (running again as trial {number})")
RAN_AGAIN_WORDS = N_("interrupted (ran again as trial {number})")
NOT_AGAIN_WORDS = N_("interrupted")                                 # no copy of its values in the study
QUEUED_AGAIN_WORDS = N_("queued: trial {number} again")
MIN_TRIALS_FOR_IMPORTANCE = 4
MIN_TRIALS_FOR_RANGES = 8   # "No trial with ... was among the better half" needs a half of at least four trials
BEST_SHARE = 0.25   # "the best trials": the best quarter, at least three
FIXED_PARAMS = "fixed_params"   # optuna's system attribute holding a queued trial's values


@dataclass
class TrialRow:
    """One line of the trials table."""

    number: int
    state: str                 # optuna's state name: COMPLETE, PRUNED, FAIL, RUNNING, WAITING
    state_words: str           # as the student reads it, translated
    params: dict
    value: Optional[float]
    epochs_run: Optional[int]
    seconds: Optional[float]
    curve: dict = field(default_factory=dict)   # {"loss": [...], "val_loss": [...]} per epoch
    error: str = ""
    interrupted: bool = False  # a FAIL that is no failure: stopped by the user or by its worker's death


def _is_interrupted(trial: "optuna.trial.FrozenTrial") -> bool:
    return trial.state.name == "FAIL" and bool(trial.user_attrs.get(INTERRUPTED))


def _copies(trials: list) -> dict[int, Any]:
    """Each interrupted trial's number -> the later trial that holds its values again (queued, running or done).

    Recovery names the original (RETRY_OF); Stop only queues the same values (optuna keeps them as fixed_params),
    so there the first later trial with those values that is no other trial's copy is taken."""
    found: dict[int, Any] = {}
    taken: set[int] = set()
    for trial in trials:
        if not _is_interrupted(trial):
            continue
        for later in trials:
            if later.number <= trial.number or later.number in taken:
                continue
            named = later.user_attrs.get(RETRY_OF)
            if named == trial.number or (named is None and later.system_attrs.get(FIXED_PARAMS) == trial.params):
                found[trial.number] = later
                taken.add(later.number)
                break
    return found


def _state_words(trial: "optuna.trial.FrozenTrial", copies: Optional[dict]) -> str:
    state = trial.state.name
    if _is_interrupted(trial):
        if copies is None:
            return tr(INTERRUPTED_WORDS)   # as it ends: Stop and recovery queue its values at once
        copy = copies.get(trial.number)
        if copy is None:
            return tr(NOT_AGAIN_WORDS)
        if copy.state.name == "WAITING":
            return tr(INTERRUPTED_WORDS)
        words = RUNNING_AGAIN_WORDS if copy.state.name == "RUNNING" else RAN_AGAIN_WORDS
        return tr(words, number=copy.number)
    if state == "WAITING":
        # Whose values wait here (a walk saw "queued to run again" rows with no values and no word of which).
        original = trial.user_attrs.get(RETRY_OF)
        if original is None and copies:
            original = next((number for number, copy in copies.items() if copy.number == trial.number), None)
        if original is not None:
            return tr(QUEUED_AGAIN_WORDS, number=original)
    return tr(STATE_WORDS.get(state, state))


def _row(trial: "optuna.trial.FrozenTrial", copies: Optional[dict]) -> TrialRow:
    attrs = trial.user_attrs
    value = trial.value if trial.value is not None and math.isfinite(trial.value) else None
    seconds = attrs.get(SECONDS)
    if seconds is None and trial.datetime_start is not None and trial.datetime_complete is not None:
        seconds = (trial.datetime_complete - trial.datetime_start).total_seconds()
    params = dict(trial.params)
    if not params and trial.state.name == "WAITING":   # a queued trial's values are kept apart until it starts
        params = dict(trial.system_attrs.get(FIXED_PARAMS) or {})
    return TrialRow(trial.number, trial.state.name, _state_words(trial, copies), params, value,
                    attrs.get(EPOCHS_RUN), seconds, dict(attrs.get(CURVES, {})), attrs.get(ERROR, ""),
                    _is_interrupted(trial))


def trial_row(trial: "optuna.trial.FrozenTrial", others: Optional[list] = None) -> TrialRow:
    """One trial's row. With the study's trials as `others`, an interrupted trial's words say whether its values
    wait, run or ran again; without them it reads "will run again", as is true when it has just ended."""
    return _row(trial, None if others is None else _copies(others))


def trial_rows(study: "optuna.Study") -> list[TrialRow]:
    trials = study.get_trials(deepcopy=False)
    copies = _copies(trials)
    return [_row(t, copies) for t in trials]


# What run_summary says of each kind of trial: a whole sentence when all ended alike, else a counted part.
_ALL_ALIKE = {
    "COMPLETE": lambda n: ntr("{n} trial finished.", "{n} trials finished.", n),
    "PRUNED": lambda n: ntr("{n} trial was stopped early.", "{n} trials were stopped early.", n),
    "FAIL": lambda n: ntr("{n} trial failed.", "{n} trials failed.", n),
    "INTERRUPTED": lambda n: ntr("{n} trial was interrupted.", "{n} trials were interrupted.", n),
    "RUNNING": lambda n: ntr("{n} trial is running.", "{n} trials are running.", n),
    "WAITING": lambda n: ntr("{n} trial is queued.", "{n} trials are queued.", n),
}
_COUNTED = {
    "COMPLETE": lambda n: ntr("{n} finished", "{n} finished", n),
    "PRUNED": lambda n: ntr("{n} stopped early", "{n} stopped early", n),
    "FAIL": lambda n: ntr("{n} failed", "{n} failed", n),
    "RUNNING": lambda n: ntr("{n} running", "{n} running", n),
    "WAITING": lambda n: ntr("{n} queued", "{n} queued", n),
}


def run_summary(rows: list) -> str:
    """How many trials the table holds and how each ended, in one sentence: "12 trials: 8 finished, 4 stopped
    early.", or "12 trials finished." when all ended alike (a walk saw "8 trials finished." beside 12 rows).

    Interrupted trials are told apart: they do not count toward the number of trials asked for (their values run
    again as another row), so they are named after the count that matches it. A walk asked for 14 trials, pressed
    Stop, and read "16 trials" when they were counted in."""
    counts = {**dict.fromkeys(_COUNTED, 0), "INTERRUPTED": 0}
    for row in rows:
        state = str(getattr(row.state, "name", row.state)).upper()   # a name, or optuna's TrialState
        key = "INTERRUPTED" if getattr(row, "interrupted", False) else state
        counts[key if key in counts else "FAIL"] += 1
    interrupted = counts.pop("INTERRUPTED")
    total = sum(counts.values())
    if not total:
        return _ALL_ALIKE["INTERRUPTED"](interrupted) if interrupted else tr("No trials yet.")
    present = [key for key, n in counts.items() if n]
    if len(present) == 1:
        summary = _ALL_ALIKE[present[0]](total)
    else:
        summary = tr("{trials}: {counts}.", trials=ntr("{n} trial", "{n} trials", total),
                     counts=tr(", ").join(_COUNTED[key](counts[key]) for key in present))
    if not interrupted:
        return summary
    return tr("{summary} {interrupted}", summary=summary,
              interrupted=ntr("Besides, {n} trial was interrupted; its values are tried again.",
                              "Besides, {n} trials were interrupted; their values are tried again.", interrupted))


def best(study: "optuna.Study") -> Optional[TrialRow]:
    """The finished trial with the best value, or None before any trial finished."""
    from optuna.trial import TrialState

    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return None
    return trial_row(study.best_trial)


def importance(study: "optuna.Study") -> dict[str, float]:
    """How much each varied setting explains the results (shares adding up to 1, largest first).

    Empty with fewer than four finished trials, or when nothing varied: too little to say anything."""
    import optuna
    from optuna.trial import TrialState

    finished = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(finished) < MIN_TRIALS_FOR_IMPORTANCE:
        return {}
    try:
        found = optuna.importance.get_param_importances(study)
    except (ValueError, RuntimeError, ZeroDivisionError):
        return {}  # e.g. every trial had the same values: nothing to compare
    total = sum(found.values())
    if not total or not math.isfinite(total):
        return {}
    return {key: value / total for key, value in sorted(found.items(), key=lambda kv: -kv[1])}


def _with_values(study: "optuna.Study", states: tuple) -> list:
    return [t for t in study.get_trials(deepcopy=False, states=states)
            if t.value is not None and math.isfinite(t.value)]


def _best_trials(study: "optuna.Study", space: SearchSpace) -> tuple[list, list]:
    """The best quarter of the finished trials (at least three), and all of them, best first."""
    from optuna.trial import TrialState

    finished = _with_values(study, (TrialState.COMPLETE,))
    finished.sort(key=lambda t: t.value, reverse=not smaller_is_better(space.monitor))
    count = max(3, math.ceil(len(finished) * BEST_SHARE))
    return finished[:count], finished


def _shown(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _bound(value: Any, up: bool) -> Any:
    """A threshold as it will be read (3 significant digits), rounded away from the trials it must not cut off:
    up for "above", down for "below". Rounded to the nearest, 0.01449 read as 0.0145, and the trial that used it
    was "below" it."""
    if not isinstance(value, float) or value == 0 or not math.isfinite(value):
        return value
    step = Decimal(1).scaleb(math.floor(math.log10(abs(value))) - 2)
    # repr: the shortest decimal that is this float, so 0.0145 stays 0.0145 rather than 0.0144999…
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_CEILING if up else ROUND_FLOOR))


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _range_sentences(dim: Dimension, finished: list, shown: list, smaller: bool, project: "Project") -> list[str]:
    """"No trial with units of hidden1 above 128 was among the better half of the results.", said only where no
    line of the trials table can say otherwise (a walk read "did not help" as "was bad", beside a good trial).

    The rule: with at least eight finished trials, take the better half of them (by result). "above X" names the
    largest value the better half used, rounded up; it is said when some finished trial went above X (for a setting
    searched on a log scale, above 1.5 × the better half's largest) and every trial in the table above X, those
    stopped early included, has a worse result than each trial of the better half. "below X" is the same the other
    way (X rounded down). So a trial "above X" is never among the better half, nor ties with it."""
    tried = [t.params[dim.key] for t in finished if dim.key in t.params]
    better = finished[:math.ceil(len(finished) / 2)]
    used = [t.params[dim.key] for t in better if dim.key in t.params]
    if len(finished) < MIN_TRIALS_FOR_RANGES or not used or len(set(tried)) < 3:
        return []
    worst_better = better[-1].value

    def all_worse(beyond) -> bool:
        side = [t.value for t in shown if dim.key in t.params and beyond(t.params[dim.key])]
        return all((v > worst_better) if smaller else (v < worst_better) for v in side)

    what = dimension_name(dim, project)
    margin = 1.5 if dim.log else 1.0
    sentences = []
    high = _bound(max(used), up=True)
    if max(tried) > max(used) * margin and max(tried) > high and all_worse(lambda v: v > high):
        sentences.append(tr("No trial with {setting} above {value} was among the better half of the results.", setting=what,
                               value=_shown(high)))
    low = _bound(min(used), up=False)
    if min(tried) < min(used) / margin and min(tried) < low and all_worse(lambda v: v < low):
        sentences.append(tr("No trial with {setting} below {value} was among the better half of the results.", setting=what,
                               value=_shown(low)))
    return sentences


def _choice_sentence(dim: Dimension, top: list, everyone: list, project: "Project") -> list[str]:
    tried = {t.params[dim.key] for t in everyone if dim.key in t.params}
    best_values = {t.params[dim.key] for t in top if dim.key in t.params}
    if len(best_values) == 1 and len(tried) > 1:
        choice = choice_words(dim, next(iter(best_values)))
        return [tr("{setting}: {choice} did best.", setting=dimension_name(dim, project), choice=choice)]
    return []


def summary_sentences(study: "optuna.Study", space: SearchSpace, project: "Project") -> list[str]:
    """What the study found, in a few plain sentences a student can read."""
    from optuna.trial import TrialState

    top, everyone = _best_trials(study, space)
    if not everyone:
        return [tr("No trial has finished yet.")]
    best_trial = top[0]
    sentences = [tr("The best trial was number {number}: {monitor} {value} with {settings}.",
                    number=best_trial.number, monitor=space.monitor, value=_shown(best_trial.value),
                    settings=params_in_words(best_trial.params, project) or tr("the project's own settings"))]
    shares = importance(study)
    by_key = {d.key: d for d in space.dimensions}
    if shares:
        key, share = next(iter(shares.items()))
        what = dimension_name(by_key[key], project) if key in by_key else key
        sentences.append(_capital(tr("{setting} mattered most ({percent}%).", setting=what,
                                     percent=round(share * 100))))
    elif len(everyone) < MIN_TRIALS_FOR_IMPORTANCE:
        sentences.append(tr("Too few trials have run to the end to say which setting mattered most (trials stopped early do "
                             "not count)."))
    if len(everyone) >= MIN_TRIALS_FOR_IMPORTANCE:
        shown = _with_values(study, (TrialState.COMPLETE, TrialState.PRUNED))   # the trials with a number in the table
        smaller = smaller_is_better(space.monitor)
        for dim in space.dimensions:
            if dim.kind == "choice":
                found = _choice_sentence(dim, top, everyone, project)
            else:
                found = _range_sentences(dim, everyone, shown, smaller, project)
            sentences += [_capital(s) for s in found]
    pruned = len(study.get_trials(deepcopy=False, states=(TrialState.PRUNED,)))
    if pruned:
        sentences.append(ntr("{n} trial was stopped early because it was doing worse than the others.",
                             "{n} trials were stopped early because they were doing worse than the others.",
                             pruned))
    return sentences
