"""Keep and share as a contribution to the window: File menu actions, the Code panel, .nnzip drops, autosave."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox

from ...core.autosave import Recovery, discard_recovery, load_recovery
from ...core.i18n import tr
from ...core.project import ProjectError
from ..contributions import FILE, FILE_EXPORT, Contribution, DockSpec, Entries, WindowParts
from .autosave import Autosaver
from .bundle_actions import BUNDLE_EXTENSION, BundleActions
from .code_view import CodeView

STATUS_TIMEOUT_MS = 6000
RESTORE, DISCARD, LATER = "restore", "discard", "later"


def _dropped_bundles(mime) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(BUNDLE_EXTENSION)]


class Sharing(Contribution):
    """Keep and share, as a contribution to the window (`window.sharing`): File menu actions by menu id, the Code
    dock beside the model summary, .nnzip drops and autosave."""

    id = "sharing"
    exported = Signal(str)  # a format was exported (safetensors, torchscript, onnx, python)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.bundles = BundleActions(window)
        self.export_dialog: Optional[Any] = None   # built on first use (ExportDialog)

        self.export_action = QAction(tr("&Export…"), window)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setStatusTip(tr("Export the network as safetensors, TorchScript, ONNX or Python code"))
        self.export_action.triggered.connect(lambda checked=False: self.show_export_dialog())

        self.code_view = CodeView(self.document, window)
        self.code_dock: Optional[QDockWidget] = None   # placed by the window (see installed)
        self.autosaver = Autosaver(self.document, parent=self)
        self.autosaver.watch_window(window)

    # ------------------------------------------------------------ what it adds to the window
    def menu_actions(self) -> dict[str, Entries]:
        return {FILE: [self.bundles.save_bundle_action],
                FILE_EXPORT: [self.export_action, self.bundles.save_weights_action, self.bundles.load_weights_action]}

    def dock_specs(self) -> list[DockSpec]:
        # The code under the drawing, a tab beside the model summary: wide enough for whole lines of code,
        # and the right-hand column (Inspector, Data, Training) keeps room for its tab titles.
        return [DockSpec("code", tr("Code"), self.code_view, Qt.DockWidgetArea.BottomDockWidgetArea, beside="summary")]

    def installed(self, parts: WindowParts) -> None:
        self.code_dock = parts.docks["code"]
        self.code_dock.visibilityChanged.connect(self.code_view.shown_changed)
        for source in (self.bundles.message, self.autosaver.failed):
            source.connect(self.show_status)
        # .nnzip files dropped on the window (the window itself accepts .nnstudio only).
        self.window.installEventFilter(self)

    def show_status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_TIMEOUT_MS)

    def show_code(self) -> None:
        self.code_dock.show()
        self.code_dock.raise_()

    def show_export_dialog(self):
        from .export_dialog import ExportDialog  # noqa: PLC0415

        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.bundles, self.window)
            self.export_dialog.exported.connect(self.exported)
        self.export_dialog.prepare()
        self.export_dialog.open()  # window-modal without blocking: the message stays readable after Export
        return self.export_dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.DragEnter and isinstance(event, QDragEnterEvent):
            if _dropped_bundles(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif event.type() == QEvent.Type.Drop and isinstance(event, QDropEvent):
            bundles = _dropped_bundles(event.mimeData())
            if bundles:
                event.acceptProposedAction()
                self.window.file_actions.open_path(bundles[0])
                return True
        return False

    # ------------------------------------------------------------ recovery after a crash
    def ask_restore(self, recovery: Recovery) -> str:
        """RESTORE, DISCARD or LATER (the dialog was closed): tests replace this."""
        when = datetime.fromtimestamp(recovery.saved_at).strftime(tr("%d %B %Y, %H:%M"))  # the date as the language writes it
        box = QMessageBox(QMessageBox.Icon.Question, tr("Restore unsaved work"),
                          tr("NN Studio closed unexpectedly. Restore your unsaved work from {when} ({title})?",
                             when=when, title=recovery.title), parent=self.window)
        restore = box.addButton(tr("Restore"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(tr("Discard"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("Later"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        return RESTORE if clicked is restore else DISCARD if clicked is discard else LATER

    def offer_recovery(self) -> bool:
        """Offer each recovery file, newest first, until one is restored; True when one was."""
        for recovery in self.autosaver.recoveries_to_offer():
            answer = self.ask_restore(recovery)
            if answer == DISCARD:
                discard_recovery(recovery)
            elif answer == RESTORE:
                if self.restore(recovery):
                    return True
        return False

    def restore(self, recovery: Recovery) -> bool:
        """Open the recovered project as unsaved work under its original name."""
        files = self.window.file_actions
        try:
            project = load_recovery(recovery)
        except ProjectError as exc:
            files.show_error(tr("Could not restore the unsaved work"), str(exc))
            return False
        if not files.maybe_save():
            return False
        files.show_project(project)
        # Not saved anywhere yet: the title shows the modified mark and closing asks to save.
        self.document.mark_changed_outside_undo()
        # This window's own recovery file takes over before the old one goes, so a second crash loses nothing.
        written = self.autosaver.write_now()
        if written is not None and written != recovery.path:
            discard_recovery(recovery)
        self.show_status(tr("Restored your unsaved work on {title}", title=recovery.title))
        return True


def install_sharing(window: QMainWindow) -> Sharing:
    """Add File → Export…, Save with Trained Weights…, .nnzip opening, Save/Load Weights…, the Code panel and
    autosave to the main window. Calling it twice does nothing the second time."""
    return window.sharing or window.install(Sharing(window))


def offer_recovery(window: QMainWindow) -> None:
    """After the window is shown: if an earlier NN Studio left unsaved work behind, offer to restore it."""
    install_sharing(window)
    window.sharing.offer_recovery()
