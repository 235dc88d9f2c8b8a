"""A combo box whose closed box shows the chosen item's short form when its whole text does not fit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox

# The item data role holding an item's short form ("Digits (8×8)" for "Digits (8×8) — 1797 rows, classes…"), or a
# tuple of ever shorter forms: the first that fits is shown, else the last.
SHORT_TEXT_ROLE = Qt.ItemDataRole.UserRole + 1


class FittingComboBox(QComboBox):
    """Its list shows every item whole. Closed, it shows the chosen item whole where that fits, else the item's
    short form, instead of the text Qt would cut off ("Digits (8×8) — 1797 rows, cla…")."""

    def initStyleOption(self, option: QStyleOptionComboBox) -> None:  # noqa: N802 - Qt's name
        super().initStyleOption(option)
        shorter = self.currentData(SHORT_TEXT_ROLE)
        if not shorter or self.isEditable():
            return
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self).width()
        metrics = self.fontMetrics()
        for text in (shorter,) if isinstance(shorter, str) else tuple(shorter):
            if metrics.horizontalAdvance(option.currentText) <= field:
                return
            option.currentText = text
