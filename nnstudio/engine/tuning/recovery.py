"""Trials left RUNNING by a worker process that died (kill -9, a crash, a power cut) are found and tried again."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from .objective import INTERRUPTED, WORKER

if TYPE_CHECKING:
    import optuna

LOCKS = "workers"
RETRY_OF = "retry_of"

try:
    import fcntl
except ImportError:  # Windows: a lock file cannot say whether its process lives; the pid is asked instead
    fcntl = None


class WorkerLock:
    """A file each worker process keeps locked while it lives; the system frees the lock when it dies, even by
    kill -9, so a RUNNING trial whose worker's lock can be taken belongs to a dead process (a reused pid cannot
    fool it)."""

    def __init__(self, folder: Union[str, Path]) -> None:
        self.token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.path = Path(folder) / LOCKS / f"{self.token}.lock"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "w")
        self._file.write(str(os.getpid()))
        self._file.flush()
        if fcntl is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def _worker_is_dead(folder: Path, token: str) -> bool:
    path = folder / LOCKS / f"{token}.lock"
    if not path.exists():
        return True  # released and removed: the worker ended, and its trial did not
    try:
        with open(path, "r+") as handle:
            if fcntl is not None:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return False  # still held: the worker lives
                return True
            pid = int(handle.read().strip() or 0)
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def recover_interrupted(study: "optuna.Study", folder: Optional[Union[str, Path]]) -> list[int]:
    """Mark each trial of a dead worker FAIL (with `interrupted`) and queue its values again; returns their numbers.

    We re-queue rather than only fail: the same values are tried once more, as a new trial that counts towards the
    budget, while the failed one does not count, so no trial is lost and none is counted twice. Marking FAIL first
    and queueing only when that succeeded means two processes recovering at once queue a trial once."""
    import optuna
    from optuna.trial import TrialState

    if folder is None:
        return []  # a database study: its heartbeats do this (RDBStorage's failed_trial_callback)
    folder = Path(folder)
    storage = study._storage
    recovered = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        token = trial.user_attrs.get(WORKER)
        if not token or not _worker_is_dead(folder, token):
            continue
        try:
            storage.set_trial_user_attr(trial._trial_id, INTERRUPTED, True)
            if not storage.set_trial_state_values(trial._trial_id, TrialState.FAIL):
                continue
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # another process recovered it first
        study.enqueue_trial(dict(trial.params), user_attrs={RETRY_OF: trial.number})
        (folder / LOCKS / f"{token}.lock").unlink(missing_ok=True)
        recovered.append(trial.number)
    return recovered


def counted(study: "optuna.Study") -> int:
    """Trials that use the budget: finished, failed with an error, or running; not the interrupted ones."""
    from optuna.trial import TrialState

    total = 0
    for trial in study.get_trials(deepcopy=False):
        if trial.state == TrialState.WAITING:
            continue
        if trial.state == TrialState.FAIL and trial.user_attrs.get(INTERRUPTED):
            continue
        total += 1
    return total
