"""The backpropagation stepper: one training update on a small network, phase by phase, forward and back."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QUndoCommand
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGraphicsScene, QGraphicsSimpleTextItem,
                               QGraphicsView, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ...core.teaching.backprop import LOSSES, BackpropStep
from ...core.teaching.neuron_math import DenseLayer, NetworkError, SmallNetwork, format_number, parse_number
from .colors import NEGATIVE, POSITIVE
from .edits import LayerWeights, SetWeights, model_or_none, small_network

MAX_WEIGHTS = 60          # "a few dozen weights": beyond that the numbers no longer fit on screen
DIGITS = 9                # enough digits to check every number against the worked example
CLASSIC_INPUTS = (0.05, 0.10)
CLASSIC_TARGETS = (0.01, 0.99)
CLASSIC_RATE = 0.5
PHASE_COLORS = {"forward": QColor(33, 102, 172), "error": QColor(120, 60, 160), "backward": QColor(178, 24, 43),
                "gradients": QColor(200, 110, 0), "update": QColor(30, 130, 60)}


def classic_network() -> SmallNetwork:
    """Matt Mazur's worked example: 2 inputs, 2 sigmoid hidden neurons, 2 sigmoid outputs, squared error."""
    return SmallNetwork([DenseLayer([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35], "sigmoid", "hidden"),
                         DenseLayer([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60], "sigmoid", "output")],
                        ["i1", "i2"], "squared_error")


def numbers(text: str) -> Optional[list[float]]:
    """'0.05, 0.1' (or spaces, or semicolons) as a list of numbers; None if any part is not a number."""
    parts = [p for p in text.replace(";", " ").replace(",", " ").split() if p]
    values = [parse_number(p) for p in parts]
    return None if not values or any(v is None for v in values) else [float(v) for v in values]


class StepperWeights(QUndoCommand):
    """'Apply update' on the stepper's own network (the classic example): undo brings the old weights back."""

    def __init__(self, stepper: "BackpropStepper", old: SmallNetwork, new: SmallNetwork) -> None:
        super().__init__("Apply the backpropagation update")
        self.stepper, self.old, self.new = stepper, old.copy(), new.copy()

    def redo(self) -> None:
        self.stepper.set_network(self.new.copy(), keep_source=True)

    def undo(self) -> None:
        self.stepper.set_network(self.old.copy(), keep_source=True)


class BackpropStepper(QWidget):
    """Next / Back through forward pass, error, deltas, gradients and update; numbers on a diagram and in a table."""

    phase_changed = Signal(str)     # the kind of the phase now shown

    def __init__(self, document: Any, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("backpropStepper")
        self.document, self.session = document, session
        self.source = "none"          # "classic", "project" or "none"
        self.network: Optional[SmallNetwork] = None
        self.step: Optional[BackpropStep] = None
        self.phase_index = 0
        self.phases_seen: list[str] = []
        self._filling = False
        self._positions: list[list[QPointF]] = []

        layout = QVBoxLayout(self)
        sources = QHBoxLayout()
        self.classic_button = QPushButton("Load the classic 2-2-2 example", self)
        self.classic_button.setObjectName("loadClassic")
        self.classic_button.setToolTip("Matt Mazur's worked example: inputs 0.05 and 0.10, targets 0.01 and 0.99, "
                                       "sigmoid neurons, squared error, learning rate 0.5")
        self.classic_button.clicked.connect(self.load_classic)
        self.project_button = QPushButton("Use my network", self)
        self.project_button.setObjectName("useMyNetwork")
        self.project_button.clicked.connect(self.use_project)
        sources.addWidget(self.classic_button)
        sources.addWidget(self.project_button)
        sources.addStretch(1)
        self.back_button = QPushButton("◀ Back", self)
        self.back_button.setObjectName("stepBack")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("Next ▶", self)
        self.next_button.setObjectName("stepNext")
        self.next_button.clicked.connect(self.next)
        self.apply_button = QPushButton("Apply update", self)
        self.apply_button.setObjectName("applyUpdate")
        self.apply_button.setToolTip("Write the new weights into the network (Ctrl+Z undoes it)")
        self.apply_button.clicked.connect(self.apply_update)
        for button in (self.back_button, self.next_button, self.apply_button):
            sources.addWidget(button)
        layout.addLayout(sources)

        form = QFormLayout()
        self.inputs_edit = QLineEdit(self)
        self.inputs_edit.setObjectName("stepperInputs")
        self.targets_edit = QLineEdit(self)
        self.targets_edit.setObjectName("stepperTargets")
        self.rate_spin = QDoubleSpinBox(self)
        self.rate_spin.setObjectName("stepperRate")
        self.rate_spin.setDecimals(4)
        self.rate_spin.setRange(0.0001, 100.0)
        self.rate_spin.setValue(CLASSIC_RATE)
        self.loss_combo = QComboBox(self)
        self.loss_combo.setObjectName("stepperLoss")
        for key, text in LOSSES.items():
            self.loss_combo.addItem(key.replace("_", " "), key)
            self.loss_combo.setItemData(self.loss_combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        inputs_row = QHBoxLayout()
        inputs_row.addWidget(self.inputs_edit)
        inputs_row.addWidget(QLabel("targets:", self))
        inputs_row.addWidget(self.targets_edit)
        inputs_row.addWidget(QLabel("learning rate α:", self))
        inputs_row.addWidget(self.rate_spin)
        inputs_row.addWidget(QLabel("loss:", self))
        inputs_row.addWidget(self.loss_combo)
        form.addRow("inputs:", inputs_row)
        layout.addLayout(form)
        self.inputs_edit.editingFinished.connect(self.recompute)
        self.targets_edit.editingFinished.connect(self.recompute)
        self.rate_spin.valueChanged.connect(lambda _: self.recompute())
        self.loss_combo.currentIndexChanged.connect(lambda _: self.recompute())

        self.phase_label = QLabel(self)
        self.phase_label.setObjectName("stepperPhase")
        bold = QFont()
        bold.setBold(True)
        self.phase_label.setFont(bold)
        layout.addWidget(self.phase_label)
        self.text_label = QLabel(self)
        self.text_label.setObjectName("stepperText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text_label)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.scene = QGraphicsScene(self)
        self.diagram = QGraphicsView(self.scene, splitter)
        self.diagram.setObjectName("stepperDiagram")
        self.diagram.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        right = QSplitter(Qt.Orientation.Vertical, splitter)
        self.table = QTableWidget(right)
        self.table.setObjectName("stepperTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        weights_box = QWidget(right)
        weights_layout = QVBoxLayout(weights_box)
        weights_layout.setContentsMargins(0, 0, 0, 0)
        weights_layout.addWidget(QLabel("Starting weights (type to change):", weights_box))
        self.weights_table = QTableWidget(weights_box)
        self.weights_table.setObjectName("stepperWeights")
        self.weights_table.itemChanged.connect(self._on_weight_edited)
        weights_layout.addWidget(self.weights_table)
        splitter.addWidget(self.diagram)
        splitter.addWidget(right)
        splitter.setSizes([560, 440])
        layout.addWidget(splitter, 1)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("stepperMessage")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)

        session.model_changed.connect(self._on_model_changed)
        document.analysis_changed.connect(self._on_model_changed)
        self._show()

    # ------------------------------------------------------------ choosing the network
    def load_classic(self) -> None:
        """The curriculum's 2-2-2 sigmoid network with Mazur's weights, inputs, targets and learning rate."""
        self.source = "classic"
        self._set_fields(CLASSIC_INPUTS, CLASSIC_TARGETS, CLASSIC_RATE, "squared_error")
        self.set_network(classic_network(), keep_source=True)

    def use_project(self) -> bool:
        """The project's own network with the model's current weights and its first training sample."""
        try:
            network = small_network(self.document, self.session)
        except NetworkError as exc:
            self.message_label.setText(f"The stepper cannot show this network: {exc}")
            return False
        if model_or_none(self.session) is None:
            self.message_label.setText("Choose data first: the stepper needs the network's weights.")
            return False
        weights = sum(layer.weights.size for layer in network.layers)
        if weights > MAX_WEIGHTS:
            self.message_label.setText(f"This network has {weights} weights: the stepper shows networks of up to "
                                       f"{MAX_WEIGHTS}, so every number fits on the screen. Try the classic example.")
            return False
        data = self.session.data
        inputs = np.asarray(next(iter(data.prepared.train.inputs.values())), dtype=np.float64)
        x = inputs.reshape(len(inputs), -1)[0] if len(inputs) else np.zeros(network.features)
        output_id = next((node.id for node in self.document.graph.nodes.values() if node.type == "Output"), None)
        raw = np.asarray(data.prepared.train.targets.get(output_id, [0.0]), dtype=np.float64)
        units = network.layers[-1].units
        target = np.asarray(raw[0], dtype=np.float64).reshape(-1) if len(raw) else np.zeros(units)
        if target.size == 1 and units > 1:
            target = np.eye(units)[int(target[0])]  # a class code as the one-hot row the outputs should give
        self.source = "project"
        self._set_fields(x, target, self.rate_spin.value(), network.loss)
        self.set_network(network, keep_source=True)
        return True

    def _set_fields(self, inputs, targets, rate: float, loss: str) -> None:
        for edit, values in ((self.inputs_edit, inputs), (self.targets_edit, targets)):
            edit.setText(", ".join(format_number(v, DIGITS) for v in np.asarray(values).reshape(-1)))
        self.rate_spin.blockSignals(True)
        self.rate_spin.setValue(rate)
        self.rate_spin.blockSignals(False)
        self.loss_combo.blockSignals(True)
        self.loss_combo.setCurrentIndex(max(self.loss_combo.findData(loss), 0))
        self.loss_combo.blockSignals(False)

    def set_network(self, network: SmallNetwork, keep_source: bool = False) -> None:
        self.network = network
        self.phase_index = 0
        self._fill_weights()
        self._build_diagram()
        self.recompute()

    def _on_model_changed(self) -> None:
        if self.source != "project":
            return
        try:
            network = small_network(self.document, self.session)
        except NetworkError:
            self.source, self.network, self.step = "none", None, None
            self._show()
            return
        if self.network is not None and [l.weights.shape for l in network.layers] == \
                [l.weights.shape for l in self.network.layers]:
            self.network = network
            self._fill_weights()
            self.recompute()
        else:
            self.use_project()

    # ------------------------------------------------------------ the numbers
    def recompute(self) -> None:
        """Run the whole update again with the current inputs, targets, weights and learning rate."""
        if self.network is None:
            self._show()
            return
        x, t = numbers(self.inputs_edit.text()), numbers(self.targets_edit.text())
        if x is None or t is None:
            self.message_label.setText("Type the inputs and targets as numbers separated by commas.")
            return
        try:
            self.step = BackpropStep(self.network, [x], [t], self.loss_combo.currentData(), self.rate_spin.value())
        except (ValueError, NetworkError) as exc:
            self.step = None
            self.message_label.setText(str(exc))
            self._show()
            return
        self.message_label.setText("")
        self.phase_index = min(self.phase_index, len(self.step.phases) - 1)
        self._show()

    def next(self) -> None:
        if self.step is not None and self.phase_index < len(self.step.phases) - 1:
            self.phase_index += 1
            self._show()

    def back(self) -> None:
        if self.step is not None and self.phase_index > 0:
            self.phase_index -= 1
            self._show()

    def go_to(self, kind: str) -> None:
        """Step forward until the first phase of this kind (forward, error, backward, gradients, update)."""
        while self.step is not None and self.current_kind() != kind and self.phase_index < len(self.step.phases) - 1:
            self.next()

    def current_kind(self) -> Optional[str]:
        return self.step.phases[self.phase_index].kind if self.step is not None else None

    def apply_update(self) -> bool:
        """Write the new weights in (one undo step): into the model for my network, into the stepper otherwise."""
        if self.step is None:
            return False
        new = self.step.new_network
        if self.source == "project":
            changes = {}
            for layer in new.layers:
                node = self.document.graph.node_by_name(layer.name)
                changes[node.id] = LayerWeights(layer.weights.copy(), None if layer.bias is None else layer.bias.copy())
            done = self.document.push(SetWeights(self.session, changes, "Apply the backpropagation update"))
        else:
            done = self.document.push(StepperWeights(self, self.network, new))
        if done:
            self.message_label.setText("Applied: the new weights are the starting weights of the next step. "
                                       f"The error for this sample was {format_number(self.step.error, DIGITS)}.")
        return done

    # ------------------------------------------------------------ labels of weights
    def weight_names(self) -> list[tuple[int, int, Optional[int], str]]:
        """(layer, neuron, source or None for the bias, name): w1, w2… numbered as in the worked example."""
        names, count = [], 0
        for index, layer in enumerate(self.network.layers):
            for neuron in range(layer.units):
                for source in range(layer.features):
                    count += 1
                    names.append((index, neuron, source, f"w{count}"))
        for index, layer in enumerate(self.network.layers):
            if layer.bias is not None:
                for neuron in range(layer.units):
                    names.append((index, neuron, None, f"b {self._neuron_name(index, neuron)}"))
        return names

    def _neuron_name(self, layer: int, neuron: int) -> str:
        if layer < 0:
            return self.network.input_names[neuron] if neuron < len(self.network.input_names) else f"x{neuron + 1}"
        last = layer == len(self.network.layers) - 1
        return f"{'o' if last else 'h' if len(self.network.layers) == 2 else f'h{layer + 1}.'}{neuron + 1}"

    def _link_text(self, layer: int, neuron: int, source: Optional[int]) -> str:
        target = self._neuron_name(layer, neuron)
        return f"bias → {target}" if source is None else f"{self._neuron_name(layer - 1, source)} → {target}"

    def _fill_weights(self) -> None:
        self._filling = True
        rows = self.weight_names() if self.network is not None else []
        self.weights_table.clear()
        self.weights_table.setColumnCount(3)
        self.weights_table.setHorizontalHeaderLabels(["weight", "link", "value"])
        self.weights_table.setRowCount(len(rows))
        for r, (layer, neuron, source, name) in enumerate(rows):
            value = (self.network.layers[layer].weights[neuron, source] if source is not None
                     else self.network.layers[layer].bias[neuron])
            for c, text in enumerate((name, self._link_text(layer, neuron, source), format_number(value, DIGITS))):
                item = QTableWidgetItem(text)
                if c < 2:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.weights_table.setItem(r, c, item)
        self.weights_table.resizeColumnsToContents()
        self._filling = False

    def _on_weight_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or self.network is None or item.column() != 2:
            return
        layer, neuron, source, _ = self.weight_names()[item.row()]
        value = parse_number(item.text())
        if value is None:
            self.message_label.setText(f"'{item.text()}' is not a number.")
            self._fill_weights()
            return
        if self.source == "project":
            from .edits import set_one_weight  # noqa: PLC0415

            node = self.document.graph.node_by_name(self.network.layers[layer].name)
            set_one_weight(self.document, self.session, node.id, neuron, source, value)
            return  # model_changed brings the new weights back here
        target = self.network.layers[layer]
        if source is None:
            target.bias[neuron] = value
        else:
            target.weights[neuron, source] = value
        self.recompute()

    # ------------------------------------------------------------ showing a phase
    def _show(self) -> None:
        has = self.step is not None
        for button in (self.back_button, self.next_button, self.apply_button):
            button.setEnabled(has)
        if not has:
            self.phase_label.setText("Load the classic 2-2-2 example, or use your own small network.")
            self.text_label.setText("")
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self._label_diagram(None)
            return
        self.back_button.setEnabled(self.phase_index > 0)
        self.next_button.setEnabled(self.phase_index < len(self.step.phases) - 1)
        phase = self.step.phases[self.phase_index]
        if phase.kind not in self.phases_seen:
            self.phases_seen.append(phase.kind)
        self.phase_label.setText(f"Phase {self.phase_index + 1} of {len(self.step.phases)}: {phase.title}")
        self.phase_label.setStyleSheet(f"color: {PHASE_COLORS[phase.kind].name()};")
        self.text_label.setText(phase.description + self._worked_lines(phase))
        self._fill_table(phase)
        self._label_diagram(phase)
        self.phase_changed.emit(phase.kind)

    def _worked_lines(self, phase: Any) -> str:
        step = self.step
        if phase.kind == "backward":
            lines = [f"{self._neuron_name(phase.layer, n)}: {step.delta_text(phase.layer, n)}"
                     for n in range(self.network.layers[phase.layer].units)]
            return "\n" + "\n".join(lines)
        if phase.kind == "update":
            layer = self.network.layers[phase.layer]
            lines = [f"{name}: {step.update_text(index, neuron, source)}"
                     for index, neuron, source, name in self.weight_names() if index == phase.layer]
            return "\n" + "\n".join(lines[:layer.units * (layer.features + 1)])
        return ""

    def _fill_table(self, phase: Any) -> None:
        step, i = self.step, phase.layer
        rows: list[list[str]]
        if phase.kind == "forward":
            headers = ["neuron", "net input z", "output a"]
            rows = [[self._neuron_name(i, n), format_number(step.forward.net_inputs[i][0, n], DIGITS),
                     format_number(step.forward.outputs[i][0, n], DIGITS)] for n in range(self.network.layers[i].units)]
        elif phase.kind == "error":
            headers = ["output", "output a", "target t"]
            rows = [[self._neuron_name(len(self.network.layers) - 1, n), format_number(step.probabilities[0, n], DIGITS),
                     format_number(step.targets[0, n], DIGITS)] for n in range(step.targets.shape[1])]
            rows.append(["E (error)", format_number(step.error, DIGITS), ""])
        elif phase.kind == "backward":
            headers = ["neuron", "delta δ = ∂E/∂z", "chain rule"]
            rows = [[self._neuron_name(i, n), format_number(step.deltas[i][0, n], DIGITS), step.delta_text(i, n)]
                    for n in range(self.network.layers[i].units)]
        elif phase.kind == "gradients":
            headers = ["weight", "link", "gradient ∂E/∂w"]
            rows = []
            for index, neuron, source, name in self.weight_names():
                if index != i:
                    continue
                gradient = (step.weight_gradients[i][neuron, source] if source is not None
                            else step.bias_gradients[i][neuron])
                rows.append([name, self._link_text(index, neuron, source), format_number(gradient, DIGITS)])
        else:
            headers = ["weight", "old", "new", "update"]
            rows = []
            for index, neuron, source, name in self.weight_names():
                if index != i:
                    continue
                old, new = self.network.layers[i], step.new_network.layers[i]
                before = old.weights[neuron, source] if source is not None else old.bias[neuron]
                after = new.weights[neuron, source] if source is not None else new.bias[neuron]
                rows.append([name, format_number(before, DIGITS), format_number(after, DIGITS),
                             step.update_text(index, neuron, source)])
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def value(self, row_name: str, column: str) -> str:
        """The table's text in the row whose first cell is row_name, under the column titled column."""
        for c in range(self.table.columnCount()):
            if self.table.horizontalHeaderItem(c).text() == column:
                for r in range(self.table.rowCount()):
                    if self.table.item(r, 0).text() == row_name:
                        return self.table.item(r, c).text()
        raise KeyError((row_name, column))

    # ------------------------------------------------------------ the diagram
    def _build_diagram(self) -> None:
        self.scene.clear()
        self._labels: dict[tuple[int, int], QGraphicsSimpleTextItem] = {}
        self._line_labels: dict[tuple[int, int, int], QGraphicsSimpleTextItem] = {}
        if self.network is None:
            return
        sizes = [self.network.features] + [layer.units for layer in self.network.layers]
        tallest = max(sizes)
        self._positions = [[QPointF(column * 260.0, (tallest - size) * 55.0 + n * 110.0 + 40.0)
                            for n in range(size)] for column, size in enumerate(sizes)]
        radius = 24.0
        small = QFont()
        small.setPointSizeF(8.0)
        for index, layer in enumerate(self.network.layers):
            for neuron in range(layer.units):
                for source in range(layer.features):
                    a, b = self._positions[index][source], self._positions[index + 1][neuron]
                    weight = layer.weights[neuron, source]
                    pen = QPen(POSITIVE if weight >= 0 else NEGATIVE, 1.5)
                    line = self.scene.addLine(a.x() + radius, a.y(), b.x() - radius, b.y(), pen)
                    line.setToolTip(f"{self._link_text(index, neuron, source)}: {format_number(weight, DIGITS)}")
                    # Weight labels sit near their source, where lines fan out, away from the neurons' own labels.
                    label = self.scene.addSimpleText("", small)
                    label.setPos(a.x() + (b.x() - a.x()) * 0.3, a.y() + (b.y() - a.y()) * 0.3 - 14)
                    label.setZValue(2)
                    self._line_labels[(index, neuron, source)] = label
        for column, points in enumerate(self._positions):
            for n, point in enumerate(points):
                circle = self.scene.addEllipse(point.x() - radius, point.y() - radius, 2 * radius, 2 * radius,
                                               QPen(QColor(60, 60, 60), 1.5),
                                               QColor(235, 235, 235) if column == 0 else QColor(255, 255, 255))
                circle.setZValue(3)
                name = self.scene.addSimpleText(self._neuron_name(column - 1, n))
                rect = name.boundingRect()
                name.setPos(point.x() - rect.width() / 2, point.y() - rect.height() / 2)
                name.setZValue(4)
                label = self.scene.addSimpleText("", small)
                label.setPos(point.x() - radius, point.y() + radius + 2)
                label.setZValue(4)
                self._labels[(column, n)] = label
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-60, -30, 60, 60))

    def _label_diagram(self, phase: Any) -> None:
        if self.network is None or not self._positions:
            return
        for label in list(self._labels.values()) + list(self._line_labels.values()):
            label.setText("")
            label.setBrush(QColor(30, 30, 30))
        if phase is None:
            return
        step = self.step
        color = PHASE_COLORS[phase.kind]
        x = step.inputs[0]
        for n in range(len(x)):
            self._labels[(0, n)].setText(f"x = {format_number(x[n])}")
        last = len(self.network.layers) - 1
        # Everything up to the current phase stays written on the diagram: forward values, then deltas...
        shown = self.step.phases[:self.phase_index + 1]
        for past in shown:
            i = past.layer
            if past.kind == "forward":
                for n in range(self.network.layers[i].units):
                    self._labels[(i + 1, n)].setText(f"z = {format_number(step.forward.net_inputs[i][0, n])}\n"
                                                     f"a = {format_number(step.forward.outputs[i][0, n])}")
            elif past.kind == "error":
                for n in range(self.network.layers[last].units):
                    label = self._labels[(last + 1, n)]
                    label.setText(label.text() + f"\nt = {format_number(step.targets[0, n])}")
            elif past.kind == "backward":
                for n in range(self.network.layers[i].units):
                    label = self._labels[(i + 1, n)]
                    label.setText(label.text() + f"\nδ = {format_number(step.deltas[i][0, n])}")
            elif past.kind in ("gradients", "update"):
                layer = self.network.layers[i]
                for (index, neuron, source), item in self._line_labels.items():
                    if index != i:
                        continue
                    if past.kind == "gradients":
                        item.setText(f"∂E/∂w = {format_number(step.weight_gradients[i][neuron, source])}")
                    else:
                        item.setText(f"{format_number(layer.weights[neuron, source])} → "
                                     f"{format_number(step.new_network.layers[i].weights[neuron, source])}")
        for key, label in list(self._labels.items()) + list(self._line_labels.items()):
            if label.text():
                label.setBrush(color if self._belongs_to(phase, key) else QColor(30, 30, 30))
        self.diagram.fitInView(self.scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    @staticmethod
    def _belongs_to(phase: Any, key: tuple) -> bool:
        """Whether a label belongs to the layer the current phase is about (it is drawn in the phase's colour)."""
        if phase.layer is None:
            return len(key) == 2
        return (len(key) == 2 and key[0] == phase.layer + 1) or (len(key) == 3 and key[0] == phase.layer
                                                                 and phase.kind in ("gradients", "update"))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not self.scene.sceneRect().isEmpty():
            self.diagram.fitInView(self.scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)


__all__ = ["BackpropStepper", "StepperWeights", "classic_network"]
