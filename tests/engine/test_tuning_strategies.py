"""Grid, random and TPE searches end to end on iris, pruning a bad trial, and reading the results."""

import optuna
import pytest
from optuna.trial import TrialState
from tuning_helpers import learning_rate, run_here, saved_iris, space_of, units

from nnstudio.core.tuning.space import Dimension
from nnstudio.engine.tuning.results import (
    best,
    importance,
    summary_sentences,
    trial_rows,
)
from nnstudio.engine.tuning.study import grid_size, grid_values, study_folder


def test_grid_tries_every_combination_once(tmp_path):
    project = saved_iris(tmp_path)
    space = space_of(units(project, 16, 32, step=16), Dimension("training:optimizer", "choice",
                                                                choices=("sgd", "adam")),
                     strategy="grid", pruner="none", trials=None)
    assert grid_size(space) == 4
    study = run_here(project, space, total=grid_size(space))
    tried = sorted(tuple(sorted(r.params.items())) for r in trial_rows(study))
    key = space.dimensions[0].key
    assert tried == sorted(tuple(sorted({key: u, "training:optimizer": o}.items()))
                           for u in (16, 32) for o in ("adam", "sgd"))
    assert all(r.state == "COMPLETE" and r.epochs_run == 3 and r.seconds > 0 and "val_loss" in r.curve
               for r in trial_rows(study))
    assert (study_folder(project.path) / "journal.log").is_file()


def test_grid_points_of_ranges():
    assert grid_values(Dimension("layer:n2:units", "int", 16, 256, log=True)) == [16, 32, 64, 128, 256]
    assert grid_values(Dimension("training:learning_rate", "float", 1e-4, 1e-2, log=True)) == pytest.approx(
        [1e-4, 1e-3, 1e-2])
    assert grid_values(Dimension("layer:n3:rate", "float", 0.0, 0.5, step=0.25)) == [0.0, 0.25, 0.5]


def _random_params(tmp_path, seed):
    project = saved_iris(tmp_path, epochs=1)
    study = run_here(project, space_of(units(project), learning_rate(), strategy="random", pruner="none",
                                       trials=3, seed=seed))
    return [r.params for r in trial_rows(study)]


def test_random_search_is_repeatable_with_its_seed(tmp_path):
    first = _random_params(tmp_path / "a", seed=5)
    assert len(first) == 3 and len({tuple(p.values()) for p in first}) == 3
    assert _random_params(tmp_path / "b", seed=5) == first
    assert _random_params(tmp_path / "c", seed=6) != first


def test_tpe_search_finds_a_best_trial_and_says_what_it_found(tmp_path):
    project = saved_iris(tmp_path, epochs=2)
    space = space_of(units(project), learning_rate(), strategy="tpe", pruner="none", trials=5)
    study = run_here(project, space)
    rows = trial_rows(study)
    assert len(rows) == 5 and all(r.state == "COMPLETE" for r in rows)
    top = best(study)
    assert top.value == min(r.value for r in rows)
    sentences = summary_sentences(study, space, project)
    assert sentences[0].startswith(f"The best trial was number {top.number}: val_loss")
    assert "units of hidden = " in sentences[0]
    shares = importance(study)
    assert set(shares) == {d.key for d in space.dimensions} and sum(shares.values()) == pytest.approx(1.0)
    assert any("mattered most" in s for s in sentences)


def test_too_few_trials_say_so_instead_of_an_importance(tmp_path):
    project = saved_iris(tmp_path, epochs=1)
    space = space_of(learning_rate(), strategy="random", pruner="none", trials=2)
    study = run_here(project, space)
    assert importance(study) == {}
    assert ("Too few trials have run to the end to say which setting mattered most (trials stopped early do not "
            "count).") in summary_sentences(study, space, project)


def test_median_pruning_stops_a_trial_built_to_be_bad(tmp_path):
    project = saved_iris(tmp_path, epochs=6)
    rates = Dimension("training:learning_rate", "choice", choices=(0.05, 0.00001))
    space = space_of(rates, strategy="random", pruner="median", trials=4)
    from nnstudio.engine.tuning.study import open_study
    study = open_study(project, space, folder=study_folder(project.path))
    for rate in (0.05, 0.05, 0.05, 0.00001):   # three good trials first: the median to compare with
        study.enqueue_trial({"training:learning_rate": rate})
    study = run_here(project, space)
    rows = trial_rows(study)
    assert [r.state for r in rows] == ["COMPLETE", "COMPLETE", "COMPLETE", "PRUNED"]
    bad = rows[-1]
    assert bad.params == {"training:learning_rate": 0.00001} and bad.epochs_run < 6
    assert bad.state_words == "stopped early"
    assert study.get_trials(states=(TrialState.PRUNED,))[0].intermediate_values
    assert any("stopped early" in s for s in summary_sentences(study, space, project))


def test_a_study_goes_on_when_opened_again(tmp_path):
    project = saved_iris(tmp_path, epochs=1)
    space = space_of(learning_rate(), strategy="random", pruner="none", trials=2)
    run_here(project, space)
    space.trials = 3   # the budget is the study's: one more trial
    study = run_here(project, space)
    assert [r.number for r in trial_rows(study)] == [0, 1, 2]
    # The journal stays readable by Optuna's own tools (optuna-dashboard, a notebook).
    from optuna.storages.journal import JournalFileBackend, JournalStorage
    journal = JournalStorage(JournalFileBackend(str(study_folder(project.path) / "journal.log")))
    assert len(optuna.load_study(study_name="iris", storage=journal).trials) == 3


def test_stopping_the_search_mid_trial_queues_its_values_again(tmp_path):
    import threading

    from nnstudio.engine.tuning.objective import INTERRUPTED, Objective
    from nnstudio.engine.tuning.recovery import counted
    from nnstudio.engine.tuning.study import existing_study, open_study
    from nnstudio.engine.tuning.workers import run_trials

    project = saved_iris(tmp_path, epochs=5)
    space = space_of(learning_rate(), strategy="random", pruner="none", trials=3)
    assert existing_study(project) is None   # nothing run yet, and nothing created by asking
    folder = study_folder(project.path)
    study = open_study(project, space, folder=folder)
    stop = threading.Event()
    epochs_seen = []

    def stop_after_two_epochs():
        epochs_seen.append(1)
        if len(epochs_seen) == 2:
            stop.set()
        return stop.is_set()

    run_trials(study, Objective(project, space, should_stop=stop_after_two_epochs), 3, None, stop, folder)
    study = existing_study(project)
    stopped, = study.get_trials()[:1]
    assert stopped.state == TrialState.FAIL and stopped.user_attrs[INTERRUPTED]
    assert stopped.user_attrs["epochs_run"] == 2
    assert len(study.get_trials(states=(TrialState.WAITING,))) == 1 and counted(study) == 0
    assert [r.state_words for r in trial_rows(study)] == ["interrupted (will run again)", "queued: trial 0 again"]
    # Going on: the stopped values come first, and the budget of three is whole.
    run_trials(study, Objective(project, space), 3, None, threading.Event(), folder)
    done = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(done) == 3 == counted(study) and done[0].params == stopped.params


def test_trials_report_to_the_pruner_only_at_the_schedules_epochs(tmp_path):
    """Each report is a write to the study's storage: none without a pruner, and with the median pruner at the
    same few epochs in every trial (those the pruner looks at), while every epoch's number is still kept."""
    from nnstudio.engine.tuning.objective import CURVES
    from nnstudio.engine.tuning.study import PruningSchedule

    schedule = PruningSchedule("median", 60)
    assert (schedule.first, schedule.every) == (10, 3)
    assert [e for e in range(1, 61) if schedule.due(e)] == list(range(10, 61, 3))
    assert not any(PruningSchedule("none", 60).due(e) for e in range(1, 61))
    assert all(PruningSchedule("hyperband", 60).due(e) for e in range(1, 61))

    project = saved_iris(tmp_path, epochs=24, name="none")
    study = run_here(project, space_of(learning_rate(), strategy="random", pruner="none", trials=1))
    [trial] = study.get_trials(deepcopy=False)
    assert trial.intermediate_values == {} and len(trial.user_attrs[CURVES]["val_loss"]) == 24

    project = saved_iris(tmp_path, epochs=24, name="median")
    study = run_here(project, space_of(learning_rate(), strategy="random", pruner="median", trials=2))
    for trial in study.get_trials(deepcopy=False):   # epochs count from 1: after 6 (a quarter), then each one
        assert sorted(trial.intermediate_values) == list(range(6, 25))


@pytest.mark.parametrize("strategy", ["random", "tpe"])
def test_a_study_that_goes_on_tries_new_values_and_the_same_search_from_scratch_repeats(tmp_path, strategy):
    """A walk raised the number of trials from 6 to 10 and Run tried the first trials' values again: a study that
    goes on draws new ones. The same search started afresh (same seed) draws the same values as before."""
    def values(study):
        return [tuple(sorted(t.params.items())) for t in study.get_trials(deepcopy=False)]

    first = saved_iris(tmp_path / "first", epochs=1)
    space = space_of(units(first), learning_rate(), strategy=strategy, pruner="none", trials=3)
    run_here(first, space)
    space.trials = 6
    study = run_here(first, space)
    drawn = values(study)
    assert len(set(drawn)) == 6   # the three new trials repeat none of the first three

    again = saved_iris(tmp_path / "again", epochs=1)
    space.trials = 3
    run_here(again, space)
    space.trials = 6
    assert values(run_here(again, space)) == drawn   # reproducible: the same steps give the same values
