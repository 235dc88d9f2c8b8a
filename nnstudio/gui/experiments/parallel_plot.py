"""A parallel-coordinates plot: the result's axis, then one per varied value; a line per trial coloured by rank."""

from __future__ import annotations

import math
from typing import Any, Optional

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from ...core.i18n import tr

BEST, WORST = (22, 163, 74), (220, 38, 38)   # green for the best result, red for the worst
NAME_ROOM = 100   # pixels an outer axis's name may reach past the ends of the plot


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


def result_positions(values: list[float], lower_is_better: bool = True) -> list[float]:
    """Where each result sits on the result's axis: the best at the top (1), the worst at the bottom (0)."""
    low, high = min(values, default=0.0), max(values, default=0.0)
    if high == low:
        return [0.5] * len(values)
    return [(high - value if lower_is_better else value - low) / (high - low) for value in values]


def result_labels(values: list[float], lower_is_better: bool = True) -> list[tuple[str, float]]:
    """What the result's axis has written on it: its lowest and highest value, each at its place."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        return [(_result(low), 0.5)]
    return [(_result(low), 1.0 if lower_is_better else 0.0), (_result(high), 0.0 if lower_is_better else 1.0)]


def _result(value: float) -> str:
    return f"{value:.4g}"


def result_colour(share: float) -> tuple[int, int, int]:
    """Green for the best result (share 0), red for the worst (share 1), mixed in between."""
    return tuple(int(round(b + (w - b) * share)) for b, w in zip(BEST, WORST))


class ParallelPlot(QWidget):
    """Trials with a result, each a line from its result across the axes of the varied values (normalised to 0-1).

    The first axis is the result itself, the best at the top: colour alone left the middle shades hard to rank."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg  # noqa: PLC0415 - the panel is built lazily

        from ..plots.plot_view import PlotView  # noqa: PLC0415

        self.setObjectName("experimentsParallel")
        # A label, not the plot's title: a title is one line, and its width held the plot wider than a narrow dock,
        # so the sentence was cut off and the axes right of the first were pushed out of sight (a walk saw both).
        self.explanation = QLabel(tr("Each trial's values, coloured by rank (green: best result, red: worst)"), self)
        self.explanation.setObjectName("experimentsParallelExplanation")
        self.explanation.setWordWrap(True)
        self.view = PlotView(background="w")
        self.view.setMinimumHeight(180)
        self.plot = self.view.getPlotItem()
        self.plot.hideAxis("left")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.getAxis("bottom").setPen(pg.mkPen("#444"))
        self.plot.getAxis("bottom").setTextPen(pg.mkPen("#222"))
        # The outer names may be drawn past the axis's ends (see _name_axes). Not kept as a pixmap (PlotView's
        # choice for live plots): with bounds past its ends the cached picture was drawn shifted from the axes,
        # and this plot is redrawn only when a trial changes.
        self.plot.getAxis("bottom").setStyle(hideOverlappingLabels=NAME_ROOM)
        self.plot.getAxis("bottom").setCacheMode(QGraphicsItem.CacheMode.NoCache)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.explanation)
        layout.addWidget(self.view, 1)
        self.lines: list[Any] = []

    def show_trials(self, dimensions: list, names: list[str], rows: list, lower_is_better: bool = True,
                    metric: str = "") -> None:
        """One axis for the result (named after the watched `metric`), then one per dimension (named `names`);
        trials without a finite result are left out."""
        import pyqtgraph as pg  # noqa: PLC0415

        self.plot.clear()
        self.lines = []
        scored = [row for row in rows if row.value is not None and math.isfinite(row.value)]
        values = [float(row.value) for row in scored]
        written = [result_labels(values, lower_is_better)] + [axis_labels(dimension) for dimension in dimensions]
        last = len(dimensions)
        for place, texts in enumerate(written):   # the upright axes, each with its values written on it
            self.plot.addItem(pg.InfiniteLine(pos=place, angle=90, pen=pg.mkPen("#9ca3af", width=1)))
            # Right of its axis, but left of the last one: the view ends just past it, and they would be cut off.
            anchor = (1.05, 0.5) if place == last and last > 0 else (-0.05, 0.5)
            for text, height in texts:
                label = pg.TextItem(text, color="#374151", anchor=anchor)
                label.setPos(place, height)
                self.plot.addItem(label)
        result_name = tr("best {metric}", metric=metric) if metric else tr("result")
        self._name_axes([result_name] + list(names))
        if scored:
            shares = dict(zip((row.number for row in scored), rank_shares(values, lower_is_better)))
            heights = dict(zip((row.number for row in scored), result_positions(values, lower_is_better)))
            # The best trials are drawn last, on top of the others.
            for row in sorted(scored, key=lambda r: r.value, reverse=lower_is_better):
                points = [(0, heights[row.number])]
                points += [(place, position_on_axis(dim, row.params.get(dim.key)))
                           for place, dim in enumerate(dimensions, start=1)]
                points = [(x, y) for x, y in points if y is not None]
                line = self.plot.plot([x for x, _ in points], [y for _, y in points],
                                      pen=pg.mkPen(result_colour(shares[row.number]), width=2))
                self.lines.append(line)
        self.plot.setXRange(-0.3, last + 0.3, padding=0)
        self.plot.setYRange(-0.05, 1.05, padding=0)

    def _name_axes(self, names: list[str]) -> None:
        """Each axis's name under it. The outer names may reach past the ends of the bottom axis into room left
        beside the plot: pyqtgraph leaves out a name that does not fit, and in a narrow dock that was the result's
        and the last value's."""
        bottom = self.plot.getAxis("bottom")
        bottom.setTicks([list(enumerate(names))])
        metrics = QFontMetrics(bottom.style["tickFont"] or self.view.font())
        left, right = (min(metrics.horizontalAdvance(name) // 2 + 4, NAME_ROOM) for name in (names[0], names[-1]))
        self.plot.layout.setContentsMargins(left, 1, right, 1)
