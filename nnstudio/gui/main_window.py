"""The main window: the editor, the training studio and the contributions (teaching, sharing), placed by id."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget, QToolBar, QWidget

from ..core.i18n import tr
from ..core.project import EXTENSION
from .contributions import EDIT, FILE, FILE_EXPORT, FILE_QUIT, VIEW, VIEW_PANELS, Contribution, DockSpec, TabSpec, \
    WindowParts
from .editing.document import Document
from .editing.file_actions import FileActions
from .panels.inspector import Inspector
from .panels.issues_panel import IssuesPanel
from .panels.palette import Palette
from .panels.summary_panel import SummaryPanel
from .training.run_messages import status_line
from .training.session import TrainingSession
from .training.training_panel import TrainingPanel
from .widgets.icons import app_icon
from .widgets.lazy_panel import LazyPanel
from .window_layout import WindowLayout

STATUS_TIMEOUT_MS = 6000


def toolbar_text(text: str) -> str:
    """A menu text as a toolbar button says it: without its shortcut mark, whether English ("&Open…" → "Open") or
    Korean ("열기(&O)…" → "열기"; Qt's own stripping would leave "열기(O)")."""
    return re.sub(r"\(&[^&]\)", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&") \
        .replace("…", "").replace("...", "").strip()


def redo_keys(platform_keys: Optional[list[QKeySequence]] = None) -> list[QKeySequence]:
    """The platform's Redo keys plus Ctrl+Y: on GNOME Redo is only Ctrl+Shift+Z, and students used to Windows (and
    the course notes) press Ctrl+Y, which then did nothing."""
    if platform_keys is None:
        platform_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    keys = list(platform_keys)
    ctrl_y = QKeySequence("Ctrl+Y")
    return keys if ctrl_y in keys else keys + [ctrl_y]


def _project_urls(mime) -> list[Path]:
    """The project files among dropped URLs."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(EXTENSION)]


class MainWindow(QMainWindow):
    """NN Studio's window. It holds no logic: each part does its job and the window connects them."""

    def __init__(self, document: Optional[Document] = None, parent: Optional[QWidget] = None,
                 session: Optional[TrainingSession] = None) -> None:
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
        # A window rebuilt in another language (language.py) takes over the open project and its training.
        self.session = session or TrainingSession(self.document, self)
        for kept in (self.document, self.session):
            kept.setParent(self)
        self.retired = False   # set when a rebuilt window replaces this one: closing it then ends nothing
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
        self.setCentralWidget(self.tabs)
        # Every menu, dock and tab by its id: what teaching and sharing add is placed through these.
        self.parts = WindowParts(self, self.tabs)
        self._build_menus()
        painted = self.has_painted
        # Curves, runs, evaluation, data and weights are built when first shown (or when training starts):
        # numpy and pyqtgraph would otherwise slow the window's start.
        self.training_view = LazyPanel(self._build_training_view, painted, self)
        self.training_view.setObjectName("trainingView")
        self.evaluate_view = LazyPanel(self._build_evaluation, painted, self)
        self.data_view = LazyPanel(self._build_data_panel, painted, self)
        self.weights_view = LazyPanel(self._build_weights_panel, painted, self)
        for tab_id, title, page in (("network", tr("Network"), self.canvas), ("training", tr("Training"), self.training_view),
                                    ("evaluate", tr("Evaluate"), self.evaluate_view)):
            self.parts.add_tab(TabSpec(tab_id, title, page))

        left, right, bottom = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                               Qt.DockWidgetArea.BottomDockWidgetArea)
        add_dock = self.parts.add_dock
        self.palette_dock = add_dock(DockSpec("palette", tr("Layers"), self.palette_panel, left))
        self.inspector_dock = add_dock(DockSpec("inspector", tr("Inspector"), self.inspector, right))
        self.summary_dock = add_dock(DockSpec("summary", tr("Model summary"), self.summary, bottom))
        self.issues_dock = add_dock(DockSpec("issues", tr("Issues"), self.issues, bottom))
        self.data_dock = add_dock(DockSpec("data", tr("Data"), self.data_view, right))
        self.training_dock = add_dock(DockSpec("training", tr("Training"), self.training_panel, right))
        self.weights_dock = add_dock(DockSpec("weights", tr("Weights"), self.weights_view, bottom))
        # The calm first screen (window_layout.FIRST_SCREEN): palette, inspector and the model summary; the other
        # docks are tabs of those places or wait in View → Panels. View → Reset layout brings it back.
        self.window_layout = WindowLayout(self, self.parts.docks)
        self.parts.add_actions(VIEW, [None, self.window_layout.reset_action])
        self.window_layout.first_screen()

        self._wire()
        self._update_title()
        self.statusBar().showMessage(tr("Ready"), STATUS_TIMEOUT_MS)
        self.window_layout.fit_to_screen()   # 1400×900, or the whole free area of a smaller screen

    # ------------------------------------------------------------ composition
    def install(self, contribution: Contribution) -> Contribution:
        """Add a part of the app (teaching, sharing): its menus, actions, docks and tabs, each placed by id; its
        docks join the first screen in their places (app.py restores a saved layout once all have joined)."""
        size = self.size()
        installed = self.parts.install(contribution)
        self.window_layout.first_screen()
        # Qt widens the window while new docks pass through their places; the student's size stays.
        if self.isVisible():   # the smallest size as it is now, not as it was while the docks moved
            self.layout().activate()
        self.resize(size.expandedTo(self.minimumSizeHint()))
        return installed

    def restore_layout(self) -> bool:
        """The dock arrangement saved at the last close, when it was made with the same docks."""
        return self.window_layout.restore_state()

    @property
    def sharing(self):  # -> Sharing, or None before it is installed
        return self.parts.contributions.get("sharing")

    @property
    def teaching(self):  # -> Teaching, or None before it is installed
        return self.parts.contributions.get("teaching")

    def _action(self, text: str, slot: Callable[[], object], shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(lambda checked=False: slot())
        return action

    def _build_menus(self) -> None:
        files, canvas, parts = self.file_actions, self.canvas, self.parts
        undo, redo = self._build_undo_redo()
        quit_action = self._action(tr("&Quit"), self.close, "Ctrl+Q")
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        parts.add_menu(FILE, tr("&File"))
        parts.add_actions(FILE, [files.new_action, files.open_action])
        parts.add_menu("file.examples", inside=FILE, menu=files.examples_menu)
        parts.add_menu("file.recent", inside=FILE, menu=files.recent_menu)
        parts.add_actions(FILE, [None, files.save_action, files.save_as_action])
        parts.add_section(FILE_EXPORT, FILE)  # empty until sharing adds its exports (Qt merges the separators)
        parts.add_section(FILE_QUIT, FILE)
        parts.add_actions(FILE_QUIT, [quit_action])

        keys = QKeySequence.StandardKey
        self.cut_action = self._action(tr("Cu&t"), canvas.cut_selection, keys.Cut)
        self.copy_action = self._action(tr("&Copy"), canvas.copy_selection, keys.Copy)
        self.paste_action = self._action(tr("&Paste"), canvas.paste, keys.Paste)
        self.duplicate_action = self._action(tr("&Duplicate"), canvas.duplicate_selection, "Ctrl+D")
        self.delete_action = self._action(tr("De&lete"), canvas.delete_selection, keys.Delete)
        self.select_all_action = self._action(tr("Select &All"), canvas.select_all, keys.SelectAll)
        parts.add_menu(EDIT, tr("&Edit"))
        parts.add_actions(EDIT, [undo, redo, None, self.cut_action, self.copy_action, self.paste_action,
                                 self.duplicate_action, self.delete_action, None, self.select_all_action])

        self.zoom_in_action = self._action(tr("Zoom &In"), canvas.zoom_in, keys.ZoomIn)
        self.zoom_out_action = self._action(tr("Zoom &Out"), canvas.zoom_out, keys.ZoomOut)
        self.fit_action = self._action(tr("&Fit to Window"), canvas.fit_to_view, "Ctrl+0",
                                       tr("Zoom so the whole network fits"))
        self.layout_action = self._action(tr("&Auto-layout"), canvas.auto_layout, "Ctrl+L",
                                          tr("Arrange the layers left to right by depth"))
        self.grid_action = QAction(tr("Show &Grid"), self, checkable=True, checked=True)
        self.grid_action.toggled.connect(canvas.set_grid_visible)
        parts.add_menu(VIEW, tr("&View"))
        parts.add_actions(VIEW, [self.zoom_in_action, self.zoom_out_action, self.fit_action, None, self.grid_action,
                                 self.layout_action, None])
        parts.add_menu(VIEW_PANELS, tr("&Panels"), inside=VIEW)  # each dock's show/hide switch joins as it is added

        self.train_action = QAction(tr("Train"), self)
        self.train_action.setShortcut(QKeySequence("F5"))
        self.train_action.setStatusTip(tr("Train the network on the project's data (F5)"))
        self.train_action.triggered.connect(self.training_panel.train_button.click)
        self.stop_action = QAction(tr("Stop"), self)
        self.stop_action.setShortcut(QKeySequence("Shift+F5"))
        self.stop_action.setStatusTip(tr("Stop training after the current batch"))
        self.stop_action.triggered.connect(self.training_panel.stop_button.click)
        self.pause_action = QAction(tr("Pause"), self, checkable=True)
        self.pause_action.setShortcut(QKeySequence("F6"))
        self.pause_action.setStatusTip(tr("Pause training after the current batch; press again to go on (F6)"))
        self.pause_action.triggered.connect(self.training_panel.pause_button.click)
        # The panel's own Pause button and this one show the same state, whichever was pressed.
        self.training_panel.pause_button.clicked.connect(self._show_training_state)

        toolbar = QToolBar(tr("Main toolbar"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (files.new_action, files.open_action, files.save_action, None, undo, redo, None,
                       self.delete_action, None, self.zoom_in_action, self.zoom_out_action, self.fit_action,
                       self.layout_action, None, self.train_action, self.pause_action, self.stop_action):
            if action is None:
                toolbar.addSeparator()
            else:
                if "(&" in action.text():   # a translated menu text: its shortcut letter stays in the menu
                    action.setIconText(toolbar_text(action.text()))
                toolbar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _build_undo_redo(self) -> tuple[QAction, QAction]:
        """Undo and Redo, from the document's undo group: they turn off while training locks the edits."""
        group = self.document.undo_group
        undo = group.createUndoAction(self, tr("&Undo"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = group.createRedoAction(self, tr("&Redo"))
        redo.setShortcuts(redo_keys())
        # The toolbar says just Undo / Redo (the Edit menu names the step): the group's long, changing texts
        # were squeezed to "Un...gs" on the toolbar.
        undo.setIconText(tr("Undo"))
        redo.setIconText(tr("Redo"))
        self.undo_action, self.redo_action = undo, redo
        # A disabled action ignores its keys without a word; while locked these shortcuts take the keys and
        # the document refuses the step with its reason, which the status bar shows.
        self._locked_undo_keys = [QShortcut(QKeySequence.StandardKey.Undo, self, self.document.undo),
                                  *(QShortcut(keys, self, self.document.redo) for keys in redo_keys())]
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
        self.canvas.append_layer(type_name)

    def show_node(self, node_id: str) -> None:
        self.document.select([node_id])
        self.canvas.center_on_node(node_id)

    def _after_project_replaced(self) -> None:
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
        self.parts.show_dock("weights")   # closed on the first screen; the weights change as it trains
        self._show_training_state()

    def _training_ended(self, result: object = None) -> None:
        self._show_training_state()
        if result is not None:
            self.show_status(self.training_panel.status_label.text())

    def _training_failed(self, message: str, details: str) -> None:
        self._show_training_state()
        self.show_status(status_line(message))

    def _show_training_state(self) -> None:
        self.train_action.setEnabled(not self.session.is_training)
        self.stop_action.setEnabled(self.session.is_training)
        self.pause_action.setEnabled(self.session.is_training)
        self.pause_action.setChecked(self.session.is_paused)
        self.pause_action.setText(tr("Resume") if self.session.is_paused else tr("Pause"))

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_TIMEOUT_MS)

    def _build_evaluation(self, holder: QWidget) -> QWidget:
        from .evaluation.evaluation_panel import EvaluationPanel  # noqa: PLC0415 - numpy: after the first paint
        from .evaluation.tryit_panel import TryItPanel  # noqa: PLC0415

        splitter = QSplitter(Qt.Orientation.Horizontal, holder)
        splitter.addWidget(EvaluationPanel(self.document, self.session, splitter))
        splitter.addWidget(TryItPanel(self.document, self.session, splitter))
        return splitter

    def _build_data_panel(self, holder: QWidget) -> QWidget:
        from .panels.data_panel import DataPanel  # noqa: PLC0415 - pandas and sklearn: after the first paint

        return DataPanel(self.document, self.session, holder)

    def _build_weights_panel(self, holder: QWidget) -> QWidget:
        from .evaluation.weights_panel import WeightsPanel  # noqa: PLC0415 - pyqtgraph: after the first paint

        panel = WeightsPanel(self.document, self.session, holder)
        panel.edge_weights_changed.connect(self.canvas.set_edge_weights)  # "Show weight sizes on the canvas"
        return panel

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
            # Data waits for the first paint so the window appears fast; if no paint comes (a window started
            # minimised or covered), load it anyway a moment later.
            QTimer.singleShot(1000, self._release_data_loading)

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
            lazy.build_if_visible()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.retired:   # its project and training live on in the window that replaced it
            event.accept()
            return
        if self.file_actions.maybe_save():
            self.session.shutdown()  # stop training and wait for its thread before the window goes
            self.window_layout.save()   # the next start opens with this size and these docks
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
