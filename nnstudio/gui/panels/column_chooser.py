"""The Data panel's column list for one Input (its feature columns) or one Output (its targets)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.data.binding import ColumnChoice
from ...core.i18n import tr


class ColumnChooser(QWidget):
    """'Automatic' or a checked list of columns; each change the student makes is sent as `columns_chosen`."""

    columns_chosen = Signal(str, str, list)  # node id, "columns" or "targets", the columns (empty: automatic)

    def __init__(self, node_id: str, key: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.node_id, self.key = node_id, key
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.automatic = QCheckBox(self)
        self.automatic.setObjectName(f"automatic_{key}_{node_id}")
        self.list = QListWidget(self)
        self.list.setObjectName(f"{key}_{node_id}")
        self.list.setMaximumHeight(130)
        # What each text column becomes as inputs (one-hot), so the student sees why the Input is wider.
        self.notes = QLabel(self)
        self.notes.setObjectName(f"notes_{key}_{node_id}")
        self.notes.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.automatic)
        layout.addWidget(self.list)
        layout.addWidget(self.notes)
        self.automatic.toggled.connect(self._on_automatic_toggled)
        self.list.itemChanged.connect(self._on_item_changed)
        self._filling = False

    def fill(self, title: str, automatic_text: str, columns: list[str], choice: ColumnChoice) -> None:
        """Show the columns with the chosen ones checked; columns taken by the other side cannot be ticked."""
        self._filling = True
        try:
            self.title.setText(title)
            self.automatic.setText(automatic_text)
            self.automatic.setChecked(choice.automatic)
            # The same columns again (after a tick): update the items in place, so the list keeps its scroll
            # position instead of jumping back to the top after every click.
            if [self.list.item(i).text() for i in range(self.list.count())] != list(columns):
                self.list.clear()
                for column in columns:
                    QListWidgetItem(column, self.list)
            for row, column in enumerate(columns):
                item = self.list.item(row)
                flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
                if not choice.automatic and column not in choice.taken_elsewhere:
                    flags |= Qt.ItemFlag.ItemIsEnabled
                item.setFlags(flags)
                item.setCheckState(Qt.CheckState.Checked if column in choice.chosen else Qt.CheckState.Unchecked)
                item.setToolTip(tr("The network learns to predict this column, so no Input may take it")
                                if column in choice.taken_elsewhere else choice.notes.get(column, ""))
            notes = [choice.notes[c] for c in columns if c in choice.notes and c not in choice.taken_elsewhere]
            self.notes.setText("\n".join(notes))
            self.notes.setVisible(bool(notes))
        finally:
            self._filling = False

    def checked_columns(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def _on_automatic_toggled(self, automatic: bool) -> None:
        if self._filling:
            return
        # Automatic stores no columns; turning it off starts from what automatic chose, so nothing jumps.
        self.columns_chosen.emit(self.node_id, self.key, [] if automatic else self.checked_columns())

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        self.columns_chosen.emit(self.node_id, self.key, self.checked_columns())
