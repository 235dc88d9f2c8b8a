"""The live trials table's model: a row per trial, a column per varied value; sortable; rows ticked for curves."""

from __future__ import annotations

import math
from typing import Any, Optional

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from ...core.i18n import tr

SORT_ROLE = Qt.ItemDataRole.UserRole + 1   # the raw value a column sorts by (a number, not its text)
# The columns: trial, status and the watched number first (a walk at 1280×720 found the number scrolled off to the
# right behind the varied values); then one per varied value; then epochs run and time.
NUMBER, STATUS, METRIC = 0, 1, 2
FIRST_VALUE = 3

Index = QModelIndex | QPersistentModelIndex


def state_name(state: Any) -> str:
    """"COMPLETE" from a TrialState or its name."""
    return getattr(state, "name", str(state)).upper()


def state_words(row: Any) -> str:
    """The engine's words for a trial's state ("finished", "stopped early", "interrupted (will run again)")."""
    return getattr(row, "state_words", "") or state_name(row.state).lower()


def value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def seconds_text(seconds: Optional[float]) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class TrialsModel(QAbstractTableModel):
    """The study's trials. `set_rows` takes the engine's TrialRows and the names of the varied values; the ticked
    trials (their learning curves shown) are kept by number, so they stay ticked as rows are added."""

    ticked_changed = Signal()

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []
        self.keys: list[str] = []          # the varied values' keys, in column order
        self.key_names: list[str] = []     # and their names for the header
        self.metric = "val_loss"
        self.ticked: set[int] = set()

    # ------------------------------------------------------------ filling
    def set_rows(self, rows: list, keys: list[str], key_names: list[str], metric: str) -> None:
        if keys != self.keys or metric != self.metric:
            self.beginResetModel()
            self.rows, self.keys, self.key_names, self.metric = list(rows), list(keys), list(key_names), metric
            self.endResetModel()
            return
        old = len(self.rows)
        if len(rows) > old:
            self.beginInsertRows(QModelIndex(), old, len(rows) - 1)
            self.rows[old:] = rows[old:]
            self.endInsertRows()
        elif len(rows) < old:   # another study: start again
            self.beginResetModel()
            self.rows = list(rows)
            self.endResetModel()
            return
        self.rows[:old] = rows[:old]
        if old:
            self.dataChanged.emit(self.index(0, 0), self.index(old - 1, self.columnCount() - 1))

    def row_of(self, number: int) -> Optional[Any]:
        return next((row for row in self.rows if row.number == number), None)

    def metric_column(self) -> int:
        return METRIC

    def epochs_column(self) -> int:
        return FIRST_VALUE + len(self.keys)

    def time_column(self) -> int:
        return FIRST_VALUE + len(self.keys) + 1

    # ------------------------------------------------------------ Qt's model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else 5 + len(self.keys)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        # "best": a trial's number is its best epoch's (what the study compares), not its last epoch's.
        fixed = {NUMBER: tr("Trial"), STATUS: tr("Status"), METRIC: tr("best {metric}", metric=self.metric),
                 self.epochs_column(): tr("Epochs"), self.time_column(): tr("Time")}
        if section in fixed:
            return fixed[section]
        if FIRST_VALUE <= section < FIRST_VALUE + len(self.keys):
            return self.key_names[section - FIRST_VALUE]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.column() == NUMBER:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def _raw(self, row: Any, column: int) -> Any:
        if column == NUMBER:
            return row.number
        if column == STATUS:
            return state_words(row)
        if column == METRIC:
            return row.value
        if column < FIRST_VALUE + len(self.keys):
            return row.params.get(self.keys[column - FIRST_VALUE])
        return row.epochs_run if column == self.epochs_column() else row.seconds

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        raw = self._raw(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NUMBER:
                return str(row.number)
            if column == self.time_column():
                return seconds_text(raw)
            return value_text(raw)
        if role == SORT_ROLE:
            # Trials without a number (running, failed) sort after every finished one, whichever the order.
            if raw is None or (isinstance(raw, float) and math.isnan(raw)):
                numbers = (METRIC, self.epochs_column(), self.time_column())
                return math.inf if column in numbers else ""
            return raw if isinstance(raw, (int, float)) else str(raw)
        if role == Qt.ItemDataRole.ToolTipRole and column == STATUS:
            return state_words(row)   # whole, where the column is narrower than the words
        if role == Qt.ItemDataRole.CheckStateRole and column == NUMBER:
            return Qt.CheckState.Checked if row.number in self.ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(raw, (int, float)):   # numbers line up
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != NUMBER:
            return False
        number = self.rows[index.row()].number
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.ticked.add(number)
        else:
            self.ticked.discard(number)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.ticked_changed.emit()
        return True
