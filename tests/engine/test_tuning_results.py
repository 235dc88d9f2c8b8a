"""What the Experiments panel and `nnstudio tune` say about trials, read from crafted studies (no training)."""

import math
import re
from decimal import Decimal

import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial
from tuning_helpers import learning_rate, saved_iris, space_of

from nnstudio.engine.tuning.objective import INTERRUPTED
from nnstudio.engine.tuning.recovery import RETRY_OF
from nnstudio.engine.tuning.results import (
    run_summary,
    summary_sentences,
    trial_row,
    trial_rows,
)
from nnstudio.engine.tuning.study import open_study, study_folder

LR = "training:learning_rate"
LR_RANGE = {LR: FloatDistribution(1e-3, 1e-1, log=True)}
SENTENCE = re.compile(r"No trial with learning rate (above|below) (\S+) was among the better half of the "
                      r"results\.")

# The walk: 12 finished trials (learning rate, val_loss). Trial 0 (0.01449) was the 3rd best and trial 8 (0.01137)
# the 4th, yet the panel said "Learning rate below 0.0145 did not help." (today's words: "No trial with ...").
WALK = [(0.01449, .22), (0.002, .5), (0.08, .3), (0.05, .2), (0.004, .6), (0.03, .21), (0.0015, .7), (0.06, .35),
        (0.01137, .23), (0.005, .45), (0.09, .4), (0.003, .55)]
# Eight trials where the better half used 0.015 to 0.03214 and everything outside did worse.
CLEAR = [(0.02, .20), (0.03214, .21), (0.025, .22), (0.015, .23), (0.06, .40), (0.08, .45), (0.09, .50),
         (0.004, .60)]


def _study(tmp_path, trials=(), monitor="val_loss"):
    """A study in a journal beside a saved project, holding the given (learning rate, value[, state]) trials."""
    project = saved_iris(tmp_path)
    space = space_of(learning_rate(), strategy="random", pruner="none", trials=len(trials) or 1, monitor=monitor)
    study = open_study(project, space, folder=study_folder(project.path))
    for lr, value, *state in trials:
        state = state[0] if state else TrialState.COMPLETE
        extra = {"intermediate_values": {3: value}} if state == TrialState.PRUNED else {}
        study.add_trial(create_trial(state=state, params={LR: lr}, distributions=LR_RANGE, value=value, **extra))
    return study, space, project


def _contradictions(sentences, rows, smaller=True):
    """Trials of the table's better half (by result) that a "did not help" sentence puts on its side."""
    ranked = sorted((r for r in rows if r.state == "COMPLETE"), key=lambda r: r.value, reverse=not smaller)
    better = ranked[:math.ceil(len(ranked) / 2)]
    found = []
    for sentence in sentences:
        match = SENTENCE.fullmatch(sentence)
        if match:
            side, bound = match.group(1), Decimal(match.group(2))
            for row in better:
                used = Decimal(repr(row.params[LR]))
                if (used > bound) if side == "above" else (used < bound):
                    found.append((sentence, row.number))
    return found


def test_the_walks_study_no_longer_calls_the_4th_best_trial_one_that_did_not_help(tmp_path):
    study, space, project = _study(tmp_path, WALK)
    sentences = summary_sentences(study, space, project)
    assert "No trial with learning rate below 0.0145 was among the better half of the results." not in sentences
    assert _contradictions(sentences, trial_rows(study)) == []
    # What is true still is said: every trial below the better half's smallest rate (0.01137) did worse.
    assert "No trial with learning rate below 0.0113 was among the better half of the results." in sentences


@pytest.mark.parametrize("monitor", ["val_loss", "val_accuracy"])
def test_thresholds_are_rounded_away_from_the_trials_they_separate(tmp_path, monitor):
    smaller = monitor == "val_loss"
    trials = CLEAR if smaller else [(lr, 1 - value) for lr, value in CLEAR]
    study, space, project = _study(tmp_path, trials, monitor)
    sentences = summary_sentences(study, space, project)
    # 0.03214 to the nearest would read 0.0321, and the 2nd best trial would be "above" it.
    assert "No trial with learning rate above 0.0322 was among the better half of the results." in sentences
    assert "No trial with learning rate below 0.015 was among the better half of the results." in sentences
    assert _contradictions(sentences, trial_rows(study), smaller) == []


def test_too_few_trials_say_nothing_about_ranges(tmp_path):
    study, space, project = _study(tmp_path, CLEAR[:6])
    sentences = summary_sentences(study, space, project)
    assert not [s for s in sentences if "better half" in s]
    assert sentences[0].startswith("The best trial was number 0")


def test_a_trial_stopped_early_with_a_good_number_keeps_its_side_from_being_called_useless(tmp_path):
    # Trial 8 tried 0.07 and showed 0.21 when the pruner stopped it: better than half the finished trials.
    study, space, project = _study(tmp_path, [*CLEAR, (0.07, .21, TrialState.PRUNED)])
    sentences = summary_sentences(study, space, project)
    assert not [s for s in sentences if "above" in s]
    assert "No trial with learning rate below 0.015 was among the better half of the results." in sentences


def _interrupted(study, lr, **attrs):
    study.add_trial(create_trial(state=TrialState.FAIL, params={LR: lr}, distributions=LR_RANGE,
                                 user_attrs={INTERRUPTED: True, **attrs}))


def _words(study):
    return [row.state_words for row in trial_rows(study)]


def test_after_stop_the_words_say_the_values_wait_and_then_where_they_ran(tmp_path):
    study, _, _ = _study(tmp_path)
    _interrupted(study, 0.02)
    study.enqueue_trial({LR: 0.02})   # as Objective does when the user presses Stop
    assert _words(study) == ["interrupted (will run again)", "queued: trial 0 again"]
    assert trial_rows(study)[1].params == {LR: 0.02}   # the values it will try, shown before it starts
    trial = study.ask()
    trial.suggest_float(LR, 1e-3, 1e-1, log=True)
    assert _words(study) == ["interrupted (running again as trial 1)", "running"]
    study.tell(trial, 0.3)
    assert _words(study) == ["interrupted (ran again as trial 1)", "finished"]


def test_a_recovered_trial_is_matched_to_its_own_copy(tmp_path):
    study, _, _ = _study(tmp_path)
    _interrupted(study, 0.02)   # a dead worker's trials, queued again by recovery with RETRY_OF
    _interrupted(study, 0.02)
    study.add_trial(create_trial(params={LR: 0.02}, distributions=LR_RANGE, value=0.3, user_attrs={RETRY_OF: 1}))
    study.enqueue_trial({LR: 0.02}, user_attrs={RETRY_OF: 0})
    _interrupted(study, 0.05)   # its values were never queued again (an older study)
    study.enqueue_trial({LR: 0.07})
    assert _words(study) == ["interrupted (will run again)", "interrupted (ran again as trial 2)", "finished",
                             "queued: trial 0 again", "interrupted", "queued"]
    rows = trial_rows(study)
    assert [r.interrupted for r in rows] == [True, True, False, False, True, False]
    # The interrupted ones do not count toward the trials asked for: named apart (a walk read "16 trials" for 14).
    assert run_summary(rows) == ("3 trials: 1 finished, 2 queued. Besides, 3 trials were interrupted; their values "
                                 "are tried again.")


def test_a_trial_reported_as_it_ends_reads_as_queued_again(tmp_path):
    study, _, _ = _study(tmp_path)
    _interrupted(study, 0.02)
    study.enqueue_trial({LR: 0.02})
    assert trial_row(study.get_trials()[0]).state_words == "interrupted (will run again)"   # the CLI's progress line


def test_the_run_summary_counts_every_trial_of_the_table(tmp_path):
    pruned = [(lr, value + 1, TrialState.PRUNED) for lr, value in CLEAR[:4]]
    study, _, _ = _study(tmp_path, [*CLEAR, *pruned])
    assert run_summary(trial_rows(study)) == "12 trials: 8 finished, 4 stopped early."
    study, _, _ = _study(tmp_path / "one", CLEAR[:1])
    assert run_summary(trial_rows(study)) == "1 trial finished."
    study, _, _ = _study(tmp_path / "all", CLEAR)
    assert run_summary(trial_rows(study)) == "8 trials finished."
    study.add_trial(create_trial(state=TrialState.FAIL, params={LR: 0.02}, distributions=LR_RANGE))
    study.ask()
    assert run_summary(trial_rows(study)) == "10 trials: 8 finished, 1 failed, 1 running."
    assert run_summary([]) == "No trials yet."


def test_the_run_summary_is_translated_whole(tmp_path):
    from nnstudio.core.i18n import language, set_language

    pruned = [(lr, value + 1, TrialState.PRUNED) for lr, value in CLEAR[:4]]
    study, _, _ = _study(tmp_path, [*CLEAR, *pruned])
    before = language()
    set_language("ko")
    try:
        assert run_summary(trial_rows(study)) == "시도 12개: 완료 8개, 조기 종료 4개."
        assert trial_rows(study)[8].state_words == "조기 종료"
    finally:
        set_language(before)
