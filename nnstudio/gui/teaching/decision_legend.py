"""The decision map's legend: which colour is which class, and what the dots, the pale areas and the curve mean."""

from __future__ import annotations

from typing import NamedTuple, Optional

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from ...core.i18n import N_

PER_ROW = 5               # ten classes (the digits) in two rows, so the legend never widens the panel
# Marked only: the map shows them with tr() (the language is chosen after import).
SAMPLES_TEXT = N_("Dots: the training samples, each in the colour of its true class")
UNSURE_TEXT = N_("Pale: the network is unsure there")
CURVE_TEXT = N_("Red curve: what the network predicts")
REGRESSION_SAMPLES_TEXT = N_("Dots: the training samples")


class LegendEntry(NamedTuple):
    """One line of the legend: a colour (r, g, b), whether it is drawn as a dot (a sample) or a patch (an area),
    and what it stands for."""

    color: tuple[int, int, int]
    dot: bool
    text: str


class MapLegend(QWidget):
    """A small swatch and a few words per entry, in a grid under the map."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionMapLegend")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.entries: list[LegendEntry] = []
        self.text_labels: list[QLabel] = []

    def show_entries(self, entries: list[LegendEntry]) -> None:
        """Show these entries (nothing is rebuilt when they are the ones already shown: the map redraws often)."""
        if entries == self.entries:
            return
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.entries, self.text_labels = list(entries), []
        for index, entry in enumerate(entries):
            row, column = divmod(index, PER_ROW)
            swatch = QLabel(self)
            swatch.setFixedSize(12, 12)
            r, g, b = entry.color
            radius = 6 if entry.dot else 0
            swatch.setStyleSheet(f"background-color: rgb({r}, {g}, {b}); border: 1px solid rgb(40, 40, 40); "
                                 f"border-radius: {radius}px;")
            label = QLabel(entry.text, self)
            label.setToolTip(entry.text)
            self.grid.addWidget(swatch, row, 2 * column)
            self.grid.addWidget(label, row, 2 * column + 1)
            self.text_labels.append(label)
        self.grid.setColumnStretch(2 * PER_ROW, 1)
        self.setVisible(bool(entries))

    def texts(self) -> list[str]:
        return [entry.text for entry in self.entries]


__all__ = ["CURVE_TEXT", "LegendEntry", "MapLegend", "REGRESSION_SAMPLES_TEXT", "SAMPLES_TEXT", "UNSURE_TEXT"]
