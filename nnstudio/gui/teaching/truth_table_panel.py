"""The truth-table panel: for a logic-gate dataset, every row's inputs, weighted sum, activation, output and target."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ...core.i18n import tr
from ...core.teaching.lessons import dataset_of
from ...core.teaching.neuron_math import NetworkError, format_number
from ...core.teaching.truth_table import LOGIC_DATASETS, TruthTable, logic_data, network_truth_table
from ..editing.commands import SetProjectSettings
from ..panels.data_split_box import scaling_title
from .edits import model_problem, small_network
from .shown_weights import network_numbers

RIGHT = QColor(215, 240, 215)
WRONG = QColor(250, 215, 215)


class TruthTablePanel(QWidget):
    """Live truth table of the project's network on and / or / nand / xor, as weights are typed or trained."""

    def __init__(self, document: Any, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("truthTable")
        self.document, self.session = document, session
        self.table_data: Optional[TruthTable] = None
        self.header_keys: list[str] = []   # the columns' English titles: cell() finds a column by either
        layout = QVBoxLayout(self)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("truthTableTitle")
        self.title_label.setWordWrap(True)
        layout.addWidget(self.title_label)
        self.table = QTableWidget(self)
        self.table.setObjectName("truthTableRows")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()   # the inputs name each row
        layout.addWidget(self.table, 1)
        self.score_label = QLabel(self)
        self.score_label.setObjectName("truthTableScore")
        self.score_label.setWordWrap(True)
        layout.addWidget(self.score_label)
        self.plain_inputs_button = QPushButton(tr("Use plain 0/1 inputs (no scaling, all rows)"), self)
        self.plain_inputs_button.setObjectName("plainLogicInputs")
        self.plain_inputs_button.setToolTip(tr("Sets the Data panel's scaling to none and keeps all four rows for "
                                               "training, so the weights you type act on the 0s and 1s of the "
                                               "table."))
        self.plain_inputs_button.clicked.connect(self.use_plain_inputs)
        layout.addWidget(self.plain_inputs_button)

        for signal in (document.analysis_changed, document.project_replaced):
            signal.connect(self.refresh)
        document.settings_changed.connect(lambda part: self.refresh())
        for signal in (session.model_changed, session.data_changed):
            signal.connect(self.refresh)
        session.weights_snapshot.connect(self._on_snapshot)
        self._live: dict[str, dict] = {}
        self.refresh()

    # ------------------------------------------------------------ data
    def dataset(self) -> Optional[str]:
        name = dataset_of({"data": self.document.project.data.to_dict()})
        return name if name in LOGIC_DATASETS else None

    def use_plain_inputs(self) -> bool:
        """One undo step: logic gates read best with raw 0/1 inputs and every row in training."""
        current = self.document.project.data
        wanted = dataclasses.replace(current, scaling="none", validation_fraction=0.0, test_fraction=0.0)
        if wanted == current:
            return True
        return self.document.push(SetProjectSettings(self.document, "data", wanted, tr("Use plain 0/1 inputs")))

    # ------------------------------------------------------------ showing
    def _on_snapshot(self, snapshot: dict) -> None:
        self._live.update(snapshot)
        self.refresh()

    def refresh(self) -> None:
        name = self.dataset()
        data_settings = self.document.project.data
        scaled = data_settings.scaling != "none"
        self.plain_inputs_button.setVisible(name is not None and (scaled or data_settings.validation_fraction > 0
                                                                  or data_settings.test_fraction > 0))
        if name is None:
            self._show_empty(tr("Choose a logic-gate dataset (and, or, nand or xor) in the Data panel: this table "
                                "then shows what the network answers for each of the four rows."))
            return
        weights = None
        if self.session.is_training and self._live:
            weights = {}
            for node_id, entry in self._live.items():
                if node_id in self.document.graph.nodes and entry.get("weight") is not None:
                    layer_name = self.document.graph.node(node_id).name
                    weights[f"layers.{layer_name}.weight"] = np.asarray(entry["weight"], dtype=np.float64)
                    if entry.get("bias") is not None:
                        weights[f"layers.{layer_name}.bias"] = np.asarray(entry["bias"], dtype=np.float64)
        else:
            self._live = {}
        problem = model_problem(self.session) if weights is None else ""
        if problem:
            self._show_empty(tr("The '{name}' table needs a network that can run: {problem}", name=name, problem=problem))
            return
        try:
            if weights is None:
                weights = network_numbers(self.document, self.session)   # the store's numbers, as every panel's
            network = small_network(self.document, self.session, weights)
            table = network_truth_table(network, logic_data(name))
        except (NetworkError, ValueError) as exc:
            self._show_empty(tr("The truth table needs one Input of 2 features and a chain of Dense layers: {error}",
                                error=exc))
            return
        self.table_data = table
        self._fill(table, network.layers[-1].name)
        # The table multiplies the weights by the plain 0/1 rows; training multiplies them by scaled inputs.
        title = tr("The '{gate}' gate: the Output's weighted sum z, its {activation} activation and the 0/1 answer "
                   "(1 when the activation is ≥ {threshold}) for every row.", gate=name.upper(),
                   activation=table.activation, threshold=format_number(table.threshold))
        if scaled:  # a second sentence
            title += " " + tr("Careful: this table puts the plain 0/1 rows into your weights, but training sees the "
                              "inputs scaled ('{scaling}'), so weights learned in training were made for other "
                              "numbers than these rows. Press the button below to train on the plain 0/1 rows.",
                              scaling=scaling_title(data_settings.scaling))
        self.title_label.setText(title)
        self.score_label.setText(
            tr("{right} of {rows} rows right: the network computes {gate}!", right=table.correct,
               rows=len(table.rows), gate=name.upper()) if table.all_right else
            tr("{right} of {rows} rows right.", right=table.correct, rows=len(table.rows)))

    def _show_empty(self, text: str) -> None:
        self.table_data = None
        self.title_label.setText(text)
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.score_label.setText("")

    def _fill(self, table: TruthTable, output_name: str) -> None:
        # What the lesson is about comes first (inputs, z, activation, output, target, ✓/✗); a hidden layer's
        # outputs follow, so eight hidden neurons never push the answer off to the right.
        hidden = len(table.rows[0].hidden) if table.rows else 0
        names = list(table.input_names)
        self.header_keys = names + ["weighted sum z", f"{table.activation}(z)", "output", "target", "right?"] + [
            f"hidden {k + 1}" for k in range(hidden)]
        # Two-line titles keep the columns narrow, so target and ✓/✗ stay in view in a small window.
        shown = names + [tr("weighted\nsum z"), f"{table.activation}(z)", tr("output"), tr("target"), tr("right?")] + [
            tr("hidden {number}", number=k + 1) for k in range(hidden)]
        self.table.setColumnCount(len(shown))
        self.table.setRowCount(len(table.rows))
        self.table.setHorizontalHeaderLabels(shown)
        for r, row in enumerate(table.rows):
            cells = ([format_number(v) for v in row.inputs] +
                     [format_number(row.z), format_number(row.activation), str(row.output),
                      "" if row.target is None else str(row.target),
                      "" if row.right is None else ("✓" if row.right else "✗")] +
                     [format_number(v, 3) for v in row.hidden])
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if row.right is not None:
                    item.setBackground(QBrush(RIGHT if row.right else WRONG))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def cell(self, row: int, header: str) -> str:
        """The text in one row under a column title (for tests and screen readers)."""
        for column in range(self.table.columnCount()):
            shown = self.table.horizontalHeaderItem(column).text().replace("\n", " ")
            key = self.header_keys[column] if column < len(self.header_keys) else shown
            if header in (key, shown):
                return self.table.item(row, column).text()
        raise KeyError(header)


__all__ = ["TruthTablePanel"]
