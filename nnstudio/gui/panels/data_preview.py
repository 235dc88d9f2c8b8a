"""The Data panel's preview: the first rows of the table, with category codes shown as their names."""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from ...core.data import Table
from ...core.data.binding import column_kind

PREVIEW_ROWS = 50


class PreviewModel(QAbstractTableModel):
    """The first rows of a table; each column's header says whether it holds numbers or categories."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.table: Optional[Table] = None
        self.rows = 0

    def set_table(self, table: Optional[Table]) -> None:
        self.beginResetModel()
        self.table = table
        self.rows = min(PREVIEW_ROWS, table.n_rows) if table is not None else 0
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.rows

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.table is None else len(self.table.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.table is None or not index.isValid():
            return None
        column = self.table.columns[index.column()]
        value = float(self.table.values[index.row(), index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            if self.table.is_categorical(column):
                names = self.table.class_names[column]
                code = int(value)
                return names[code] if 0 <= code < len(names) else f"{value:g}"
            return f"{value:.6g}"
        if role == Qt.ItemDataRole.TextAlignmentRole and not self.table.is_categorical(column):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self.table is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        column = self.table.columns[section]
        return f"{column}\n{column_kind(self.table, column)}"
