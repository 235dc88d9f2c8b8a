"""Run a study in worker processes (one torch thread each), sharing a budget of trials and minutes."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Union

from ...core.i18n import language as current_language, set_language, tr
from ...core.project import Project, load_project, project_from_dict
from ...core.tuning.space import SearchSpace
from ...core.tuning.worker_start import worker_context
from .recovery import WorkerLock, counted, fcntl, recover_interrupted
from .results import TrialRow, trial_row
from .study import StudyError, open_study, study_folder, trial_budget

POLL_SECONDS = 0.3
class BudgetLock:
    """A file lock held while a worker counts the study's trials and takes the next one, so processes sharing a
    journal file never start more trials than the budget (without it two could both see one trial left).
    Machines sharing a database have no common file: there a trial or two more than the budget may start."""

    def __init__(self, folder: Optional[Union[str, Path]]) -> None:
        self.path = Path(folder) / "budget.lock" if folder else None
        self._file = None

    def __enter__(self) -> "BudgetLock":
        if self.path is not None and fcntl is not None:
            self._file = open(self.path, "a")
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:   # safe to call twice
        if self._file is not None:
            self._file.close()   # closing releases the lock
            self._file = None


def run_trials(study, objective, total: Optional[int], deadline: Optional[float], stop_event,
               folder: Optional[Union[str, Path]]) -> int:
    """Take trials one after another until the study holds `total` counted trials (wherever they ran), the
    deadline passes or stop_event is set; returns how many this process ran.

    Optuna's optimize(n_trials=...) counts one process' trials and its MaxTrialsCallback counts by state only;
    the budget here is the whole study's, counted under a lock that is let go once the trial exists (RUNNING,
    so the next count includes it), and an interrupted trial does not use it."""
    from ..pipeline import RunError
    from .objective import SearchStopped

    ran = 0
    budget = BudgetLock(folder)

    def counted_in(trial):
        budget.__exit__()   # the trial is in the study now: other processes may count and take the next one
        return objective(trial)

    while not stop_event.is_set() and (deadline is None or time.time() < deadline):
        budget.__enter__()
        if total is not None and counted(study) >= total:
            budget.__exit__()
            break
        try:
            # A queued trial (values to try again) comes first; optimize handles pruning and the grid's end.
            study.optimize(counted_in, n_trials=1, catch=(RunError, SearchStopped), gc_after_trial=False)
        finally:
            budget.__exit__()
        ran += 1
    return ran


def _worker(raw: dict, path: Optional[str], space_raw: dict, storage: Optional[str], name: Optional[str],
            folder: Optional[str], index: int, total: Optional[int], budget_seconds: Optional[float], clock,
            stop_event,
            environment: dict, cwd: str, language: str) -> None:
    """One worker process: one torch thread (the workers are the parallelism), its own seed."""
    import signal

    import torch

    from .objective import Objective

    # A fork of the fork server has the server's environment and folder, from whenever it started: the caller's
    # own, as they are now, are what a trial must see (the data folder, the language, a relative data path).
    os.environ.clear()
    os.environ.update(environment)
    os.chdir(cwd)
    set_language(language)   # a failed trial's reason is read in the app's language, chosen there or in settings
    # Ctrl+C in a terminal reaches every process: the parent asks the workers to stop through stop_event, so the
    # trial in progress ends at its epoch's end and is queued again rather than failing half-done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)
    project = project_from_dict(raw)
    project.path = Path(path) if path else None
    space = SearchSpace.from_dict(space_raw)
    lock = WorkerLock(folder) if folder else None
    try:
        study = open_study(project, space, storage, name, folder, worker=index)
        objective = Objective(project, space, should_stop=stop_event.is_set, worker=lock.token if lock else "")
        objective.prepare()
        run_trials(study, objective, total, _deadline(budget_seconds, clock), stop_event, folder)
    finally:
        if lock is not None:
            lock.release()


def _deadline(budget_seconds: Optional[float], clock) -> Optional[float]:
    """When this search stops starting trials: its time budget counts from the moment the first worker is ready to
    train. A worker's start (the fork server's imports, up to 9 s on a busy machine, once per session; the data) is
    not search time: counted from Run, a one-minute search lost a sixth of it, and a budget of a few seconds
    started no trial at all."""
    if budget_seconds is None:
        return None
    with clock.get_lock():
        if clock.value == 0.0:
            clock.value = time.time()
        return clock.value + budget_seconds


def _as_project(project_or_path: Union[str, Path, Project]) -> Project:
    if isinstance(project_or_path, Project):
        return project_or_path
    return load_project(project_or_path)


def run_study(project_or_path: Union[str, Path, Project], space: SearchSpace, workers: Optional[int] = None,
              storage: Optional[str] = None, name: Optional[str] = None, stop_event: Optional[threading.Event] = None,
              on_trial: Optional[Callable[[TrialRow], None]] = None, folder: Optional[Union[str, Path]] = None):
    """Run (or go on with) the project's study until its budget is used up or stop_event is set.

    The budget (space.trials and/or space.minutes) is for the whole study: trials already in it count, so
    running it again after an interruption finishes what is left. Returns the optuna study.
    on_trial(row) is called in this thread for each trial as it ends."""
    project = _as_project(project_or_path)
    space = space.usable_in(project)
    space.validate()
    workers = max(1, workers or space.workers or os.cpu_count() or 1)   # 0 or None: one per core
    if storage and "://" not in storage:   # a journal file named by the user: the workers' locks go beside it
        folder = Path(storage[len("journal:"):] if storage.startswith("journal:") else storage).parent
    elif folder is None and project.path is not None and not storage:
        folder = study_folder(project.path)
    study = open_study(project, space, storage, name, folder)
    recover_interrupted(study, folder)
    total = trial_budget(space)
    remaining = None if total is None else max(0, total - counted(study))
    workers = min(workers, remaining) if remaining is not None else workers
    budget_seconds = None if space.minutes is None else space.minutes * 60
    context = worker_context()
    quit_event = context.Event()
    clock = context.Value("d", 0.0)   # when the first worker was ready: the time budget counts from there
    raw = project.to_dict()
    path = str(project.path) if project.path else None
    seen = {t.number for t in study.get_trials(deepcopy=False) if t.state.is_finished()}
    finished_before = len(seen)
    processes = []
    for index in range(workers):
        process = context.Process(target=_worker, daemon=True, args=(
            raw, path, space.to_dict(), storage, name, str(folder) if folder else None, index, total, budget_seconds,
            clock, quit_event, dict(os.environ), os.getcwd(), current_language()))
        process.start()
        processes.append(process)
    try:
        while any(p.is_alive() for p in processes):
            if stop_event is not None and stop_event.is_set():
                quit_event.set()
            seen = _report_new(study, seen, on_trial, project)
            time.sleep(POLL_SECONDS)
    finally:
        quit_event.set()
        for process in processes:
            process.join(timeout=30)
    recover_interrupted(study, folder)   # a worker that died: its trial shows as failed and is queued again
    _report_new(study, seen, on_trial, project)
    stopped = stop_event is not None and stop_event.is_set()
    if not stopped and _finished(study) == finished_before:
        _say_why_nothing_ran(processes)
    return study


def _finished(study) -> int:
    return sum(1 for trial in study.get_trials(deepcopy=False) if trial.state.is_finished())


def _say_why_nothing_ran(processes: list) -> None:
    """Workers that ended with an error before any trial finished: say so, rather than end as if the search were
    done (a walk saw Run do nothing at all when the app's files had changed on disk while it ran)."""
    codes = [process.exitcode for process in processes if process.exitcode not in (0, None)]
    if codes:
        raise StudyError(tr("The processes that train the trials stopped with an error before any trial finished "
                            "(exit code {code}). Close NN Studio and start it again, then press Run; if it happens "
                            "again, the terminal NN Studio was started from shows what went wrong.", code=codes[0]))


def _report_new(study, seen: set, on_trial, project: Project) -> set:
    if on_trial is None:
        return seen
    for trial in study.get_trials(deepcopy=False):
        if trial.state.is_finished() and trial.number not in seen:
            seen.add(trial.number)
            on_trial(trial_row(trial))
    return seen
