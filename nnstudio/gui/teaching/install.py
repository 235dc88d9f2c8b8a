"""Puts teaching mode into the main window: a Teach menu, a Lessons menu, tabs and docks, all built on first use."""

from __future__ import annotations

from typing import Any, Callable, Optional

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ..widgets.menu_text import as_menu_text

# Nothing heavy is imported here: numpy, torch and pyqtgraph come with the panels, which are built when first
# shown (after the window's first paint), so installing teaching mode does not slow the window's start.


class LazyHolder(QWidget):
    """Stands in for a panel and builds it when first shown (or asked for).

    The panel sits in a scroll area: a panel never sets the window's minimum size (a wide panel in a tab or a
    dock would otherwise push a 1280-pixel window off the screen); where there is too little room it scrolls.
    """

    def __init__(self, build: Callable[[QWidget], QWidget], may_build: Callable[[], bool],
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._build: Optional[Callable[[QWidget], QWidget]] = build
        self._may_build = may_build
        self.panel: Optional[QWidget] = None
        self.scroll: Optional[QScrollArea] = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> QWidget:
        if self.panel is None and self._build is not None:
            build, self._build = self._build, None
            scroll = QScrollArea(self)
            scroll.setObjectName(f"{self.objectName()}_scroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            self.scroll = scroll
            self.layout().addWidget(scroll)
            self.panel = build(self)
            scroll.setWidget(self.panel)
            if self.isVisible():
                scroll.show()  # a layout shows a new child only on the next event-loop turn
                self.panel.show()
        return self.panel

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.panel is None:
            QTimer.singleShot(0, self._build_if_visible)

    def _build_if_visible(self) -> None:
        if self.isVisible() and self._may_build():
            self.ensure_built()


class NeuronsSplitter(QSplitter):
    """The Neurons tab: neuron view | (truth table over perceptron) when wide; when narrow (a laptop with the side
    docks open) the neuron view on top and the truth table beside the perceptron under it, each with room enough to
    read (the tab's scroll area scrolls rather than squeezing them)."""

    WIDE = 1040       # switch to side by side from this width…
    NARROW = 1000     # …and back below this one (a gap, so a scroll bar coming and going cannot flip it back)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)
        self._pending = False

    def arrange(self) -> None:
        """Set both splitters' directions and the panels' smallest readable heights for the current width."""
        self._pending = False
        if self.count() < 2:
            return
        width = self.width()
        wide = width >= self.WIDE or (self.orientation() == Qt.Orientation.Horizontal and width >= self.NARROW)
        view, column = self.widget(0), self.widget(1)
        turned = self.orientation() != (Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)
        self.setOrientation(Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)
        column.setOrientation(Qt.Orientation.Vertical if wide else Qt.Orientation.Horizontal)
        if turned and not wide:
            # Side by side under the neuron: the perceptron's buttons at their width, the truth table's columns get
            # the rest.
            column.setSizes([10_000, 1])
        # Word-wrapped labels need their height: a splitter would squeeze them until their lines overlap.
        view.setMinimumHeight(0 if wide else 420)
        for index in range(column.count()):
            panel = column.widget(index)
            # As tall as its wrapped lines need at the width it gets (a splitter ignores height-for-width).
            share = column.width() if wide else column.width() // max(column.count(), 1)
            layout = panel.layout()
            needed = layout.totalHeightForWidth(max(share, 200)) if layout is not None and \
                layout.hasHeightForWidth() else 0
            panel.setMinimumHeight(max(220, needed))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.arrange)  # not while Qt is still laying this splitter out


class Teaching(QObject):
    """Teaching mode's parts in one window; each panel is built the first time it is shown or needed."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.document, self.session = window.document, window.session
        painted = getattr(window, "has_painted", lambda: True)
        self._may_build = painted
        self.holders: dict[str, LazyHolder] = {}
        self.docks: dict[str, QDockWidget] = {}

        # Central tabs for the big pictures; docks for what sits beside the drawing.
        self.neurons_tab = self._holder("neurons", self._build_neurons)
        self.stepper_tab = self._holder("stepper", self._build_stepper)
        self.map_tab = self._holder("map", lambda parent: self._panel("decision_map", "DecisionMap", parent))
        self.xor_tab = self._holder("xor", lambda parent: self._panel("xor_lesson", "XorLesson", parent))
        self.tabs = getattr(window, "tabs", None)
        if self.tabs is not None:
            for holder, title in ((self.neurons_tab, "Neurons"), (self.stepper_tab, "Backprop step"),
                                  (self.map_tab, "Decision map"), (self.xor_tab, "XOR side by side")):
                self.tabs.addTab(holder, title)
        else:
            for key, holder, title in (("neurons", self.neurons_tab, "Neurons"), ("stepper", self.stepper_tab,
                                       "Backprop step"), ("map", self.map_tab, "Decision map"),
                                       ("xor", self.xor_tab, "XOR side by side")):
                self._dock(key, title, holder, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("explain", "Explain", self._holder("explain", lambda parent: self._panel(
            "explain_panel", "ExplainPanel", parent)), Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("diagnostics", "Diagnostics", self._holder("diagnostics", self._build_diagnostics),
                   Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("lessons", "Lesson", self._holder("lessons", self._build_runner),
                   Qt.DockWidgetArea.RightDockWidgetArea)
        self._place_docks()
        self._build_menus()
        # Training imports torch and numpy anyway: from then on the diagnostics can listen without slowing the start.
        self.session.training_started.connect(lambda: self.diagnostics)
        window.installEventFilter(self)

    # ------------------------------------------------------------ building
    def _holder(self, key: str, build: Callable[[QWidget], QWidget]) -> LazyHolder:
        holder = LazyHolder(build, self._may_build, self.window)
        holder.setObjectName(f"teaching_{key}")
        self.holders[key] = holder
        return holder

    def _panel(self, module: str, class_name: str, parent: QWidget) -> QWidget:
        import importlib  # noqa: PLC0415

        panel_class = getattr(importlib.import_module(f"{__package__}.{module}"), class_name)
        return panel_class(self.document, self.session, parent)

    def _build_neurons(self, parent: QWidget) -> QWidget:
        # The neuron, its truth table and the perceptron rule belong together: one tab, side by side when wide,
        # the neuron above the other two when narrow (see NeuronsSplitter).
        splitter = NeuronsSplitter(parent)
        splitter.setObjectName("neuronsSplitter")
        view = self._panel("neuron_view", "NeuronView", splitter)
        column = QSplitter(Qt.Orientation.Vertical, splitter)
        column.setObjectName("neuronsColumn")
        column.setChildrenCollapsible(False)
        self._panel("truth_table_panel", "TruthTablePanel", column)
        self._panel("perceptron_panel", "PerceptronPanel", column)
        splitter.addWidget(view)
        splitter.addWidget(column)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.arrange()
        return splitter

    def _build_stepper(self, parent: QWidget) -> QWidget:
        stepper = self._panel("backprop_panel", "BackpropStepper", parent)
        runner = self.holders["lessons"].panel
        if runner is not None:
            stepper.phase_changed.connect(runner.check)
        return stepper

    def _build_diagnostics(self, parent: QWidget) -> QWidget:
        panel = self._panel("diagnostics_panel", "DiagnosticsPanel", parent)
        runner = self.holders["lessons"].panel
        if runner is not None:
            panel.diagnosed.connect(runner.record_run)
        return panel

    def _build_runner(self, parent: QWidget) -> QWidget:
        from .lessons_runner import LessonsRunner  # noqa: PLC0415

        runner = LessonsRunner(self.document, self.session, parent, stepper=lambda: self.holders["stepper"].panel,
                               show_place=self.show_place)
        # Runs reach the lesson through the diagnostics (a lesson step may ask for the overfitting diagnosis).
        diagnostics_built = self.holders["diagnostics"].panel is not None
        self.holders["lessons"].panel = runner
        diagnostics = self.diagnostics  # building it now connects it to the runner (see _build_diagnostics)
        if diagnostics_built:
            diagnostics.diagnosed.connect(runner.record_run)
        stepper = self.holders["stepper"].panel
        if stepper is not None:
            stepper.phase_changed.connect(runner.check)
        for owner in ("sharing", "file_actions"):
            exported = getattr(getattr(self.window, owner, None), "exported", None)
            if exported is not None and hasattr(exported, "connect"):
                # An export action in the window, when it announces its exports: python code counts as "code".
                exported.connect(lambda kind: runner.note_export("code" if kind == "python" else str(kind)))
        return runner

    def _dock(self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"{key}Dock")
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        self.docks[key] = dock
        return dock

    def _place_docks(self) -> None:
        # Tabbed with the colleagues' docks where they exist, so the window keeps its layout.
        for key, neighbour in (("explain", "inspector_dock"), ("lessons", "inspector_dock"),
                               ("diagnostics", "issues_dock")):
            other = getattr(self.window, neighbour, None)
            if isinstance(other, QDockWidget):
                self.window.tabifyDockWidget(other, self.docks[key])
        for name in ("inspector_dock", "issues_dock"):
            other = getattr(self.window, name, None)
            if isinstance(other, QDockWidget):
                other.raise_()

    # ------------------------------------------------------------ the panels, built when first asked for
    def _get(self, key: str) -> QWidget:
        return self.holders[key].ensure_built()

    @property
    def neuron_view(self) -> Any:
        return self._get("neurons").widget(0)

    @property
    def truth_table(self) -> Any:
        return self._get("neurons").widget(1).widget(0)

    @property
    def perceptron(self) -> Any:
        return self._get("neurons").widget(1).widget(1)

    @property
    def stepper(self) -> Any:
        return self._get("stepper")

    @property
    def decision_map(self) -> Any:
        return self._get("map")

    @property
    def xor_lesson(self) -> Any:
        return self._get("xor")

    @property
    def explain(self) -> Any:
        return self._get("explain")

    @property
    def diagnostics(self) -> Any:
        return self._get("diagnostics")

    @property
    def runner(self) -> Any:
        return self._get("lessons")

    # ------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        menu_bar = self.window.menuBar()
        teach = menu_bar.addMenu("&Teach")
        teach.setObjectName("teachMenu")
        self.actions: dict[str, QAction] = {}
        for key, text, tip, slot in (
                ("neurons", "Open the &neuron view", "See the selected layer's neurons, weights and sums",
                 lambda: self.show_tab(self.neurons_tab)),
                ("stepper", "&Backpropagation stepper", "Step through one training update, phase by phase",
                 lambda: self.show_tab(self.stepper_tab)),
                ("classic", "Load the &classic 2-2-2 example", "Mazur's worked example in the stepper",
                 self.load_classic),
                ("map", "&Decision map", "What the network answers over two features", lambda: self.show_tab(
                    self.map_tab)),
                ("xor", "&XOR: one layer vs hidden layer", "Train both networks and compare their curves",
                 self.compare_xor),
                ("diagnostics", "D&iagnostics", "What the app noticed about the last run",
                 lambda: self.show_dock("diagnostics")),
                ("explain", "&Explain", "What the selected layer (or activation, loss…) does",
                 lambda: self.show_dock("explain"))):
            action = QAction(text, self.window)
            action.setStatusTip(tip)
            action.setObjectName(f"teach_{key}")
            action.triggered.connect(lambda checked=False, s=slot: s())
            teach.addAction(action)
            self.actions[key] = action
        self.teach_menu = teach
        lessons = menu_bar.addMenu("&Lessons")
        lessons.setObjectName("lessonsMenu")
        self.lessons_menu = lessons
        for number, (lesson_id, title) in enumerate(LESSON_TITLES, start=1):
            action = QAction(as_menu_text(f"{number}. {title}"), self.window)
            action.setObjectName(f"lesson_{lesson_id}")
            action.triggered.connect(lambda checked=False, i=lesson_id: self.start_lesson(i))
            lessons.addAction(action)
            self.actions[f"lesson_{lesson_id}"] = action

    def show_tab(self, holder: LazyHolder) -> None:
        if self.tabs is not None:
            self.tabs.setCurrentWidget(holder)
        else:
            for key, other in self.holders.items():
                if other is holder and key in self.docks:
                    self.show_dock(key)
        holder.ensure_built()

    def show_dock(self, key: str) -> None:
        dock = self.docks[key]
        dock.show()
        dock.raise_()
        self.holders[key].ensure_built()

    def show_place(self, place: str) -> bool:
        """Bring a part of the window to the front by its key in PLACES (a lesson's "Show me" button)."""
        kind, name = PLACES.get(place, ("", ""))
        if kind == "dock":
            dock = self.window.findChild(QDockWidget, name)
            if dock is None:
                return False
            dock.show()
            dock.raise_()
            inner = dock.widget()
            if hasattr(inner, "ensure_built"):
                inner.ensure_built()
            return True
        if kind == "tab":
            for holder in self.holders.values():
                if holder.objectName() == name:
                    self.show_tab(holder)
                    return True
            tabs = self.tabs if isinstance(self.tabs, QTabWidget) else None
            for index in range(tabs.count() if tabs is not None else 0):
                if tabs.tabText(index).replace("&", "") == name:
                    tabs.setCurrentIndex(index)
                    return True
        return False

    def load_classic(self) -> None:
        self.show_tab(self.stepper_tab)
        self.stepper.load_classic()

    def compare_xor(self) -> None:
        self.show_tab(self.xor_tab)
        self.xor_lesson.start()

    def start_lesson(self, lesson_id: str) -> None:
        self.show_dock("lessons")
        self.runner.start(lesson_id)

    # ------------------------------------------------------------ closing
    def shutdown(self) -> None:
        """Stop background work (the XOR comparison) before the window goes."""
        xor = self.holders["xor"].panel
        if xor is not None:
            xor.shutdown()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False


# The Lessons menu lists these without importing the checks (which bring numpy); a test keeps them in step.
LESSON_TITLES = (
    ("neuron", "A neuron and logic gates"),
    ("xor", "XOR: why one layer is not enough"),
    ("mlp", "A multi-layer perceptron and its parameters"),
    ("backprop", "One step of backpropagation"),
    ("digits", "Classifying digits, overfitting and dropout"),
    ("wide_deep", "Wide & Deep with two outputs"),
    ("saving", "Saving and exporting"),
)


# Where a lesson's "Show me" button takes the learner: a dock (by object name) or a central tab (by the teaching
# holder's object name, or the tab's title). main_window.py and sharing/install.py name the docks.
PLACES: dict[str, tuple[str, str]] = {
    "data": ("dock", "dataDock"),
    "training": ("dock", "trainingDock"),
    "inspector": ("dock", "inspectorDock"),
    "summary": ("dock", "summaryDock"),
    "code": ("dock", "codeDock"),
    "network": ("tab", "Network"),
    "curves": ("tab", "Training"),
    "evaluate": ("tab", "Evaluate"),
    "neurons": ("tab", "teaching_neurons"),
    "stepper": ("tab", "teaching_stepper"),
}


def install_teaching(window: Any) -> None:
    """Add teaching mode to the main window: Teach and Lessons menus, the panels' tabs and docks."""
    if getattr(window, "teaching", None) is not None:
        return
    window.teaching = Teaching(window)


__all__ = ["LESSON_TITLES", "PLACES", "LazyHolder", "NeuronsSplitter", "Teaching", "install_teaching"]
