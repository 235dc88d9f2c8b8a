"""Worker processes: a worker killed with kill -9 mid-trial loses no trial and duplicates none when the study goes on."""

import os
import signal
import threading
import time

import pytest
from optuna.trial import TrialState
from tuning_helpers import learning_rate, saved_iris, space_of, units

from nnstudio.engine.tuning.objective import INTERRUPTED, WORKER
from nnstudio.engine.tuning.recovery import RETRY_OF, counted
from nnstudio.engine.tuning.study import open_study, study_folder
from nnstudio.engine.tuning.workers import run_study


def _running_trial_of_a_worker(project, space, timeout=240):
    """Wait (reading the journal, as another process would) until a worker is inside a trial."""
    study = open_study(project, space, folder=study_folder(project.path))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if trial.user_attrs.get(WORKER) and trial.params:   # inside training: its values are chosen
                return trial
        time.sleep(0.1)
    raise AssertionError("no worker started a trial")


@pytest.mark.timeout(480)   # two runs of spawned workers, each importing torch: slow on a busy machine
def test_a_killed_worker_loses_no_trial_and_duplicates_none(tmp_path):
    project = saved_iris(tmp_path, epochs=100)   # a trial lasts a second or more: long enough to be killed inside
    space = space_of(units(project), learning_rate(), strategy="random", pruner="none", trials=4)
    finished = []
    runner = threading.Thread(target=lambda: run_study(project.path, space, workers=2,
                                                       on_trial=finished.append))
    runner.start()
    victim = _running_trial_of_a_worker(project, space)
    os.kill(int(victim.user_attrs[WORKER].split("-")[0]), signal.SIGKILL)
    runner.join(timeout=600)
    assert not runner.is_alive()
    study = open_study(project, space, folder=study_folder(project.path))
    killed = study.get_trials(deepcopy=False)[victim.number]
    assert killed.state == TrialState.FAIL and killed.user_attrs[INTERRUPTED]
    assert study.get_trials(deepcopy=False, states=(TrialState.WAITING,))   # its values wait for the next run
    assert any(row.number == victim.number and row.state_words == "interrupted (will run again)" for row in finished)

    study = run_study(project.path, space, workers=2)   # go on with the study
    trials = study.get_trials(deepcopy=False)
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    assert len(done) == 4 == counted(study)
    retries = [t for t in done if t.user_attrs.get(RETRY_OF) == victim.number]
    assert len(retries) == 1 and retries[0].params == victim.params
    assert len({tuple(sorted(t.params.items())) for t in done}) == 4   # nothing ran twice
    assert not study.get_trials(deepcopy=False, states=(TrialState.RUNNING, TrialState.WAITING))
    assert not list((study_folder(project.path) / "workers").iterdir())   # every worker's lock is gone


@pytest.mark.timeout(300)
def test_a_worker_sees_the_apps_language_and_environment_as_they_are_when_the_search_starts(tmp_path, monkeypatch):
    """Workers fork from a server started earlier (when the Experiments panel opened): the data folder set since
    then and the language chosen in the app are still the ones a trial uses, and its failure reads in that
    language."""
    from nnstudio.core import examples
    from nnstudio.core.i18n import language, set_language
    from nnstudio.core.project import save_project
    from nnstudio.core.tuning.worker_start import warm_up_workers
    from nnstudio.engine.tuning.objective import ERROR
    from nnstudio.engine.tuning.results import trial_rows

    warm_up_workers()   # the server's environment is this test's environment before the change below
    cache = tmp_path / "empty cache"
    monkeypatch.setenv("NNSTUDIO_DATA_DIR", str(cache))
    project = examples.mnist_first_network()   # its MNIST files are not in the (empty) cache
    project.training.epochs = 1
    save_project(project, tmp_path / "mnist.nnstudio")
    space = space_of(learning_rate(), strategy="random", pruner="none", trials=1)
    before = language()
    set_language("ko")
    try:
        study = run_study(project.path, space, workers=1)
    finally:
        set_language(before)
    [trial] = study.get_trials(deepcopy=False)
    assert trial.state == TrialState.FAIL
    reason = trial.user_attrs[ERROR]
    assert str(cache / "mnist") in reason   # the folder set after the server started
    assert "아직" in reason and "nnstudio data download mnist" in reason   # in Korean, as the app is
    assert trial_rows(study)[0].error == reason


@pytest.mark.timeout(300)
def test_spawned_workers_as_on_windows_and_macos_run_the_same_study(tmp_path, monkeypatch):
    """Where there is no fork server for the workers (Windows, macOS) they are spawned: the same study results."""
    import multiprocessing

    from nnstudio.engine.tuning import workers

    monkeypatch.setattr(workers, "worker_context", lambda: multiprocessing.get_context("spawn"))
    project = saved_iris(tmp_path, epochs=2)
    study = run_study(project.path, space_of(learning_rate(), strategy="random", pruner="none", trials=2),
                      workers=2)
    trials = study.get_trials(deepcopy=False)
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 2
    assert len({t.user_attrs[WORKER] for t in trials}) >= 1 and counted(study) == 2


@pytest.mark.timeout(300)
def test_workers_that_fail_before_any_trial_are_reported_in_plain_words(tmp_path, monkeypatch):
    from tuning_helpers import crashing_worker

    from nnstudio.engine.tuning import workers
    from nnstudio.engine.tuning.study import StudyError

    monkeypatch.setattr(workers, "_worker", crashing_worker)
    project = saved_iris(tmp_path, epochs=2)
    with pytest.raises(StudyError) as caught:
        run_study(project.path, space_of(learning_rate(), strategy="random", pruner="none", trials=2), workers=2)
    assert str(caught.value).startswith("The processes that train the trials stopped with an error before any "
                                        "trial finished (exit code 1). Close NN Studio and start it again")
