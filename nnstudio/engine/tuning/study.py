"""Where a study lives (a journal file beside the project, or a database) and how it picks and stops trials."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from ...core.i18n import tr
from ...core.tuning.space import Dimension, SearchSpace

if TYPE_CHECKING:
    import optuna

    from ...core.project import Project

STUDY_SUFFIX = ".study"
JOURNAL_FILE = "journal.log"
DEFAULT_STUDY_NAME = "study"
GRID_FLOAT_POINTS = 3      # a float range on a grid is tried at its ends and its middle
GRID_INT_POINTS = 5
# Optuna's own words for what it stores in a study's user attributes: the search as it was set up.
SPACE_ATTR = "nnstudio_space"


class StudyError(Exception):
    """The study cannot be opened or run; the message says why in plain words."""


def study_folder(project_path: Union[str, Path]) -> Path:
    """The folder beside a project that keeps its studies: `digits.nnstudio` -> `digits.study/`."""
    path = Path(project_path)
    return path.with_name(path.stem + STUDY_SUFFIX)


def smaller_is_better(monitor: str) -> bool:
    """The same rule as engine.callbacks.smaller_is_better (kept here so reading a study needs no torch)."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    return any(name == word or name.endswith("_" + word) for word in ("loss", "mse", "mae"))


def journal_path(folder: Union[str, Path]) -> Path:
    return Path(folder) / JOURNAL_FILE


def database_url(url: str) -> str:
    """postgresql://... with the driver that is installed: SQLAlchemy 2.1 reads a bare postgresql:// as psycopg
    (version 3), while NN Studio's postgres extra installs psycopg2-binary."""
    import importlib.util

    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme) and importlib.util.find_spec("psycopg") is None \
                and importlib.util.find_spec("psycopg2") is not None:
            return "postgresql+psycopg2://" + url[len(scheme):]
    return url


def make_storage(storage: Optional[str], folder: Optional[Union[str, Path]]):
    """An Optuna storage: a database URL as given, or a journal file in the study folder.

    Several processes on one machine share the journal file without a server (each append is locked). Optuna
    warns against SQLite for parallel work (its locking stalls and fails under several writers), so the default
    is the journal; postgresql:// (or mysql://) URLs go to RDBStorage, which also lets several machines share
    one study, with heartbeats so a trial of a machine that died is marked failed and tried again."""
    import warnings

    import optuna
    from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    # Trial lines are ours, in the user's language (a failed trial's reason is kept in its "error").
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if storage and "://" in storage and not storage.startswith("journal:"):
        try:
            with warnings.catch_warnings():   # heartbeats are marked experimental by Optuna; they are what we need
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return RDBStorage(database_url(storage), heartbeat_interval=30, grace_period=120,
                                  heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1))
        except Exception as exc:  # SQLAlchemy's errors: a missing driver, a refused connection, a bad URL
            raise StudyError(tr("could not open the study's database: {reason}",
                                reason=str(exc).splitlines()[0][:200])) from None
    if storage:
        path = Path(storage[len("journal:"):] if storage.startswith("journal:") else storage)
    elif folder is not None:
        path = journal_path(folder)
    else:
        raise StudyError(tr("save the project first: its study is kept in a folder beside it"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(str(path)))
    except OSError as exc:
        raise StudyError(tr("could not open the study file '{path}': {reason}", path=path,
                            reason=exc.strerror or exc)) from None


def grid_values(dim: Dimension) -> list:
    """The values a grid tries for one dimension: every choice, stepped whole numbers, a few points of a range."""
    if dim.kind == "choice":
        return list(dim.choices)
    low, high = dim.low, dim.high
    if dim.kind == "int":
        low, high = int(low), int(high)
        if dim.step is not None:
            return list(range(low, high + 1, max(1, int(dim.step))))
        if dim.log:  # 16, 32, 64, 128, 256: doubling, and the top end
            values, value = [], low
            while value < high:
                values.append(value)
                value *= 2
            return values + [high]
        if high - low + 1 <= GRID_INT_POINTS:
            return list(range(low, high + 1))
        return sorted({round(low + (high - low) * i / (GRID_INT_POINTS - 1)) for i in range(GRID_INT_POINTS)})
    if dim.step is not None:
        count = int(math.floor((high - low) / dim.step + 1e-9)) + 1
        return [round(low + i * dim.step, 12) for i in range(count)]
    if dim.log:
        return [float(low * (high / low) ** (i / (GRID_FLOAT_POINTS - 1))) for i in range(GRID_FLOAT_POINTS)]
    return [float(low + (high - low) * i / (GRID_FLOAT_POINTS - 1)) for i in range(GRID_FLOAT_POINTS)]


def grid_size(space: SearchSpace) -> int:
    return math.prod(len(grid_values(d)) for d in space.dimensions) if space.dimensions else 1


def trial_budget(space: SearchSpace) -> Optional[int]:
    """How many trials the study should hold in all: the number asked for, or for a grid without one every
    combination; None when only time limits it."""
    if space.trials is None and space.strategy == "grid":
        return grid_size(space)
    return space.trials


def make_sampler(space: SearchSpace, worker: int = 0, trials_before: int = 0):
    """Grid, random or TPE. Each worker gets its own seed (seed + worker), so two processes never draw alike; and a
    study that goes on seeds from the trials it has already (a walk saw Run, after raising the number of trials,
    try again exactly the values of the first trials: the sampler started from the same seed). The same search
    from scratch draws the same values again."""
    import optuna

    seed = space.seed + worker + 1_000 * trials_before
    if space.strategy == "grid":
        return optuna.samplers.GridSampler({d.key: grid_values(d) for d in space.dimensions}, seed=seed)
    if space.strategy == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


class PruningSchedule:
    """The epochs at which a trial hands its validation number to the study for the pruner to judge.

    Each report is a write to the study's storage (a locked, fsynced line in the journal file, a row in a
    database), and on tiny networks an epoch takes about a millisecond: reporting every epoch made a 60-epoch
    iris trial 80% slower than the same training alone. Trials are compared at the same epochs, so every trial
    of a study reports at the same ones: from `first` on, every `every` epochs; none when nothing prunes."""

    def __init__(self, pruner: str, max_epochs: int) -> None:
        self.pruner = pruner
        max_epochs = max(1, max_epochs)
        if pruner == "median":
            # After a quarter of the epochs (at most 10) to settle: a student's walk saw trials stopped after one
            # epoch, their one-epoch numbers listed beside finished ones. About 20 looks per trial at most.
            self.first, self.every = max(1, min(10, max_epochs // 4)), max(1, max_epochs // 20)
        else:   # Hyperband's rungs are at 1, 3, 9, ... epochs: it is shown every epoch
            self.first, self.every = 0, 1

    @property
    def reports(self) -> bool:
        return self.pruner != "none"

    def due(self, epoch: int) -> bool:
        return self.reports and epoch >= self.first and (epoch - self.first) % self.every == 0


def make_pruner(space: SearchSpace, max_epochs: int):
    """What stops a bad trial early, judged on the watched validation number at the schedule's epochs.

    Median: after 3 finished trials, a trial is stopped when its number is worse than the median of the others at
    the same epoch. Hyperband: trials race in brackets and only the best third go on."""
    import optuna

    schedule = PruningSchedule(space.pruner, max_epochs)
    if space.pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=schedule.first,
                                           interval_steps=schedule.every)
    if space.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(1, max_epochs), reduction_factor=3)
    return optuna.pruners.NopPruner()


def most_epochs(space: SearchSpace, project: "Project") -> int:
    for dim in space.dimensions:
        if dim.key == "training:epochs" and dim.kind != "choice":
            return int(dim.high)
        if dim.key == "training:epochs":
            return int(max(dim.choices))
    return project.training.epochs


def study_name_for(project: "Project", name: Optional[str]) -> str:
    if name:
        return name
    return project.path.stem if project.path is not None else DEFAULT_STUDY_NAME


def open_study(project: "Project", space: SearchSpace, storage: Optional[str] = None, name: Optional[str] = None,
               folder: Optional[Union[str, Path]] = None, worker: int = 0) -> "optuna.Study":
    """Create the study, or open it to go on when it exists (same storage and name: load_if_exists)."""
    import optuna

    if folder is None and project.path is not None:
        folder = study_folder(project.path)
    space.validate()
    backend = make_storage(storage, folder)
    try:
        study = optuna.create_study(
            storage=backend, study_name=study_name_for(project, name), load_if_exists=True,
            sampler=make_sampler(space, worker), pruner=make_pruner(space, most_epochs(space, project)),
            direction="minimize" if smaller_is_better(space.monitor) else "maximize")
    except ValueError as exc:  # a study of that name that watches the other way
        raise StudyError(tr("the study cannot be opened: {reason}", reason=exc)) from None
    if worker == 0 and SPACE_ATTR not in study.user_attrs:
        study.set_user_attr(SPACE_ATTR, space.to_dict())
    trials_before = len(study.get_trials(deepcopy=False))
    if trials_before:
        study.sampler = make_sampler(space, worker, trials_before)
    return study


def existing_study(project: "Project", storage: Optional[str] = None, name: Optional[str] = None,
                   folder: Optional[Union[str, Path]] = None) -> Optional["optuna.Study"]:
    """The project's study as it was left (to show its trials when the project is opened again), or None when
    no study was run yet. Nothing is created."""
    import optuna

    if folder is None and project.path is not None:
        folder = study_folder(project.path)
    if not storage and (folder is None or not journal_path(folder).is_file()):
        return None
    try:
        return optuna.load_study(study_name=study_name_for(project, name), storage=make_storage(storage, folder))
    except KeyError:   # the storage holds no study of that name
        return None


def saved_space(study: "optuna.Study") -> Optional[SearchSpace]:
    """The search a study was started with (another machine's CLI reads it to join), or None."""
    raw = study.user_attrs.get(SPACE_ATTR)
    return SearchSpace.from_dict(raw) if raw is not None else None


def suggest(trial: "optuna.Trial", dim: Dimension) -> Any:
    """Ask the sampler for one dimension's value in this trial."""
    if dim.kind == "choice":
        return trial.suggest_categorical(dim.key, list(dim.choices))
    if dim.kind == "int":
        return trial.suggest_int(dim.key, int(dim.low), int(dim.high), log=dim.log,
                                 step=int(dim.step) if dim.step else 1)
    return trial.suggest_float(dim.key, float(dim.low), float(dim.high), log=dim.log, step=dim.step)
