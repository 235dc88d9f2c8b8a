"""Keras-style training callbacks: the base class, early stopping and a best-weights checkpoint."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Optional

import torch

if TYPE_CHECKING:
    from .training import Trainer

# Numbers where smaller is better; everything else (accuracy, precision, recall, f1, r2) is better larger.
_SMALLER_IS_BETTER = ("loss", "mse", "mae")


class Callback:
    """Hooks the trainer calls; override the ones you need.

    Epoch numbers start at 1 (as shown to people); batch numbers count from 0 within an epoch.
    The trainer only calls the batch hooks of callbacks that override them, and only puts the batch loss
    into `on_batch_end`'s logs when some callback sets `wants_batch_loss = True` (reading a loss value
    every batch costs speed).
    """

    wants_batch_loss: bool = False

    def __init__(self) -> None:
        self.trainer: Optional["Trainer"] = None

    def set_trainer(self, trainer: "Trainer") -> None:
        self.trainer = trainer

    @property
    def model(self) -> Any:
        return self.trainer.model if self.trainer is not None else None

    def on_train_begin(self, logs: dict) -> None: ...

    def on_train_end(self, logs: dict) -> None: ...

    def on_epoch_begin(self, epoch: int, logs: dict) -> None: ...

    def on_epoch_end(self, epoch: int, logs: dict) -> None: ...

    def on_batch_begin(self, batch: int, logs: dict) -> None: ...

    def on_batch_end(self, batch: int, logs: dict) -> None: ...


def overrides(callback: Callback, hook: str) -> bool:
    """Whether a callback defines its own version of a hook (so the trainer can skip the no-ops)."""
    return getattr(type(callback), hook) is not getattr(Callback, hook)


def smaller_is_better(monitor: str) -> bool:
    name = monitor[4:] if monitor.startswith("val_") else monitor
    return any(name == word or name.endswith("_" + word) for word in _SMALLER_IS_BETTER)


def monitored_value(logs: dict, monitor: str) -> tuple[Optional[float], str]:
    """The watched number and the name actually used: without validation data, val_x falls back to x."""
    if monitor in logs:
        return logs[monitor], monitor
    if monitor.startswith("val_") and monitor[4:] in logs:
        return logs[monitor[4:]], monitor[4:]
    return None, monitor


def cpu_state_copy(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A detached copy of the weights on the CPU, safe to keep while training goes on."""
    return {key: value.detach().to("cpu", copy=True) for key, value in model.state_dict().items()}


class _BestTracker(Callback):
    """Shared bookkeeping: which epoch had the best monitored value."""

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError("mode must be auto, min or max")
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(min_delta)
        self.monitor_used = monitor
        self.best_value: Optional[float] = None
        self.best_epoch: Optional[int] = None

    def _minimise(self) -> bool:
        return self.mode == "min" or (self.mode == "auto" and smaller_is_better(self.monitor_used))

    def on_train_begin(self, logs: dict) -> None:
        self.best_value = None
        self.best_epoch = None

    def _improved(self, epoch: int, logs: dict) -> Optional[bool]:
        """True when this epoch is the new best, False when not, None when the number is missing."""
        value, self.monitor_used = monitored_value(logs, self.monitor)
        if value is None or not math.isfinite(value):
            return None
        if self.best_value is None:
            better = True
        elif self._minimise():
            better = value < self.best_value - self.min_delta
        else:
            better = value > self.best_value + self.min_delta
        if better:
            self.best_value, self.best_epoch = value, epoch
        return better


class EarlyStopping(_BestTracker):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs."""

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 restore_best_weights: bool = True, mode: str = "auto") -> None:
        super().__init__(monitor, mode, min_delta)
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.wait = 0
        self.stopped_epoch: Optional[int] = None
        self.restored = False
        self.best_weights: Optional[dict[str, torch.Tensor]] = None
        self._last_epoch: Optional[int] = None

    def on_train_begin(self, logs: dict) -> None:
        super().on_train_begin(logs)
        self.wait, self.stopped_epoch, self.restored, self.best_weights = 0, None, False, None

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self._last_epoch = epoch
        improved = self._improved(epoch, logs)
        if improved is None:
            return
        if improved:
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = cpu_state_copy(self.model)
            return
        self.wait += 1
        if self.wait >= self.patience:  # Keras' rule: patience 0 stops at the first epoch without progress
            self.stopped_epoch = epoch
            self.trainer.request_stop("early_stopping")

    def on_train_end(self, logs: dict) -> None:
        # Go back to the best epoch's weights whenever training ended somewhere worse.
        if (self.restore_best_weights and self.best_weights is not None
                and self.best_epoch != self._last_epoch):
            self.model.load_state_dict(self.best_weights)
            self.restored = True


class BestCheckpoint(_BestTracker):
    """Keep a CPU copy of the weights from the epoch with the best `monitor` value."""

    def __init__(self, monitor: str = "val_loss", mode: str = "auto") -> None:
        super().__init__(monitor, mode)
        self.best_state: Optional[dict[str, torch.Tensor]] = None

    def on_train_begin(self, logs: dict) -> None:
        super().on_train_begin(logs)
        self.best_state = None

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self._improved(epoch, logs):
            self.best_state = cpu_state_copy(self.model)

    def restore(self) -> bool:
        """Load the best weights into the model; False when there is no checkpoint yet."""
        if self.best_state is None:
            return False
        self.model.load_state_dict(self.best_state)
        return True
