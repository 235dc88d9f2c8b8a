"""The main window: composes the editor (palette, canvas, inspector) and the training studio, and wires them."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QTabBar,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..core.project import EXTENSION
from .editing.document import Document
from .editing.file_actions import FileActions
from .panels.inspector import Inspector
from .panels.issues_panel import IssuesPanel
from .panels.palette import Palette
from .panels.summary_panel import SummaryPanel
from .training.session import TrainingSession
from .training.training_panel import TrainingPanel
from .widgets.icons import app_icon

log = logging.getLogger(__name__)
STATUS_TIMEOUT_MS = 6000
# Panels built by colleagues: (module in nnstudio.gui, class). Each is optional until its file exists.
DATA_PANEL = ("panels.data_panel", "DataPanel")
EVALUATION_PANEL = ("evaluation.evaluation_panel", "EvaluationPanel")
TRYIT_PANEL = ("evaluation.tryit_panel", "TryItPanel")
WEIGHTS_PANEL = ("evaluation.weights_panel", "WeightsPanel")


def _project_urls(mime) -> list[Path]:
    """The project files among dropped URLs."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(EXTENSION)]


def optional_panel_class(module_name: str, class_name: str) -> Optional[type]:
    """A panel class from nnstudio.gui.<module_name>, or None when that module is not there (yet)."""
    try:
        module = importlib.import_module(f"{__package__}.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.{module_name}":
            return None
        raise
    return getattr(module, class_name, None)


class LazyPanel(QWidget):
    """Stands in for a panel and builds it the first time it is shown, so starting the window imports less."""

    def __init__(self, build: Callable[[QWidget], Optional[QWidget]], missing_text: str,
                 parent: Optional[QWidget] = None, may_build: Callable[[], bool] = lambda: True) -> None:
        super().__init__(parent)
        self._build = build
        self._may_build = may_build
        self._missing_text = missing_text
        self.panel: Optional[QWidget] = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> Optional[QWidget]:
        if self.panel is None and self._build is not None:
            build, self._build = self._build, None
            self.panel = build(self)
            if self.panel is None:
                label = QLabel(self._missing_text)
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                label.setWordWrap(True)
                self.layout().addWidget(label)
            else:
                self.layout().addWidget(self.panel)
        return self.panel

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.panel is None and self._build is not None:
            # Next turn of the event loop, and only if still shown and allowed: panels must not be built (and
            # import numpy or pyqtgraph) before the window's first paint.
            QTimer.singleShot(0, self._build_if_visible)

    def _build_if_visible(self) -> None:
        if self.isVisible() and self._may_build():
            self.ensure_built()


class MainWindow(QMainWindow):
    """NN Studio's window. It holds no logic: each part does its job and the window connects them."""

    def __init__(self, document: Optional[Document] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        from .canvas import Canvas  # the canvas package is the heaviest part; import where it is used

        self.setObjectName("mainWindow")
        self._shown_once = False
        self._painted_once = False
        self.installEventFilter(self)  # until the first paint (see eventFilter)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self.document = document or Document(parent=self)
        self.session = TrainingSession(self.document, self)
        # Data loads (sklearn alone takes half a second) wait until the window has painted once.
        self.session.hold_loading(True)

        self.canvas = Canvas(self.document, self)
        self.palette_panel = Palette(self)
        self.inspector = Inspector(self.document, self)
        self.summary = SummaryPanel(self.document, self)
        self.issues = IssuesPanel(self.document, self)
        self.file_actions = FileActions(self.document, self)
        self.training_panel = TrainingPanel(self.document, self.session, self)

        # The middle of the window: the drawing, the learning curves, and the evaluation, one tab each.
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("centralTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.canvas, "Network")
        painted = self.has_painted
        # Curves and run history are built when first shown (or when training starts): numpy and pyqtgraph
        # would otherwise slow the window's start.
        self.training_view = LazyPanel(self._build_training_view, "", self, painted)
        self.training_view.setObjectName("trainingView")
        self.tabs.addTab(self.training_view, "Training")
        self.evaluate_view = LazyPanel(self._build_evaluation, "The evaluation panels are not available yet.", self,
                                       painted)
        self.tabs.addTab(self.evaluate_view, "Evaluate")
        self.setCentralWidget(self.tabs)
        self.data_view = LazyPanel(lambda holder: self._optional_panel(DATA_PANEL, holder),
                                   "The data panel is not available yet.", self, painted)
        self.weights_view = LazyPanel(lambda holder: self._optional_panel(WEIGHTS_PANEL, holder),
                                      "The weights panel is not available yet.", self, painted)

        self.palette_dock = self._dock("Layers", "paletteDock", self.palette_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", "inspectorDock", self.inspector,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        self.summary_dock = self._dock("Model summary", "summaryDock", self.summary,
                                       Qt.DockWidgetArea.BottomDockWidgetArea)
        self.issues_dock = self._dock("Issues", "issuesDock", self.issues, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.data_dock = self._dock("Data", "dataDock", self.data_view, Qt.DockWidgetArea.RightDockWidgetArea)
        self.training_dock = self._dock("Training", "trainingDock", self.training_panel,
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.weights_dock = self._dock("Weights", "weightsDock", self.weights_view,
                                       Qt.DockWidgetArea.BottomDockWidgetArea)
        # Inspector, Data and Training share the right side as tabs; the inspector is in front while editing.
        self.tabifyDockWidget(self.inspector_dock, self.data_dock)
        self.tabifyDockWidget(self.data_dock, self.training_dock)
        self.inspector_dock.raise_()
        # Summary and issues side by side under the canvas: both stay visible while editing.
        self.splitDockWidget(self.summary_dock, self.issues_dock, Qt.Orientation.Horizontal)
        # Weights share the Issues place; they come to the front while training (edits are locked then anyway).
        self.tabifyDockWidget(self.issues_dock, self.weights_dock)
        self.issues_dock.raise_()
        # The side docks run the full height; the bottom docks sit under the canvas only.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [240, 360], Qt.Orientation.Horizontal)
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
        undo, redo = self._build_undo_redo()
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
        for dock in (self.palette_dock, self.inspector_dock, self.summary_dock, self.issues_dock, self.data_dock,
                     self.training_dock, self.weights_dock):
            panels.addAction(dock.toggleViewAction())

        self.train_action = QAction("Train", self)
        self.train_action.setShortcut(QKeySequence("F5"))
        self.train_action.setStatusTip("Train the network on the project's data (F5)")
        self.train_action.triggered.connect(self.training_panel.train_button.click)
        self.stop_action = QAction("Stop", self)
        self.stop_action.setShortcut(QKeySequence("Shift+F5"))
        self.stop_action.setStatusTip("Stop training after the current batch")
        self.stop_action.triggered.connect(self.training_panel.stop_button.click)

        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (files.new_action, files.open_action, files.save_action, None, undo, redo, None,
                       self.delete_action, None, self.zoom_in_action, self.zoom_out_action, self.fit_action,
                       self.layout_action, None, self.train_action, self.stop_action):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _build_undo_redo(self) -> tuple[QAction, QAction]:
        """Undo and Redo, from the document's undo group: they turn off while training locks the edits."""
        group = self.document.undo_group
        undo = group.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = group.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        # The toolbar says just Undo / Redo (the Edit menu names the step): the group's long, changing texts
        # were squeezed to "Un...gs" on the toolbar.
        undo.setIconText("Undo")
        redo.setIconText("Redo")
        self.undo_action, self.redo_action = undo, redo
        # A disabled action ignores its keys without a word; while locked these shortcuts take the keys and
        # the document refuses the step with its reason, which the status bar shows.
        self._locked_undo_keys = [QShortcut(QKeySequence.StandardKey.Undo, self, self.document.undo),
                                  QShortcut(QKeySequence.StandardKey.Redo, self, self.document.redo)]
        self.document.edit_lock_changed.connect(self._show_undo_lock)
        self._show_undo_lock(self.document.edit_lock_reason is not None)
        return undo, redo

    def _show_undo_lock(self, locked: bool) -> None:
        for shortcut in self._locked_undo_keys:
            shortcut.setEnabled(locked)
        # Hovering the greyed-out buttons says why; an empty tip falls back to the action's text again.
        tip = (self.document.edit_lock_reason or "") if locked else ""
        for action in (self.undo_action, self.redo_action):
            action.setToolTip(tip)
            action.setStatusTip(tip)

    def _wire(self) -> None:
        document = self.document
        document.dirty_changed.connect(self.setWindowModified)
        document.path_changed.connect(self._update_title)
        document.edit_refused.connect(self.show_status)
        self.file_actions.message.connect(lambda text: self.statusBar().showMessage(text, STATUS_TIMEOUT_MS))
        if hasattr(self.canvas, "message"):
            self.canvas.message.connect(lambda text: self.statusBar().showMessage(text, STATUS_TIMEOUT_MS))
        self.palette_panel.layer_requested.connect(self.append_layer)
        self.issues.node_activated.connect(self.show_node)
        self.summary.node_clicked.connect(self.show_node)
        self.issues.title_changed.connect(self.issues_dock.setWindowTitle)
        self.issues.refresh()  # the dock title follows the first analysis too
        document.project_replaced.connect(self._after_project_replaced)
        session = self.session
        session.training_started.connect(self._training_started)
        session.training_finished.connect(self._training_ended)
        session.training_failed.connect(self._training_failed)
        self._training_ended()

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
            self.canvas.fit_to_view(readable=True)  # a project opens at a size whose text can be read

    def _build_training_view(self, holder: QWidget) -> QWidget:
        from .training.curves_panel import CurvesPanel  # noqa: PLC0415
        from .training.runs_panel import RunsPanel  # noqa: PLC0415

        splitter = QSplitter(Qt.Orientation.Vertical, holder)
        curves = CurvesPanel(self.document, self.session, splitter)
        runs = RunsPanel(self.document, self.session, splitter)
        splitter.addWidget(curves)
        splitter.addWidget(runs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        # The curves get three quarters from the start (the table's size hint would otherwise take half the height).
        splitter.setSizes([3000, 1000])
        runs.overlays_changed.connect(curves.set_overlays)
        runs.refresh()  # sends the ticked runs to the curves now that they are connected
        return splitter

    @property
    def curves_panel(self):  # -> CurvesPanel, built on first use
        return self.training_view.ensure_built().widget(0)

    @property
    def runs_panel(self):  # -> RunsPanel, built on first use
        return self.training_view.ensure_built().widget(1)

    def _training_started(self) -> None:
        self.training_view.ensure_built()
        self.tabs.setCurrentWidget(self.training_view)
        self.training_dock.raise_()
        self.weights_dock.raise_()
        self._show_training_state()

    def _training_ended(self, result: object = None) -> None:
        self._show_training_state()
        if result is not None:
            self.show_status(self.training_panel.status_label.text())

    def _training_failed(self, message: str, details: str) -> None:
        self._show_training_state()
        self.show_status((message.strip().splitlines() or ["Training stopped."])[0])

    def _show_training_state(self) -> None:
        self.train_action.setEnabled(not self.session.is_training)
        self.stop_action.setEnabled(self.session.is_training)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_TIMEOUT_MS)

    def _build_evaluation(self, holder: QWidget) -> Optional[QWidget]:
        panels = [p for p in (self._optional_panel(EVALUATION_PANEL, holder), self._optional_panel(TRYIT_PANEL, holder))
                  if p is not None]
        if not panels:
            return None
        splitter = QSplitter(Qt.Orientation.Horizontal, holder)
        for panel in panels:
            splitter.addWidget(panel)
        return splitter

    def _optional_panel(self, which: tuple[str, str], parent: QWidget) -> Optional[QWidget]:
        """A colleague's panel built with (document, session, parent), or None while its module is missing."""
        try:
            panel_class = optional_panel_class(*which)
            return panel_class(self.document, self.session, parent) if panel_class is not None else None
        except Exception as exc:  # noqa: BLE001 - a broken optional panel must not take the window down
            log.exception("the %s panel could not be built", which[1])
            label = QLabel(f"This panel could not be opened: {type(exc).__name__}: {exc}", parent)
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return label

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
            QTimer.singleShot(0, self._hide_orphan_tab_bars)
            # Data waits for the first paint so the window appears fast; if no paint comes (a window started
            # minimised or covered), load it anyway a moment later.
            QTimer.singleShot(1000, self._release_data_loading)

    def _hide_orphan_tab_bars(self) -> None:
        """Hide dock tab bars Qt leaves behind over the central area.

        Building the tabified docks leaves one stale "Issues | Weights" tab bar floating over the canvas
        (Qt 6.11; it survives every ordering of tabify/split we tried). Real dock tab bars never sit on the
        central widget, so any that does is the stale copy."""
        central = self.centralWidget().geometry()
        for bar in self.findChildren(QTabBar):
            if bar.parent() is self and bar.isVisible() and central.intersects(bar.geometry()):
                bar.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self and event.type() == QEvent.Type.Paint and not self._painted_once:
            self._painted_once = True
            # Only the first paint matters: later events reach the window without a detour through Python (a
            # Python event() would run for every repaint, taking the GIL from the training thread each time).
            self.removeEventFilter(self)
            # The window is on screen: now the data may load (after this paint has finished).
            QTimer.singleShot(0, self._release_data_loading)
        return super().eventFilter(watched, event)

    def has_painted(self) -> bool:
        return self._painted_once

    def _release_data_loading(self) -> None:
        if self.session._loading_held:
            self.session.hold_loading(False)
        # Always: a panel shown before the first paint (a bundle opened from the command line can release the
        # data loading early) waited for this moment, and was left blank when it returned early.
        for lazy in (self.training_view, self.evaluate_view, self.data_view, self.weights_view):
            lazy._build_if_visible()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.file_actions.maybe_save():
            self.session.shutdown()  # stop training and wait for its thread before the window goes
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
