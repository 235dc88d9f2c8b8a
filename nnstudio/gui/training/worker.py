"""The training worker: a QObject on its own QThread that runs the engine and sends throttled plain data back."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Optional

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ...core.graph import Graph
from ...core.i18n import tr
from ...core.project import Project
from ...core.settings import DataSettings, TrainingSettings

log = logging.getLogger(__name__)

# The worker sends no signal per batch: it fills a Mailbox that the GUI empties on its own timer (see
# TrainingSession), so a batch costs the training loop two list appends, and the GUI thread wakes on its own
# schedule, not the worker's. Weights, and the whole model's state for predictions, are copied only when the GUI
# has asked for the next copy: between batches, the one moment the trainer is not writing them.
HAND_OVER_S = 0.03   # batch losses and progress go into the mailbox at most this often (the GUI looks at ~10 Hz)


class Mailbox:
    """What the training thread has to say since the GUI last looked, behind one lock.

    The worker adds (cheap appends); the GUI thread takes everything at once with take(). Nothing in here is
    a live tensor: losses are floats, weights are numpy copies.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model_copied = threading.Condition(self._lock)
        self.positions: list[float] = []
        self.losses: list[float] = []
        self.epochs: list[tuple[int, dict]] = []
        self.progress: Optional[dict] = None
        self.weights: Optional[dict] = None
        self.weights_wanted = True   # read without the lock in the training loop: a plain bool is enough
        self.model_state: Optional[dict] = None   # parameter and buffer name -> numpy copy, for predictions
        self.model_wanted = False    # like weights_wanted, but off at first: most runs are never asked to predict

    def add_batches(self, positions: list[float], losses: list[float], progress: dict) -> None:
        with self._lock:
            self.positions.extend(positions)
            self.losses.extend(losses)
            self.progress = progress

    def add_epoch(self, epoch: int, logs: dict) -> None:
        with self._lock:
            self.epochs.append((epoch, logs))

    def put_weights(self, snapshot: dict) -> None:
        with self._lock:
            self.weights = snapshot
            self.weights_wanted = False

    def want_weights(self) -> None:
        """Ask for one more weight copy, made after the next batch."""
        self.weights_wanted = True

    def put_model(self, state: dict) -> None:
        with self._lock:
            self.model_state = state
            self.model_wanted = False
            self._model_copied.notify_all()

    def want_model(self) -> None:
        """Ask for one copy of the whole model's state, made after the next batch (or epoch, or the end)."""
        self.model_wanted = True

    def take_model(self, wait_s: float = 0.0) -> Optional[dict]:
        """The newest model copy not taken yet, or None. With wait_s, ask for a fresh copy and wait for it
        that long at most (a paused or ending run makes none: then the newest one there is)."""
        with self._lock:
            if wait_s > 0:
                self.model_wanted = True
                # Waiting releases the lock and the GIL: the training thread runs on and makes the copy.
                self._model_copied.wait_for(lambda: not self.model_wanted, timeout=wait_s)
            state, self.model_state = self.model_state, None
        return state

    def take(self) -> dict:
        """Everything new since the last take: lists (maybe empty), the latest progress and weights (or None)."""
        with self._lock:
            taken = {"positions": self.positions, "losses": self.losses, "epochs": self.epochs,
                     "progress": self.progress, "weights": self.weights}
            self.positions, self.losses, self.epochs = [], [], []
            self.progress = self.weights = None
        return taken


@dataclass
class Outcome:
    """What a finished run hands to the GUI thread: the engine's RunResult and the model it trained."""

    result: Any   # nnstudio.engine.pipeline.RunResult
    model: Any    # nnstudio.engine.compiler.GraphModule, no longer touched by the worker
    resume: Any = None   # nnstudio.engine.optimizer_state.ResumeState: what "Train more" goes on with


def project_snapshot(project: Project) -> Project:
    """A copy of the project as it is now (graph, data and training settings, not the run history) for a run.

    The training thread reads only this copy: nothing the GUI does to the live project while a run goes on (an
    edit, an undo, another project opened) can change the network being trained or race with the thread.
    """
    raw = project.to_dict()
    return Project(Graph.from_dict(raw["graph"]), DataSettings.from_dict(raw["data"]),
                   TrainingSettings.from_dict(raw["training"]), [], project.title, project.notes, project.path)


def _forwarding_callback(worker: "TrainingWorker") -> Any:
    """The engine callback that fills the worker's mailbox (torch imported here)."""
    from ...engine.callbacks import Callback
    from ...engine.inference import state_copy, weights_snapshot

    mailbox = worker.mailbox

    class ForwardToGui(Callback):
        # The smoothed per-batch curve needs every batch's loss; reading one number per batch is cheap on the CPU.
        wants_batch_loss = True

        def __init__(self) -> None:
            super().__init__()
            # A run that goes on counts on from the epochs already done: "epoch 11/20".
            self.before = worker.saved_run.position.epochs_done if worker.saved_run is not None else 0
            self.epoch = self.before + 1
            self.epochs = self.before + worker.settings.epochs
            self.batches = 1
            self.losses: list[float] = []
            self.positions: list[float] = []
            self.started = time.perf_counter()
            self.last_hand_over = 0.0
            self.batches_done = 0

        def on_train_begin(self, logs: dict) -> None:
            self.started = time.perf_counter()

        def on_epoch_begin(self, epoch: int, logs: dict) -> None:
            self.epoch = epoch

        def on_batch_end(self, batch: int, logs: dict) -> None:
            # Kept tiny: this runs in the training loop, and Python work here holds the GIL the GUI needs.
            if batch >= self.batches:
                self.batches = batch + 1
            self.batches_done += 1
            self.losses.append(logs.get("loss", float("nan")))
            self.positions.append(self.epoch - 1 + (batch + 1) / self.batches)
            now = time.perf_counter()
            if now - self.last_hand_over >= HAND_OVER_S:
                self.hand_over(batch + 1, now)
            if mailbox.weights_wanted:
                self.send_weights()
            if mailbox.model_wanted:
                mailbox.put_model(state_copy(self.model))

        def hand_over(self, batch: int, now: Optional[float] = None) -> None:
            now = time.perf_counter() if now is None else now
            self.last_hand_over = now
            total = (self.epochs - self.before) * self.batches
            rate = self.batches_done / max(now - self.started, 1e-9)
            done = (self.epoch - 1 - self.before) * self.batches + batch
            seconds_left = max(total - done, 0) / rate if rate > 0 else 0.0
            mailbox.add_batches(self.positions, self.losses, {
                "epoch": self.epoch, "epochs": self.epochs, "batch": batch, "batches": self.batches,
                "seconds_left": float(seconds_left)})
            self.losses, self.positions = [], []

        def send_weights(self) -> None:
            watched = worker.watched_nodes()
            mailbox.put_weights(weights_snapshot(self.model, watched) if watched else {})

        def on_epoch_end(self, epoch: int, logs: dict) -> None:
            # Always hand over the epoch's last batch losses before its logs, so the curves stay in order.
            if self.batches == 1 and self.losses:
                self.batches = len(self.losses)
            self.hand_over(self.batches)
            if mailbox.model_wanted:  # asked while the validation rows were scored: no need to wait a batch
                mailbox.put_model(state_copy(self.model))
            mailbox.add_epoch(epoch, {key: float(value) for key, value in logs.items()})

        def on_train_end(self, logs: dict) -> None:
            if self.losses:
                self.hand_over(self.batches)
            self.send_weights()
            if mailbox.model_wanted:  # the GUI may be waiting for it: no batch comes any more
                mailbox.put_model(state_copy(self.model))

    return ForwardToGui()


class TrainingWorker(QObject):
    """Runs one training in the thread it was moved to. Control methods are thread-safe.

    Progress, batch losses, epoch logs and weight copies go into `mailbox`, which the GUI empties on its own
    timer; the rare events (model built, finished, failed) are signals. Nothing handed over is a live tensor,
    so the GUI never reads memory the trainer is writing. Each signal carries the worker first, so the GUI can
    tell a late signal of a run it has dropped (another project was opened) from its current run's.
    """

    finished = Signal(object, object)  # this worker, Outcome
    failed = Signal(object, str, str)  # this worker, plain message, traceback text
    model_ready = Signal(object)       # this worker: the run's model is built (its weights come via the mailbox)

    def __init__(self, project: Project, settings: TrainingSettings, data: Any, watched: set[str],
                 start_model: Any = None, resume: Any = None) -> None:
        """start_model and resume: a trained model (a copy the GUI does not read) and the run it goes on with."""
        super().__init__()
        self.start_model, self.saved_run = start_model, resume
        self.project = project_snapshot(project)   # taken here, in the GUI thread, when Train is pressed
        self.settings = settings
        self.data = data
        self._lock = threading.Lock()
        self._watched = set(watched)
        self._stop_event = threading.Event()
        self._results_wanted = True   # a plain bool, written once from the GUI thread before the stop event
        self._trainer: Any = None
        self._paused = False
        self.mailbox = Mailbox()

    # ------------------------------------------------------------ control (any thread)
    def watch(self, node_ids: set[str]) -> None:
        with self._lock:
            self._watched = set(node_ids)

    def watched_nodes(self) -> set[str]:
        with self._lock:
            return set(self._watched)

    def stop(self, keep_results: bool = True) -> None:
        """End the run before its next batch. keep_results=False: nobody will look at it (the window is closing or
        another project opened), so the measurements for the diagnostics are skipped and the end comes sooner."""
        if not keep_results:
            self._results_wanted = False
        # An event, not a queued slot: the worker's thread is busy training and would never read a queued call.
        self._stop_event.set()

    def pause(self) -> None:
        with self._lock:
            self._paused = True
            if self._trainer is not None:
                self._trainer.pause()

    def resume(self) -> None:
        with self._lock:
            self._paused = False
            if self._trainer is not None:
                self._trainer.resume()

    def _trainer_ready(self, trainer: Any) -> None:
        with self._lock:
            self._trainer = trainer
            if self._paused:
                trainer.pause()
        self.model_ready.emit(self)

    # ------------------------------------------------------------ the work (worker thread)
    @Slot()
    def run(self) -> None:
        try:
            from ...engine.pipeline import RunError, train_project

            callback = _forwarding_callback(self)
            trainer, result = train_project(self.project, self.settings, self.data, callbacks=[callback],
                                            stop_event=self._stop_event, trainer_ready=self._trainer_ready,
                                            model=self.start_model, resume=self.saved_run)
        except RunError as exc:  # a problem the user can fix: the message is enough
            self.failed.emit(self, str(exc), "")
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user with its traceback
            self.failed.emit(self, _plain_message(exc), traceback.format_exc())
        else:
            if self._results_wanted:  # (a window that is closing must not wait for them)
                result.probes = _probes_of(trainer, result, self.data, self.settings)
                result.probes_tried = True
            from ...engine.optimizer_state import resume_state_of  # noqa: PLC0415

            self.finished.emit(self, Outcome(result, trainer.model, resume_state_of(trainer)))
        finally:
            with self._lock:
                self._trainer = None
            # Back to the GUI thread, so the object can be deleted there once the thread has ended.
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            QThread.currentThread().quit()


def _probes_of(trainer: Any, result: Any, data: Any, settings: TrainingSettings) -> Any:
    """The diagnostics' measurements of the trained model (dead units, gradient sizes), made here in the training
    thread: on the whole training set they take a second or more for MNIST-sized data, too long for the GUI."""
    if settings.method == "perceptron":
        return None  # no gradients to measure: its curves say all there is to say
    from ...engine.diagnostics import measure_probes  # noqa: PLC0415

    try:
        return measure_probes(trainer, result.history, data.prepared.train)
    except Exception as exc:  # noqa: BLE001 - optional numbers must never cost the run: this runs after it ended,
        # outside run()'s error handling, so anything raised here would leave the window waiting for the end
        log.warning("the diagnostics probes could not run: %s", exc)
        return None  # the diagnostics fall back to what the curves say


def _plain_message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, MemoryError):
        return tr("The computer ran out of memory while training: try a smaller batch size, network or dataset.")
    if isinstance(exc, (ValueError, TypeError)) and len(text) < 400:
        return tr("Training stopped with an error: {reason}", reason=text)
    return tr("Training stopped because of an unexpected error ({kind}): {reason}", kind=type(exc).__name__,
              reason=text[:400])


def start_worker(worker: TrainingWorker, parent: QObject) -> QThread:
    """Move the worker to a new QThread (parented for clean-up) and start it."""
    from .. import gc_guard
    gc_guard.install()  # before a second thread runs Python: garbage is collected in the GUI thread only
    thread = QThread(parent)
    thread.setObjectName("trainingThread")
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    thread.start()
    return thread
