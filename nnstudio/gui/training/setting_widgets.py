"""Small editors of the training form: number boxes, the learning-rate box, the device list that finds a GPU late."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox, QWidget

from ...core.settings import TrainingSettings


def whole_number_box(low: int, high: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setKeyboardTracking(False)  # one change when typing is done, not one per digit
    return box


def fraction_box(low: float, high: float, step: float, decimals: int = 3) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    box.setKeyboardTracking(False)
    return box


class LearningRateBox(QDoubleSpinBox):
    """A learning-rate field that steps 0.001 → 0.002 → 0.005 → 0.01 (the 1-2-5 steps people use) and shows 1e-05."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setDecimals(8)
        self.setRange(1e-6, 10.0)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        return f"{value:g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, position: int):  # noqa: D102 - Qt's name
        from PySide6.QtGui import QValidator

        stripped = text.strip().replace(",", ".")
        if stripped in ("", ".", "-", "e", "1e", "1e-"):
            return QValidator.State.Intermediate, text, position
        try:
            value = float(stripped)
        except ValueError:
            partial = all(c in "0123456789.eE-+" for c in stripped)
            return (QValidator.State.Intermediate if partial else QValidator.State.Invalid), text, position
        state = QValidator.State.Acceptable if 1e-6 <= value <= 10 else QValidator.State.Intermediate
        return state, text, position

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt's name
        value = self.value()
        for _ in range(abs(steps)):
            value = _next_step(value, up=steps > 0)
        self.setValue(min(max(value, self.minimum()), self.maximum()))


def _next_step(value: float, up: bool) -> float:
    """The next value on the 1-2-5 ladder above or below `value`."""
    exponent = math.floor(math.log10(value))
    ladder = [m * 10.0 ** e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
    if up:
        return next(v for v in ladder if v > value * (1 + 1e-9))
    return next(v for v in reversed(ladder) if v < value * (1 - 1e-9))


class DeviceCombo(QComboBox):
    """Looks for a GPU only when the list is opened, so the window never waits for torch at start."""

    def __init__(self, before_popup: Callable[[], None]) -> None:
        super().__init__()
        self._before_popup = before_popup

    def showPopup(self) -> None:  # noqa: N802 - Qt's name
        self._before_popup()
        super().showPopup()


def get_setting(settings: TrainingSettings, key: str) -> Any:
    """A setting by its dotted key ("early_stopping.patience")."""
    target: Any = settings
    for part in key.split("."):
        target = getattr(target, part)
    return target


def set_setting(settings: TrainingSettings, key: str, value: Any) -> None:
    """Change a setting given by its dotted key."""
    *path, last = key.split(".")
    target: Any = settings
    for part in path:
        target = getattr(target, part)
    setattr(target, last, value)


__all__ = ["DeviceCombo", "LearningRateBox", "fraction_box", "get_setting", "set_setting", "whole_number_box"]
