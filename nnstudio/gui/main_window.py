"""The main window: composes palette, canvas, inspector, summary and issues, and wires menus to them."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QWidget

from ..core.project import EXTENSION
from .document import Document
from .file_actions import FileActions
from .icons import app_icon
from .inspector import Inspector
from .issues_panel import IssuesPanel
from .palette import Palette
from .summary_panel import SummaryPanel

STATUS_TIMEOUT_MS = 6000


def _project_urls(mime) -> list[Path]:
    """The project files among dropped URLs."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(EXTENSION)]


class MainWindow(QMainWindow):
    """NN Studio's window. It holds no logic: each part does its job and the window connects them."""

    def __init__(self, document: Optional[Document] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        from .canvas import Canvas  # the canvas package is the heaviest part; import where it is used

        self.setObjectName("mainWindow")
        self._shown_once = False
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self.document = document or Document(parent=self)

        self.canvas = Canvas(self.document, self)
        self.setCentralWidget(self.canvas)
        self.palette_panel = Palette(self)
        self.inspector = Inspector(self.document, self)
        self.summary = SummaryPanel(self.document, self)
        self.issues = IssuesPanel(self.document, self)
        self.file_actions = FileActions(self.document, self)

        self.palette_dock = self._dock("Layers", "paletteDock", self.palette_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", "inspectorDock", self.inspector,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.summary_dock = self._dock("Model summary", "summaryDock", self.summary,
                                       Qt.DockWidgetArea.BottomDockWidgetArea)
        self.issues_dock = self._dock("Issues", "issuesDock", self.issues, Qt.DockWidgetArea.BottomDockWidgetArea)
        # Summary and issues side by side under the canvas: both stay visible while editing.
        self.splitDockWidget(self.summary_dock, self.issues_dock, Qt.Orientation.Horizontal)
        # The side docks run the full height; the bottom docks sit under the canvas only.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [240, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.summary_dock], [230], Qt.Orientation.Vertical)
        self.resizeDocks([self.summary_dock, self.issues_dock], [560, 420], Qt.Orientation.Horizontal)

        self._build_menus()
        self._wire()
        self._update_title()
        self.statusBar().showMessage("Ready", STATUS_TIMEOUT_MS)
        self.resize(1400, 900)

    # ------------------------------------------------------------ composition
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _canvas_action(self, text: str, methods: str, shortcut=None, tip: str = "") -> QAction:
        """An action that calls the first canvas method named in `methods` (space-separated) that exists;
        disabled if this canvas offers none of them."""
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        found = [getattr(self.canvas, name) for name in methods.split() if hasattr(self.canvas, name)]
        target: Optional[Callable] = found[0] if found else None
        if target is None:
            action.setEnabled(False)
        else:
            action.triggered.connect(lambda checked=False: target())
        return action

    def _build_menus(self) -> None:
        files = self.file_actions
        undo = self.document.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.document.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.undo_action, self.redo_action = undo, redo
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(files.new_action)
        file_menu.addAction(files.open_action)
        file_menu.addMenu(files.examples_menu)
        file_menu.addMenu(files.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(files.save_action)
        file_menu.addAction(files.save_as_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        self.cut_action = self._canvas_action("Cu&t", "cut_selection", QKeySequence.StandardKey.Cut)
        self.copy_action = self._canvas_action("&Copy", "copy_selection", QKeySequence.StandardKey.Copy)
        self.paste_action = self._canvas_action("&Paste", "paste_from_clipboard paste paste_selection",
                                                QKeySequence.StandardKey.Paste)
        self.duplicate_action = self._canvas_action("&Duplicate", "duplicate_selection", "Ctrl+D")
        self.delete_action = self._canvas_action("De&lete", "delete_selection", QKeySequence.StandardKey.Delete)
        self.select_all_action = self._canvas_action("Select &All", "select_all", QKeySequence.StandardKey.SelectAll)
        for action in (self.cut_action, self.copy_action, self.paste_action, self.duplicate_action,
                       self.delete_action):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.select_all_action)

        view_menu = self.menuBar().addMenu("&View")
        self.zoom_in_action = self._canvas_action("Zoom &In", "zoom_in", QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_action = self._canvas_action("Zoom &Out", "zoom_out", QKeySequence.StandardKey.ZoomOut)
        self.fit_action = self._canvas_action("&Fit to Window", "fit_to_view", "Ctrl+0",
                                              "Zoom so the whole network fits")
        self.layout_action = self._canvas_action("&Auto-layout", "auto_layout", "Ctrl+L",
                                                 "Arrange the layers left to right by depth")
        self.grid_action = QAction("Show &Grid", self, checkable=True, checked=True)
        if hasattr(self.canvas, "set_grid_visible"):
            self.grid_action.toggled.connect(self.canvas.set_grid_visible)
        else:
            self.grid_action.setEnabled(False)
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.grid_action)
        view_menu.addAction(self.layout_action)
        view_menu.addSeparator()
        panels: QMenu = view_menu.addMenu("&Panels")
        for dock in (self.palette_dock, self.inspector_dock, self.summary_dock, self.issues_dock):
            panels.addAction(dock.toggleViewAction())

        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (files.new_action, files.open_action, files.save_action, None, undo, redo, None,
                       self.delete_action, None, self.zoom_in_action, self.zoom_out_action, self.fit_action,
                       self.layout_action):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _wire(self) -> None:
        document = self.document
        document.dirty_changed.connect(self.setWindowModified)
        document.path_changed.connect(self._update_title)
        document.edit_refused.connect(lambda text: self.statusBar().showMessage(text, STATUS_TIMEOUT_MS))
        self.file_actions.message.connect(lambda text: self.statusBar().showMessage(text, STATUS_TIMEOUT_MS))
        if hasattr(self.canvas, "message"):
            self.canvas.message.connect(lambda text: self.statusBar().showMessage(text, STATUS_TIMEOUT_MS))
        self.palette_panel.layer_requested.connect(self.append_layer)
        self.issues.node_activated.connect(self.show_node)
        self.summary.node_clicked.connect(self.show_node)
        self.issues.title_changed.connect(self.issues_dock.setWindowTitle)
        self.issues.refresh()  # the dock title follows the first analysis too
        document.project_replaced.connect(self._after_project_replaced)

    # ------------------------------------------------------------ slots that only pass things along
    def append_layer(self, type_name: str) -> None:
        if hasattr(self.canvas, "append_layer"):
            self.canvas.append_layer(type_name)

    def show_node(self, node_id: str) -> None:
        self.document.select([node_id])
        if hasattr(self.canvas, "center_on_node"):
            self.canvas.center_on_node(node_id)

    def _after_project_replaced(self) -> None:
        if hasattr(self.canvas, "fit_to_view"):
            self.canvas.fit_to_view()

    def _update_title(self) -> None:
        self.setWindowTitle(self.file_actions.window_title())
        self.setWindowModified(self.document.is_dirty)

    # ------------------------------------------------------------ Qt events
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # Fit once the docks have their real sizes; before the first show the canvas has none.
            self._after_project_replaced()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.file_actions.maybe_save():
            event.accept()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if _project_urls(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        paths = _project_urls(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.file_actions.open_path(paths[0])
        else:
            event.ignore()

    def open_path(self, path: Path) -> bool:
        return self.file_actions.open_path(path)
