"""The training-method strategy: what a method (gradient descent, the perceptron rule) gets from the Trainer."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Optional

from .callbacks import Callback
from .history import History, RunPosition
from .training_data import PreparedPart

if TYPE_CHECKING:
    from .training import Trainer


@dataclass
class TrainingRun:
    """One fit in progress, as the Trainer hands it to a training method.

    The Trainer has already checked the method, prepared the data (and split off validation rows), given every
    callback the trainer and called on_train_begin; after the method returns it calls on_train_end and fills
    in the stop reason, the best epoch and the message.
    """

    trainer: "Trainer"
    train: PreparedPart
    validation: Optional[PreparedPart]
    callbacks: list[Callback]
    stop_event: threading.Event
    history: History
    # Where this fit starts: after the epochs a saved run already did (0 for a new run).
    start: RunPosition = field(default_factory=RunPosition)
    # The method's shuffle generator (torch.Generator), if it has one: its state is saved at each epoch's end.
    shuffle_generator: Any = None

    def should_stop(self) -> bool:
        """Whether someone pressed Stop or a callback (early stopping) asked training to end."""
        return self.stop_event.is_set() or self.trainer.stop_training

    def note_stopped(self) -> None:
        """Training ends early: keep a callback's reason (early stopping), else say it was stopped."""
        self.trainer.request_stop(self.trainer.stop_reason or "stopped")

    def epochs(self) -> Iterator[int]:
        """settings.epochs epoch numbers after the epochs already done (1..epochs for a new run), each announced
        to the callbacks first; ends early, saying why, once should_stop() is true."""
        done = self.start.epochs_done
        for epoch in range(done + 1, done + self.trainer.settings.epochs + 1):
            if self.should_stop():
                self.note_stopped()
                return
            for callback in self.callbacks:
                callback.on_epoch_begin(epoch, {})
            yield epoch

    def epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """Record the epoch's numbers and the run's position, then tell the callbacks (a checkpoint saved by one
        of them can go on from this very epoch)."""
        self.history.record(epoch, logs)
        self.trainer.note_position(epoch, self.shuffle_generator)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)


class TrainingMethod:
    """A way of changing the weights, chosen by settings.method. Subclasses override check and run."""

    name = ""

    def check(self, trainer: "Trainer") -> None:
        """Raise ValueError, in words for a student, when this method cannot train this network."""

    def run(self, run: TrainingRun) -> dict[str, float]:
        """Train epoch by epoch until done or run.should_stop(); return the last epoch's logs."""
        raise NotImplementedError

    def message(self, run: TrainingRun) -> str:
        """The method's own closing sentence, or "" for the Trainer's usual one."""
        return ""


__all__ = ["TrainingMethod", "TrainingRun"]
