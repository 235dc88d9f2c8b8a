"""The backpropagation stepper: one training update on a small network, phase by phase, forward and back."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QUndoCommand
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...core.i18n import N_, tr
from ...core.teaching.backprop import (CLASSIC_INPUTS, CLASSIC_RATE, CLASSIC_TARGETS, LOSSES, BackpropStep,
                                       classic_network)
from ...core.teaching.backprop_tables import (DIGITS, WeightName, link_text, phase_table, sample_target,
                                              weight_names, weight_value, without_biases, worked_lines)
from ...core.teaching.neuron_math import NetworkError, SmallNetwork, format_number, parse_number, parse_numbers
from ..widgets.wheel_guard import wheel_only_when_focused
from .backprop_diagram import PHASE_COLORS, StepperDiagram
from .edits import LayerWeights, SetWeights, model_or_none, set_one_weight, small_network
from .shown_weights import network_numbers

MAX_WEIGHTS = 60          # "a few dozen weights": beyond that the numbers no longer fit on screen
NO_BIAS_NOTE = N_("No bias: this step is worked out with every bias at 0, as in the course's worked example. Only "
                  "the stepper's demonstration changes: your network keeps its biases.")
NO_BIAS_APPLY = N_("'Apply update' is off while 'no bias' is on for your network: these numbers assume biases of 0, "
                   "which your model does not have. Turn 'no bias' off to apply a real update.")
# The losses' names in the stepper's list (the keys are the core's).
LOSS_NAMES = {"squared_error": N_("squared error"), "mse": "mse", "mae": "mae", "cross_entropy": N_("cross entropy"),
              "binary_cross_entropy": N_("binary cross entropy")}


def cell_lines(text: str) -> str:
    """A worked formula ('δ = … = … = 0.0088') broken before each ' = ' after the first, one step a line, so
    the table's cells stay narrow enough to read whole."""
    first, *rest = text.split(" = ")
    if len(rest) < 2:
        return text
    return "\n= ".join([f"{first} = {rest[0]}"] + rest[1:])


class StepperWeights(QUndoCommand):
    """'Apply update' on the stepper's own network (the classic example): undo brings the old weights back."""

    def __init__(self, stepper: "BackpropStepper", old: SmallNetwork, new: SmallNetwork) -> None:
        super().__init__(tr("Apply the backpropagation update"))
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

        layout = QVBoxLayout(self)
        sources = QHBoxLayout()
        self.classic_button = QPushButton(tr("Load the classic 2-2-2 example"), self)
        self.classic_button.setObjectName("loadClassic")
        self.classic_button.setToolTip(tr("Matt Mazur's worked example: inputs 0.05 and 0.10, targets 0.01 and 0.99, "
                                          "sigmoid neurons, squared error, learning rate 0.5"))
        self.classic_button.clicked.connect(self.load_classic)
        self.project_button = QPushButton(tr("Use my network"), self)
        self.project_button.setObjectName("useMyNetwork")
        self.project_button.clicked.connect(self.use_project)
        self.no_bias_box = QCheckBox(tr("No bias (like the worked example)"), self)
        self.no_bias_box.setObjectName("stepperNoBias")
        self.no_bias_box.setToolTip(tr("Work the step out with every bias at 0, as the course's worked example does. "
                                       "Only the stepper's demonstration changes: your network keeps its biases."))
        self.no_bias_box.toggled.connect(self._on_no_bias_toggled)
        sources.addWidget(self.classic_button)
        sources.addWidget(self.project_button)
        sources.addStretch(1)
        self.back_button = QPushButton(tr("◀ Back"), self)
        self.back_button.setObjectName("stepBack")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton(tr("Next ▶"), self)
        self.next_button.setObjectName("stepNext")
        self.next_button.clicked.connect(self.next)
        self.apply_button = QPushButton(tr("Apply update"), self)
        self.apply_button.setObjectName("applyUpdate")
        self.apply_button.setToolTip(tr("Write the new weights into the network (Ctrl+Z undoes it)"))
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
        wheel_only_when_focused(self.rate_spin)  # scrolling past it must not change it
        self.rate_spin.setObjectName("stepperRate")
        self.rate_spin.setDecimals(4)
        self.rate_spin.setRange(0.0001, 100.0)
        self.rate_spin.setValue(CLASSIC_RATE)
        self.loss_combo = QComboBox(self)
        wheel_only_when_focused(self.loss_combo)  # scrolling past it must not change it
        self.loss_combo.setObjectName("stepperLoss")
        for key, text in LOSSES.items():
            self.loss_combo.addItem(tr(LOSS_NAMES.get(key, key.replace("_", " "))), key)
            self.loss_combo.setItemData(self.loss_combo.count() - 1, tr(text), Qt.ItemDataRole.ToolTipRole)
        inputs_row = QHBoxLayout()
        inputs_row.addWidget(self.inputs_edit)
        inputs_row.addWidget(QLabel(tr("targets:"), self))
        inputs_row.addWidget(self.targets_edit)
        inputs_row.addWidget(QLabel(tr("learning rate α:"), self))
        inputs_row.addWidget(self.rate_spin)
        inputs_row.addWidget(QLabel(tr("loss:"), self))
        inputs_row.addWidget(self.loss_combo)
        form.addRow(tr("inputs:"), inputs_row)
        layout.addLayout(form)
        layout.addWidget(self.no_bias_box, 0, Qt.AlignmentFlag.AlignLeft)
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
        self.bias_note = QLabel(tr(NO_BIAS_NOTE), self)
        self.bias_note.setObjectName("stepperNoBiasNote")
        self.bias_note.setWordWrap(True)
        self.bias_note.setVisible(False)
        layout.addWidget(self.bias_note)
        self.text_label = QLabel(self)
        self.text_label.setObjectName("stepperText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text_label)

        # The diagram and the starting weights side by side above, the phase's table across the whole width
        # below: its worked formulas are the widest text of the stepper.
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        top = QSplitter(Qt.Orientation.Horizontal, splitter)
        self.diagram = StepperDiagram(top)
        self.diagram.setObjectName("stepperDiagram")
        self.scene = self.diagram.scene()
        self.table = QTableWidget(splitter)
        self.table.setObjectName("stepperTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        weights_box = QWidget(top)
        weights_layout = QVBoxLayout(weights_box)
        weights_layout.setContentsMargins(0, 0, 0, 0)
        weights_layout.addWidget(QLabel(tr("Starting weights (type to change):"), weights_box))
        self.weights_table = QTableWidget(weights_box)
        self.weights_table.setObjectName("stepperWeights")
        self.weights_table.itemChanged.connect(self._on_weight_edited)
        weights_layout.addWidget(self.weights_table)
        top.addWidget(self.diagram)
        top.addWidget(weights_box)
        top.setSizes([600, 400])
        splitter.addWidget(top)
        splitter.addWidget(self.table)
        splitter.setSizes([500, 500])
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
            network = small_network(self.document, self.session, network_numbers(self.document, self.session))
        except NetworkError as exc:
            self.message_label.setText(tr("The stepper cannot show this network: {error}", error=exc))
            return False
        if model_or_none(self.session) is None:
            self.message_label.setText(tr("Choose data first: the stepper needs the network's weights."))
            return False
        weights = sum(layer.weights.size for layer in network.layers)
        if weights > MAX_WEIGHTS:
            self.message_label.setText(tr("This network has {weights} weights: the stepper shows networks of up to "
                                          "{most}, so every number fits on the screen. Try the classic example.",
                                          weights=weights, most=MAX_WEIGHTS))
            return False
        data = self.session.data
        inputs = np.asarray(next(iter(data.prepared.train.inputs.values())), dtype=np.float64)
        x = inputs.reshape(len(inputs), -1)[0] if len(inputs) else np.zeros(network.features)
        output_id = next((node.id for node in self.document.graph.nodes.values() if node.type == "Output"), None)
        raw = np.asarray(data.prepared.train.targets.get(output_id, [0.0]), dtype=np.float64)
        units = network.layers[-1].units
        target = sample_target(raw[0], units) if len(raw) else np.zeros(units)
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
        self.diagram.build(network)
        self.recompute()

    def _on_model_changed(self) -> None:
        if self.source != "project":
            return
        try:
            network = small_network(self.document, self.session, network_numbers(self.document, self.session))
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
        x, t = parse_numbers(self.inputs_edit.text()), parse_numbers(self.targets_edit.text())
        if x is None or t is None:
            self.message_label.setText(tr("Type the inputs and targets as numbers separated by commas."))
            return
        try:
            self.step = BackpropStep(self.shown_network(), [x], [t], self.loss_combo.currentData(),
                                     self.rate_spin.value())
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
        if self._apply_blocked():
            self.message_label.setText(tr(NO_BIAS_APPLY))
            return False
        new = self.network.copy()   # the step's new weights; biases the demonstration left out stay as they were
        for layer, stepped in zip(new.layers, self.step.new_network.layers):
            layer.weights = stepped.weights.copy()
            if stepped.bias is not None:
                layer.bias = stepped.bias.copy()
        if self.source == "project":
            changes = {}
            for layer in new.layers:
                node = self.document.graph.node_by_name(layer.name)
                changes[node.id] = LayerWeights(layer.weights.copy(), None if layer.bias is None else layer.bias.copy())
            done = self.document.push(SetWeights(self.session, changes, tr("Apply the backpropagation update")))
        else:
            done = self.document.push(StepperWeights(self, self.network, new))
        if done:
            self.message_label.setText(tr("Applied: the new weights are the starting weights of the next step. "
                                          "The error for this sample was {error}.",
                                          error=format_number(self.step.error, DIGITS)))
        return done

    def _apply_blocked(self) -> bool:
        """The model has biases the no-bias demonstration left out, so its update is not the model's update."""
        return self.no_bias_box.isChecked() and self.source == "project"

    # ------------------------------------------------------------ no bias, as in the worked example
    def shown_network(self) -> Optional[SmallNetwork]:
        """The network the step is worked out on: the stepper's own, or a copy without biases when 'no bias'
        is on (the network itself, and so the project, keeps its biases)."""
        if self.network is None or not self.no_bias_box.isChecked():
            return self.network
        return without_biases(self.network)

    def _on_no_bias_toggled(self, on: bool) -> None:
        self.bias_note.setVisible(on)
        self._fill_weights()
        self.recompute()

    # ------------------------------------------------------------ the starting weights, typed by hand
    def weight_names(self) -> list[WeightName]:
        """(layer, neuron, source or None for the bias, name): w1, w2… numbered as in the worked example; no
        bias rows while 'no bias' is on."""
        return weight_names(self.shown_network())

    def _fill_weights(self) -> None:
        self._filling = True
        rows = self.weight_names() if self.network is not None else []
        shown = self.shown_network()
        self.weights_table.clear()
        self.weights_table.setColumnCount(3)
        self.weights_table.setHorizontalHeaderLabels([tr("weight"), tr("link"), tr("value")])
        self.weights_table.setRowCount(len(rows))
        for r, weight in enumerate(rows):
            texts = (weight.name, link_text(shown, weight.layer, weight.neuron, weight.source),
                     format_number(weight_value(shown, weight), DIGITS))
            for c, text in enumerate(texts):
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
            self.message_label.setText(tr("'{text}' is not a number.", text=item.text()))
            self._fill_weights()
            return
        if self.source == "project":
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
            self.phase_label.setText(tr("Load the classic 2-2-2 example, or use your own small network."))
            self.text_label.setText("")
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            if self.network is not None:
                self.diagram.show_phase(None, 0)   # the network stays drawn, without numbers
            return
        self.back_button.setEnabled(self.phase_index > 0)
        self.apply_button.setEnabled(not self._apply_blocked())
        self.apply_button.setToolTip(tr(NO_BIAS_APPLY) if self._apply_blocked()
                                     else tr("Write the new weights into the network (Ctrl+Z undoes it)"))
        self.next_button.setEnabled(self.phase_index < len(self.step.phases) - 1)
        phase = self.step.phases[self.phase_index]
        if phase.kind not in self.phases_seen:
            self.phases_seen.append(phase.kind)
        self.phase_label.setText(tr("Phase {number} of {count}: {title}", number=self.phase_index + 1,
                                    count=len(self.step.phases), title=phase.title))
        self.phase_label.setStyleSheet(f"color: {PHASE_COLORS[phase.kind].name()};")
        self.text_label.setText(phase.description + worked_lines(self.step, phase))
        self._fill_table(phase)
        self.diagram.show_phase(self.step, self.phase_index)
        self.phase_changed.emit(phase.kind)

    def _fill_table(self, phase: Any) -> None:
        headers, rows = phase_table(self.step, phase)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(cell_lines(text)))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()

    def value(self, row_name: str, column: str) -> str:
        """The table's text in the row whose first cell is row_name, under the column titled column (a formula
        broken over lines read as one line)."""
        for c in range(self.table.columnCount()):
            if self.table.horizontalHeaderItem(c).text() == column:
                for r in range(self.table.rowCount()):
                    if self.table.item(r, 0).text() == row_name:
                        return " ".join(self.table.item(r, c).text().split("\n"))
        raise KeyError((row_name, column))


__all__ = ["BackpropStepper", "StepperWeights"]
