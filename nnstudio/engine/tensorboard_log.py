"""TensorBoard run logs: a training callback that writes a run as it goes, and an export of finished runs."""

from __future__ import annotations

import logging
import math
import os
import socket
import struct
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from ..core.i18n import tr
from ..core import run_folders
from ..core.project import Project
from ..core.runs import RunRecord
from ..core.settings import TrainingSettings
from .callbacks import Callback

log = logging.getLogger(__name__)

# Keras' TensorBoard callback layout, chosen so that what a learner sees matches the notes' screenshots: each run
# folder holds train/ and validation/ sub-folders with the same tags (epoch_loss, epoch_accuracy...), so TensorBoard
# draws a run's training and validation curves on one chart, in two colours, as in the notes.
TRAIN_FOLDER, VALIDATION_FOLDER = "train", "validation"
TAG_PREFIX = "epoch_"
# How a run ended -> the HParams dashboard's status (its Status enum: 1 success, 2 failure, 3 aborted).
_STATUS = {"completed": 1, "early_stopping": 1, "diverged": 2, "stopped": 3}
# The settings shown as hyperparameters, in the order the dashboard lists them.
_SETTING_HPARAMS = ("optimizer", "learning_rate", "batch_size", "epochs", "seed", "validation_split", "weight_decay",
                    "method")
# The layer settings that are hyperparameters too (units per layer, dropout rates, activations).
_LAYER_HPARAMS = ("units", "rate", "activation")


def _proto_modules():
    """tensorboardX's protocol buffers and summary makers, imported only when a log is written (the app's start
    must not pay for them)."""
    from tensorboardX import summary
    from tensorboardX.proto import event_pb2, summary_pb2
    from tensorboardX.record_writer import masked_crc32c
    return summary, event_pb2, summary_pb2, masked_crc32c


# ------------------------------------------------------------------ folders and the command
def run_folder_name(when: datetime, log_root: Optional[Path] = None) -> str:
    """The notes' name for a run's folder, `run_YYYY_MM_DD-HH_MM_SS`; with `log_root`, one not taken there yet
    (run_..._SS-2, -3... when two runs started in the same second)."""
    name = when.strftime("run_%Y_%m_%d-%H_%M_%S")
    if log_root is None:
        return name
    candidate, number = name, 1
    while os.path.lexists(Path(log_root) / candidate):   # a dangling link counts as taken too (mkdir would fail)
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def new_run_folder(log_root: Path, when: datetime) -> Path:
    """Create and return a fresh run folder under `log_root` (made with exist_ok=False, so two writers starting
    in the same second cannot share one)."""
    Path(log_root).mkdir(parents=True, exist_ok=True)
    while True:
        folder = Path(log_root) / run_folder_name(when, log_root)
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue   # taken between the look and the mkdir: the next name


# The command that opens the logs (`tensorboard --logdir "<path>"`, quoted for this platform's shell) lives once in
# core, so that the window can show it without loading torch; it is offered here beside the writer too.
tensorboard_command = run_folders.tensorboard_command


def tensorboard_installed() -> bool:
    """Whether the tensorboard program is here to run the command (it is an optional extra, ~180 MB)."""
    import importlib.util
    import shutil
    return shutil.which("tensorboard") is not None or importlib.util.find_spec("tensorboard") is not None


def install_hint() -> str:
    """What to do when the tensorboard command is not found."""
    return tr('If the tensorboard command is not found, install it with: pip install "nnstudio[tensorboard]" '
              "(or pip install tensorboard).")


# ------------------------------------------------------------------ the event files
class EventFile:
    """One TensorBoard event file, written in the training thread as it goes (no writer thread: an error is
    raised here, where the caller can catch it, and a full queue can never block training)."""

    _count = 0

    def __init__(self, folder: Path) -> None:
        self.summary, self._event_pb2, self._summary_pb2, self._crc = _proto_modules()
        folder.mkdir(parents=True, exist_ok=True)
        EventFile._count += 1
        # TensorBoard's own naming; the pid and a count keep two files opened in the same second apart.
        name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}."
                f"{EventFile._count}")
        self.path = folder / name
        self._file = open(self.path, "wb")
        self.write_event(file_version="brain.Event:2")

    def write_event(self, step: int = 0, wall_time: Optional[float] = None, summary: Any = None,
                    file_version: str = "") -> None:
        event = self._event_pb2.Event(wall_time=time.time() if wall_time is None else wall_time, step=step)
        if file_version:
            event.file_version = file_version
        if summary is not None:
            event.summary.CopyFrom(summary)
        data = event.SerializeToString()
        header = struct.pack("Q", len(data))
        self._file.write(header + struct.pack("I", self._crc(header)) + data + struct.pack("I", self._crc(data)))

    def scalar(self, tag: str, value: float, step: int, wall_time: Optional[float] = None) -> None:
        self.write_event(step, wall_time, self.summary.scalar(tag, float(value)))

    def histogram(self, tag: str, values: Any, step: int, wall_time: Optional[float] = None) -> None:
        # 30 equal buckets, as TensorFlow 2's own histogram summaries (the notes' screenshots) use.
        self.write_event(step, wall_time, self.summary.histogram(tag, values, bins=30))

    def flush(self) -> None:
        """Hand what is written to the system, so a TensorBoard already open sees the epoch (no fsync: cheap)."""
        self._file.flush()

    def close(self) -> None:
        if self._file.closed:
            return
        self._file.flush()
        try:
            os.fsync(self._file.fileno())
        finally:
            self._file.close()


class RunLog:
    """The event files of one run folder: root (hyperparameters, test numbers), train/ and validation/."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._files: dict[str, EventFile] = {}

    def _file(self, part: str) -> EventFile:
        if part not in self._files:
            self._files[part] = EventFile(self.folder / part if part else self.folder)
        return self._files[part]

    def scalars(self, epoch: int, logs: Mapping[str, Any], wall_time: Optional[float] = None) -> None:
        """Every loss and metric of one epoch: `val_x` as validation/epoch_x, the others as train/epoch_x."""
        for key, value in logs.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue   # a number JSON could not hold (None) was not measured: no point rather than a false one
            if key.startswith("val_"):
                self._file(VALIDATION_FOLDER).scalar(TAG_PREFIX + key[4:], value, epoch, wall_time)
            else:
                self._file(TRAIN_FOLDER).scalar(TAG_PREFIX + key, value, epoch, wall_time)

    def histograms(self, epoch: int, model: Any) -> None:
        """The weights of every layer that has any, tagged `<layer name as drawn>/weights` and `/bias` (the
        app's words, not torch's "weight" or Keras' "kernel")."""
        import numpy as np
        for layer, module in model.layers.items():
            for name, parameter in module.named_parameters():
                values = parameter.detach().to("cpu").numpy()
                if values.size == 0 or not np.isfinite(values).all():
                    continue   # a diverged layer has no histogram to draw
                part = "weights" if name == "weight" else name.replace(".", "/")
                self._file(TRAIN_FOLDER).histogram(f"{layer}/{part}", values, epoch)

    def hparams(self, values: Mapping[str, Any], stop_reason: str) -> None:
        """The run's hyperparameters and how it ended, for TensorBoard's HParams dashboard.

        Like Keras' hp.KerasCallback, each run writes its session start and end only, no experiment summary:
        TensorBoard then builds the table from every run's own hyperparameters and takes the metrics from the
        runs' scalars (their last values), so runs of differently drawn networks can still be compared."""
        summary, _, summary_pb2, _ = _proto_modules()
        from tensorboardX.proto.plugin_hparams_pb2 import HParamsPluginData, SessionEndInfo
        _, start, _ = summary.hparams(dict(values), {})
        end = SessionEndInfo(status=_STATUS.get(stop_reason, 1), end_time_secs=time.time())
        content = HParamsPluginData(session_end_info=end, version=0)
        metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="hparams", content=content.SerializeToString()))
        finish = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="_hparams_/session_end_info",
                                                                      metadata=metadata)])
        root = self._file("")
        root.write_event(summary=start)
        root.write_event(summary=finish)

    def test_scalars(self, test: Mapping[str, Mapping[str, Any]], step: int) -> None:
        """The test set's numbers after training, as `test_<metric>` (`test_<output>_<metric>` with several)."""
        for output, metrics in test.items():
            for metric, value in metrics.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                    tag = f"test_{metric}" if len(test) == 1 else f"test_{output}_{metric}"
                    self._file("").scalar(tag, value, step)

    def flush(self) -> None:
        for file in self._files.values():
            file.flush()

    def close(self) -> None:
        files, self._files = list(self._files.values()), {}
        for file in files:
            file.close()

    def files(self) -> list[Path]:
        return [file.path for file in self._files.values()]


def hyperparameters(settings: Mapping[str, Any], project: Optional[Project]) -> dict[str, Any]:
    """The numbers and choices a learner compares runs by: the training settings, early stopping, and each drawn
    layer's units, dropout rate and activation (`hidden1.units`, `dropout1.rate`...)."""
    values: dict[str, Any] = {key: settings[key] for key in _SETTING_HPARAMS
                              if isinstance(settings.get(key), (int, float, str)) and settings.get(key) != ""}
    stopping = settings.get("early_stopping")
    if isinstance(stopping, Mapping):
        values["early_stopping"] = bool(stopping.get("enabled"))
        if stopping.get("enabled"):
            values["patience"] = stopping.get("patience")
    if project is not None:
        for node in project.graph.nodes.values():
            for key in _LAYER_HPARAMS:
                value = node.params.get(key)
                # Units 0 and activation "auto" mean "chosen from the data": not a choice the learner made.
                if value in (None, 0, "auto") or isinstance(value, bool):
                    continue
                if isinstance(value, (int, float, str)):
                    values[f"{node.name}.{key}"] = value
    return values


# ------------------------------------------------------------------ live: a callback
class TensorBoardLog(Callback):
    """Writes the run into a new `run_YYYY_MM_DD-HH_MM_SS` folder under `log_root` while it trains: scalars and
    weight histograms every epoch, the hyperparameters at the end. Runs in the training thread (no Qt).

    A disk problem never stops training: the first one is kept in `problem` (plain words), writing stops, and
    closing_note() says so."""

    def __init__(self, log_root: Path, project: Project, settings: TrainingSettings) -> None:
        super().__init__()
        self.log_root = Path(log_root)
        self.project = project
        self.settings = settings
        self.run_folder: Optional[Path] = None
        self.problem: Optional[str] = None
        self._log: Optional[RunLog] = None
        self._last_epoch = 0

    def _guard(self, action, *args) -> None:
        """Run one writing step; any failure is remembered and ends the logging, never the training (a side
        job such as this must not cost a learner their run)."""
        if self.problem is not None:
            return
        try:
            action(*args)
        except Exception as exc:   # noqa: BLE001 - a disk, permission or encoding failure alike
            log.warning("TensorBoard log stopped", exc_info=True)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.problem = tr("the TensorBoard log could not be written ({reason})", reason=reason[:200])
            self._close_quietly()

    def _close_quietly(self) -> None:
        logs, self._log = self._log, None
        if logs is not None:
            try:
                logs.close()
            except Exception:   # noqa: BLE001 - already failing: the first problem is the one to tell
                pass

    def _open(self) -> None:
        self.run_folder = new_run_folder(self.log_root, datetime.now())
        self._log = RunLog(self.run_folder)

    def _epoch(self, epoch: int, logs: dict) -> None:
        self._log.scalars(epoch, logs)
        self._log.histograms(epoch, self.model)
        self._log.flush()

    def _finish(self) -> None:
        trainer = self.trainer
        # A divergence is written in the history (the trainer's own reason says only stops it was asked for).
        diverged = trainer is not None and getattr(trainer.history, "stop_reason", "") == "diverged"
        reason = "diverged" if diverged else (trainer.stop_reason if trainer is not None else None) or "completed"
        self._log.hparams(hyperparameters(self.settings.to_dict(), self.project), reason)
        self._log.close()

    def on_train_begin(self, logs: dict) -> None:
        self.problem, self._last_epoch = None, 0
        self._guard(self._open)

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self._last_epoch = epoch
        if self._log is not None:
            self._guard(self._epoch, epoch, logs)

    def on_train_end(self, logs: dict) -> None:
        if self._log is not None:
            self._guard(self._finish)
        self._log = None

    def add_test_results(self, test: Mapping[str, Mapping[str, Any]]) -> None:
        """The test numbers measured after training (the trainer evaluates after the callbacks are done), in a
        file of their own in the run folder."""
        if self.run_folder is None or self.problem is not None:
            return
        extra = RunLog(self.run_folder)
        self._guard(lambda: (extra.test_scalars(test, self._last_epoch), extra.close()))

    def closing_note(self) -> str:
        """A sentence for the run's closing message: where the log is, or what went wrong."""
        if self.problem is not None:
            return tr("Training went on, but {problem}.", problem=self.problem)
        if self.run_folder is not None:
            return tr("The TensorBoard log of this run is in {folder}.", folder=str(self.run_folder))
        return ""


# ------------------------------------------------------------------ afterwards: runs already done
def export_runs(records: Iterable[RunRecord], log_root: Path, project: Optional[Project]) -> list[Path]:
    """Write finished runs as TensorBoard run folders under `log_root`; returns the folders, in the given order.

    Each gets its scalars per epoch (from the run's history), its test numbers and its hyperparameters. There are
    no weight histograms: a finished run keeps only its final weights, not those of each epoch. The layers'
    hyperparameters come from the drawing as it is now (a run's history does not keep the network it trained).
    Disk errors are raised (OSError) for the caller to show."""
    folders = []
    for record in records:
        try:
            started = datetime.fromisoformat(record.when) if record.when else datetime.now()
        except ValueError:
            started = datetime.now()
        folder = new_run_folder(log_root, started)
        run = RunLog(folder)
        try:
            epochs = record.epoch_numbers()
            # Spread the epochs over the run's real duration, so TensorBoard's "relative time" axis is right.
            step_seconds = (record.seconds or len(epochs)) / max(len(epochs), 1)
            for index, epoch in enumerate(epochs):
                logs = {key: values[index] for key, values in record.history.items() if index < len(values)}
                run.scalars(epoch, logs, wall_time=started.timestamp() + step_seconds * (index + 1))
            run.test_scalars(record.test, epochs[-1] if epochs else 0)
            run.hparams(hyperparameters(record.settings, project), record.stop_reason or "completed")
        finally:
            run.close()
        folders.append(folder)
    return folders


__all__ = ["EventFile", "RunLog", "TensorBoardLog", "export_runs", "hyperparameters", "install_hint",
           "new_run_folder", "run_folder_name", "tensorboard_command", "tensorboard_installed"]
