"""The Training panel's "Files during training" group: checkpoint files and TensorBoard logs, each an undo step."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ...core.i18n import N_, tr
from ...core.run_folders import (
    TENSORBOARD_DEFAULT,
    checkpoint_folder,
    project_folder,
    relative_to_project,
    tensorboard_command,
    tensorboard_folder,
)
from ...core.settings import SettingsError, TrainingSettings
from ..editing.commands import SetProjectSettings
from ..editing.document import Document
from ..widgets.file_dialogs import EXPORTS, ask_folder
from .setting_widgets import get_setting, set_setting, whole_number_box

# What each setting is called in its undo step ("Undo change checkpoint folder"); marked here, shown with tr().
SETTING_NAMES = {
    "checkpoints.enabled": N_("checkpoint files"),
    "checkpoints.every_epochs": N_("checkpoint every N epochs"),
    "checkpoints.when_improves": N_("a checkpoint when the watched number improves"),
    "checkpoints.keep": N_("checkpoints to keep"),
    "checkpoints.folder": N_("the checkpoint folder"),
    "tensorboard.enabled": N_("TensorBoard logs"),
    "tensorboard.folder": N_("the TensorBoard folder"),
}


class CommandView(QPlainTextEdit):
    """A command to copy: selectable, not editable, wrapped anywhere (a long path has no spaces) and as tall as
    its lines, so the whole command is seen in a narrow dock."""

    def __init__(self) -> None:
        super().__init__()
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self._fit_height()

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 - the name QLineEdit and QLabel use
        self.setPlainText(text)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self, *args) -> None:
        lines = max(1, int(self.document().size().height()))   # a plain text document counts lines
        margins = self.contentsMargins()
        height = lines * self.fontMetrics().lineSpacing() + 2 * int(self.document().documentMargin())
        self.setFixedHeight(height + margins.top() + margins.bottom())


class RunFilesBox(QGroupBox):
    """Switches, counts and folders for the files a run writes; it edits the project's training settings."""

    def __init__(self, document: Document, parent: Optional[QWidget] = None) -> None:
        super().__init__(tr("Files during training"), parent)
        self.setObjectName("runFilesBox")
        self.document = document
        self._filling = False
        self._editors: dict[str, QWidget] = {}
        form = QFormLayout(self)

        self.checkpoints_check = QCheckBox(tr("Write checkpoint files"))
        self._connect("checkpoints.enabled", self.checkpoints_check, "toggled", self.checkpoints_check.isChecked,
                      tr("Save the network to a file while it trains, so a long run that crashes or is stopped can "
                         "be opened again from its last checkpoint."))
        form.addRow(self.checkpoints_check)
        self.every_box = whole_number_box(0, 1_000_000)
        self.every_box.setSpecialValueText(tr("off"))
        self._connect("checkpoints.every_epochs", self.every_box, "valueChanged", self.every_box.value,
                      tr("Write epoch-0012.nnzip and so on every this many epochs (off: only when it improves)."))
        form.addRow(tr("Every N epochs"), self.every_box)
        self.improves_check = QCheckBox(tr("When the watched number improves"))
        self._connect("checkpoints.when_improves", self.improves_check, "toggled", self.improves_check.isChecked,
                      tr("Write best.nnzip each time the number chosen under Watch (early stopping) is the best "
                         "so far."))
        form.addRow(self.improves_check)
        self.keep_box = whole_number_box(1, 1_000_000)
        self._connect("checkpoints.keep", self.keep_box, "valueChanged", self.keep_box.value,
                      tr("Older epoch files are removed so only this many stay; best.nnzip is always kept."))
        form.addRow(tr("Keep the last"), self.keep_box)
        self.checkpoint_folder_edit, row = self._folder_row("checkpoints.folder", self._choose_checkpoint_folder)
        form.addRow(tr("Folder"), row)

        self.tensorboard_check = QCheckBox(tr("Write TensorBoard logs"))
        self._connect("tensorboard.enabled", self.tensorboard_check, "toggled", self.tensorboard_check.isChecked,
                      tr("Write each run's losses, metrics and weights as TensorBoard files, one folder per run."))
        form.addRow(self.tensorboard_check)
        self.tensorboard_folder_edit, row = self._folder_row("tensorboard.folder", self._choose_tensorboard_folder)
        form.addRow(tr("Log folder"), row)
        caption = QLabel(tr("Open the logs with this command:"))
        copy = QPushButton(tr("Copy"))
        copy.setObjectName("tensorboardCommandCopy")
        copy.clicked.connect(self.copy_command)
        caption_row = QHBoxLayout()
        caption_row.setContentsMargins(0, 0, 0, 0)
        caption_row.addWidget(caption, 1)
        caption_row.addWidget(copy)
        form.addRow(caption_row)
        self.command_edit = CommandView()
        self.command_edit.setObjectName("tensorboardCommand")
        self.command_edit.setToolTip(tr("Run this command in a terminal, then open the address it prints."))
        form.addRow(self.command_edit)
        self.hint = QLabel("")
        self.hint.setObjectName("runFilesHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #b3261e;")
        self.hint.setVisible(False)
        form.addRow(self.hint)

        document.settings_changed.connect(self._settings_changed)
        document.project_replaced.connect(self.refresh)
        document.path_changed.connect(self.refresh)   # the default folders sit beside the project's file
        document.edit_lock_changed.connect(self._lock_changed)
        self.refresh()

    # ------------------------------------------------------------ building
    def _connect(self, key: str, editor: QWidget, signal_name: str, value_of: Callable[[], Any], tip: str) -> None:
        editor.setObjectName(f"training_{key}")
        editor.setToolTip(tip)
        if isinstance(editor, QSpinBox):
            editor.setMinimumWidth(80)
            editor.setMaximumWidth(170)
        self._editors[key] = editor
        getattr(editor, signal_name).connect(lambda *args, k=key: self._edited(k, value_of()))

    def _folder_row(self, key: str, choose: Callable[[], None]) -> tuple[QLineEdit, QWidget]:
        edit = QLineEdit()
        edit.setObjectName(f"training_{key}")
        edit.setToolTip(tr("A folder relative to the project's folder, or a whole path. Empty: beside the project."))
        edit.editingFinished.connect(lambda: self._edited(key, edit.text().strip()))
        self._editors[key] = edit
        button = QPushButton(tr("Choose…"))
        button.setObjectName(f"training_{key}_choose")
        button.clicked.connect(choose)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        row.addWidget(button)
        holder = QWidget()
        holder.setLayout(row)
        return edit, holder

    # ------------------------------------------------------------ folders (tests replace the ask_ methods)
    def ask_checkpoint_folder(self) -> Optional[Path]:
        return ask_folder(self, tr("Folder for checkpoint files"), EXPORTS, near=project_folder(self.document.project))

    def ask_tensorboard_folder(self) -> Optional[Path]:
        return ask_folder(self, tr("Folder for TensorBoard logs"), EXPORTS, near=project_folder(self.document.project))

    def _choose_checkpoint_folder(self) -> None:
        chosen = self.ask_checkpoint_folder()
        if chosen is not None:
            self._edited("checkpoints.folder", relative_to_project(self.document.project, chosen))

    def _choose_tensorboard_folder(self) -> None:
        chosen = self.ask_tensorboard_folder()
        if chosen is not None:
            self._edited("tensorboard.folder", relative_to_project(self.document.project, chosen))

    def copy_command(self) -> None:
        QApplication.clipboard().setText(self.command_edit.text())

    # ------------------------------------------------------------ settings in and out
    def _edited(self, key: str, value: Any) -> None:
        if self._filling:
            return
        settings = TrainingSettings.from_dict(self.document.project.training.to_dict())
        if get_setting(settings, key) == value:
            return
        set_setting(settings, key, value)
        if key == "checkpoints.enabled" and value and not settings.checkpoints.every_epochs \
                and not settings.checkpoints.when_improves:
            settings.checkpoints.every_epochs = 1   # switched on: it must write something
        try:
            settings.validate()
        except SettingsError as exc:
            self.show_hint(str(exc))
            self.refresh()
            return
        self.show_hint("")
        text = tr("Change {setting}", setting=tr(SETTING_NAMES[key]))
        if not self.document.push(SetProjectSettings(self.document, "training", settings, text)):
            self.refresh()  # refused (training runs): show the settings as they are

    def show_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    def _settings_changed(self, part: str) -> None:
        if part == "training":
            self.refresh()

    def _lock_changed(self, locked: bool) -> None:
        for editor in self._editors.values():
            editor.setEnabled(not locked)
        if not locked:
            self._enable_rows()

    def refresh(self) -> None:
        """Show the project's settings (after a load, an edit, undo or redo) and the folders they mean."""
        project = self.document.project
        settings = project.training
        self._filling = True
        try:
            for key, editor in self._editors.items():
                value = get_setting(settings, key)
                if isinstance(editor, QCheckBox):
                    editor.setChecked(bool(value))
                elif isinstance(editor, QSpinBox):
                    editor.setValue(value)
                elif isinstance(editor, QLineEdit):
                    editor.setText(str(value))
        finally:
            self._filling = False
        # The folder names used when the field is empty (a file name, not words to translate).
        name = project.path.stem if project.path is not None else "project"
        self.checkpoint_folder_edit.setPlaceholderText(f"{name}-checkpoints")
        self.tensorboard_folder_edit.setPlaceholderText(TENSORBOARD_DEFAULT)
        logs = tensorboard_folder(project)
        self.command_edit.setText(tensorboard_command(logs) if logs is not None
                                  else tr("Save the project first: the logs go beside it."))
        folder = checkpoint_folder(project)
        self.checkpoint_folder_edit.setToolTip(str(folder) if folder is not None else
                                               tr("Save the project first, or choose a folder."))
        if not self.document.edit_lock_reason:
            self._enable_rows()

    def _enable_rows(self) -> None:
        """The details of a switched-off part are greyed out, like the early-stopping rows."""
        settings = self.document.project.training
        for key in ("checkpoints.every_epochs", "checkpoints.when_improves", "checkpoints.keep", "checkpoints.folder"):
            self._editors[key].setEnabled(settings.checkpoints.enabled)
        self._editors["tensorboard.folder"].setEnabled(settings.tensorboard.enabled)


__all__ = ["RunFilesBox"]
