"""The neuron view: one Dense/Output layer opened into its neurons, weights as lines, sums written out, weights typed by hand."""

from __future__ import annotations

import time
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QInputDialog, QLabel, QSpinBox, QSplitter, QVBoxLayout, QWidget

from ...core.i18n import N_, ntr, tr
from ...core.teaching.neuron_math import (NetworkError, SmallNetwork, activation_range, format_number, softmax,
                                          weighted_sum)
from ...core.teaching.plane import input_plane
from ..widgets.weight_colors import WEIGHT_LEGEND
from ..widgets.weights_origin import weights_origin
from ..panels.data_split_box import scaling_title
from ..widgets.wheel_guard import wheel_only_when_focused
from .edits import LayerWeights, model_problem, node_activation, set_one_weight, small_network, weighted_nodes
from .neuron_diagram import NeuronCircle, NeuronDiagram, WeightLine
from .neuron_table import NeuronWeightsTable
from .shown_weights import layer_numbers, network_numbers

MAX_UNITS = 32
MAX_INPUTS = 16
MAP_SIZE = 24            # each hidden neuron's activation map over the input plane: 24 × 24 values
MAP_MARGIN, MAP_LEAST_MARGIN = 0.15, 0.25   # the plane reaches 15% of the data's spread beyond its samples
MAP_EVERY_S = 0.25       # during training the maps are recomputed at most 4 times a second
EMPTY_TEXT = N_("Select a Dense or Output layer (or pick one above) to open it into its neurons.")


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
        self._drawn_shape: Optional[tuple[int, int, str]] = None
        self._live: dict[str, dict] = {}
        self._last_map_time = 0.0

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Layer:"), self))
        self.layer_combo = QComboBox(self)
        wheel_only_when_focused(self.layer_combo)  # scrolling past it must not change it
        self.layer_combo.setObjectName("neuronLayer")
        self.layer_combo.activated.connect(lambda index: self.show_layer(self.layer_combo.itemData(index)))
        top.addWidget(self.layer_combo, 1)
        top.addWidget(QLabel(tr("Sample:"), self))
        self.sample_spin = QSpinBox(self)
        wheel_only_when_focused(self.sample_spin)  # scrolling past it must not change it
        self.sample_spin.setObjectName("neuronSample")
        self.sample_spin.setToolTip(tr("Which training sample the worked sums use"))
        self.sample_spin.setRange(1, 1)   # samples count from 1; the range follows the data
        self.sample_spin.setValue(1)
        self.sample_spin.valueChanged.connect(lambda _: self._write_sum())
        top.addWidget(self.sample_spin)
        layout.addLayout(top)
        self.title_label = QLabel(tr(EMPTY_TEXT), self)
        self.title_label.setObjectName("neuronTitle")
        self.title_label.setWordWrap(True)
        layout.addWidget(self.title_label)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.diagram = NeuronDiagram(splitter)
        self.diagram.setObjectName("neuronDiagram")
        self.scene = self.diagram.scene()
        self.diagram.setMinimumWidth(320)  # the picture is the point: the table must not squeeze it away
        splitter.setChildrenCollapsible(False)
        side = QWidget(splitter)
        side.setMinimumWidth(200)  # the weights table keeps a readable column or two
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.table = NeuronWeightsTable(side)
        self.table.setObjectName("neuronWeightsTable")
        weights_label = QLabel(tr("Weights (one row per neuron) and biases — type to change them:"), side)
        weights_label.setWordWrap(True)  # a long unwrapped label would set the whole window's minimum width
        side_layout.addWidget(weights_label)
        side_layout.addWidget(self.table, 1)
        self.sum_label = QLabel(tr("Click a neuron to see its weighted sum."), side)
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
        self.diagram.neuron_clicked.connect(self.select_neuron)
        self.diagram.edit_requested.connect(self.edit_weight)
        self.diagram.weight_hovered.connect(self.message_label.setText)
        self.table.value_typed.connect(self._on_value_typed)
        self.table.not_a_number.connect(self._on_not_a_number)

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
        for node in nodes:
            layer = layer_numbers(self.session, node.id)
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
            self._show_empty(tr(EMPTY_TEXT))
            return
        node = self.document.graph.node(self.node_id)
        # The numbers come from the session's weight store, like the Weights panel's: never a copy of our own.
        self.layer = layer_numbers(self.session, self.node_id)
        if self.layer is None:
            problem = model_problem(self.session) or tr("this layer has no weights yet")
            self._show_empty(tr("{type} '{layer}' cannot be opened yet: {problem}", type=node.type, layer=node.name,
                                problem=problem))
            return
        try:
            self.network = small_network(self.document, self.session, network_numbers(self.document, self.session))
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
        self.table.set_editable(not training)
        if not training:
            self.refresh()

    # ------------------------------------------------------------ drawing
    def _show_empty(self, text: str) -> None:
        self.layer, self.network, self.layer_index = None, None, None
        self._drawn_shape = None
        self.diagram.clear()
        self.table.empty()
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
            self._show_empty(tr("{type} '{layer}' has {neurons} on {inputs}: too many to draw one by one (up to "
                                "{most_units} neurons on {most_inputs} inputs). The Weights panel shows big layers "
                                "as a heatmap.", type=node.type, layer=node.name,
                                neurons=ntr("{n} neuron", "{n} neurons", units),
                                inputs=ntr("{n} input", "{n} inputs", features),
                                most_units=MAX_UNITS, most_inputs=MAX_INPUTS))
            return
        activation = node_activation(self.document, self.node_id)
        shape = (units, features, activation)
        if shape != self._drawn_shape:
            names = self.input_names()
            self.diagram.build(units, names)
            self.table.set_layout(units, names)
            self._drawn_shape = shape
        data = getattr(self.session, "data", None)
        rows = len(data.prepared.train) if data is not None else 0
        self.sample_spin.blockSignals(True)
        self.sample_spin.setRange(1, max(rows, 1))
        self.sample_spin.setSuffix(tr(" of {rows}", rows=rows) if rows else "")
        self.sample_spin.blockSignals(False)
        self._update_numbers(draw_maps=True)
        self.diagram.fit()

    def _update_title(self) -> None:
        node = self.document.graph.node(self.node_id)
        units, features = self.layer.weights.shape
        state = weights_origin(self.session, self.node_id)
        if self.session.is_training:  # weights_origin's words are translated: ask the session
            state = tr("learning — the lines follow training")
        self.title_label.setText(tr("{type} '{layer}': {neurons} on {inputs}, activation {activation} ({state}). "
                                    "{legend} Thicker lines are larger weights.", type=node.type, layer=node.name,
                                    neurons=ntr("{n} neuron", "{n} neurons", units),
                                    inputs=ntr("{n} input", "{n} inputs", features),
                                    activation=node_activation(self.document, self.node_id), state=state,
                                    legend=tr(WEIGHT_LEGEND)))

    def _update_numbers(self, draw_maps: bool) -> None:
        if self.layer is None or not self.neurons:
            return
        self._update_title()
        self.diagram.show_numbers(self.layer.weights, self.layer.bias, self.input_names())
        self.table.show_numbers(self.layer.weights, self.layer.bias)
        if draw_maps:
            self._last_map_time = time.monotonic()
            self._draw_maps()
        if self.selected_neuron is not None:
            self._write_sum()

    # ------------------------------------------------------------ activation maps (2 features only)
    def _draw_maps(self) -> None:
        """Each neuron's output over a grid of the input plane, as the network sees it (after scaling)."""
        if self.layer_index is None or self.network is None or self.network.features != 2:
            self.diagram.hide_maps()
            return
        plane = input_plane(self.training_rows(), MAP_SIZE, MAP_MARGIN, MAP_LEAST_MARGIN, top_down=True)
        outputs = self.network.forward(plane.points()).outputs[self.layer_index]
        if outputs.shape[-1] != len(self.diagram.maps):
            # The graph changed before the session rebuilt its model (another example, a lesson's network): the
            # diagram still has the old layer's neurons. The new model's arrival draws the maps again.
            self.diagram.hide_maps()
            return
        low, high = activation_range(self.network.layers[self.layer_index].activation, outputs)
        names = self.input_names()
        self.diagram.show_maps(plane.picture(outputs), low, high, names[0], names[1])

    # ------------------------------------------------------------ the worked sum
    def training_rows(self) -> Optional[np.ndarray]:
        """The training samples as the network sees them (after scaling), one row each; None without data."""
        data = getattr(self.session, "data", None)
        if data is None or not data.prepared.train.inputs:
            return None
        values = np.asarray(next(iter(data.prepared.train.inputs.values())), dtype=np.float64)
        return values.reshape(len(values), -1) if len(values) else None

    def layer_inputs(self, sample: int) -> Optional[np.ndarray]:
        """What the shown layer receives for one training sample (scaled features, or the previous outputs)."""
        values = self.training_rows()
        if self.network is None or self.layer_index is None or values is None:
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
        self.diagram.highlight(neuron)
        self._write_sum()
        self.neuron_selected.emit(neuron)

    def _write_sum(self) -> None:
        neuron = self.selected_neuron
        if neuron is None or self.layer is None or neuron >= self.layer.weights.shape[0]:
            return
        inputs = self.layer_inputs(self.sample_spin.value() - 1)
        if inputs is None:
            self.sum_label.setText(tr("The worked sum needs data and a simple chain of Dense layers from one Input."))
            return
        activation = node_activation(self.document, self.node_id)
        bias = None if self.layer.bias is None else float(self.layer.bias[neuron])
        worked = weighted_sum(self.layer.weights[neuron], bias, inputs, self.input_names(), activation)
        lines = [tr("Neuron {neuron}, sample {sample}:", neuron=neuron + 1, sample=self.sample_spin.value()),
                 worked.formula, worked.substituted]
        if worked.activation_line:
            lines.append(worked.activation_line)
        elif activation == "softmax":
            z = self.layer.weights @ inputs + (self.layer.bias if self.layer.bias is not None else 0.0)
            p = softmax(z)
            lines.append(tr("softmax over the layer's {count} sums gives this neuron {value}", count=len(z),
                            value=format_number(p[neuron])))
        data = getattr(self.session, "data", None)
        if data is not None and self.layer_index == 0 and self.document.project.data.scaling != "none":
            lines.append(tr("(inputs as the network sees them, after '{scaling}' scaling)",
                            scaling=scaling_title(self.document.project.data.scaling)))
        self.sum_label.setText("\n".join(lines))

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
            current, label = float(self.layer.bias[neuron]), tr("Bias of neuron {neuron}:", neuron=neuron + 1)
        else:
            current = float(self.layer.weights[neuron, source])
            label = tr("Weight from {source} to neuron {neuron}:", source=self.input_names()[source], neuron=neuron + 1)
        value = self.ask_number(tr("Set by hand"), label, current)
        return value is not None and self.set_value(neuron, source, value)

    def set_value(self, neuron: int, source: Optional[int], value: float) -> bool:
        if self.node_id is None:
            return False
        self.message_label.setText("")
        return set_one_weight(self.document, self.session, self.node_id, neuron, source, value)

    def _on_value_typed(self, neuron: int, source: Optional[int], value: float) -> None:
        if not self.set_value(neuron, source, value):
            self.table.restore()

    def _on_not_a_number(self, text: str) -> None:
        self.message_label.setText(tr("'{text}' is not a number: type something like 0.5 or −0.7.", text=text))

    # ------------------------------------------------------------ for tests and screenshots
    @property
    def lines(self) -> dict[tuple[int, int], WeightLine]:
        """The weight lines drawn, keyed (neuron, input)."""
        return self.diagram.lines

    @property
    def neurons(self) -> list[NeuronCircle]:
        return self.diagram.neurons

    @property
    def maps(self) -> list[Any]:
        return self.diagram.maps

    @property
    def map_values(self) -> Optional[np.ndarray]:
        """(neurons, MAP_SIZE, MAP_SIZE): what each neuron outputs over the input plane, as last drawn."""
        return self.diagram.map_values

    def line(self, neuron: int, source: int) -> WeightLine:
        return self.lines[(neuron, source)]


__all__ = ["NeuronView", "MAX_INPUTS", "MAX_UNITS"]
