"""One number box: the field for real and whole numbers in the inspector and for the learning rate."""

from __future__ import annotations

import math
import re
from typing import Optional

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QFocusEvent, QHideEvent, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from ...core.i18n import N_, tr

INT_LIMIT = 2_147_483_647  # QSpinBox holds a C int
REAL_LIMIT = 1e9            # the widest range a real-number box offers when the setting has no bound

# Why a typed number is not taken, said under the field (whole sentences: {setting} is the setting's name).
# Marked with N_ (defined before a language is chosen), shown with tr().
BETWEEN = N_("{setting} must be between {low} and {high}.")
AT_LEAST = N_("{setting} must be at least {low}.")
AT_MOST = N_("{setting} must be at most {high}.")
THIS_VALUE = N_("This value")   # the setting's name when the box is given none
NOTE_SHOWN_MS = 8000  # long enough to read twice; the next key press hides it sooner
NOTE_STYLE = "background: #fff4e5; color: #7a2e00; border: 1px solid #d08000; padding: 3px;"

# What a person may have typed so far on the way to a number: "", "-", "0.", "1e", "1e-"...
_PARTIAL_NUMBER = re.compile(r"^[-+]?\d*\.?\d*([eE][-+]?\d*)?$")


def read_number(text: str) -> Optional[float]:
    """The number in `text` as people write it ("0.5", "0,5", "1e-3", " 2 "), or None when there is none."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def next_1_2_5(value: float, up: bool) -> float:
    """The next value on the 1-2-5 ladder (… 0.001, 0.002, 0.005, 0.01 …) above or below `value`."""
    exponent = math.floor(math.log10(value))
    ladder = [m * 10.0 ** e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
    if up:
        return next(v for v in ladder if v > value * (1 + 1e-9))
    return next(v for v in reversed(ladder) if v < value * (1 - 1e-9))


class _SaysWhyOutOfRange:
    """Mixed into both boxes: a number typed outside the range is not taken (Qt puts the last good value back
    when the field is left), and a note under the field says why, instead of the value silently changing back."""

    _no_limit: float = REAL_LIMIT

    def _add_range_note(self, setting: str) -> None:
        self.setting = setting
        # A tooltip-like window, so it shows under the field without taking room in any form.
        self.range_note = QLabel(self, Qt.WindowType.ToolTip)
        self.range_note.setObjectName("rangeNote")
        self.range_note.setStyleSheet(NOTE_STYLE)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_SHOWN_MS)
        self._note_timer.timeout.connect(self.range_note.hide)
        self.lineEdit().textEdited.connect(self._on_text_edited)

    def typed_number(self, text: str) -> Optional[float]:
        return read_number(text)

    def range_problem(self, text: str) -> str:
        """Why the typed text cannot be taken: empty when it is no number yet or a number in range."""
        value = self.typed_number(text)
        low, high = self.minimum(), self.maximum()
        if value is None or low <= value <= high:
            return ""
        # The name may come marked only (a layer setting's title) or already translated: tr() serves both.
        words = {"setting": tr(self.setting), "low": self.textFromValue(low), "high": self.textFromValue(high)}
        if high >= self._no_limit:
            return tr(AT_LEAST, **words)
        if low <= -self._no_limit:
            return tr(AT_MOST, **words)
        return tr(BETWEEN, **words)

    def show_range_note(self, text: str) -> None:
        if not text:
            self.range_note.hide()
            return
        self.range_note.setText(text)
        self.range_note.adjustSize()
        self.range_note.move(self.mapToGlobal(QPoint(0, self.height())))
        self.range_note.show()
        self._note_timer.start()

    def _on_text_edited(self, text: str) -> None:
        self.show_range_note(self.range_problem(text))

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        problem = self.range_problem(self.lineEdit().text())
        super().focusOutEvent(event)  # puts the last good value back
        self.show_range_note(problem)  # and this says why, where the student is looking

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        self.range_note.hide()
        super().hideEvent(event)


class NumberBox(_SaysWhyOutOfRange, QDoubleSpinBox):
    """A box for a real number that reads and shows it as a person writes it (0.001, 1e-07, "0,5" typed).

    While typing, a number on its way ("1e-") or outside the range is neither accepted nor refused
    (Qt puts the last good value back if the box is left like that, and a note says why); anything else
    cannot be typed. `step` is what the arrows add (None: one unit of the last shown digit); `ladder` makes
    them walk 1-2-5 instead, as people choose learning rates. Only positive ranges can use the ladder.
    `setting` names the value in the note ("The learning rate")."""

    def __init__(self, minimum: float = -REAL_LIMIT, maximum: float = REAL_LIMIT, *,
                 step: Optional[float] = None, ladder: bool = False, setting: str = THIS_VALUE,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._add_range_note(setting)
        # Many decimals so tiny values such as epsilon survive; the text shows only what matters.
        self.setDecimals(12)
        self.setRange(minimum, maximum)
        self.ladder = ladder
        if step:
            self.setSingleStep(step)
        else:
            self.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        value = read_number(text)
        return self.value() if value is None else value

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        value = read_number(text)
        if value is None:
            partial = _PARTIAL_NUMBER.match(text.strip().replace(",", "."))
            return (QValidator.State.Intermediate if partial else QValidator.State.Invalid), text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt's name
        if not self.ladder or self.value() <= 0:
            super().stepBy(steps)
            return
        value = self.value()
        for _ in range(abs(steps)):
            value = next_1_2_5(value, up=steps > 0)
        self.setValue(min(max(value, self.minimum()), self.maximum()))


class WholeNumberBox(_SaysWhyOutOfRange, QSpinBox):
    """A box for a whole number such as a count of units; shows thousands apart (100,000) so zeros are easy
    to count, speeds up when an arrow is held, and keeps within what Qt can hold."""

    _no_limit = INT_LIMIT

    def __init__(self, minimum: Optional[int] = None, maximum: Optional[int] = None,
                 parent: Optional[QWidget] = None, setting: str = THIS_VALUE) -> None:
        super().__init__(parent)
        self._add_range_note(setting)
        low = -INT_LIMIT if minimum is None else max(int(minimum), -INT_LIMIT)
        high = INT_LIMIT if maximum is None else min(int(maximum), INT_LIMIT)
        self.setRange(low, high)
        self.setGroupSeparatorShown(True)
        self.setAccelerated(True)

    def typed_number(self, text: str) -> Optional[float]:
        # Thousands separators (",", ".", a space, depending on the language) are not part of the number.
        digits = re.sub(r"[^0-9+-]", "", text)
        return float(digits) if re.fullmatch(r"[-+]?\d+", digits) else None
