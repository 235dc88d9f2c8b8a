"""Export runs to TensorBoard: ask a folder, write the chosen runs, and show the command that opens them."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.i18n import N_, ntr, tr
from ...core.runs import RunRecord
from ..contributions import FILE_EXPORT, Contribution, Entries
from ..editing.document import Document
from ..widgets import file_dialogs
from ..widgets.wrap_text import wrappable

EXPORT_TEXT = N_("Export runs to TensorBoard…")   # the Runs panel's button and the File menu entry


class TensorBoardMessage(QDialog):
    """Where the runs went and the exact command to open them: selectable, with a Copy command button."""

    def __init__(self, folders: Sequence[Path], log_root: Path, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        from ...engine.tensorboard_log import install_hint, tensorboard_command  # noqa: PLC0415 - torch

        self.setObjectName("tensorBoardMessage")
        self.setWindowTitle(tr("Runs exported to TensorBoard"))
        self.command = tensorboard_command(log_root)
        layout = QVBoxLayout(self)
        self.summary = QLabel(ntr("{n} run was written to {folder}.", "{n} runs were written to {folder}.",
                                  len(folders), folder=wrappable(str(log_root))))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel(tr("Open them in TensorBoard with this command:")))
        row = QHBoxLayout()
        # A read-only line: the whole command can be selected and copied, and a long path scrolls inside it.
        self.command_field = QLineEdit(self.command)
        self.command_field.setObjectName("tensorBoardCommand")
        self.command_field.setReadOnly(True)
        self.command_field.setMinimumWidth(min(720, self.command_field.fontMetrics().horizontalAdvance(
            self.command) + 24))
        row.addWidget(self.command_field, 1)
        self.copy_button = QPushButton(tr("Copy command"))
        self.copy_button.setObjectName("copyTensorBoardCommand")
        self.copy_button.clicked.connect(self.copy_command)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.hint = QLabel(install_hint())
        self.hint.setWordWrap(True)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.command)
        self.copy_button.setText(tr("Copied"))


class TensorBoardExport:
    """Writes a project's finished runs as TensorBoard logs in a folder the student picks."""

    def __init__(self, document: Document, parent: QWidget) -> None:
        self.document = document
        self.parent = parent
        self.message: Optional[QWidget] = None   # the last message shown (kept so that it stays open)

    def ask_folder(self) -> Optional[Path]:
        """The folder to write the logs in (a `run_...` folder per run goes inside); None on cancel. Tests
        replace this."""
        project_path = self.document.project.path
        return file_dialogs.ask_folder(self.parent, tr("Folder for the TensorBoard logs"), file_dialogs.EXPORTS,
                                       near=project_path.parent if project_path is not None else None)

    def export(self, numbers: Sequence[int] = ()) -> Optional[QWidget]:
        """Export the runs numbered `numbers` (1 = the first run), or all of them; returns the message shown."""
        runs = self.document.project.runs
        chosen = [n for n in numbers if 0 < n <= len(runs)] or list(range(1, len(runs) + 1))
        if not chosen:
            return self._show(QMessageBox(QMessageBox.Icon.Information, tr("Export runs to TensorBoard"),
                                          tr("There are no runs to export yet: train the network first."),
                                          parent=self.parent))
        folder = self.ask_folder()
        if folder is None:
            return None
        from ...engine.tensorboard_log import export_runs  # noqa: PLC0415 - the engine brings torch

        records = [RunRecord.from_dict(runs[n - 1]) for n in sorted(chosen)]
        try:
            folders = export_runs(records, folder, self.document.project)
        except OSError as exc:
            return self._show(QMessageBox(QMessageBox.Icon.Warning, tr("Export runs to TensorBoard"),
                                          tr("The runs could not be written to {folder}: {reason}", folder=str(folder),
                                             reason=exc.strerror or str(exc)), parent=self.parent))
        return self._show(TensorBoardMessage(folders, folder, self.parent))

    def _show(self, message: QWidget) -> QWidget:
        # open(): window-modal without blocking, so the command stays readable (and copyable) while the student
        # goes to a terminal, and a test can read it.
        if self.message is not None:
            self.message.close()
        self.message = message
        message.open()
        return message


def export_action(window: QMainWindow) -> QAction:
    """File → Export runs to TensorBoard…: the Runs panel's export (its selected runs, or all)."""
    action = QAction(tr(EXPORT_TEXT), window)
    action.setObjectName("exportTensorBoardAction")
    action.setStatusTip(tr("Write the project's runs as TensorBoard logs and show the command that opens them"))
    action.triggered.connect(lambda checked=False: window.runs_panel.export_to_tensorboard())
    return action


class TensorBoardMenu(Contribution):
    """Adds File → Export runs to TensorBoard… beside the other exports (the Runs panel has the same button)."""

    id = "tensorboard"

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.action = export_action(window)

    def menu_actions(self) -> dict[str, Entries]:
        return {FILE_EXPORT: [None, self.action]}


__all__ = ["EXPORT_TEXT", "TensorBoardExport", "TensorBoardMenu", "TensorBoardMessage", "export_action"]
