"""The backpropagation stepper's picture: the network's neurons and weights, with each phase's numbers written on."""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView, QWidget

from ...core.teaching.backprop import BackpropStep
from ...core.teaching.backprop_tables import DIGITS, belongs_to, diagram_labels, link_text, neuron_name
from ...core.teaching.neuron_math import SmallNetwork, format_number
from ..widgets.weight_colors import NEGATIVE, POSITIVE

RADIUS = 24.0
COLUMN_GAP, ROW_GAP = 260.0, 110.0
PLAIN = QColor(30, 30, 30)
# Each kind of phase writes its numbers in its own colour (the phase title uses the same one).
PHASE_COLORS = {"forward": QColor(33, 102, 172), "error": QColor(120, 60, 160), "backward": QColor(178, 24, 43),
                "gradients": QColor(200, 110, 0), "update": QColor(30, 130, 60)}


class StepperDiagram(QGraphicsView):
    """Circles for inputs and neurons, a line per weight; labels beside them show the numbers up to the phase."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.labels: dict[tuple[int, int], QGraphicsSimpleTextItem] = {}
        self.line_labels: dict[tuple[int, int, int], QGraphicsSimpleTextItem] = {}

    def build(self, network: Optional[SmallNetwork]) -> None:
        """Draw this network afresh (nothing for None), its labels still empty."""
        scene = self.scene()
        scene.clear()
        self.labels, self.line_labels = {}, {}
        if network is None:
            return
        sizes = [network.features] + [layer.units for layer in network.layers]
        tallest = max(sizes)
        positions = [[QPointF(column * COLUMN_GAP, (tallest - size) * ROW_GAP / 2 + n * ROW_GAP + 40.0)
                      for n in range(size)] for column, size in enumerate(sizes)]
        small = QFont()
        small.setPointSizeF(8.0)
        for index, layer in enumerate(network.layers):
            for neuron in range(layer.units):
                for source in range(layer.features):
                    a, b = positions[index][source], positions[index + 1][neuron]
                    weight = layer.weights[neuron, source]
                    pen = QPen(POSITIVE if weight >= 0 else NEGATIVE, 1.5)
                    line = scene.addLine(a.x() + RADIUS, a.y(), b.x() - RADIUS, b.y(), pen)
                    line.setToolTip(f"{link_text(network, index, neuron, source)}: {format_number(weight, DIGITS)}")
                    # Weight labels sit near their source, where lines fan out, away from the neurons' own labels.
                    label = scene.addSimpleText("", small)
                    label.setPos(a.x() + (b.x() - a.x()) * 0.3, a.y() + (b.y() - a.y()) * 0.3 - 14)
                    label.setZValue(2)
                    self.line_labels[(index, neuron, source)] = label
        for column, points in enumerate(positions):
            for n, point in enumerate(points):
                circle = scene.addEllipse(point.x() - RADIUS, point.y() - RADIUS, 2 * RADIUS, 2 * RADIUS,
                                          QPen(QColor(60, 60, 60), 1.5),
                                          QColor(235, 235, 235) if column == 0 else QColor(255, 255, 255))
                circle.setZValue(3)
                name = scene.addSimpleText(neuron_name(network, column - 1, n))
                rect = name.boundingRect()
                name.setPos(point.x() - rect.width() / 2, point.y() - rect.height() / 2)
                name.setZValue(4)
                label = scene.addSimpleText("", small)
                label.setPos(point.x() - RADIUS, point.y() + RADIUS + 2)
                label.setZValue(4)
                self.labels[(column, n)] = label
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-60, -30, 60, 60))

    def show_phase(self, step: Optional[BackpropStep], phase_index: int) -> None:
        """Write the numbers up to this phase; the current phase's layer in its colour (nothing without a step)."""
        if not self.labels:
            return
        everything = list(self.labels.items()) + list(self.line_labels.items())
        for _, label in everything:
            label.setText("")
            label.setBrush(PLAIN)
        if step is None:
            return
        at_neurons, on_lines = diagram_labels(step, phase_index)
        for key, text in at_neurons.items():
            self.labels[key].setText(text)
        for key, text in on_lines.items():
            self.line_labels[key].setText(text)
        phase = step.phases[phase_index]
        for key, label in everything:
            if label.text():
                label.setBrush(PHASE_COLORS[phase.kind] if belongs_to(phase, key) else PLAIN)
        self.fit()

    def fit(self) -> None:
        if not self.scene().sceneRect().isEmpty():
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit()


__all__ = ["PHASE_COLORS", "StepperDiagram"]
