"""Small editors of the training form: number boxes, the learning rate's 1-2-5 box, a device list that looks late."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from ...core.settings import TrainingSettings
from ..widgets.number_box import NumberBox
from ..widgets.wheel_guard import wheel_only_when_focused


def whole_number_box(low: int, high: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setKeyboardTracking(False)  # one change when typing is done, not one per digit
    wheel_only_when_focused(box)
    return box


def fraction_box(low: float, high: float, step: float, decimals: int = 3) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    box.setKeyboardTracking(False)
    wheel_only_when_focused(box)
    return box


def learning_rate_box() -> NumberBox:
    """The learning-rate field: the arrows step 0.001 → 0.002 → 0.005 → 0.01 (the 1-2-5 steps people use)."""
    box = NumberBox(1e-6, 10.0, ladder=True, setting="The learning rate")
    box.setKeyboardTracking(False)  # one change when typing is done, not one per digit
    wheel_only_when_focused(box)
    return box


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


__all__ = ["DeviceCombo", "learning_rate_box", "fraction_box", "get_setting", "set_setting", "whole_number_box"]
