"""A plot curve for live training drawn by plain Qt path items, so updating and repainting it runs no Python."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsPathItem

# Why not pyqtgraph's PlotDataItem: its setData, bounds and paint are Python, run several times per refresh,
# and every millisecond of Python in the GUI thread holds the GIL that the training thread needs (measured: the
# dotted epoch curves alone cost ~1 ms per update plus their repaints). QGraphicsPathItem is drawn by Qt in C++.
# A curve keeps at most this many points on screen: a plot is a few hundred pixels wide, so more are invisible.
MAX_DRAWN_POINTS = 4000
# A dot is a segment this short (in x units) drawn with a round cap: the cap of a cosmetic pen is measured in
# pixels, so the dots keep their size at any zoom, with no per-dot item and no repaint when the view moves.
DOT_STEM = 1e-6


def peak_thinned(x: np.ndarray, y: np.ndarray, most: int = MAX_DRAWN_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most `most` points that keep the look of the curve: each slice of the data becomes its lowest and its
    highest point, in order (pyqtgraph's "peak" downsampling). Gaps (NaN) stay gaps."""
    count = len(x)
    if count <= most:
        return x, y
    slices = most // 2
    width = count // slices
    used = slices * width
    xs = x[:used].reshape(slices, width)
    ys = y[:used].reshape(slices, width)
    finite = np.isfinite(ys)
    low = np.where(finite, ys, np.inf).argmin(axis=1)
    high = np.where(finite, ys, -np.inf).argmax(axis=1)
    first, second = np.minimum(low, high), np.maximum(low, high)
    rows = np.arange(slices)
    picked = np.stack([first, second], axis=1)
    thin_x = xs[rows[:, None], picked].ravel()
    thin_y = ys[rows[:, None], picked].ravel()
    empty = ~finite.any(axis=1)
    if empty.any():  # a slice of NaN only stays a gap
        thin_y.reshape(slices, 2)[empty] = np.nan
    return np.concatenate([thin_x, x[used:]]), np.concatenate([thin_y, y[used:]])


def _path(x: np.ndarray, y: np.ndarray, connect: str) -> Any:
    import pyqtgraph as pg  # noqa: PLC0415 - loaded by the plots that own these curves

    return pg.arrayToQPath(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64),
                           connect=connect)


class LiveCurve:
    """A line (and optionally a dot at each point) inside a pyqtgraph plot, set with setData like a PlotDataItem.

    The curve keeps the values it was given (xData, yData, getData) and draws them thinned to what a plot can
    show. With log_y the drawn y values are powers of ten, as on pyqtgraph's log axes.
    """

    def __init__(self, plot: Any, pen: QPen, name: str = "", dot_colour: Optional[str] = None,
                 dot_size: float = 6.0) -> None:
        import pyqtgraph as pg  # noqa: PLC0415

        self.xData = np.empty(0)
        self.yData = np.empty(0)
        self.log_y = False
        self.line = QGraphicsPathItem()
        self.line.setPen(pen)
        self.dots: Optional[QGraphicsPathItem] = None
        plot.vb.addItem(self.line, ignoreBounds=True)  # the panel sets the ranges itself
        if dot_colour is not None:
            dot_pen = QPen(QColor(dot_colour))
            dot_pen.setWidthF(dot_size)
            dot_pen.setCosmetic(True)
            dot_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self.dots = QGraphicsPathItem()
            self.dots.setPen(dot_pen)
            plot.vb.addItem(self.dots, ignoreBounds=True)
        # The legend draws its sample from a PlotDataItem's options: one that is never plotted stands in.
        self.legend_sample = pg.PlotDataItem(pen=pen, symbol="o" if dot_colour else None, symbolSize=dot_size - 1,
                                             symbolBrush=dot_colour, symbolPen=None)
        self.legend_sample.visibleChanged.connect(self._follow_legend)
        if name and plot.legend is not None:
            plot.legend.addItem(self.legend_sample, name)

    def items(self) -> list[QGraphicsPathItem]:
        return [self.line] + ([self.dots] if self.dots is not None else [])

    def setData(self, x: Any, y: Any) -> None:  # noqa: N802 - the same name as pyqtgraph's curves
        self.xData = np.asarray(x, dtype=np.float64)
        self.yData = np.asarray(y, dtype=np.float64)
        self._draw()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802
        return self.xData, self.yData

    def set_log_y(self, on: bool) -> None:
        if on != self.log_y:
            self.log_y = on
            self._draw()

    def setZValue(self, z: float) -> None:  # noqa: N802
        for item in self.items():
            item.setZValue(z)

    def _follow_legend(self) -> None:
        """A click on the legend entry hides or shows the curve, as it does for pyqtgraph's own curves."""
        for item in self.items():
            item.setVisible(self.legend_sample.isVisible())

    def _draw(self) -> None:
        x, y = self.xData, self.yData
        if len(x) != len(y):
            x = y = np.empty(0)
        if self.log_y and len(y):
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
        x, y = peak_thinned(x, y)
        self.line.setPath(_path(x, y, "finite"))
        if self.dots is not None:
            shown = np.isfinite(x) & np.isfinite(y)
            if len(x) > MAX_DRAWN_POINTS // 4:
                shown[:] = False  # thousands of epochs: the dots would merge into a thick line
            x, y = x[shown], y[shown]
            stems_x = np.repeat(x, 2)
            stems_x[1::2] += DOT_STEM * np.maximum(1.0, np.abs(x))
            self.dots.setPath(_path(stems_x, np.repeat(y, 2), "pairs"))
