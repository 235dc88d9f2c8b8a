"""The Data panel's 'Split and scaling' box: validation and test shares, split seed, stratify and scaling."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from ...core.i18n import N_, tr
from ...core.settings import SCALINGS, DataSettings
from ..widgets.wheel_guard import wheel_only_when_focused

# The texts below are marked with N_ (defined before a language is chosen) and shown with tr().
SCALING_TITLES = {"standardize": N_("Standardise"), "pixels": N_("Pixels (÷ 255)"), "none": N_("None")}
ERROR_STYLE = "color: #b00020;"
# How the note about a changed scaling names each one, inside its sentence.
SCALING_WORDS = {"standardize": N_("standardise"), "pixels": N_("pixels ÷ 255"),
                 "none": N_("none (the values as they are)")}
SCALING_CHANGED = N_("Scaling set to {scaling} for this dataset (it was {previous}).")
# How many rows each part gets, as the student reads it under the split.
SPLIT_SIZES = N_("Rows: {train} for training, {validation} for validation, {test} for the test.")
SPLIT_SIZES_TEST_FILES = N_("Rows: {train} for training, {validation} for validation, {test} for the test: the "
                            "standard test files are the test set, so the Test share is not used.")
SPLIT_SAME_ROWS = N_("All {rows} rows are used for training, validation and the test alike.")
TEST_TIP = N_("Share of rows the network never sees until the final test")
TEST_FILES_TIP = N_("The standard test files are the test set: no share of the training files is kept for the "
                    "test")


def scaling_title(key: str) -> str:
    """A scaling as the Data panel's list names it ("Standardise"): every other text that names one uses this."""
    return tr(SCALING_TITLES[key]) if key in SCALING_TITLES else key


def _scaling_word(key: str) -> str:
    """A scaling as the note names it inside its sentence, in the current language."""
    return tr(SCALING_WORDS[key]) if key in SCALING_WORDS else key


def _fraction_spin(name: str, parent: QWidget, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setObjectName(name)
    spin.setRange(0.0, 0.9)
    spin.setSingleStep(0.05)
    spin.setDecimals(2)
    spin.setKeyboardTracking(False)  # one undo step per typed value, not one per keystroke
    spin.setToolTip(tip)
    return spin


class SplitBox(QGroupBox):
    """Shows a project's split and scaling; `edited` says the student changed one of them."""

    edited = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(tr("Split and scaling"), parent)
        self._showing = False  # set while the box shows the project's settings: those are not edits
        form = QFormLayout(self)
        self.validation_spin = _fraction_spin("validationFraction", self,
                                              tr("Share of rows kept aside to watch for overfitting"))
        self.test_spin = _fraction_spin("testFraction", self, tr(TEST_TIP))
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setObjectName("splitSeed")
        self.seed_spin.setRange(0, 2_147_483_647)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setToolTip(tr("The same seed gives the same split every time"))
        self.stratify_check = QCheckBox(tr("Stratify (same class mix in each part)"), self)
        self.stratify_check.setObjectName("stratify")
        self.stratify_check.setToolTip(tr("Keep the class proportions in every part: training, validation and test"))
        self.scaling_combo = QComboBox(self)
        self.scaling_combo.setObjectName("scaling")
        for key, description in SCALINGS.items():
            self.scaling_combo.addItem(tr(SCALING_TITLES[key]) if key in SCALING_TITLES else key, key)
            self.scaling_combo.setItemData(self.scaling_combo.count() - 1, tr(description),
                                           Qt.ItemDataRole.ToolTipRole)
        self.scaling_description = QLabel(self)
        self.scaling_description.setObjectName("scalingDescription")
        self.scaling_description.setWordWrap(True)
        form.addRow(tr("Validation"), self.validation_spin)
        form.addRow(tr("Test"), self.test_spin)
        form.addRow(tr("Split seed"), self.seed_spin)
        self.split_sizes = QLabel(self)
        self.split_sizes.setObjectName("splitSizes")
        self.split_sizes.setWordWrap(True)
        self.split_sizes.hide()
        form.addRow(self.split_sizes)
        form.addRow(self.stratify_check)
        form.addRow(tr("Scaling"), self.scaling_combo)
        form.addRow(self.scaling_description)
        # Says when choosing a dataset changed the scaling, so the change is never silent.
        self.scaling_note = QLabel(self)
        self.scaling_note.setObjectName("scalingNote")
        self.scaling_note.setWordWrap(True)
        self.scaling_note.hide()
        form.addRow(self.scaling_note)
        self.settings_error = QLabel(self)
        self.settings_error.setObjectName("dataSettingsError")
        self.settings_error.setStyleSheet(ERROR_STYLE)
        self.settings_error.setWordWrap(True)
        self.settings_error.hide()
        form.addRow(self.settings_error)
        wheel_only_when_focused(self.validation_spin, self.test_spin, self.seed_spin, self.scaling_combo)
        for signal in (self.validation_spin.valueChanged, self.test_spin.valueChanged, self.seed_spin.valueChanged,
                       self.stratify_check.toggled, self.scaling_combo.currentIndexChanged):
            signal.connect(self._on_edited)

    def show_settings(self, settings: DataSettings) -> None:
        self._showing = True
        try:
            self.validation_spin.setValue(settings.validation_fraction)
            self.test_spin.setValue(settings.test_fraction)
            self.seed_spin.setValue(int(settings.split_seed))
            self.stratify_check.setChecked(bool(settings.stratify))
            self.scaling_combo.setCurrentIndex(max(self.scaling_combo.findData(settings.scaling), 0))
            self.scaling_description.setText(tr(SCALINGS[settings.scaling]) if settings.scaling in SCALINGS else "")
        finally:
            self._showing = False

    def settings_from(self, current: DataSettings) -> DataSettings:
        """`current` with the split and scaling the box shows (not yet checked)."""
        return dataclasses.replace(
            current, validation_fraction=round(self.validation_spin.value(), 4),
            test_fraction=round(self.test_spin.value(), 4), split_seed=int(self.seed_spin.value()),
            stratify=self.stratify_check.isChecked(), scaling=self.scaling_combo.currentData())

    def show_split(self, sizes: Optional[tuple[int, int, int]], test_files: bool = False,
                   same_rows: bool = False) -> None:
        """Say how many rows each part gets (nothing without data); with test files the Test share is off."""
        self.test_spin.setEnabled(not test_files)
        self.test_spin.setToolTip(tr(TEST_FILES_TIP) if test_files else tr(TEST_TIP))
        if sizes is None:
            text = ""
        elif same_rows:
            text = tr(SPLIT_SAME_ROWS, rows=f"{sizes[0]:,}")
        else:
            train, validation, test = (f"{size:,}" for size in sizes)
            text = tr(SPLIT_SIZES_TEST_FILES if test_files else SPLIT_SIZES, train=train, validation=validation,
                      test=test)
        self.split_sizes.setText(text)
        self.split_sizes.setVisible(bool(text))

    def show_scaling_change(self, before: str, after: str) -> None:
        """One line under the scaling saying the new dataset brought its own; nothing when it did not change."""
        text = "" if before == after else tr(SCALING_CHANGED, scaling=_scaling_word(after),
                                             previous=_scaling_word(before))
        self.scaling_note.setText(text)
        self.scaling_note.setVisible(bool(text))

    def show_error(self, text: str) -> None:
        """A refused change's reason in red under the box; empty text hides it."""
        self.settings_error.setText(text)
        self.settings_error.setVisible(bool(text))

    def _on_edited(self, *_: Any) -> None:
        if not self._showing:
            self.edited.emit()
