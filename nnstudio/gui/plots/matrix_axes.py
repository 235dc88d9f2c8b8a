"""Axes and a colour scale for a weight matrix drawn as coloured cells: ticks on the cells, a key to the colours."""

from __future__ import annotations

from typing import Callable, Optional

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

# Up to this many cells along an axis each is named in words ("input 1", "input 2"); beyond, numbers at round
# steps (a layer of 784 inputs cannot name every one). A 1×2 matrix on plain axes read "input 0, 0.5 … 2.0".
NAMED_CELLS = 4
MOST_NUMBERS = 6
STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)


def cell_ticks(count: int, name: Callable[[int], str]) -> list[tuple[float, str]]:
    """(position, label) for an axis of `count` cells, cell i (from 0) spanning i to i + 1: the label sits on the
    cell's middle and counts from 1, as a student counts inputs and units."""
    if count <= 0:
        return []
    if count <= NAMED_CELLS:
        return [(cell + 0.5, name(cell + 1)) for cell in range(count)]
    step = next((s for s in STEPS if count / s <= MOST_NUMBERS), STEPS[-1])
    numbers = [1] + list(range(step, count + 1, step))
    return [(number - 0.5, str(number)) for number in numbers]


class ColourScale(QWidget):
    """A bar from blue (the largest positive weight) through white (zero) to red (the most negative), with its
    numbers beside it: the key to the heatmap's colours."""

    BAR_WIDTH = 12

    def __init__(self, top: QColor, middle: QColor, bottom: QColor, tooltip: str = "",
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.colours = (QColor(top), QColor(middle), QColor(bottom))
        self.extent = 1.0
        self.texts = self._texts(1.0)
        self.setToolTip(tooltip)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setFixedWidth(self.BAR_WIDTH + 6 + self.fontMetrics().horizontalAdvance("−0.000") + 4)
        self.setMinimumHeight(3 * self.fontMetrics().height())

    @staticmethod
    def _texts(extent: float) -> tuple[str, str, str]:
        shown = f"{extent:.2g}"
        return f"+{shown}", "0", f"−{shown}"

    def set_extent(self, extent: float) -> None:
        """The weights run from −extent (red) to +extent (blue); repainted only when its numbers change."""
        texts = self._texts(extent)
        self.extent = extent
        if texts != self.texts:
            self.texts = texts
            self.update()

    def bar_rect(self) -> QRectF:
        half = self.fontMetrics().height() / 2
        return QRectF(1, half, self.BAR_WIDTH, max(1.0, self.height() - 2 * half))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        bar = self.bar_rect()
        gradient = QLinearGradient(bar.topLeft(), bar.bottomLeft())
        for stop, colour in zip((0.0, 0.5, 1.0), self.colours):
            gradient.setColorAt(stop, colour)
        painter.fillRect(bar, gradient)
        painter.setPen(QColor("#888"))
        painter.drawRect(bar)
        painter.setPen(QColor("#222"))
        height = self.fontMetrics().height()
        left = bar.right() + 6
        for text, y in zip(self.texts, (bar.top(), bar.center().y(), bar.bottom())):
            painter.drawText(QRectF(left, y - height / 2, self.width() - left, height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()


def label_matrix_axes(plot: object, units: int, inputs: int) -> None:
    """Ticks on the cells of a heatmap of a units × inputs weight matrix: inputs along the bottom, units down."""
    from ...core.i18n import tr  # noqa: PLC0415

    plot.getAxis("bottom").setTicks([cell_ticks(inputs, lambda number: tr("input {number}", number=number))])
    plot.getAxis("left").setTicks([cell_ticks(units, lambda number: tr("unit {number}", number=number))])
