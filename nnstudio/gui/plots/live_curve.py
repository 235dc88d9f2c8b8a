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
# Pieces added since the curve was last drawn whole (each is one small repaint; the merge is one full repaint).
MAX_PIECES = 40
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

    Training only ever adds points at the end, so new points are drawn as a new piece joined to the last one: Qt
    then repaints the few pixels around the new piece, not the whole plot. After MAX_PIECES pieces (or any other
    change of the values) the curve is drawn again as one piece.
    """

    def __init__(self, plot: Any, pen: QPen, name: str = "", dot_colour: Optional[str] = None,
                 dot_size: float = 6.0, z: float = 0.0) -> None:
        import pyqtgraph as pg  # noqa: PLC0415

        self.xData = np.empty(0)
        self.yData = np.empty(0)
        self.log_y = False
        self._pen = pen
        self._z = z
        self._pieces: list[QGraphicsPathItem] = []
        # The pieces live in an empty item of their own inside the ViewBox: a piece added straight to the ViewBox
        # would make it repaint the whole plot (it re-checks its auto-range when its children change).
        self._holder = QGraphicsPathItem()
        self._holder.setPen(QPen(Qt.PenStyle.NoPen))
        plot.vb.addItem(self._holder, ignoreBounds=True)  # the panel sets the ranges itself
        self._holder.setZValue(self._holder.zValue() + z)
        self._drawn = 0   # how many of the values the pieces show
        self._dot_pen: Optional[QPen] = None
        if dot_colour is not None:
            self._dot_pen = QPen(QColor(dot_colour))
            self._dot_pen.setWidthF(dot_size)
            self._dot_pen.setCosmetic(True)
            self._dot_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        # The legend draws its sample from a PlotDataItem's options: one that is never plotted stands in.
        self.legend_sample = pg.PlotDataItem(pen=pen, symbol="o" if dot_colour else None, symbolSize=dot_size - 1,
                                             symbolBrush=dot_colour, symbolPen=None)
        self.legend_sample.visibleChanged.connect(self._follow_legend)
        if name and plot.legend is not None:
            plot.legend.addItem(self.legend_sample, name)

    def items(self) -> list[QGraphicsPathItem]:
        return list(self._pieces)

    def setData(self, x: Any, y: Any) -> None:  # noqa: N802 - the same name as pyqtgraph's curves
        old_x, old_y, drawn = self.xData, self.yData, self._drawn
        # Copies: the caller may reuse its buffers (the batch series does), which would change the drawn values.
        self.xData = np.array(x, dtype=np.float64)
        self.yData = np.array(y, dtype=np.float64)
        if len(self.xData) != len(self.yData):
            self.xData = self.yData = np.empty(0)
        grown = 0 < drawn <= len(self.xData) and len(self._pieces) < MAX_PIECES \
            and np.array_equal(old_x[:drawn], self.xData[:drawn], equal_nan=True) \
            and np.array_equal(old_y[:drawn], self.yData[:drawn], equal_nan=True)
        if not grown:
            self._draw_all()
        elif len(self.xData) > drawn:
            self._add_piece(drawn - 1)   # from the last drawn point, so the pieces join

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802
        return self.xData, self.yData

    def set_log_y(self, on: bool) -> None:
        if on != self.log_y:
            self.log_y = on
            self._draw_all()

    def _follow_legend(self) -> None:
        """A click on the legend entry hides or shows the curve, as it does for pyqtgraph's own curves."""
        for item in self._pieces:
            item.setVisible(self.legend_sample.isVisible())

    def _draw_all(self) -> None:
        for item in self._pieces:
            scene = item.scene()
            if scene is not None:
                scene.removeItem(item)
        self._pieces = []
        self._drawn = 0
        if len(self.xData):
            self._add_piece(0)

    def _add_piece(self, start: int) -> None:
        """Draw the values from `start` on as one more piece (a line item, and a dots item for the new points)."""
        x, y = self.xData[start:], self.yData[start:]
        if self.log_y and len(y):
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
        new_from = 1 if start < self._drawn else 0   # the joining point is drawn already (and has its dot)
        self._drawn = len(self.xData)
        x, y = peak_thinned(x, y)
        line = QGraphicsPathItem(_path(x, y, "finite"))
        line.setPen(self._pen)
        self._place(line)
        if self._dot_pen is not None and self._drawn <= MAX_DRAWN_POINTS // 4:
            # (thousands of epochs: the dots would merge into a thick line; they go at the next whole redraw)
            x, y = x[new_from:], y[new_from:]
            shown = np.isfinite(x) & np.isfinite(y)
            x, y = x[shown], y[shown]
            stems_x = np.repeat(x, 2)
            stems_x[1::2] += DOT_STEM * np.maximum(1.0, np.abs(x))
            dots = QGraphicsPathItem(_path(stems_x, np.repeat(y, 2), "pairs"))
            dots.setPen(self._dot_pen)
            self._place(dots, above=0.5)

    def _place(self, item: QGraphicsPathItem, above: float = 0.0) -> None:
        item.setZValue(above)
        item.setParentItem(self._holder)
        item.setVisible(self.legend_sample.isVisible())
        self._pieces.append(item)


class LiveHistogram:
    """A filled step histogram inside a pyqtgraph plot, drawn by one plain Qt path item (no Python when painted).

    setData(edges, counts) as pyqtgraph's stepMode="center" curves take it; getData() gives them back.
    """

    def __init__(self, plot: Any, colour: tuple[int, int, int]) -> None:
        from PySide6.QtGui import QBrush  # noqa: PLC0415

        self.edges = np.array([0.0, 1.0])
        self.counts = np.zeros(1)
        self.item = QGraphicsPathItem()
        pen = QPen(QColor(*colour))
        pen.setCosmetic(True)
        self.item.setPen(pen)
        self.item.setBrush(QBrush(QColor(*colour, 90)))
        plot.getPlotItem().vb.addItem(self.item, ignoreBounds=True)  # the panel sets the ranges itself

    def setData(self, edges: Any, counts: Any) -> None:  # noqa: N802 - pyqtgraph's name
        self.edges = np.asarray(edges, dtype=np.float64)
        self.counts = np.asarray(counts, dtype=np.float64)
        if len(self.edges) != len(self.counts) + 1 or not len(self.counts):
            self.item.setPath(_path(np.empty(0), np.empty(0), "all"))
            return
        # The outline: up and across each bar, from the baseline at the left to the baseline at the right.
        x = np.concatenate([[self.edges[0]], np.repeat(self.edges, 2)[1:-1], [self.edges[-1]]])
        y = np.concatenate([[0.0], np.repeat(self.counts, 2), [0.0]])
        path = _path(x, y, "all")
        path.closeSubpath()
        self.item.setPath(path)

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802
        return self.edges, self.counts


class LiveImage:
    """A colour-mapped picture of a matrix inside a pyqtgraph plot (row r, column c at y=r, x=c), drawn by a plain
    Qt pixmap item, like pg.ImageItem(axisOrder="row-major") but with no Python when Qt repaints it."""

    def __init__(self, plot: Any, colours: list[tuple[int, int, int]]) -> None:
        import pyqtgraph as pg  # noqa: PLC0415
        from PySide6.QtWidgets import QGraphicsPixmapItem  # noqa: PLC0415

        self.image: Optional[np.ndarray] = None
        self.levels = (0.0, 1.0)
        colormap = pg.ColorMap(np.linspace(0.0, 1.0, len(colours)), colours)
        self._table = np.ascontiguousarray(colormap.getLookupTable(0.0, 1.0, 256, alpha=True), dtype=np.uint8)
        self.item = QGraphicsPixmapItem()
        self.item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)  # no mask to compute
        plot.getPlotItem().vb.addItem(self.item, ignoreBounds=True)  # the panel sets the ranges itself

    def setImage(self, image: np.ndarray, levels: tuple[float, float]) -> None:  # noqa: N802 - pyqtgraph's name
        from PySide6.QtGui import QImage, QPixmap  # noqa: PLC0415

        self.image = np.asarray(image)
        self.levels = (float(levels[0]), float(levels[1]))
        low, high = self.levels
        scaled = (np.nan_to_num(self.image.astype(np.float64), nan=(low + high) / 2) - low) / ((high - low) or 1.0)
        index = np.clip(np.rint(scaled * 255), 0, 255).astype(np.intp)
        rgba = np.ascontiguousarray(self._table[index])
        rows, columns = rgba.shape[:2]
        picture = QImage(rgba.data, columns, rows, columns * 4, QImage.Format.Format_RGBA8888)
        self.item.setPixmap(QPixmap.fromImage(picture))   # copies: rgba may go once this returns

    def getLevels(self) -> tuple[float, float]:  # noqa: N802 - pyqtgraph's name
        return self.levels


class EpochMarker:
    """A labelled vertical line at one x (the best epoch, the early-stopping epoch), like pg.InfiniteLine but drawn
    by plain Qt items: moving it runs two Qt calls, not pyqtgraph's Python (it moves at most once an epoch)."""

    def __init__(self, plot: Any, colour: str, style: Qt.PenStyle, label: str, height: float) -> None:
        from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsSimpleTextItem  # noqa: PLC0415

        self._view = plot.vb
        self._height = height   # where the label sits: a share of the view's height from the bottom
        self._value: Optional[float] = None
        pen = QPen(QColor(colour))
        pen.setWidthF(1.5)
        pen.setCosmetic(True)
        pen.setStyle(style)
        self.line = QGraphicsLineItem()
        self.line.setPen(pen)
        self._view.addItem(self.line, ignoreBounds=True)
        self.line.setZValue(self.line.zValue() + 5)
        self.label = QGraphicsSimpleTextItem(label)
        self.label.setBrush(QColor(colour))
        # Text in pixels at any zoom; set as the parent's child after creation (PySide deletes a text item made
        # with a parent when its Python reference goes).
        self.label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.label.setParentItem(self.line)
        self.setVisible(False)
        self._view.sigRangeChanged.connect(self._place_label)

    def value(self) -> Optional[float]:
        return self._value

    def isVisible(self) -> bool:  # noqa: N802 - the same names as the pyqtgraph line it replaces
        return self.line.isVisible()

    def setVisible(self, visible: bool) -> None:  # noqa: N802
        self.line.setVisible(visible)

    def setValue(self, x: float) -> None:  # noqa: N802
        self._value = float(x)
        self._place_label()

    def _place_label(self, *_: Any) -> None:
        """From the bottom to the top of what the plot shows (the dashes start at the bottom: a line from far
        outside the view would draw them solid), with the label beside it, on the left near the right edge."""
        if self._value is None:
            return
        from PySide6.QtGui import QTransform  # noqa: PLC0415

        (left, right), (bottom, top) = self._view.viewRange()
        self.line.setLine(self._value, bottom, self._value, top)
        self.label.setPos(self._value, bottom + self._height * (top - bottom))
        near_right = self._value > left + 0.8 * (right - left)
        shift = -(self.label.boundingRect().width() + 4) if near_right else 4.0
        self.label.setTransform(QTransform.fromTranslate(shift, 0))
