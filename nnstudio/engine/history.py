"""What a training run leaves behind (History, stop reasons) and the data shape a run is fed (PartLike)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Protocol

import numpy as np

STOP_REASONS = ("completed", "early_stopping", "stopped", "diverged")
DIVERGENCE_LOSSES = 10   # how many batch losses before a NaN the divergence details keep


class PartLike(Protocol):
    """What the data preparation hands over: arrays per Input id and per Output id."""

    inputs: Mapping[str, np.ndarray]
    targets: Mapping[str, np.ndarray]


@dataclass
class History:
    """What happened during fit, in Keras' shape: one list per logged number, one entry per epoch."""

    epochs: list[int] = field(default_factory=list)           # epoch numbers, starting at 1
    logs: dict[str, list[float]] = field(default_factory=dict)
    stop_reason: str = "completed"
    message: str = ""
    best_epoch: Optional[int] = None
    batch_losses: list[float] = field(default_factory=list)   # every training batch, in order
    samples_per_second: float = 0.0
    # Where a run diverged, for its details: epoch, batch, learning_rate, bad_loss and last_losses (finite ones).
    divergence: dict = field(default_factory=dict)

    def record(self, epoch: int, logs: Mapping[str, float]) -> None:
        self.epochs.append(epoch)
        for key, value in logs.items():
            self.logs.setdefault(key, []).append(value)

    def continued(self) -> "History":
        """A copy to go on from: the curves so far, without the last run's ending (reason, message, best epoch)."""
        return History(epochs=list(self.epochs), logs={key: list(values) for key, values in self.logs.items()},
                       batch_losses=list(self.batch_losses))


@dataclass
class RunPosition:
    """Where a run stands after its last whole epoch, so that a later fit goes on exactly from there.

    The generator states are torch byte tensors: the shuffle generator's, and torch's global generator's (the
    one dropout draws its masks from). None means "not known": a fit then seeds them from the settings."""

    epochs_done: int = 0
    shuffle_state: Any = None
    dropout_state: Any = None


__all__ = ["DIVERGENCE_LOSSES", "STOP_REASONS", "History", "PartLike", "RunPosition"]
