"""Which epoch the curves mark as the best while a run goes on: the number the run's settings watch."""

from __future__ import annotations

import math
from typing import Optional, Sequence

from ...core.settings import TrainingSettings


def best_epoch_so_far(epochs: Sequence[int], logs: dict[str, list[float]],
                      settings: Optional[TrainingSettings]) -> Optional[int]:
    """The epoch the trainer will call the best, from the epochs seen so far.

    With early stopping or the best checkpoint on, that is the watched number (val_accuracy rises, val_loss
    falls), as the trainer's own tracker decides it; otherwise the lowest validation (or training) loss.
    Called only while a run goes on, when torch is loaded already, so the engine's rule is used, not a copy.
    """
    watching = settings is not None and (settings.early_stopping.enabled or settings.checkpoint_best)
    if not watching:
        key = "val_loss" if "val_loss" in logs else "loss"
        finite = [(value, i) for i, value in enumerate(logs.get(key, [])) if math.isfinite(value)]
        return epochs[min(finite)[1]] if finite else None
    from ...engine.callbacks import monitored_value, smaller_is_better  # noqa: PLC0415 - torch is loaded

    stopping = settings.early_stopping
    # The trainer asks the checkpoint first, which ignores min_delta (engine/training.py, _best_epoch).
    min_delta = 0.0 if settings.checkpoint_best else abs(stopping.min_delta)
    best_value: Optional[float] = None
    best_epoch: Optional[int] = None
    for position, epoch in enumerate(epochs):
        row = {key: values[position] for key, values in logs.items() if position < len(values)}
        value, used = monitored_value(row, stopping.monitor)
        if value is None or not math.isfinite(value):
            continue
        if best_value is None:
            better = True
        elif smaller_is_better(used):
            better = value < best_value - min_delta
        else:
            better = value > best_value + min_delta
        if better:
            best_value, best_epoch = value, epoch
    return best_epoch
