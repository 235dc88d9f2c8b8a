"""What the curves show, apart from the widgets: metric names, the growing live series, earlier runs' lines, CSV."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from ...core.i18n import N_, tr
from ...core.runs import RunRecord

# Metrics to show first when the run has them (classification first, then regression).
PREFERRED_METRICS = ("accuracy", "r2", "mae")


METRIC_WORDS = {"accuracy": N_("accuracy"), "r2": "R²", "mae": "MAE", "mse": "MSE", "loss": N_("loss"),
                "precision": N_("precision"), "recall": N_("recall"), "f1": "F1"}  # shown with tr()


# Measures that can never exceed 1 (a perfect score): their axis stops there instead of at a round 1.2.
AT_MOST_ONE = ("accuracy", "precision", "recall", "f1", "r2")


def metric_ceiling(name: str) -> Optional[float]:
    """1.0 for a measure that cannot exceed it ("accuracy", "main_output_r2"), else None."""
    return 1.0 if any(name == word or name.endswith("_" + word) for word in AT_MOST_ONE) else None


def metric_label(name: str, outputs: list[str]) -> str:
    """How a log key reads in the chooser and the title: "R² of main_output" for one output's number."""
    for output in sorted(outputs, key=len, reverse=True):
        if name.startswith(output + "_"):
            measure = name[len(output) + 1:]
            return tr("{measure} of {output}", measure=_metric_word(measure), output=output)
    return _metric_word(name)


def _metric_word(name: str) -> str:
    """A metric key in the current language ("accuracy" -> 정확도); unknown keys read with spaces."""
    word = METRIC_WORDS.get(name)
    return tr(word) if word is not None else name.replace("_", " ")


def metric_names(keys: list[str]) -> list[str]:
    """The training-side metric names in the logs (val_x pairs with x), without the total loss."""
    names = [k for k in keys if not k.startswith("val_") and k != "loss"]
    names += [k[4:] for k in keys if k.startswith("val_") and k[4:] not in names and k != "val_loss"]

    def rank(name: str) -> tuple[int, int]:
        for position, word in enumerate(PREFERRED_METRICS):
            if name == word or name.endswith("_" + word):
                return (position, 0)
        return (len(PREFERRED_METRICS), 0)

    return sorted(names, key=rank)


class GrowingSeries:
    """x/y values in arrays that double when full, so appending stays cheap and setData gets views."""

    def __init__(self) -> None:
        self.x = np.empty(1024)
        self.y = np.empty(1024)
        self.count = 0

    def clear(self) -> None:
        self.count = 0

    def extend(self, x: np.ndarray, y: np.ndarray) -> None:
        needed = self.count + len(x)
        if needed > len(self.x):
            size = max(needed, 2 * len(self.x))
            self.x = np.resize(self.x, size)
            self.y = np.resize(self.y, size)
        self.x[self.count:needed] = x
        self.y[self.count:needed] = y
        self.count = needed

    def views(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[:self.count], self.y[:self.count]


@dataclass
class OverlayLine:
    """One dashed line of an earlier run: on the loss or the metric plot, training or validation numbers."""

    plot: str            # "loss" or "metric"
    key: str             # the log it draws ("val_loss", "accuracy"...)
    validation: bool
    epochs: np.ndarray
    values: np.ndarray   # NaN where the run had no number (or, on a log scale, none above 0)


def overlay_lines(run: RunRecord, metric: Optional[str], log_loss: bool = False) -> list[OverlayLine]:
    """The lines an earlier run adds behind the live curves: its loss and the chosen metric, if it logged them."""
    epochs = np.asarray(run.epoch_numbers(), dtype=float)
    lines = []
    for plot, key, validation in (("loss", "loss", False), ("loss", "val_loss", True),
                                  ("metric", metric, False), ("metric", f"val_{metric}", True)):
        values = run.history.get(key) if key and (plot == "loss" or metric) else None
        if not values or len(values) != len(epochs):
            continue
        y = np.asarray([math.nan if v is None else v for v in values], dtype=float)
        if plot == "loss" and log_loss:
            y = np.where(y > 0, y, np.nan)
        lines.append(OverlayLine(plot, key, validation, epochs, y))
    return lines


def write_history_csv(path: Path, epochs: list, logs: dict) -> None:
    """One row per epoch: the epoch number, then loss, val_loss and every metric (raises OSError)."""
    keys = sorted(logs, key=lambda k: (k not in ("loss", "val_loss"), k.startswith("val_"), k))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch"] + keys)
        for row, epoch in enumerate(epochs):
            writer.writerow([epoch] + [_csv_number(logs[k][row]) for k in keys])


def _csv_number(value: float) -> str:
    return "" if not math.isfinite(value) else repr(float(value))


__all__ = ["GrowingSeries", "OverlayLine", "PREFERRED_METRICS", "metric_label", "metric_names", "overlay_lines",
           "write_history_csv"]
