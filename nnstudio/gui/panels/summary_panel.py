"""The model summary: a live Keras-style table of layers, output shapes and parameter counts."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.i18n import N_, tr
from ..editing.document import Document
from ..widgets.icons import layer_icon

COLUMNS = (N_("Layer"), N_("Type"), N_("Output shape"), N_("Params"))  # shown with tr()


class SummaryPanel(QWidget):
    """The table (`summaryTable`) and the totals under it; clicking a row asks to show that layer."""

    node_clicked = Signal(str)

    def __init__(self, document: Document, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.document = document
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("summaryTable")
        self.table.setHorizontalHeaderLabels([tr(title) for title in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.totals = QLabel(self)
        self.totals.setObjectName("summaryTotals")
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        self._row_nodes: list[str] = []
        self.table.cellClicked.connect(self._on_cell_clicked)
        document.analysis_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        analysis = self.document.analysis
        rows = analysis.summary_rows()
        self._row_nodes = list(analysis.order)
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = (row.name, row.type, row.output_shape, f"{row.params:,}")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setIcon(layer_icon(row.type))
                if column == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(index, column, item)
        total, trainable = analysis.total_params, analysis.trainable_params
        self.totals.setText(tr("<b>Total params:</b> {total} &nbsp;·&nbsp; <b>Trainable:</b> {trainable} "
                               "&nbsp;·&nbsp; <b>Non-trainable:</b> {frozen}", total=f"{total:,}",
                               trainable=f"{trainable:,}", frozen=f"{total - trainable:,}"))

    def _on_cell_clicked(self, row: int, column: int) -> None:
        if 0 <= row < len(self._row_nodes):
            self.node_clicked.emit(self._row_nodes[row])

    # ------------------------------------------------------------ for tests
    def cell_text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item else ""
