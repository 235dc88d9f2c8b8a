"""The neuron view's picture: inputs and neurons as circles, weights as lines, each neuron's activation map beside it."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsLineItem, QGraphicsPixmapItem,
                               QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView, QWidget)

from ...core.i18n import tr
from ...core.teaching.neuron_math import format_number
from ..widgets.weight_colors import map_colors, rgb_pixmap, weight_color

MAP_PIXELS = 48          # each activation map is drawn this big next to its neuron (it fits between two neurons)
MAP_GAP = 8
RADIUS = 20.0
INPUT_X, NEURON_X = 0.0, 340.0
SPACING = 56.0


class WeightLine(QGraphicsLineItem):
    """One weight: colour by sign, width by size; hover shows it, double-click types a new one."""

    def __init__(self, diagram: "NeuronDiagram", neuron: int, source: int, start: QPointF, end: QPointF) -> None:
        super().__init__(start.x(), start.y(), end.x(), end.y())
        self.diagram, self.neuron, self.source = diagram, neuron, source
        self.value = 0.0
        self.setAcceptHoverEvents(True)
        self.setZValue(0)

    def shape(self) -> QPainterPath:  # noqa: D102 - a wider hit area, so thin lines are easy to hover
        path = QPainterPath(self.line().p1())
        path.lineTo(self.line().p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(path)

    def set_value(self, value: float, largest: float, source_name: str) -> None:
        self.value = float(value)
        color = weight_color(value)
        width = 0.6 + 6.0 * abs(value) / largest if largest > 0 else 0.6
        self.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        self.setToolTip(tr("weight from {source} to neuron {neuron}: {value}\nDouble-click to type a new value.",
                           source=source_name, neuron=self.neuron + 1, value=format_number(value, 6)))

    def hoverEnterEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.setZValue(2)
        self.diagram.weight_hovered.emit(self.toolTip().splitlines()[0])
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.setZValue(0)
        super().hoverLeaveEvent(event)

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.diagram.edit_requested.emit(self.neuron, self.source)


class NeuronCircle(QGraphicsEllipseItem):
    """A neuron (or an input when neuron is None): click writes out its weighted sum, double-click edits its bias."""

    def __init__(self, diagram: "NeuronDiagram", neuron: Optional[int], center: QPointF, label: str) -> None:
        super().__init__(center.x() - RADIUS, center.y() - RADIUS, 2 * RADIUS, 2 * RADIUS)
        self.diagram, self.neuron, self.center = diagram, neuron, center
        self.setZValue(3)
        self.setPen(QPen(QColor(60, 60, 60), 1.5))
        self.setBrush(QBrush(QColor(255, 255, 255) if neuron is not None else QColor(235, 235, 235)))
        self.name_item = QGraphicsSimpleTextItem(label, self)
        font = QFont()
        font.setPointSizeF(8.5)
        self.name_item.setFont(font)
        self.value_item = QGraphicsSimpleTextItem("", self)
        small = QFont()
        small.setPointSizeF(7.5)
        self.value_item.setFont(small)
        if neuron is None:
            rect = self.name_item.boundingRect()
            self.name_item.setPos(center.x() - rect.width() - RADIUS - 6, center.y() - rect.height() / 2)
        else:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
            self.name_item.setPos(center.x() - RADIUS, center.y() - RADIUS - 16)

    def set_bias(self, bias: Optional[float]) -> None:
        text = "" if bias is None else f"b={format_number(bias, 2)}"
        self.value_item.setText(text)
        rect = self.value_item.boundingRect()
        self.value_item.setPos(self.center.x() - rect.width() / 2, self.center.y() - rect.height() / 2)
        if self.neuron is not None:
            self.setToolTip(tr("no bias\nClick: its weighted sum. Double-click: type a new bias.") if bias is None
                            else tr("bias {value}\nClick: its weighted sum. Double-click: type a new bias.",
                                    value=format_number(bias, 6)))

    def set_highlight(self, on: bool) -> None:
        self.setPen(QPen(QColor(230, 140, 0) if on else QColor(60, 60, 60), 3.0 if on else 1.5))

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if self.neuron is not None:
            self.diagram.neuron_clicked.emit(self.neuron)
        event.accept()

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if self.neuron is not None:
            self.diagram.edit_requested.emit(self.neuron, None)


class NeuronDiagram(QGraphicsView):
    """The scene of circles, lines and activation maps, always fitted to the panel; it says what the mouse does."""

    neuron_clicked = Signal(int)              # a neuron: write out its weighted sum
    edit_requested = Signal(int, object)      # (neuron, input index or None for its bias): type a new number
    weight_hovered = Signal(str)              # the hovered weight, in words

    MIN_SCALE, MAX_SCALE = 0.8, 1.6   # smaller and the maps and labels are unreadable (then it scrolls)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))   # the diagram owns its scene: they go together
        self.inputs: list[NeuronCircle] = []
        self.neurons: list[NeuronCircle] = []
        self.lines: dict[tuple[int, int], WeightLine] = {}
        self.maps: list[QGraphicsPixmapItem] = []
        self.map_values: Optional[np.ndarray] = None   # (neurons, rows, columns) of the last drawn maps
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setMouseTracking(True)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        # The scene rect holds every item, the activation maps included (they are drawn later than the circles).
        rect = self.scene().sceneRect() if self.scene() is not None else QRectF()
        viewport = self.viewport().rect()
        if rect.isEmpty() or viewport.isEmpty():
            return
        scale = min(viewport.width() / rect.width(), viewport.height() / rect.height())
        scale = min(max(scale, self.MIN_SCALE), self.MAX_SCALE)
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(rect.center())

    def clear(self) -> None:
        """Nothing drawn."""
        self.scene().clear()
        self.inputs, self.neurons, self.lines, self.maps = [], [], {}, []
        self.map_values = None

    def build(self, units: int, names: list[str]) -> None:
        """Circles for the inputs (named) and the neurons, a line for every weight, an empty map beside each neuron."""
        self.clear()
        scene, features = self.scene(), len(names)
        height = max(units, features) * SPACING
        input_top = (height - features * SPACING) / 2 + SPACING / 2
        neuron_top = (height - units * SPACING) / 2 + SPACING / 2
        input_points = [QPointF(INPUT_X, input_top + j * SPACING) for j in range(features)]
        neuron_points = [QPointF(NEURON_X, neuron_top + i * SPACING) for i in range(units)]
        for j, point in enumerate(input_points):
            circle = NeuronCircle(self, None, point, names[j])
            scene.addItem(circle)
            self.inputs.append(circle)
        for i, point in enumerate(neuron_points):
            for j, source in enumerate(input_points):
                line = WeightLine(self, i, j, QPointF(source.x() + RADIUS, source.y()),
                                  QPointF(point.x() - RADIUS, point.y()))
                scene.addItem(line)
                self.lines[(i, j)] = line
            circle = NeuronCircle(self, i, point, tr("neuron {number}", number=i + 1))
            scene.addItem(circle)
            self.neurons.append(circle)
            pixmap = QGraphicsPixmapItem()
            pixmap.setPos(point.x() + RADIUS + MAP_GAP, point.y() - MAP_PIXELS / 2)
            pixmap.setVisible(False)
            scene.addItem(pixmap)
            self.maps.append(pixmap)
        # The maps get their pixels only later: make room for them now, so they never hang over the scene's edge.
        room = QRectF(NEURON_X, -MAP_PIXELS / 2, RADIUS + MAP_GAP + MAP_PIXELS, height + MAP_PIXELS)
        scene.setSceneRect(scene.itemsBoundingRect().united(room).adjusted(-20, -20, 20, 20))

    def show_numbers(self, weights: np.ndarray, bias: Optional[np.ndarray], names: list[str]) -> None:
        """Every line's colour and width from its weight (thickest = largest), every neuron's bias inside it."""
        largest = float(np.max(np.abs(weights))) if weights.size else 0.0
        for (i, j), line in self.lines.items():
            line.set_value(weights[i, j], largest, names[j])
        for i, circle in enumerate(self.neurons):
            circle.set_bias(None if bias is None else bias[i])

    def highlight(self, neuron: Optional[int]) -> None:
        for i, circle in enumerate(self.neurons):
            circle.set_highlight(i == neuron)

    def show_maps(self, values: np.ndarray, low: float, high: float, across: str, up: str) -> None:
        """Each neuron's outputs over the input plane (values: neurons × rows × columns), red low to blue high."""
        self.map_values = values
        for i, item in enumerate(self.maps):
            item.setPixmap(rgb_pixmap(map_colors(values[i], low, high), MAP_PIXELS))
            item.setToolTip(tr("What neuron {neuron} outputs over the input plane ({across} across, {up} up): "
                               "blue high, red low.", neuron=i + 1, across=across, up=up))
            item.setVisible(True)

    def hide_maps(self) -> None:
        for item in self.maps:
            item.setVisible(False)
        self.map_values = None


__all__ = ["NeuronCircle", "NeuronDiagram", "WeightLine"]
