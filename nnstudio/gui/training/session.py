"""The training session: the project's data, the training thread's lifecycle, and the news it fans out to panels."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QElapsedTimer, QObject, QThread, QTimer, Signal

from ...core.analysis import analyze
from ...core.i18n import N_, tr
from ...core.layers import WEIGHTED_TYPES
from ...core.runs import RunRecord
from ...core.settings import SettingsError, TrainingSettings
from ..editing.document import Document
from .session_models import SessionModels

# numpy, the data loaders, the worker and torch are imported where first used: the window must appear fast.
if TYPE_CHECKING:
    from ...core.analysis import DataContext
    from ...core.data.project_data import ProjectData, TableCache
    from ...engine.compiler import GraphModule
    from ...engine.pipeline import RunResult
    from .worker import Outcome, TrainingWorker

log = logging.getLogger(__name__)

GRAPH_DEBOUNCE_MS = 300
TRAINING_LOCK_MESSAGE = N_("Training is running: stop it to edit the network")  # shown with tr()
# Snapshot every layer's weights without being asked when the whole network is this small (cheap copies).
SMALL_NETWORK_VALUES = 100_000
# During training the GUI looks at what the worker has put in its mailbox every REFRESH_MS (10 times a second, the
# slowest rate at which curves still look live), and hands everything new to the panels in one go, so the window
# repaints once per look, not once per kind of news. Python in the GUI thread holds the GIL the training loop needs,
# so the panels keep that work small (see live_curve.py and plot_view.py) rather than looking less often.
REFRESH_MS = 100
WEIGHTS_EVERY_MS = 200   # a fresh copy of the watched weights at most 5 times a second
# Opening or creating another project ends a running run (its thread is waited for, as when the window closes).
RUN_END_WAIT_MS = 5000
RUN_DROPPED_MESSAGE = N_("Training of the previous project was stopped when this project opened; "
                          "its results were not kept.")  # shown with tr()
NOTHING_TO_GO_ON_WITH = N_("There is no run to go on with: train the network first, or open a trained model "
                           "(.nnzip).")  # shown with tr()
CHANGED_SINCE_TRAINED = N_("The network or its data changed since it was trained, so its run cannot go on: press "
                           "Train to train it afresh.")  # shown with tr()


class TrainingSession(SessionModels, QObject):
    """Starts, pauses, stops and ends the training thread, and hands what it reports to the panels.

    It also holds what the panels read: the loaded data, and (see SessionModels) the model and its weight store.
    The worker trains a copy of the project taken when Train is pressed; the finished run is recorded here, into
    the live project. Panels read its attributes and listen to its signals; only this object talks to the worker.
    """

    data_changed = Signal()
    training_started = Signal()
    progress = Signal(dict)               # {"epoch", "epochs", "batch", "batches", "seconds_left"}, ≤ 10 Hz
    batch_losses = Signal(object, object)  # fractional epoch positions, losses (numpy), ≤ 10 Hz
    epoch_finished = Signal(int, dict)
    weights_snapshot = Signal(dict)       # ≤ 5 Hz
    refreshed = Signal()                  # after each group of the live updates above: the time to redraw
    training_finished = Signal(object)    # RunResult
    training_failed = Signal(str, str)    # plain message, details
    model_changed = Signal()
    runs_changed = Signal()               # a run was added to document.project.runs

    def __init__(self, document: Document, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        from .. import gc_guard
        gc_guard.install()  # every window trains in a second thread: garbage is collected in the GUI thread only
        self.document = document
        self.data: Optional["ProjectData"] = None
        self.data_error: str = ""
        self._model: Optional["GraphModule"] = None   # see SessionModels.model
        self.last_result: Optional["RunResult"] = None
        self.last_settings: Optional[TrainingSettings] = None
        self._tables: Optional["TableCache"] = None   # see `tables`
        self._loaded_signature: Optional[str] = None
        self._thread: Optional[QThread] = None
        self._worker: Optional[TrainingWorker] = None
        self._run_project = None   # the live project the running run is recorded into (it trains a copy)
        self._paused = False
        self._shutting_down = False
        self._stop_requested = False
        self._reload_after_training = False
        self._loading_held = False
        self._load_wanted = False
        self._watched_by_request: set[str] = set()
        self._preview_model: Optional["GraphModule"] = None   # the GUI's own model for predictions during a run
        self._preview_clock: Optional[QElapsedTimer] = None   # since its weights were last brought up to date
        self._fresh_model: Optional[tuple[str, "GraphModule"]] = None  # an untrained model, before any run
        self._weights = None   # the WeightStore, made on first use (see SessionModels.weights)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._collect)
        self._weights_clock: Optional[QElapsedTimer] = None

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.timeout.connect(self._reload_if_needed)
        document.analysis_changed.connect(self._graph_maybe_changed)
        document.project_replaced.connect(self._project_replaced)
        document.settings_changed.connect(self._settings_changed)
        document.selection_changed.connect(self._selection_changed)

    # ------------------------------------------------------------ state
    @property
    def is_training(self) -> bool:
        return self._worker is not None

    @property
    def is_paused(self) -> bool:
        return self.is_training and self._paused

    # ------------------------------------------------------------ data
    @property
    def tables(self) -> "TableCache":
        """The one table cache, shared with the Data panel: a dataset is read from disk once.

        Made on first use: the data modules import numpy, which must wait until the window has painted.
        """
        if self._tables is None:
            from ...core.data.project_data import TableCache  # noqa: PLC0415

            self._tables = TableCache()
        return self._tables

    def hold_loading(self, held: bool) -> None:
        """While held, data loads wait (the window holds them until its first paint, so it appears fast)."""
        self._loading_held = held
        if not held and self._load_wanted:
            self._reload_timer.start(0)

    def _signature(self) -> str:
        """Everything that decides the loaded data and its binding (not the layers' positions)."""
        project = self.document.project
        graph = project.graph.to_dict()
        nodes = [{k: v for k, v in node.items() if k != "position"} for node in graph.get("nodes", [])]
        return json.dumps([project.data.to_dict(), str(project.base_dir), nodes, graph.get("edges", [])],
                          sort_keys=True, default=str)

    def _schedule_reload(self, delay_ms: int) -> None:
        self._load_wanted = True
        if self._loading_held:
            return
        self._reload_timer.start(delay_ms)

    def _graph_maybe_changed(self) -> None:
        if self._signature() != self._loaded_signature:
            self._schedule_reload(GRAPH_DEBOUNCE_MS)

    def _settings_changed(self, part: str) -> None:
        if part == "data":
            self._schedule_reload(0)

    def _project_replaced(self) -> None:
        # The old project's run, model and results mean nothing for the new one. The run ends here (its thread
        # is waited for, about one batch), so nothing it still sends can reach the panels or the new project's
        # history; it is not recorded into the old project either, which the window no longer shows.
        dropped_run = self._end_run_now()
        self.model = None
        self.keep_run_state(None, None)
        self.last_result = None
        self.last_settings = None
        self._fresh_model = None
        self._reload_after_training = False
        self._schedule_reload(0)
        self.model_changed.emit()
        if dropped_run:
            # The panels leave their running state on the end of a run: this one ended without a result.
            self.training_failed.emit(tr(RUN_DROPPED_MESSAGE), "")

    def _reload_if_needed(self) -> None:
        if self._signature() != self._loaded_signature or self._load_wanted:
            self.reload_data()

    def reload_data(self) -> None:
        """Load the project's data (a cached table when the source is unchanged), bind, split and scale it."""
        self._reload_timer.stop()
        self._load_wanted = False
        if self.is_training:  # the trainer uses the current arrays: rebind when it is done
            self._reload_after_training = True
            return
        project = self.document.project
        from ...core.data import DataError  # noqa: PLC0415
        from ...core.data.project_data import load_project_data  # noqa: PLC0415

        self._loaded_signature = self._signature()
        self._fresh_model = None
        try:
            data = load_project_data(project, self.tables)
        except DataError as exc:
            # No data to train on, but what the data says still reaches the analysis (see load_project_data).
            self._set_data(None, str(exc), getattr(exc, "context", None))
            return
        self._set_data(data, "")

    def _set_data(self, data: Optional["ProjectData"], error: str, context: Optional["DataContext"] = None) -> None:
        self.data, self.data_error = data, error
        self.document.set_data_context(data.context if data is not None else context)
        self.data_changed.emit()

    # ------------------------------------------------------------ training control
    def start(self, more: bool = False) -> bool:
        """Start training in the background; False (and training_failed) when something must be fixed first.

        more: "Train more", going on with the model's run (its weights, optimizer, epoch count and curves)."""
        if self.is_training:
            return False
        if more and not self.can_train_more:
            changed = self.resume_state is not None and self.model is self._resume_model
            self.training_failed.emit(tr(CHANGED_SINCE_TRAINED if changed else NOTHING_TO_GO_ON_WITH), "")
            return False
        if self._reload_timer.isActive() or self._load_wanted or self._signature() != self._loaded_signature:
            self.reload_data()
        project = self.document.project
        if self.data is None:
            self.training_failed.emit(self.data_error or tr("There is no data to train on yet."), "")
            return False
        analysis = analyze(project.graph, self.data.context)
        if analysis.errors:
            lines = "\n".join(f"• {issue.message}" for issue in analysis.errors)
            self.training_failed.emit(tr("The network has problems to fix first:\n{problems}", problems=lines), "")
            return False
        try:
            settings = TrainingSettings.from_dict(project.training.to_dict())
        except SettingsError as exc:
            self.training_failed.emit(tr("A training setting is not valid: {reason}", reason=exc), "")
            return False

        self.last_settings = settings
        self._run_project = project
        self._paused = False
        self._stop_requested = False
        self._preview_model = self._preview_clock = None
        from .worker import TrainingWorker  # noqa: PLC0415

        start_model = resume = None
        if more:
            import copy  # noqa: PLC0415

            # The run trains a copy: the panels keep reading the model they show until the run's own is ready.
            start_model, resume = copy.deepcopy(self.model), self.resume_state
        worker = TrainingWorker(project, settings, self.data, self._watched_nodes(), start_model, resume)
        if resume is not None and resume.history is not None:
            # The curves go on from the saved run: its epochs reach the panels first, as if just trained.
            history = resume.history
            for row, epoch in enumerate(history.epochs):
                worker.mailbox.add_epoch(epoch, {key: values[row] for key, values in history.logs.items()
                                                 if row < len(values)})
        worker.model_ready.connect(self._on_model_ready)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self._worker = worker
        self.document.lock_edits(tr(TRAINING_LOCK_MESSAGE))
        self.training_started.emit()
        # The thread starts on the next turn of the event loop, after the window has repainted itself for the
        # new run (cleared curves, locked editors: tens of ms of Python), so that work does not compete with the
        # first epoch for the GIL. Stop and shutdown work before that too: the worker checks its stop event.
        QTimer.singleShot(0, self, lambda: self._start_thread(worker))
        return True

    def _start_thread(self, worker: "TrainingWorker") -> None:
        if self._worker is not worker or self._thread is not None or self._shutting_down:
            return  # shut down (or replaced) before it started
        from .worker import start_worker  # noqa: PLC0415

        self._thread = start_worker(worker, self)
        self._weights_clock = QElapsedTimer()
        self._weights_clock.start()
        self._refresh_timer.start(REFRESH_MS)

    def pause(self) -> None:
        if self._worker is not None and not self._paused:
            self._paused = True
            self._worker.pause()
            # Asked after pausing: the copy comes from the batch the trainer stops after, so predictions made
            # while paused (which cannot wait for a batch) use the paused weights.
            self._worker.mailbox.want_model()
            self._preview_clock = None

    def resume(self) -> None:
        if self._worker is not None and self._paused:
            self._paused = False
            self._worker.resume()

    def stop(self) -> None:
        """Ask the run to end; it does so before its next batch, then training_finished follows."""
        if self._worker is not None:
            self._stop_requested = True
            self._worker.stop()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Stop training and wait for its thread to end (the window is closing)."""
        self._reload_timer.stop()
        if self._worker is not None:
            self._shutting_down = True
        self._end_run_now(timeout_ms)

    def _end_run_now(self, timeout_ms: int = RUN_END_WAIT_MS) -> bool:
        """Stop the run and wait for its thread; whatever it sends later is dropped. False when none ran."""
        self._refresh_timer.stop()
        worker = self._worker
        if worker is None:
            return False
        self._worker = None  # from now on its signals name a worker that is not the session's: ignored
        worker.stop(keep_results=False)
        self._finish_thread(timeout_ms)
        self._paused = self._stop_requested = False
        self._preview_model = self._preview_clock = self._run_project = None
        self.document.lock_edits(None)
        return True

    def _finish_thread(self, timeout_ms: int) -> None:
        thread = self._thread
        self._thread = None
        if thread is None:
            return
        thread.quit()
        if not thread.wait(timeout_ms):
            # Deleting a running QThread crashes the app: better to wait for the current batch to end.
            log.warning("the training thread did not stop within %d ms; waiting for it", timeout_ms)
            thread.wait()
        thread.deleteLater()

    # ------------------------------------------------------------ weights the GUI wants to see
    def watch_weights(self, node_ids: set[str]) -> None:
        """Ask for weight snapshots of these nodes (besides the selected ones) during training."""
        self._watched_by_request = set(node_ids)
        self._update_watch()

    def _selection_changed(self, node_ids: list) -> None:
        self._update_watch()

    def _update_watch(self) -> None:
        if self._worker is not None:
            self._worker.watch(self._watched_nodes())

    def _watched_nodes(self) -> set[str]:
        """The selected and requested layers; every layer with weights when the network is small."""
        graph = self.document.graph
        weighted = {n.id for n in graph.nodes.values() if n.type in WEIGHTED_TYPES}
        watched = (set(self.document.selected_ids) | self._watched_by_request) & set(graph.nodes)
        if sum(self.document.analysis.params.values()) <= SMALL_NETWORK_VALUES:
            watched |= weighted
        return watched

    # ------------------------------------------------------------ from the worker (GUI thread)
    def _collect(self) -> None:
        """Hand what the worker put in its mailbox since the last look to the panels (timer, ≤ 10 Hz)."""
        worker = self._worker
        if worker is None:
            self._refresh_timer.stop()
            return
        news = worker.mailbox.take()
        clock = self._weights_clock
        if clock is not None and clock.elapsed() >= WEIGHTS_EVERY_MS:
            clock.restart()
            worker.mailbox.want_weights()
        self._hand_out(news)

    def _hand_out(self, news: dict) -> None:
        import numpy as np  # noqa: PLC0415 - loaded by now: the worker imported torch

        changed = False
        if news["progress"] is not None:
            self.progress.emit(news["progress"])
            changed = True
        if news["losses"]:
            self.batch_losses.emit(np.asarray(news["positions"], dtype=np.float64),
                                   np.asarray(news["losses"], dtype=np.float64))
            changed = True
        for epoch, logs in news["epochs"]:
            self.epoch_finished.emit(epoch, logs)
            changed = True
        if news["weights"]:
            self.weights_snapshot.emit(news["weights"])
            changed = True
        if changed:
            self.refreshed.emit()

    def _take_last_news(self, worker: Optional["TrainingWorker"]) -> None:
        """The run has ended: what is still in the mailbox goes out before the end is announced."""
        self._refresh_timer.stop()
        if worker is not None:
            self._hand_out(worker.mailbox.take())

    def _on_model_ready(self, worker: "TrainingWorker") -> None:
        if worker is not self._worker:
            return  # a run that was dropped (another project opened) or shut down
        self.model_changed.emit()  # the run's model exists: panels answer with it (see _training_preview)

    def _run_ended(self, worker: "TrainingWorker") -> bool:
        """The current run's thread is done: its last news go out, edits unlock. False for a dropped run."""
        if worker is not self._worker:
            return False  # already ended by _end_run_now: its thread is gone and nothing of it may show
        self._take_last_news(worker)
        self._finish_thread(5000)
        self._worker = None
        self.document.lock_edits(None)
        return True

    def _on_finished(self, worker: "TrainingWorker", outcome: Outcome) -> None:
        if not self._run_ended(worker):
            return
        self.model = outcome.model
        self.mark_trained(outcome.model)
        self.keep_run_state(outcome.model, outcome.resume)
        if outcome.result.note:  # e.g. an older bundle went on with a fresh optimizer: said with the ending
            history = outcome.result.history
            history.message = tr("{note} {message}", note=outcome.result.note, message=history.message)
        self.last_result = outcome.result
        self._preview_model = self._preview_clock = None
        self._record_run(outcome.result)
        self.model_changed.emit()
        self.training_finished.emit(outcome.result)
        self._reload_later_if_wanted()

    def _on_failed(self, worker: "TrainingWorker", message: str, details: str) -> None:
        if not self._run_ended(worker):
            return
        if self.model is not None and self.model is self._preview_model:
            self.model = None  # a broken run leaves no trained model, only a copy of its weights at some batch
            self.model_changed.emit()
        self._preview_model = self._preview_clock = None
        self.training_failed.emit(message, details)
        self._reload_later_if_wanted()

    def _reload_later_if_wanted(self) -> None:
        if self._reload_after_training:
            self._reload_after_training = False
            self._schedule_reload(0)

    def _record_run(self, result: "RunResult") -> None:
        """Add the finished run to the project's history (saved with it; not an undo step, see Document)."""
        project = self._run_project
        settings = self.last_settings.to_dict() if self.last_settings else {}
        project.runs.append(RunRecord.from_result(result, settings).to_dict())
        if project is self.document.project:
            self.document.mark_changed_outside_undo()
            self.runs_changed.emit()
