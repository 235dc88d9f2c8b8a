"""Reading a study: a row per trial, the best one, what mattered, and a summary in plain words."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
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
from .study import smaller_is_better

if TYPE_CHECKING:
    import optuna

    from ...core.project import Project

STATE_WORDS = {"COMPLETE": N_("finished"), "PRUNED": N_("stopped early"), "FAIL": N_("failed"),
               "RUNNING": N_("running"), "WAITING": N_("waiting")}
INTERRUPTED_WORDS = N_("interrupted (tried again)")
MIN_TRIALS_FOR_IMPORTANCE = 4
BEST_SHARE = 0.25   # "the best trials": the best quarter, at least three


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


def trial_row(trial: "optuna.trial.FrozenTrial") -> TrialRow:
    attrs = trial.user_attrs
    state = trial.state.name
    words = tr(INTERRUPTED_WORDS) if state == "FAIL" and attrs.get(INTERRUPTED) else tr(STATE_WORDS.get(state, state))
    value = trial.value if trial.value is not None and math.isfinite(trial.value) else None
    seconds = attrs.get(SECONDS)
    if seconds is None and trial.datetime_start is not None and trial.datetime_complete is not None:
        seconds = (trial.datetime_complete - trial.datetime_start).total_seconds()
    return TrialRow(trial.number, state, words, dict(trial.params), value, attrs.get(EPOCHS_RUN), seconds,
                    dict(attrs.get(CURVES, {})), attrs.get(ERROR, ""))


def trial_rows(study: "optuna.Study") -> list[TrialRow]:
    return [trial_row(t) for t in study.get_trials(deepcopy=False)]


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


def _best_trials(study: "optuna.Study", space: SearchSpace) -> tuple[list, list]:
    from optuna.trial import TrialState

    finished = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if t.value is not None and math.isfinite(t.value)]
    finished.sort(key=lambda t: t.value, reverse=not smaller_is_better(space.monitor))
    count = max(3, math.ceil(len(finished) * BEST_SHARE))
    return finished[:count], finished


def _shown(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _range_sentences(dim: Dimension, top: list, everyone: list, project: "Project") -> list[str]:
    """"units of hidden1 above 128 did not help": when the best trials stayed below values others tried."""
    tried = [t.params[dim.key] for t in everyone if dim.key in t.params]
    best_values = [t.params[dim.key] for t in top if dim.key in t.params]
    if not best_values or len(set(tried)) < 3:
        return []
    what = dimension_name(dim, project)
    sentences = []
    if max(tried) > max(best_values) * (1.5 if dim.log else 1.0) and max(best_values) < max(tried):
        sentences.append(tr("{setting} above {value} did not help.", setting=what, value=_shown(max(best_values))))
    if min(tried) < min(best_values) / (1.5 if dim.log else 1.0) and min(best_values) > min(tried):
        sentences.append(tr("{setting} below {value} did not help.", setting=what, value=_shown(min(best_values))))
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
        sentences.append(tr("Too few trials have finished to say which setting mattered most."))
    if len(everyone) >= MIN_TRIALS_FOR_IMPORTANCE:
        for dim in space.dimensions:
            found = (_choice_sentence if dim.kind == "choice" else _range_sentences)(dim, top, everyone, project)
            sentences += [_capital(s) for s in found]
    pruned = len(study.get_trials(deepcopy=False, states=(TrialState.PRUNED,)))
    if pruned:
        sentences.append(ntr("{n} trial was stopped early because it was doing worse than the others.",
                             "{n} trials were stopped early because they were doing worse than the others.",
                             pruned))
    return sentences
