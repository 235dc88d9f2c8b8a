"""A parallel-coordinates plot: one upright axis per varied value, a line per trial coloured by its result."""

from __future__ import annotations

import math
from typing import Any, Optional

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...core.i18n import tr

BEST, WORST = (22, 163, 74), (220, 38, 38)   # green for the best result, red for the worst


def position_on_axis(dimension: Any, value: Any) -> Optional[float]:
    """Where a value sits on its dimension's axis, 0 (bottom) to 1 (top); None when it is not on the axis."""
    if value is None:
        return None
    if dimension.kind == "choice":
        choices = [str(choice) for choice in dimension.choices]
        if str(value) not in choices:
            return None
        return 0.5 if len(choices) == 1 else choices.index(str(value)) / (len(choices) - 1)
    low, high = float(dimension.low), float(dimension.high)
    value = float(value)
    if dimension.log and low > 0 and value > 0:
        low, high, value = math.log10(low), math.log10(high), math.log10(value)
    if high == low:
        return 0.5
    return min(max((value - low) / (high - low), 0.0), 1.0)


def _number(value: float) -> str:
    return f"{value:g}"


def axis_labels(dimension: Any) -> list[tuple[str, float]]:
    """What is written along an axis: each choice at its place, or a range's lowest and highest value."""
    if dimension.kind == "choice":
        return [(str(choice), position_on_axis(dimension, choice)) for choice in dimension.choices]
    return [(_number(dimension.low), 0.0), (_number(dimension.high), 1.0)]


def rank_shares(values: list[float], lower_is_better: bool = True) -> list[float]:
    """Each result's place from best (0) to worst (1), equal results sharing one place.

    By rank, not by value: one trial that went badly (a loss of 5 beside losses of 0.3) would otherwise paint all
    the others the same green, and a student could not see which of the close ones were better."""
    places = sorted(set(values), reverse=not lower_is_better)
    last = max(len(places) - 1, 1)
    return [places.index(value) / last for value in values]


def result_colour(share: float) -> tuple[int, int, int]:
    """Green for the best result (share 0), red for the worst (share 1), mixed in between."""
    return tuple(int(round(b + (w - b) * share)) for b, w in zip(BEST, WORST))


class ParallelPlot(QWidget):
    """Trials with a result, each a line across the axes of the varied values (normalised to 0-1)."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg  # noqa: PLC0415 - the panel is built lazily

        from ..plots.plot_view import PlotView  # noqa: PLC0415

        self.setObjectName("experimentsParallel")
        self.view = PlotView(background="w")
        self.view.setMinimumHeight(180)
        self.plot = self.view.getPlotItem()
        self.plot.setTitle(tr("Each trial's values, coloured by rank (green: best result, red: worst)"))
        self.plot.hideAxis("left")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.getAxis("bottom").setPen(pg.mkPen("#444"))
        self.plot.getAxis("bottom").setTextPen(pg.mkPen("#222"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.lines: list[Any] = []

    def show_trials(self, dimensions: list, names: list[str], rows: list, lower_is_better: bool = True) -> None:
        import pyqtgraph as pg  # noqa: PLC0415

        self.plot.clear()
        self.lines = []
        for place, dimension in enumerate(dimensions):   # the upright axes, each with its values written on it
            self.plot.addItem(pg.InfiniteLine(pos=place, angle=90, pen=pg.mkPen("#9ca3af", width=1)))
            for text, height in axis_labels(dimension):
                label = pg.TextItem(text, color="#374151", anchor=(-0.05, 0.5))
                label.setPos(place, height)
                self.plot.addItem(label)
        self.plot.getAxis("bottom").setTicks([list(enumerate(names))])
        scored = [row for row in rows if row.value is not None and math.isfinite(row.value)]
        if scored:
            shares = dict(zip((row.number for row in scored),
                              rank_shares([row.value for row in scored], lower_is_better)))
            # The best trials are drawn last, on top of the others.
            for row in sorted(scored, key=lambda r: r.value, reverse=lower_is_better):
                points = [(place, position_on_axis(dim, row.params.get(dim.key)))
                          for place, dim in enumerate(dimensions)]
                points = [(x, y) for x, y in points if y is not None]
                if not points:
                    continue
                line = self.plot.plot([x for x, _ in points], [y for _, y in points],
                                      pen=pg.mkPen(result_colour(shares[row.number]), width=2))
                self.lines.append(line)
        self.plot.setXRange(-0.3, max(len(dimensions) - 1, 0) + 0.3, padding=0)
        self.plot.setYRange(-0.05, 1.05, padding=0)
