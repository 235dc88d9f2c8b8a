"""Puts Keep-and-share into the main window: File menu actions, the Code panel, .nnzip drops and autosave."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox

from ...core.autosave import Recovery, discard_recovery, load_recovery
from ...core.project import ProjectError
from .autosave import Autosaver
from .bundle_actions import BUNDLE_EXTENSION, BundleActions
from .code_view import CodeView

log = logging.getLogger(__name__)

STATUS_TIMEOUT_MS = 6000
RESTORE, DISCARD, LATER = "restore", "discard", "later"


def _dropped_bundles(mime) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(BUNDLE_EXTENSION)]


def _find_menu(window: QMainWindow, title: str) -> Optional[QMenu]:
    """A menu of the menu bar by its title without the '&' ("File")."""
    for action in window.menuBar().actions():
        menu = action.menu()
        if menu is not None and menu.title().replace("&", "") == title:
            return menu
    return None


class Sharing(QObject):
    """Everything install_sharing adds to one window; kept as `window.sharing` so tests and hooks find it."""

    exported = Signal(str)  # a format was exported (safetensors, torchscript, onnx, python)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.bundles = BundleActions(window)
        self.export_dialog: Optional[Any] = None   # built on first use (ExportDialog)

        self.export_action = QAction("&Export…", window)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setStatusTip("Export the network as safetensors, TorchScript, ONNX or Python code")
        self.export_action.triggered.connect(lambda checked=False: self.show_export_dialog())

        self.code_view = CodeView(self.document, window)
        self.code_dock = QDockWidget("Code", window)
        self.code_dock.setObjectName("codeDock")
        self.code_dock.setWidget(self.code_view)
        self.code_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                   | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                                   | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.code_dock.visibilityChanged.connect(self.code_view.shown_changed)

        self.autosaver = Autosaver(self.document, parent=self)
        self.autosaver.watch_window(window)

    # ------------------------------------------------------------ into the window
    def install(self) -> None:
        window = self.window
        file_menu = _find_menu(window, "File")
        if file_menu is not None:
            # Before the separator above Quit (the last item), so Quit stays last.
            actions = file_menu.actions()
            before = actions[-2] if len(actions) >= 2 and actions[-2].isSeparator() else None
            for action in (self.bundles.save_bundle_action, None, self.export_action,
                           self.bundles.save_weights_action, self.bundles.load_weights_action):
                if action is None:
                    file_menu.insertSeparator(before) if before is not None else file_menu.addSeparator()
                elif before is not None:
                    file_menu.insertAction(before, action)
                else:
                    file_menu.addAction(action)
        else:
            log.warning("the window has no File menu: the sharing actions are only in window.sharing")

        # The code under the drawing, a tab beside the model summary: wide enough for whole lines of code,
        # and the right-hand column (Inspector, Data, Training) keeps room for its tab titles.
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.code_dock)
        neighbour = getattr(window, "summary_dock", None) or getattr(window, "inspector_dock", None)
        if isinstance(neighbour, QDockWidget):
            window.tabifyDockWidget(neighbour, self.code_dock)
            neighbour.raise_()  # the summary stays in front while editing, as the window arranged it
        view_menu = _find_menu(window, "View")
        panels = next((a.menu() for a in view_menu.actions()
                       if a.menu() is not None and a.menu().title().replace("&", "") == "Panels"), None) \
            if view_menu is not None else None
        if panels is not None:
            panels.addAction(self.code_dock.toggleViewAction())

        for source in (self.bundles.message, self.autosaver.failed):
            source.connect(self.show_status)
        # .nnzip files dropped on the window (the window itself accepts .nnstudio only).
        window.installEventFilter(self)

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
        when = datetime.fromtimestamp(recovery.saved_at).strftime("%d %B %Y, %H:%M")
        box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work",
                          f"NN Studio closed unexpectedly. Restore your unsaved work from {when} "
                          f"({recovery.title})?", parent=self.window)
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
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
            files.show_error("Could not restore the unsaved work", str(exc))
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
        self.show_status(f"Restored your unsaved work on {recovery.title}")
        return True


def install_sharing(window: QMainWindow) -> None:
    """Add File → Export…, Save with Trained Weights…, .nnzip opening, Save/Load Weights…, the Code panel and
    autosave to the main window. Calling it twice does nothing the second time."""
    if isinstance(getattr(window, "sharing", None), Sharing):
        return
    sharing = Sharing(window)
    window.sharing = sharing
    sharing.install()


def offer_recovery(window: QMainWindow) -> None:
    """After the window is shown: if an earlier NN Studio left unsaved work behind, offer to restore it."""
    install_sharing(window)
    window.sharing.offer_recovery()
