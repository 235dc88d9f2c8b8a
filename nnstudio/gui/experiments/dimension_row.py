"""One value the search may vary: a tick, its range or choices, and the words the student reads."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.i18n import tr
from ...core.settings import OPTIMIZERS
from ..widgets.number_box import NumberBox, WholeNumberBox
from ..widgets.wheel_guard import wheel_only_when_focused


def choice_text(key: str, choice: Any) -> str:
    """A choice as the student reads it: an optimizer by its name ("SGD with momentum"), others as they are."""
    if key == "training:optimizer" and choice in OPTIMIZERS:
        return tr(OPTIMIZERS[choice])
    return str(choice)


class DimensionRow(QWidget):
    """A candidate dimension of the search space. Ticked, it shows what can be edited: low and high (and a log
    scale) for a number, a tick per choice for a choice. `changed` is sent once an edit is complete."""

    changed = Signal()

    def __init__(self, candidate: Any, words: Callable[[Any], str], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.candidate = candidate          # the engine's Dimension as the drawing offers it
        self._words = words
        self._filling = False
        safe_key = candidate.key.replace(":", "_")
        self.setObjectName(f"dimension_{safe_key}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(2)
        self.tick = QCheckBox(self)
        self.tick.setObjectName(f"tick_{safe_key}")
        layout.addWidget(self.tick)
        self.editors = QWidget(self)
        self.editors.setObjectName(f"editors_{safe_key}")
        layout.addWidget(self.editors)
        self.low = self.high = None
        self.log_tick: Optional[QCheckBox] = None
        self.choice_ticks: list[tuple[Any, QCheckBox]] = []
        if candidate.kind == "choice":
            self._build_choices()
        else:
            self._build_range()
        self.tick.toggled.connect(self._on_ticked)
        self.set_dimension(candidate, ticked=False)

    # ------------------------------------------------------------ building
    def _build_range(self) -> None:
        grid = QGridLayout(self.editors)
        grid.setContentsMargins(22, 0, 0, 0)
        whole = self.candidate.kind == "int"
        if whole:
            self.low, self.high = WholeNumberBox(1, None, self.editors), WholeNumberBox(1, None, self.editors)
        else:
            self.low, self.high = NumberBox(0.0, 1e6, parent=self.editors), NumberBox(0.0, 1e6, parent=self.editors)
        for box, name in ((self.low, "low"), (self.high, "high")):
            box.setObjectName(f"{name}_{self.candidate.key.replace(':', '_')}")
            box.setMinimumWidth(80)
            box.editingFinished.connect(self._on_edited)
        wheel_only_when_focused(self.low, self.high)
        self.log_tick = QCheckBox(tr("log scale"), self.editors)
        self.log_tick.setToolTip(tr("Try values spread evenly by their powers of ten (0.001, 0.01, 0.1), as "
                                    "learning rates are usually chosen"))
        self.log_tick.toggled.connect(self._on_edited)
        grid.addWidget(QLabel(tr("from"), self.editors), 0, 0)
        grid.addWidget(self.low, 0, 1)
        grid.addWidget(QLabel(tr("to"), self.editors), 0, 2)
        grid.addWidget(self.high, 0, 3)
        grid.addWidget(self.log_tick, 1, 1, 1, 3)

    def _build_choices(self) -> None:
        row = QHBoxLayout(self.editors)
        row.setContentsMargins(22, 0, 0, 0)
        for choice in self.candidate.choices:
            box = QCheckBox(choice_text(self.candidate.key, choice), self.editors)
            box.setObjectName(f"choice_{self.candidate.key.replace(':', '_')}_{choice}")
            box.toggled.connect(self._on_edited)
            row.addWidget(box)
            self.choice_ticks.append((choice, box))
        row.addStretch(1)

    # ------------------------------------------------------------ reading and showing
    @property
    def key(self) -> str:
        return self.candidate.key

    def is_ticked(self) -> bool:
        return self.tick.isChecked()

    def set_dimension(self, dimension: Any, ticked: bool) -> None:
        """Show `dimension` (a saved one, or the candidate) without sending `changed`."""
        self._filling = True
        try:
            self.tick.setChecked(ticked)
            if self.candidate.kind == "choice":
                chosen = set(map(str, dimension.choices or ()))
                for choice, box in self.choice_ticks:
                    box.setChecked(str(choice) in chosen)
            else:
                self.low.setValue(dimension.low)
                self.high.setValue(dimension.high)
                self.log_tick.setChecked(bool(dimension.log))
            self.editors.setVisible(ticked)
            self._show_words()
        finally:
            self._filling = False

    def dimension(self) -> Any:
        """The dimension as edited (a low above the high is swapped: the student meant the range between)."""
        if self.candidate.kind == "choice":
            chosen = tuple(choice for choice, box in self.choice_ticks if box.isChecked())
            return dataclasses.replace(self.candidate, choices=chosen or tuple(self.candidate.choices))
        low, high = sorted((self.low.value(), self.high.value()))
        if self.candidate.kind == "int":
            low, high = int(low), int(high)
        return dataclasses.replace(self.candidate, low=low, high=high, log=self.log_tick.isChecked())

    def _show_words(self) -> None:
        self.tick.setText(self._words(self.dimension()))

    # ------------------------------------------------------------ edits
    def _on_ticked(self, ticked: bool) -> None:
        self.editors.setVisible(ticked)
        if not self._filling:
            self.changed.emit()

    def _on_edited(self, *_: Any) -> None:
        if self._filling:
            return
        self._show_words()
        self.changed.emit()
