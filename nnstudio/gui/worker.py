"""The training worker: a QObject on its own QThread that runs the engine and sends throttled plain data back."""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ..core.project import Project
from ..core.settings import TrainingSettings

BATCH_EVERY_S = 0.1     # batch progress and batch losses at most 10 times a second
WEIGHTS_EVERY_S = 0.2   # weight snapshots at most 5 times a second


@dataclass
class Outcome:
    """What a finished run hands to the GUI thread: the engine's RunResult and the model it trained."""

    result: Any   # nnstudio.engine.pipeline.RunResult
    model: Any    # nnstudio.engine.compiler.GraphModule, no longer touched by the worker


def _numpy_copy(tensor: Any) -> Optional[np.ndarray]:
    if tensor is None:
        return None
    return tensor.detach().to("cpu", copy=True).numpy()


def weights_of(model: Any, node_ids: set[str]) -> dict[str, dict[str, Optional[np.ndarray]]]:
    """Copies of the weight, bias and gradient of the asked-for nodes that have weights."""
    snapshot: dict[str, dict[str, Optional[np.ndarray]]] = {}
    for node_id in node_ids:
        name = model.node_names.get(node_id)
        if name is None or name not in model.layers:
            continue
        weight = bias = None
        for parameter_name, parameter in model.layers[name].named_parameters():
            if weight is None and parameter_name.split(".")[-1] == "weight":
                weight = parameter
            elif bias is None and parameter_name.split(".")[-1] == "bias":
                bias = parameter
        if weight is None:
            continue
        snapshot[node_id] = {"weight": _numpy_copy(weight), "bias": _numpy_copy(bias), "grad": _numpy_copy(weight.grad)}
    return snapshot


def _forwarding_callback(worker: "TrainingWorker") -> Any:
    """The engine callback that turns training events into throttled Qt signals (torch imported here)."""
    from ..engine.callbacks import Callback

    class ForwardToGui(Callback):
        # The smoothed per-batch curve needs every batch's loss; reading one number per batch is cheap on the CPU.
        wants_batch_loss = True

        def __init__(self) -> None:
            super().__init__()
            self.epoch = 1
            self.epochs = worker.settings.epochs
            self.batches = 1
            self.losses: list[float] = []
            self.positions: list[float] = []
            self.last_batch_signal = 0.0
            self.last_weights_signal = 0.0
            self.started = time.perf_counter()
            self.batches_done = 0

        def on_train_begin(self, logs: dict) -> None:
            self.started = time.perf_counter()

        def on_epoch_begin(self, epoch: int, logs: dict) -> None:
            self.epoch = epoch

        def on_batch_end(self, batch: int, logs: dict) -> None:
            # Kept tiny: this runs in the training loop, and Python work here holds the GIL the GUI needs.
            if batch + 1 > self.batches:
                self.batches = batch + 1
            self.batches_done += 1
            self.losses.append(logs.get("loss", float("nan")))
            self.positions.append(self.epoch - 1 + (batch + 1) / self.batches)
            now = time.perf_counter()
            if now - self.last_batch_signal >= BATCH_EVERY_S:
                self.last_batch_signal = now
                self.send_batches(batch + 1, now)
            if now - self.last_weights_signal >= WEIGHTS_EVERY_S:
                self.last_weights_signal = now
                self.send_weights()

        def send_batches(self, batch: int, now: float) -> None:
            total = self.epochs * self.batches
            rate = self.batches_done / max(now - self.started, 1e-9)
            seconds_left = max(total - ((self.epoch - 1) * self.batches + batch), 0) / rate if rate > 0 else 0.0
            worker.batches_done.emit({
                "epoch": self.epoch, "epochs": self.epochs, "batch": batch, "batches": self.batches,
                "seconds_left": float(seconds_left),
                "losses": np.asarray(self.losses, dtype=np.float64),
                "positions": np.asarray(self.positions, dtype=np.float64),
            })
            self.losses, self.positions = [], []

        def send_weights(self) -> None:
            watched = worker.watched_nodes()
            if watched:
                worker.weights_snapshot.emit(weights_of(self.model, watched))

        def on_epoch_end(self, epoch: int, logs: dict) -> None:
            # Epoch ends are rare: always flush the batch losses first, so curves stay in order.
            if self.batches == 1 and self.losses:
                self.batches = len(self.losses)
            self.send_batches(self.batches, time.perf_counter())
            worker.epoch_finished.emit(epoch, {key: float(value) for key, value in logs.items()})

        def on_train_end(self, logs: dict) -> None:
            if self.losses:
                self.send_batches(self.batches, time.perf_counter())
            self.send_weights()

    return ForwardToGui()


class TrainingWorker(QObject):
    """Runs one training in the thread it was moved to. Control methods are thread-safe; results go out as signals.

    Signals carry floats, dicts and numpy copies, never live tensors, so the GUI never reads memory the trainer
    is writing.
    """

    batches_done = Signal(object)     # dict: progress + batch losses since the last signal ("losses", "positions")
    epoch_finished = Signal(int, object)  # epoch, logs (floats)
    weights_snapshot = Signal(object)  # {node_id: {"weight", "bias", "grad"}} numpy copies
    finished = Signal(object)         # Outcome
    failed = Signal(str, str)         # plain message, traceback text
    model_ready = Signal(object)      # the model just built (for a preview copy in the GUI)

    def __init__(self, project: Project, settings: TrainingSettings, data: Any, watched: set[str]) -> None:
        super().__init__()
        self.project = project
        self.settings = settings
        self.data = data
        self._lock = threading.Lock()
        self._watched = set(watched)
        self._stop_event = threading.Event()
        self._trainer: Any = None
        self._paused = False

    # ------------------------------------------------------------ control (any thread)
    def watch(self, node_ids: set[str]) -> None:
        with self._lock:
            self._watched = set(node_ids)

    def watched_nodes(self) -> set[str]:
        with self._lock:
            return set(self._watched)

    def stop(self) -> None:
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
        self.model_ready.emit(trainer.model)

    # ------------------------------------------------------------ the work (worker thread)
    @Slot()
    def run(self) -> None:
        try:
            from ..engine.pipeline import RunError, train_project

            callback = _forwarding_callback(self)
            trainer, result = train_project(self.project, self.settings, self.data, callbacks=[callback],
                                            stop_event=self._stop_event, trainer_ready=self._trainer_ready)
        except RunError as exc:  # a problem the user can fix: the message is enough
            self.failed.emit(str(exc), "")
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user with its traceback
            self.failed.emit(_plain_message(exc), traceback.format_exc())
        else:
            self.finished.emit(Outcome(result, trainer.model))
        finally:
            with self._lock:
                self._trainer = None
            # Back to the GUI thread, so the object can be deleted there once the thread has ended.
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            QThread.currentThread().quit()


def _plain_message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, MemoryError):
        return "The computer ran out of memory while training: try a smaller batch size, network or dataset."
    if isinstance(exc, (ValueError, TypeError)) and len(text) < 400:
        return f"Training stopped with an error: {text}"
    return f"Training stopped because of an unexpected error ({type(exc).__name__}): {text[:400]}"


def start_worker(worker: TrainingWorker, parent: QObject) -> QThread:
    """Move the worker to a new QThread (parented for clean-up) and start it."""
    thread = QThread(parent)
    thread.setObjectName("trainingThread")
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    thread.start()
    return thread
