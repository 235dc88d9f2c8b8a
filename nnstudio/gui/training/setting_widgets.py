"""Small editors of the training form: number boxes, the learning rate's 1-2-5 box, a device list that looks late."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from ...core.i18n import tr
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
    box = NumberBox(1e-6, 10.0, ladder=True, setting=tr("The learning rate"))
    box.setKeyboardTracking(False)  # one change when typing is done, not one per digit
    wheel_only_when_focused(box)
    return box


class DeviceCombo(QComboBox):
    """CPU, plus CUDA when PyTorch sees a GPU. It looks only when the list is opened (or torch is loaded anyway),
    so the window never waits for torch at start; `gpu_found` says an item was added."""

    gpu_found = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.addItem("CPU", "cpu")
        self.looked_for_gpu = False

    def showPopup(self) -> None:  # noqa: N802 - Qt's name
        if self.find_gpu():
            self.gpu_found.emit()
        super().showPopup()

    def find_gpu(self) -> bool:
        """Add the GPU to the list if PyTorch sees one (once); True when an item was added."""
        if self.looked_for_gpu:
            return False
        self.looked_for_gpu = True
        from ...engine.devices import gpu_name  # noqa: PLC0415 - imports torch: only when the list is opened

        name = gpu_name()
        if name is None or self.findData("cuda") >= 0:
            return False
        with QSignalBlocker(self):  # a new item is not the student choosing it
            self.addItem(f"CUDA ({name})", "cuda")
        return True

    def index_for(self, device: str) -> int:
        """The list index of a saved device, added if the list lacks it; a GPU this computer has not says the
        CPU is used (the engine falls back to it) instead of showing a GPU that is not there."""
        index = self.findData(device)
        if index >= 0:
            return index
        if device.startswith("cuda"):
            self.find_gpu()  # imports torch, but only for a project that asks for a GPU
            index = self.findData(device)
            if index >= 0:
                return index
            text = tr("{device} (not available here: the CPU is used)", device=device.upper())
        else:
            text = device.upper()
        with QSignalBlocker(self):
            self.addItem(text, device)
        return self.count() - 1


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
