"""One trial: the project with the trial's values, trained while the pruner watches each epoch."""

from __future__ import annotations

import json
import math
import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from ...core.i18n import tr
from ...core.tuning.space import SearchSpace, apply_params
from ..callbacks import Callback, monitored_value
from ..pipeline import RunError, effective_settings, load_project_data, train_project
from .study import PruningSchedule, most_epochs, smaller_is_better, suggest

if TYPE_CHECKING:
    import optuna

    from ...core.project import Project

# Trial user attributes the Experiments panel and `nnstudio tune` read (JSON keys: an API, not translated).
CURVES, EPOCHS_RUN, SECONDS, STOP_REASON, ERROR, INTERRUPTED, WORKER = (
    "curves", "epochs_run", "seconds", "stop_reason", "error", "interrupted", "worker")
IO_TYPES = ("Input", "Output")


class SearchStopped(Exception):
    """The user stopped the search during a trial: the trial is marked failed and its values queued again."""


class _Reporter(Callback):
    """Keeps the watched number of each epoch, hands it to the pruner at the schedule's epochs, and ends the fit
    when the pruner or the user says so."""

    def __init__(self, trial: "optuna.Trial", monitor: str, should_stop: Callable[[], bool],
                 schedule: PruningSchedule) -> None:
        super().__init__()
        self.trial, self.monitor, self.should_stop, self.schedule = trial, monitor, should_stop, schedule
        self.pruned = self.stopped = False
        self.values: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        value, _ = monitored_value(logs, self.monitor)
        if value is None:
            return
        value = float(value)
        self.values.append(value)
        due = self.schedule.due(epoch)
        if due:
            self.trial.report(value if math.isfinite(value) else math.inf, epoch)
        if self.should_stop():
            self.stopped = True
            self.trainer.request_stop("stopped")
        elif due and self.trial.should_prune():
            self.pruned = True
            self.trainer.request_stop("pruned")


def _data_key(project: "Project") -> str:
    """What the prepared data depends on: the data settings and the Input and Output layers (not hidden ones)."""
    io = [n.to_dict() for n in project.graph.nodes.values() if n.type in IO_TYPES]
    for node in io:
        node.pop("position", None)
    return json.dumps([project.data.to_dict(), str(project.base_dir), io], sort_keys=True, default=str)


class Objective:
    """Callable for study.optimize: trains one trial's project and returns its best watched value.

    The data is read once per process and kept while a trial's Inputs, Outputs and data settings stay the same
    (hidden layers do not change it), so a trial costs what a plain training run costs."""

    def __init__(self, project: "Project", space: SearchSpace, should_stop: Callable[[], bool] = lambda: False,
                 worker: str = "") -> None:
        self.project, self.space, self.should_stop, self.worker = project, space, should_stop, worker
        self._data_key: Optional[str] = None
        self._data: Any = None
        self.schedule = PruningSchedule(space.pruner, most_epochs(space, project))

    def prepare(self) -> None:
        """Read the project's data before the first trial, as a worker starts (later trials of the same Inputs,
        Outputs and data settings reuse it). A problem with it is left for the trial to report."""
        try:
            self.data_for(self.project)
        except Exception:  # noqa: BLE001 - the first trial meets the same error and records it in plain words
            pass

    def data_for(self, project: "Project"):
        key = _data_key(project)
        if key != self._data_key:
            self._data, self._data_key = load_project_data(project), key
        return self._data

    def __call__(self, trial: "optuna.Trial") -> float:
        import optuna

        if self.worker:
            trial.set_user_attr(WORKER, self.worker)
        params = {dim.key: suggest(trial, dim) for dim in self.space.dimensions}
        project = apply_params(self.project, params)
        settings = effective_settings(project)
        settings.checkpoints.enabled = False   # hundreds of trials must not each write model files
        settings.tensorboard.enabled = False
        reporter = _Reporter(trial, self.space.monitor, self.should_stop, self.schedule)
        started = time.perf_counter()
        try:
            data = self.data_for(project)
            # Never the test set: a search that looked at it would make its number too hopeful.
            _, result = train_project(project, settings, data, callbacks=[reporter], evaluate_test=False)
        except RunError as exc:
            trial.set_user_attr(ERROR, str(exc))
            raise
        history = result.history
        trial.set_user_attr(CURVES, {key: [float(v) if math.isfinite(v) else None for v in values]
                                     for key, values in history.logs.items()})
        trial.set_user_attr(EPOCHS_RUN, len(history.epochs))
        trial.set_user_attr(SECONDS, round(time.perf_counter() - started, 4))
        trial.set_user_attr(STOP_REASON, history.stop_reason)
        if reporter.stopped:
            trial.set_user_attr(INTERRUPTED, True)
            trial.study.enqueue_trial(trial.params)   # tried again, in full, when the search goes on
            trial.study.stop()
            raise SearchStopped(tr("the search was stopped"))
        if reporter.pruned:
            raise optuna.TrialPruned()
        finite = [v for v in reporter.values if math.isfinite(v)]
        if history.stop_reason == "diverged" or not finite:
            # A run whose loss became infinite is the worst there is: pruned, so it never looks best.
            raise optuna.TrialPruned()
        return min(finite) if smaller_is_better(self.space.monitor) else max(finite)
