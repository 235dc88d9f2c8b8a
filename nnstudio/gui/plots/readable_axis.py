"""An axis whose log tick labels never pile up (decades first, then 5s, 2s, 3s where they fit) and whose end
labels stay shown."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

# Tick labels of a log axis are added a group at a time, most telling first, and a group only where every one of
# its labels keeps this much room (in pixels, beyond the label's own height) from the labels already placed.
# pyqtgraph's own log axis labels every 2…9 as soon as it labels any, and in a decade of 40 pixels 0.6, 0.7, 0.8
# and 0.9 lie on top of each other (the walk-through's 84c.png).
LABEL_GAP = 3.0
MINOR_GROUPS = ((5,), (2,), (3,), (4, 6, 7, 8, 9))
DECADE_STEPS = (1, 2, 3, 5, 10, 20, 50, 100)
# How far (pixels) a tick label may reach past the end of its axis, as pyqtgraph allows on an axis without a grid.
LABEL_SPILL = 15
LINEAR_FILL_LIMITS = [(0, 0.8), (2, 0.6), (4, 0.4), (6, 0.2)]   # pyqtgraph's own
LOG_FILL_LIMITS = [(0, 0.95)]
# Unlabelled ticks between decades only where a decade is this tall: below, they merge into a grey band.
MINOR_TICKS_FROM = 25.0


def log_tick_levels(low: float, high: float, pixels: float, label_height: float) -> list[tuple[None, list[float]]]:
    """Tick positions (in powers of ten) for an axis from 10**low to 10**high drawn `pixels` long.

    Three levels as pyqtgraph's tickValues gives them: the labelled decades, the labelled ticks between them,
    and ticks drawn without a label."""
    low, high = sorted((low, high))
    span = high - low
    if span <= 0 or pixels <= 0:
        return [(None, []), (None, []), (None, [])]
    per_decade = pixels / span
    room = label_height + LABEL_GAP
    step = next((s for s in DECADE_STEPS if s * per_decade >= room), DECADE_STEPS[-1])
    decades = list(range(math.ceil(low), math.floor(high) + 1))
    labelled = [float(d) for d in decades if d % step == 0]
    placed = list(labelled)
    minor: list[float] = []
    for group in MINOR_GROUPS if step == 1 else ():
        candidates = [d + math.log10(m) for d in range(math.floor(low), math.ceil(high)) for m in group]
        candidates = [v for v in candidates if low <= v <= high]
        if candidates and all(abs(v - p) * per_decade >= room for v in candidates for p in placed) \
                and all(abs(a - b) * per_decade >= room for a in candidates for b in candidates if a < b):
            minor += candidates
            placed += candidates
    unlabelled = [float(d) for d in decades if d % step != 0]
    if per_decade >= MINOR_TICKS_FROM:
        unlabelled += [v for d in range(math.floor(low), math.ceil(high)) for m in range(2, 10)
                       if low <= (v := d + math.log10(m)) <= high and not any(math.isclose(v, p) for p in placed)]
    # A tick exactly at an end can land a rounding error outside the axis, where pyqtgraph drops it (and its
    # label): it is moved inside by a billionth of the span, far less than a pixel.
    edge = 1e-9 * span

    def inside(values: list[float]) -> list[float]:
        return sorted(min(max(v, low + edge), high - edge) for v in values)

    return [(None, inside(labelled)), (None, inside(minor)), (None, inside(unlabelled))]


class ReadableAxis(pg.AxisItem):
    """pg.AxisItem whose log mode labels only as many ticks as fit without overlapping (linear mode unchanged)."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802,N803 - pyqtgraph's
        # The third level of a log axis is ticks without labels; a linear axis labels its third level as before.
        self.style["maxTextLevel"] = 1 if self.logMode else 2
        # pyqtgraph drops a whole level of labels once they fill a fifth of the axis; the log levels here are
        # spaced apart already, so 0.2 and 0.5 may show between 0.1 and 1.
        self.style["textFillLimits"] = LOG_FILL_LIMITS if self.logMode else LINEAR_FILL_LIMITS
        return super().tickValues(minVal, maxVal, size)

    def boundingRect(self) -> Any:  # noqa: N802 - Qt's name
        """With a grid, pyqtgraph drops a label that reaches past either end of the axis by a single pixel: the
        1.0 at the top of an accuracy axis, the last epoch at the right. Here a label may reach LABEL_SPILL past."""
        rect = super().boundingRect()
        if self.grid is False or self.linkedView() is None:
            return rect
        if self.orientation in ("left", "right"):
            return rect.adjusted(0, -LABEL_SPILL, 0, LABEL_SPILL)
        return rect.adjusted(-LABEL_SPILL, 0, LABEL_SPILL, 0)

    def logTickStrings(self, values: list, scale: float, spacing: Any) -> list[str]:  # noqa: N802 - pyqtgraph's
        """Plain numbers from 0.0001 to 10000 (10, not pyqtgraph's 10¹); powers of ten beyond."""
        plain = [10.0 ** v * scale for v in values]
        if all(1e-4 * (1 - 1e-9) <= number < 1e5 for number in plain):
            return [f"{number:g}" for number in plain]
        return super().logTickStrings(values, scale, spacing)

    def logTickValues(self, minVal: float, maxVal: float, size: float, stdTicks: Any) -> list:  # noqa: N802,N803
        font = self.style["tickFont"] or self.font()
        height = QFontMetricsF(font).height() if self.orientation in ("left", "right") \
            else QFontMetricsF(font).horizontalAdvance("0.0001")
        return log_tick_levels(minVal, maxVal, size, height)


__all__ = ["ReadableAxis", "log_tick_levels"]
