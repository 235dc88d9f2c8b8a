"""The neuron view's table of weights: one row per neuron, one column per input and the bias, typed by hand."""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QWidget

from ...core.i18n import tr
from ...core.teaching.neuron_math import format_number, parse_number


class NeuronWeightsTable(QTableWidget):
    """Shows a layer's weights and biases; a number typed into a cell is offered as `value_typed`."""

    value_typed = Signal(int, object, float)   # (neuron, input index or None for the bias, the typed number)
    not_a_number = Signal(str)                  # what was typed, when it is not a number

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setToolTip(tr("Type a weight or a bias and press Enter; Ctrl+Z undoes it."))
        self.horizontalHeader().setDefaultSectionSize(74)
        self._weights: Optional[np.ndarray] = None
        self._bias: Optional[np.ndarray] = None
        self._filling = False
        self.itemChanged.connect(self._on_edited)

    def set_layout(self, units: int, names: list[str]) -> None:
        """Rows for the neurons, columns for the named inputs and the bias (empty until numbers come)."""
        self._filling = True
        self.clear()
        self.setRowCount(units)
        self.setColumnCount(len(names) + 1)
        self.setHorizontalHeaderLabels(names + [tr("bias")])
        self.setVerticalHeaderLabels([tr("neuron {number}", number=i + 1) for i in range(units)])
        self._filling = False

    def empty(self) -> None:
        self._weights = self._bias = None
        self._filling = True
        self.clear()
        self.setRowCount(0)
        self.setColumnCount(0)
        self._filling = False

    def show_numbers(self, weights: np.ndarray, bias: Optional[np.ndarray]) -> None:
        """Write the numbers in (a layer without bias shows '—', which cannot be edited)."""
        self._weights, self._bias = weights, bias
        if self.state() == QTableWidget.State.EditingState:
            return  # never overwrite what the learner is typing
        self._filling = True
        units, features = weights.shape
        for i in range(units):
            for j in range(features + 1):
                value = weights[i, j] if j < features else (None if bias is None else bias[i])
                item = self.item(i, j)
                if item is None:
                    item = QTableWidgetItem()
                    self.setItem(i, j, item)
                item.setText("—" if value is None else format_number(value, 6))
                if value is None:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self._filling = False

    def set_editable(self, editable: bool) -> None:
        """Typing is allowed except while training runs (the numbers change under the learner's fingers)."""
        self.setEditTriggers(QTableWidget.EditTrigger.DoubleClicked | QTableWidget.EditTrigger.EditKeyPressed
                             | QTableWidget.EditTrigger.AnyKeyPressed if editable else
                             QTableWidget.EditTrigger.NoEditTriggers)

    def restore(self) -> None:
        """Show the numbers again in place of a refused entry."""
        if self._weights is not None:
            self.show_numbers(self._weights, self._bias)

    def _on_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or self._weights is None:
            return
        value = parse_number(item.text())
        features = self._weights.shape[1]
        source = item.column() if item.column() < features else None
        if value is None:
            text = item.text()
            self.restore()
            self.not_a_number.emit(text)
            return
        self.value_typed.emit(item.row(), source, value)


__all__ = ["NeuronWeightsTable"]
