"""A grid of pixels a student paints with the mouse (left-drag paints, right-drag erases), for image inputs."""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...core.i18n import tr

# Grids larger than this get a round brush a few pixels wide: a one-pixel stroke on 28×28 looks nothing like
# the thick pen strokes of MNIST, so the network would not recognise it.
THICK_BRUSH_FROM = 16


class DrawGrid(QWidget):
    """Pixel intensities 0..1 (row by row); `pixel_values()` gives them in the dataset's units (0..16, 0..255)."""

    pixels_changed = Signal()

    def __init__(self, rows: int, columns: int, maximum_value: float = 1.0,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("drawGrid")
        self.rows, self.columns = int(rows), int(columns)
        self.maximum_value = float(maximum_value) if maximum_value > 0 else 1.0
        self.intensity = np.zeros((self.rows, self.columns), dtype=np.float32)
        self._painting_value: Optional[float] = None  # 1 while painting, 0 while erasing, None when idle
        self._last_cell: Optional[tuple[float, float]] = None  # where the stroke was last painted
        self.setMinimumSize(8 * self.columns if self.columns <= 8 else 4 * self.columns,
                            8 * self.rows if self.rows <= 8 else 4 * self.rows)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(tr("Draw with the left mouse button, erase with the right one"))

    # ------------------------------------------------------------ values
    def pixel_values(self) -> np.ndarray:
        """The drawing as one row of raw pixel values (row by row), in the dataset's range."""
        return (self.intensity.reshape(-1) * self.maximum_value).astype(np.float32)

    def set_pixel_values(self, values: np.ndarray) -> None:
        """Show raw pixel values (e.g. a test sample); values outside the range are clipped."""
        values = np.asarray(values, dtype=np.float32).reshape(self.rows, self.columns)
        self.intensity = np.clip(values / self.maximum_value, 0.0, 1.0)
        self.update()
        self.pixels_changed.emit()

    def clear(self) -> None:
        if not self.intensity.any():
            return
        self.intensity[:] = 0.0
        self.update()
        self.pixels_changed.emit()

    # ------------------------------------------------------------ geometry
    def _cell_rect(self) -> QRectF:
        """The square area the grid is drawn in, centred in the widget."""
        side = min(self.width() / self.columns, self.height() / self.rows)
        width, height = side * self.columns, side * self.rows
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def cell_center(self, row: int, column: int) -> QPointF:
        """Where a cell's centre is on the widget (tests and tutorials point at cells with it)."""
        area = self._cell_rect()
        side = area.width() / self.columns
        return QPointF(area.left() + (column + 0.5) * side, area.top() + (row + 0.5) * side)

    def _cell_at(self, point: QPointF) -> Optional[tuple[float, float]]:
        area = self._cell_rect()
        if not area.contains(point):
            return None
        side = area.width() / self.columns
        return (point.y() - area.top()) / side, (point.x() - area.left()) / side

    # ------------------------------------------------------------ painting with the mouse
    def _brush(self, row: float, column: float) -> None:
        """Paint (or erase) around one point of the grid, in cell units."""
        if max(self.rows, self.columns) < THICK_BRUSH_FROM:
            self.intensity[min(int(row), self.rows - 1), min(int(column), self.columns - 1)] = self._painting_value
            return
        # A soft round brush: full strength within one pixel of the pointer, fading out by two pixels.
        rows = np.arange(self.rows)[:, None] + 0.5
        columns = np.arange(self.columns)[None, :] + 0.5
        distance = np.hypot(rows - row, columns - column)
        strength = np.clip(2.0 - distance, 0.0, 1.0).astype(np.float32)
        if self._painting_value > 0:
            np.maximum(self.intensity, strength, out=self.intensity)
        else:
            self.intensity *= 1.0 - strength

    def _stroke(self, point: QPointF) -> None:
        """Paint from the last point of this stroke to `point`, so a fast stroke is a line, not dots.

        The mouse reports a moving pointer a few dozen times a second: between two reports a quick stroke
        crosses several cells, so the brush is also put down every half cell along the way.
        """
        cell = self._cell_at(point)
        if cell is None or self._painting_value is None:
            self._last_cell = None  # left the grid: the stroke starts again where it comes back
            return
        before = self.intensity.copy()
        start = self._last_cell if self._last_cell is not None else cell
        steps = max(1, int(np.ceil(2 * max(abs(cell[0] - start[0]), abs(cell[1] - start[1])))))
        for step in range(1, steps + 1) if self._last_cell is not None else (steps,):
            fraction = step / steps
            self._brush(start[0] + (cell[0] - start[0]) * fraction, start[1] + (cell[1] - start[1]) * fraction)
        self._last_cell = cell
        if not np.array_equal(before, self.intensity):
            self.update()
            self.pixels_changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self._painting_value = 1.0
        elif event.button() == Qt.MouseButton.RightButton:
            self._painting_value = 0.0
        else:
            super().mousePressEvent(event)
            return
        self._last_cell = None
        self._stroke(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._painting_value is not None:
            self._stroke(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._painting_value = None
        self._last_cell = None
        event.accept()

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt's name
        event.accept()  # the right button erases here; no menu should pop up

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        area = self._cell_rect()
        side = area.width() / self.columns
        painter.fillRect(area, QColor("white"))
        for row in range(self.rows):
            for column in range(self.columns):
                value = float(self.intensity[row, column])
                if value <= 0:
                    continue
                shade = int(round(255 * (1.0 - value)))  # dark ink on white paper
                painter.fillRect(QRectF(area.left() + column * side, area.top() + row * side, side, side),
                                 QColor(shade, shade, shade))
        if side >= 6:  # faint cell lines help on 8×8; on 28×28 at small sizes they would hide the drawing
            painter.setPen(QPen(QColor(210, 210, 210), 0))
            for row in range(self.rows + 1):
                y = area.top() + row * side
                painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            for column in range(self.columns + 1):
                x = area.left() + column * side
                painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        painter.setPen(QPen(QColor(120, 120, 120), 1))
        painter.drawRect(area)
        painter.end()
