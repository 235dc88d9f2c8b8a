"""One number box: the field for real and whole numbers in the inspector and for the learning rate."""

from __future__ import annotations

import math
import re
from typing import Optional

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox, QWidget

INT_LIMIT = 2_147_483_647  # QSpinBox holds a C int
REAL_LIMIT = 1e9            # the widest range a real-number box offers when the setting has no bound

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


class NumberBox(QDoubleSpinBox):
    """A box for a real number that reads and shows it as a person writes it (0.001, 1e-07, "0,5" typed).

    While typing, a number on its way ("1e-") or outside the range is neither accepted nor refused
    (Qt puts the last good value back if the box is left like that); anything else cannot be typed.
    `step` is what the arrows add (None: one unit of the last shown digit); `ladder` makes them
    walk 1-2-5 instead, as people choose learning rates. Only positive ranges can use the ladder."""

    def __init__(self, minimum: float = -REAL_LIMIT, maximum: float = REAL_LIMIT, *,
                 step: Optional[float] = None, ladder: bool = False, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
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


class WholeNumberBox(QSpinBox):
    """A box for a whole number such as a count of units; shows thousands apart (100,000) so zeros are easy
    to count, speeds up when an arrow is held, and keeps within what Qt can hold."""

    def __init__(self, minimum: Optional[int] = None, maximum: Optional[int] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        low = -INT_LIMIT if minimum is None else max(int(minimum), -INT_LIMIT)
        high = INT_LIMIT if maximum is None else min(int(maximum), INT_LIMIT)
        self.setRange(low, high)
        self.setGroupSeparatorShown(True)
        self.setAccelerated(True)
