"""The neuron view: one Dense/Output layer opened into its neurons, weights as lines, sums written out, weights typed by hand."""

from __future__ import annotations

import math
import time
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPainterPathStroker, QPen, QPixmap
from PySide6.QtWidgets import (QComboBox, QGraphicsEllipseItem, QGraphicsItem, QGraphicsLineItem,
                               QGraphicsPixmapItem, QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView,
                               QHBoxLayout, QInputDialog, QLabel, QSpinBox, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ...core.teaching.neuron_math import MINUS, NetworkError, SmallNetwork, format_number, weighted_sum
from .edits import (LayerWeights, model_or_none, model_problem, node_activation, plural, read_layer,
                    set_one_weight, small_network, weighted_nodes)

MAX_UNITS = 32
MAX_INPUTS = 16
MAP_SIZE = 24            # each hidden neuron's activation map over the input plane: 24 × 24 values
MAP_PIXELS = 48          # drawn this big next to its neuron (it fits between two neurons, SPACING apart)
MAP_GAP = 8
MAP_EVERY_S = 0.25       # during training the maps are recomputed at most 4 times a second
RADIUS = 20.0
INPUT_X, NEURON_X = 0.0, 340.0
SPACING = 56.0
# Blue for positive weights, red for negative ones (as in the lecture slides); white is zero.
POSITIVE = QColor(33, 102, 172)
NEGATIVE = QColor(178, 24, 43)
EMPTY_TEXT = "Select a Dense or Output layer (or pick one above) to open it into its neurons."


def parse_number(text: str) -> Optional[float]:
    """A number typed by a learner: a real minus sign or a decimal comma are fine too."""
    cleaned = text.strip().replace(MINUS, "-").replace(",", ".").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def map_colors(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Values as colours from red (low) through white to blue (high), shape (..., 3) uint8."""
    t = np.clip((values - low) / max(high - low, 1e-12), 0.0, 1.0)[..., None]
    red = np.array([NEGATIVE.red(), NEGATIVE.green(), NEGATIVE.blue()], dtype=np.float64)
    blue = np.array([POSITIVE.red(), POSITIVE.green(), POSITIVE.blue()], dtype=np.float64)
    white = np.array([250.0, 250.0, 250.0])
    below = white + (red - white) * (1.0 - 2.0 * t)
    above = white + (blue - white) * (2.0 * t - 1.0)
    return np.where(t < 0.5, below, above).astype(np.uint8)


def rgb_pixmap(rgb: np.ndarray, size: int) -> QPixmap:
    """A (rows, columns, 3) uint8 array as a pixmap, row 0 at the top, scaled to size × size."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()  # copy: own the pixels
    return QPixmap.fromImage(image).scaled(size, size)


def activation_range(activation: str, values: np.ndarray) -> tuple[float, float]:
    """The colour scale of an activation map: the function's own range where it has one."""
    if activation in ("sigmoid", "step", "softmax"):
        return 0.0, 1.0
    if activation in ("tanh", "sign"):
        return -1.0, 1.0
    largest = float(np.max(np.abs(values))) if values.size else 1.0
    return -max(largest, 1e-6), max(largest, 1e-6)


class WeightLine(QGraphicsLineItem):
    """One weight: colour by sign, width by size; hover shows it, double-click types a new one."""

    def __init__(self, view: "NeuronView", neuron: int, source: int, start: QPointF, end: QPointF) -> None:
        super().__init__(start.x(), start.y(), end.x(), end.y())
        self.view, self.neuron, self.source = view, neuron, source
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
        color = POSITIVE if value >= 0 else NEGATIVE
        width = 0.6 + 6.0 * abs(value) / largest if largest > 0 else 0.6
        self.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        self.setToolTip(f"weight from {source_name} to neuron {self.neuron + 1}: {format_number(value, 6)}"
                        "\nDouble-click to type a new value.")

    def hoverEnterEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.setZValue(2)
        self.view.show_hovered_weight(self)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.setZValue(0)
        super().hoverLeaveEvent(event)

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.view.edit_weight(self.neuron, self.source)


class NeuronCircle(QGraphicsEllipseItem):
    """A neuron (or an input when neuron is None): click writes out its weighted sum, double-click edits its bias."""

    def __init__(self, view: "NeuronView", neuron: Optional[int], center: QPointF, label: str) -> None:
        super().__init__(center.x() - RADIUS, center.y() - RADIUS, 2 * RADIUS, 2 * RADIUS)
        self.view, self.neuron, self.center = view, neuron, center
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
            self.setToolTip(("no bias" if bias is None else f"bias {format_number(bias, 6)}") +
                            "\nClick: its weighted sum. Double-click: type a new bias.")

    def set_highlight(self, on: bool) -> None:
        self.setPen(QPen(QColor(230, 140, 0) if on else QColor(60, 60, 60), 3.0 if on else 1.5))

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if self.neuron is not None:
            self.view.select_neuron(self.neuron)
        event.accept()

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if self.neuron is not None:
            self.view.edit_weight(self.neuron, None)


class NeuronDiagram(QGraphicsView):
    """The scene of circles and lines, always fitted to the panel."""

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit()

    MIN_SCALE, MAX_SCALE = 0.8, 1.6   # smaller and the maps and labels are unreadable (then it scrolls)

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


class NeuronView(QWidget):
    """Opens the selected small Dense/Output layer into neurons; live during training, editable by hand."""

    neuron_selected = Signal(int)

    def __init__(self, document: Any, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("neuronView")
        self.document, self.session = document, session
        self.node_id: Optional[str] = None
        self.layer: Optional[LayerWeights] = None
        self.network: Optional[SmallNetwork] = None
        self.layer_index: Optional[int] = None     # position of the shown layer in self.network
        self.selected_neuron: Optional[int] = None
        self.inputs: list[NeuronCircle] = []
        self.neurons: list[NeuronCircle] = []
        self.lines: dict[tuple[int, int], WeightLine] = {}
        self.maps: list[QGraphicsPixmapItem] = []
        self.map_values: Optional[np.ndarray] = None   # (neurons, MAP_SIZE, MAP_SIZE) of the last drawn maps
        self._drawn_shape: Optional[tuple[int, int, str]] = None
        self._filling = False
        self._live: dict[str, dict] = {}
        self._last_map_time = 0.0

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer:", self))
        self.layer_combo = QComboBox(self)
        self.layer_combo.setObjectName("neuronLayer")
        self.layer_combo.activated.connect(lambda index: self.show_layer(self.layer_combo.itemData(index)))
        top.addWidget(self.layer_combo, 1)
        top.addWidget(QLabel("Sample:", self))
        self.sample_spin = QSpinBox(self)
        self.sample_spin.setObjectName("neuronSample")
        self.sample_spin.setToolTip("Which training sample the worked sums use")
        self.sample_spin.setRange(1, 1)   # samples count from 1; the range follows the data
        self.sample_spin.setValue(1)
        self.sample_spin.valueChanged.connect(lambda _: self._write_sum())
        top.addWidget(self.sample_spin)
        layout.addLayout(top)
        self.title_label = QLabel(EMPTY_TEXT, self)
        self.title_label.setObjectName("neuronTitle")
        self.title_label.setWordWrap(True)
        layout.addWidget(self.title_label)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.scene = QGraphicsScene(self)
        self.diagram = NeuronDiagram(self.scene, splitter)
        self.diagram.setObjectName("neuronDiagram")
        self.diagram.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.diagram.setMouseTracking(True)
        self.diagram.setMinimumWidth(320)  # the picture is the point: the table must not squeeze it away
        splitter.setChildrenCollapsible(False)
        side = QWidget(splitter)
        side.setMinimumWidth(200)  # the weights table keeps a readable column or two
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(side)
        self.table.setObjectName("neuronWeightsTable")
        self.table.setToolTip("Type a weight or a bias and press Enter; Ctrl+Z undoes it.")
        self.table.itemChanged.connect(self._on_table_edited)
        self.table.horizontalHeader().setDefaultSectionSize(74)
        weights_label = QLabel("Weights (one row per neuron) and biases — type to change them:", side)
        weights_label.setWordWrap(True)  # a long unwrapped label would set the whole window's minimum width
        side_layout.addWidget(weights_label)
        side_layout.addWidget(self.table, 1)
        self.sum_label = QLabel("Click a neuron to see its weighted sum.", side)
        self.sum_label.setObjectName("weightedSum")
        self.sum_label.setWordWrap(True)
        self.sum_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.sum_label.setFont(mono)
        side_layout.addWidget(self.sum_label)
        self.message_label = QLabel("", side)
        self.message_label.setObjectName("neuronMessage")
        self.message_label.setWordWrap(True)
        side_layout.addWidget(self.message_label)
        splitter.addWidget(self.diagram)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 360])  # the drawing gets most of the room, the table what it needs
        self.splitter = splitter
        layout.addWidget(splitter, 1)

        document.selection_changed.connect(self._on_selection)
        document.analysis_changed.connect(self._on_graph_changed)
        document.project_replaced.connect(self._on_project_replaced)
        document.edit_refused.connect(self.message_label.setText)
        session.model_changed.connect(self.refresh)
        session.data_changed.connect(self.refresh)
        session.weights_snapshot.connect(self._on_snapshot)
        session.training_started.connect(self._on_training_state)
        session.training_finished.connect(self._on_training_state)
        session.training_failed.connect(self._on_training_state)
        self._fill_layer_combo()
        self._on_selection(list(document.selected_ids))

    # ------------------------------------------------------------ choosing the layer
    def _fill_layer_combo(self) -> None:
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        for node in weighted_nodes(self.document):
            self.layer_combo.addItem(f"{node.type} '{node.name}'", node.id)
        index = self.layer_combo.findData(self.node_id)
        self.layer_combo.setCurrentIndex(index)
        self.layer_combo.blockSignals(False)

    def _on_selection(self, node_ids: list) -> None:
        chosen = [i for i in node_ids if self.layer_combo.findData(i) >= 0]
        if chosen:
            self.show_layer(chosen[0])
        elif self.node_id is None:
            # Nothing chosen yet: refresh opens the first layer small enough to draw (the Layer box is never
            # empty while there is something to show).
            self.refresh()

    def first_drawable_layer(self) -> Optional[str]:
        """The first Dense/Output node of at most MAX_UNITS neurons on MAX_INPUTS inputs, or None (none known)."""
        nodes = weighted_nodes(self.document)
        if not nodes:
            return None
        model = model_or_none(self.session)
        for node in nodes:
            layer = read_layer(model, node.id) if model is not None else None
            if layer is not None and layer.weights.shape[0] <= MAX_UNITS and layer.weights.shape[1] <= MAX_INPUTS:
                return node.id
        return None

    def _on_project_replaced(self) -> None:
        # Node ids start again in every project: an id from the project before may name another layer now.
        self.node_id, self.layer, self.network = None, None, None
        self._drawn_shape = None
        self.selected_neuron = None
        self._on_graph_changed()

    def _on_graph_changed(self) -> None:
        if self.node_id is not None and self.node_id not in self.document.graph.nodes:
            self.node_id = None
        self._fill_layer_combo()
        if self.node_id is None:
            self._on_selection(list(self.document.selected_ids))
        else:
            self.refresh()

    def show_layer(self, node_id: Optional[str]) -> None:
        """Open this Dense/Output node into its neurons."""
        if node_id != self.node_id:
            self.selected_neuron = None
            self._drawn_shape = None
        self.node_id = node_id
        self.layer_combo.blockSignals(True)
        self.layer_combo.setCurrentIndex(self.layer_combo.findData(node_id))
        self.layer_combo.blockSignals(False)
        self.refresh()

    # ------------------------------------------------------------ reading the numbers
    def refresh(self) -> None:
        """Read the model's weights afresh and redraw (not during training: snapshots bring the numbers)."""
        if self.session.is_training and self.layer is not None:
            return
        self._live = {}
        if self.node_id is None:
            # Nothing chosen yet (or the model has only just arrived): open the first layer that fits.
            first = self.first_drawable_layer()
            if first is not None:
                self.show_layer(first)
                return
        if self.node_id is None or self.node_id not in self.document.graph.nodes:
            self._show_empty(EMPTY_TEXT)
            return
        node = self.document.graph.node(self.node_id)
        model = model_or_none(self.session)
        self.layer = read_layer(model, self.node_id)
        if self.layer is None:
            problem = model_problem(self.session) or "this layer has no weights yet"
            self._show_empty(f"{node.type} '{node.name}' cannot be opened yet: {problem}")
            return
        try:
            self.network = small_network(self.document, self.session)
            names = [layer.name for layer in self.network.layers]
            self.layer_index = names.index(node.name) if node.name in names else None
        except NetworkError:
            self.network, self.layer_index = None, None
        self._draw()

    def _on_snapshot(self, snapshot: dict) -> None:
        self._live.update(snapshot)
        entry = snapshot.get(self.node_id) if self.node_id else None
        if entry is None or entry.get("weight") is None or self.layer is None:
            return
        weight = np.asarray(entry["weight"], dtype=np.float64)
        if weight.shape != self.layer.weights.shape:
            return
        bias = entry.get("bias")
        self.layer = LayerWeights(weight, None if bias is None else np.asarray(bias, dtype=np.float64))
        if self.network is not None:
            # Every small layer is watched during training, so the whole network follows along.
            for layer in self.network.layers:
                node = self.document.graph.node_by_name(layer.name)
                live = self._live.get(node.id) if node is not None else None
                if live is not None and np.shape(live.get("weight")) == layer.weights.shape:
                    layer.weights = np.asarray(live["weight"], dtype=np.float64)
                    if layer.bias is not None and live.get("bias") is not None:
                        layer.bias = np.asarray(live["bias"], dtype=np.float64)
        now = time.monotonic()
        self._update_numbers(draw_maps=now - self._last_map_time >= MAP_EVERY_S)

    def _on_training_state(self, *_: Any) -> None:
        training = self.session.is_training
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers if training else
                                   QTableWidget.EditTrigger.DoubleClicked | QTableWidget.EditTrigger.EditKeyPressed
                                   | QTableWidget.EditTrigger.AnyKeyPressed)
        if not training:
            self.refresh()

    # ------------------------------------------------------------ drawing
    def _show_empty(self, text: str) -> None:
        self.layer, self.network, self.layer_index = None, None, None
        self._drawn_shape = None
        self.scene.clear()
        self.inputs, self.neurons, self.lines, self.maps = [], [], {}, []
        self.map_values = None
        self._filling = True
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self._filling = False
        self.title_label.setText(text)
        self.sum_label.setText("")

    def input_names(self) -> list[str]:
        """Labels of the shown layer's inputs: feature names for the first layer, a1, a2… after a hidden layer."""
        features = self.layer.weights.shape[1] if self.layer is not None else 0
        if self.network is not None and self.layer_index is not None:
            if self.layer_index == 0 and len(self.network.input_names) == features:
                return list(self.network.input_names)
            if self.layer_index > 0:
                previous = self.network.layers[self.layer_index - 1].name
                return [f"{previous}{j + 1}" for j in range(features)]
        return [f"x{j + 1}" for j in range(features)]

    def _draw(self) -> None:
        node = self.document.graph.node(self.node_id)
        units, features = self.layer.weights.shape
        if units > MAX_UNITS or features > MAX_INPUTS:
            self._show_empty(f"{node.type} '{node.name}' has {plural(units, 'neuron')} on {plural(features, 'input')}: "
                             "too many to draw "
                             f"one by one (up to {MAX_UNITS} neurons on {MAX_INPUTS} inputs). The Weights panel "
                             "shows big layers as a heatmap.")
            return
        activation = node_activation(self.document, self.node_id)
        shape = (units, features, activation)
        if shape != self._drawn_shape:
            self._build_items(units, features)
            self._drawn_shape = shape
        data = getattr(self.session, "data", None)
        rows = len(data.prepared.train) if data is not None else 0
        self.sample_spin.blockSignals(True)
        self.sample_spin.setRange(1, max(rows, 1))
        self.sample_spin.setSuffix(f" of {rows}" if rows else "")
        self.sample_spin.blockSignals(False)
        self._update_numbers(draw_maps=True)
        self.diagram.fit()

    def _build_items(self, units: int, features: int) -> None:
        self.scene.clear()
        self.inputs, self.neurons, self.lines, self.maps = [], [], {}, []
        names = self.input_names()
        height = max(units, features) * SPACING
        input_top = (height - features * SPACING) / 2 + SPACING / 2
        neuron_top = (height - units * SPACING) / 2 + SPACING / 2
        input_points = [QPointF(INPUT_X, input_top + j * SPACING) for j in range(features)]
        neuron_points = [QPointF(NEURON_X, neuron_top + i * SPACING) for i in range(units)]
        for j, point in enumerate(input_points):
            circle = NeuronCircle(self, None, point, names[j])
            self.scene.addItem(circle)
            self.inputs.append(circle)
        for i, point in enumerate(neuron_points):
            for j, source in enumerate(input_points):
                line = WeightLine(self, i, j, QPointF(source.x() + RADIUS, source.y()),
                                  QPointF(point.x() - RADIUS, point.y()))
                self.scene.addItem(line)
                self.lines[(i, j)] = line
            circle = NeuronCircle(self, i, point, f"neuron {i + 1}")
            self.scene.addItem(circle)
            self.neurons.append(circle)
            pixmap = QGraphicsPixmapItem()
            pixmap.setPos(point.x() + RADIUS + MAP_GAP, point.y() - MAP_PIXELS / 2)
            pixmap.setVisible(False)
            self.scene.addItem(pixmap)
            self.maps.append(pixmap)
        # The maps get their pixels only later: make room for them now, so they never hang over the scene's edge.
        room = QRectF(NEURON_X, -MAP_PIXELS / 2, RADIUS + MAP_GAP + MAP_PIXELS, height + MAP_PIXELS)
        self.scene.setSceneRect(self.scene.itemsBoundingRect().united(room).adjusted(-20, -20, 20, 20))
        self._filling = True
        self.table.clear()
        self.table.setRowCount(units)
        self.table.setColumnCount(features + 1)
        self.table.setHorizontalHeaderLabels(names + ["bias"])
        self.table.setVerticalHeaderLabels([f"neuron {i + 1}" for i in range(units)])
        self._filling = False

    def _update_title(self) -> None:
        node = self.document.graph.node(self.node_id)
        units, features = self.layer.weights.shape
        state = ("learning — the lines follow training" if self.session.is_training else
                 "trained weights" if self.session.last_result is not None else "starting or hand-set weights")
        self.title_label.setText(f"{node.type} '{node.name}': {units} neuron{'s' if units != 1 else ''} on "
                                 f"{features} input{'s' if features != 1 else ''}, activation "
                                 f"{node_activation(self.document, self.node_id)} ({state}). Blue lines are "
                                 "positive weights, red ones negative; thicker is larger.")

    def _update_numbers(self, draw_maps: bool) -> None:
        if self.layer is None or not self.neurons:
            return
        self._update_title()
        weights, bias = self.layer.weights, self.layer.bias
        largest = float(np.max(np.abs(weights))) if weights.size else 0.0
        names = self.input_names()
        for (i, j), line in self.lines.items():
            line.set_value(weights[i, j], largest, names[j])
        for i, circle in enumerate(self.neurons):
            circle.set_bias(None if bias is None else bias[i])
        self._fill_table()
        if draw_maps:
            self._last_map_time = time.monotonic()
            self._draw_maps()
        if self.selected_neuron is not None:
            self._write_sum()

    def _fill_table(self) -> None:
        if self.table.state() == QTableWidget.State.EditingState:
            return  # never overwrite what the learner is typing
        self._filling = True
        units, features = self.layer.weights.shape
        for i in range(units):
            for j in range(features + 1):
                value = self.layer.weights[i, j] if j < features else (
                    None if self.layer.bias is None else self.layer.bias[i])
                item = self.table.item(i, j)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(i, j, item)
                item.setText("—" if value is None else format_number(value, 6))
                if value is None:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self._filling = False

    # ------------------------------------------------------------ activation maps (2 features only)
    def _plane(self) -> Optional[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """A MAP_SIZE² grid over the input plane (as the network sees it, after scaling), or None."""
        if self.network is None or self.network.features != 2:
            return None
        data = getattr(self.session, "data", None)
        low, high = np.array([-1.0, -1.0]), np.array([1.0, 1.0])
        if data is not None and data.prepared.train.inputs:
            values = np.asarray(next(iter(data.prepared.train.inputs.values())), dtype=np.float64).reshape(-1, 2)
            if len(values):
                low, high = values.min(axis=0), values.max(axis=0)
        pad = np.maximum((high - low) * 0.15, 0.25)
        low, high = low - pad, high + pad
        xs = np.linspace(low[0], high[0], MAP_SIZE)
        ys = np.linspace(high[1], low[1], MAP_SIZE)  # row 0 at the top is the largest x2
        grid_x, grid_y = np.meshgrid(xs, ys)
        return np.column_stack([grid_x.ravel(), grid_y.ravel()]), xs, ys

    def _draw_maps(self) -> None:
        plane = self._plane() if self.layer_index is not None else None
        if plane is None:
            for item in self.maps:
                item.setVisible(False)
            self.map_values = None
            return
        grid = plane[0]
        passed = self.network.forward(grid)
        outputs = passed.outputs[self.layer_index]
        activation = self.network.layers[self.layer_index].activation
        self.map_values = outputs.T.reshape(-1, MAP_SIZE, MAP_SIZE)
        low, high = activation_range(activation, outputs)
        for i, item in enumerate(self.maps):
            item.setPixmap(rgb_pixmap(map_colors(self.map_values[i], low, high), MAP_PIXELS))
            item.setToolTip(f"What neuron {i + 1} outputs over the input plane ({self.input_names()[0]} across, "
                            f"{self.input_names()[1]} up): blue high, red low.")
            item.setVisible(True)

    # ------------------------------------------------------------ the worked sum
    def layer_inputs(self, sample: int) -> Optional[np.ndarray]:
        """What the shown layer receives for one training sample (scaled features, or the previous outputs)."""
        data = getattr(self.session, "data", None)
        if self.network is None or self.layer_index is None or data is None or not data.prepared.train.inputs:
            return None
        values = np.asarray(next(iter(data.prepared.train.inputs.values())), dtype=np.float64)
        if not len(values):
            return None
        row = values[min(sample, len(values) - 1)].reshape(1, -1)
        if row.shape[1] != self.network.features:
            return None
        if self.layer_index == 0:
            return row[0]
        return self.network.forward(row).outputs[self.layer_index - 1][0]

    def select_neuron(self, neuron: int) -> None:
        """Write out this neuron's weighted sum with the current numbers, then its activation."""
        self.selected_neuron = neuron
        for i, circle in enumerate(self.neurons):
            circle.set_highlight(i == neuron)
        self._write_sum()
        self.neuron_selected.emit(neuron)

    def _write_sum(self) -> None:
        neuron = self.selected_neuron
        if neuron is None or self.layer is None or neuron >= self.layer.weights.shape[0]:
            return
        inputs = self.layer_inputs(self.sample_spin.value() - 1)
        if inputs is None:
            self.sum_label.setText("The worked sum needs data and a simple chain of Dense layers from one Input.")
            return
        activation = node_activation(self.document, self.node_id)
        bias = None if self.layer.bias is None else float(self.layer.bias[neuron])
        worked = weighted_sum(self.layer.weights[neuron], bias, inputs, self.input_names(), activation)
        lines = [f"Neuron {neuron + 1}, sample {self.sample_spin.value()}:", worked.formula, worked.substituted]
        if worked.activation_line:
            lines.append(worked.activation_line)
        elif activation == "softmax":
            z = self.layer.weights @ inputs + (self.layer.bias if self.layer.bias is not None else 0.0)
            p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
            lines.append(f"softmax over the layer's {len(z)} sums gives this neuron {format_number(p[neuron])}")
        data = getattr(self.session, "data", None)
        if data is not None and self.layer_index == 0 and self.document.project.data.scaling != "none":
            lines.append(f"(inputs as the network sees them, after '{self.document.project.data.scaling}' scaling)")
        self.sum_label.setText("\n".join(lines))

    def show_hovered_weight(self, line: WeightLine) -> None:
        self.message_label.setText(line.toolTip().splitlines()[0])

    # ------------------------------------------------------------ typing weights by hand
    def ask_number(self, title: str, label: str, value: float) -> Optional[float]:
        """Ask for a number (tests replace this); None when the learner cancels."""
        number, ok = QInputDialog.getDouble(self, title, label, value, -1e6, 1e6, 6)
        return number if ok else None

    def edit_weight(self, neuron: int, source: Optional[int]) -> bool:
        """Double-click on a line (source = input index) or a neuron (its bias): ask for the new number."""
        if self.layer is None:
            return False
        if source is None:
            if self.layer.bias is None:
                return False
            current, label = float(self.layer.bias[neuron]), f"Bias of neuron {neuron + 1}:"
        else:
            current = float(self.layer.weights[neuron, source])
            label = f"Weight from {self.input_names()[source]} to neuron {neuron + 1}:"
        value = self.ask_number("Set by hand", label, current)
        return value is not None and self.set_value(neuron, source, value)

    def set_value(self, neuron: int, source: Optional[int], value: float) -> bool:
        if self.node_id is None:
            return False
        self.message_label.setText("")
        return set_one_weight(self.document, self.session, self.node_id, neuron, source, value)

    def _on_table_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or self.layer is None:
            return
        value = parse_number(item.text())
        features = self.layer.weights.shape[1]
        source = item.column() if item.column() < features else None
        if value is None:
            self.message_label.setText(f"'{item.text()}' is not a number: type something like 0.5 or −0.7.")
            self._fill_table()
            return
        if not self.set_value(item.row(), source, value):
            self._fill_table()

    # ------------------------------------------------------------ for tests and screenshots
    def line(self, neuron: int, source: int) -> WeightLine:
        return self.lines[(neuron, source)]


__all__ = ["NeuronView", "WeightLine", "NeuronCircle", "parse_number", "map_colors"]
