"""Teaching mode as a contribution to the window: the Teach and Lessons menus, tabs and docks, built on first use."""

from __future__ import annotations

from typing import Any, Callable, Optional

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSplitter, QWidget

from ...core.i18n import N_, tr
from ..contributions import Contribution, DockSpec, Entries, MenuSpec, TabSpec, WindowParts
from ..widgets.lazy_panel import LazyPanel
from ..widgets.menu_text import as_menu_text

TEACH_MENU, LESSONS_MENU = "teach", "lessons"   # the ids of the two menus teaching adds
# Nothing heavy is imported here: numpy, torch and pyqtgraph come with the panels, which are built when first
# shown (after the window's first paint), so installing teaching mode does not slow the window's start.


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


class Teaching(Contribution):
    """Teaching mode as a contribution to the window (`window.teaching`): the Teach and Lessons menus, four central
    tabs and three docks, each panel built the first time it is shown or needed."""

    id = "teaching"

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.document, self.session = window.document, window.session
        self._may_build = window.has_painted
        self.parts: Optional[WindowParts] = None   # the window's parts, once installed
        self.holders: dict[str, LazyPanel] = {}
        # Central tabs for the big pictures; docks for what sits beside the drawing.
        self.neurons_tab = self._holder("neurons", self._build_neurons)
        self.stepper_tab = self._holder("stepper", self._build_stepper)
        self.map_tab = self._holder("map", self._build_map)
        self.xor_tab = self._holder("xor", self._build_xor)
        self._holder("explain", self._build_explain)
        self._holder("diagnostics", self._build_diagnostics)
        self._holder("lessons", self._build_runner)
        self.actions: dict[str, QAction] = {}
        self._make_actions()

    # ------------------------------------------------------------ what it adds to the window
    def menu_specs(self) -> list[MenuSpec]:
        return [MenuSpec(TEACH_MENU, tr("&Teach")), MenuSpec(LESSONS_MENU, tr("&Lessons"))]

    def tab_specs(self) -> list[TabSpec]:
        return [TabSpec("neurons", tr("Neurons"), self.neurons_tab),
                TabSpec("stepper", tr("Backprop step"), self.stepper_tab),
                TabSpec("map", tr("Decision map"), self.map_tab), TabSpec("xor", tr("XOR side by side"), self.xor_tab)]

    def dock_specs(self) -> list[DockSpec]:
        # Tabbed with the window's docks, so the window keeps its layout (and its docks stay in front).
        right, bottom = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        return [DockSpec("explain", tr("Explain"), self.holders["explain"], right, beside="inspector"),
                DockSpec("diagnostics", tr("Diagnostics"), self.holders["diagnostics"], bottom, beside="issues"),
                DockSpec("lessons", tr("Lesson"), self.holders["lessons"], right, beside="inspector")]

    def menu_actions(self) -> dict[str, Entries]:
        return {TEACH_MENU: [action for key, action in self.actions.items() if not key.startswith("lesson_")],
                LESSONS_MENU: [action for key, action in self.actions.items() if key.startswith("lesson_")]}

    def installed(self, parts: WindowParts) -> None:
        self.parts = parts
        self.teach_menu, self.lessons_menu = parts.menus[TEACH_MENU], parts.menus[LESSONS_MENU]
        self.docks = {key: parts.docks[key] for key in ("explain", "diagnostics", "lessons")}
        # Training imports torch and numpy anyway: from then on the diagnostics can listen without slowing the start.
        self.session.training_started.connect(lambda: self.diagnostics)
        self.window.installEventFilter(self)

    def _make_actions(self) -> None:
        for key, text, tip, slot in (
                ("neurons", tr("Open the &neuron view"), tr("See the selected layer's neurons, weights and sums"),
                 lambda: self.show_tab(self.neurons_tab)),
                ("stepper", tr("&Backpropagation stepper"), tr("Step through one training update, phase by phase"),
                 lambda: self.show_tab(self.stepper_tab)),
                ("classic", tr("Load the &classic 2-2-2 example"), tr("Mazur's worked example in the stepper"),
                 self.load_classic),
                ("map", tr("&Decision map"), tr("What the network answers over two features"),
                 lambda: self.show_tab(self.map_tab)),
                ("xor", tr("&XOR: one layer vs hidden layer"), tr("Train both networks and compare their curves"),
                 self.compare_xor),
                ("diagnostics", tr("D&iagnostics"), tr("What the app noticed about the last run"),
                 lambda: self.show_dock("diagnostics")),
                ("explain", tr("&Explain"), tr("What the selected layer (or activation, loss…) does"),
                 lambda: self.show_dock("explain"))):
            action = QAction(text, self.window)
            action.setStatusTip(tip)
            action.setObjectName(f"teach_{key}")
            action.triggered.connect(lambda checked=False, s=slot: s())
            self.actions[key] = action
        for number, (lesson_id, title) in enumerate(LESSON_TITLES, start=1):
            action = QAction(as_menu_text(f"{number}. {tr(title)}"), self.window)
            action.setObjectName(f"lesson_{lesson_id}")
            action.triggered.connect(lambda checked=False, i=lesson_id: self.start_lesson(i))
            self.actions[f"lesson_{lesson_id}"] = action

    # ------------------------------------------------------------ building
    def _holder(self, key: str, build: Callable[[QWidget], QWidget]) -> LazyPanel:
        holder = LazyPanel(build, self._may_build, self.window, scroll=True)
        holder.setObjectName(f"teaching_{key}")
        self.holders[key] = holder
        return holder

    def _build_neurons(self, parent: QWidget) -> QWidget:
        from .neuron_view import NeuronView  # noqa: PLC0415 - numpy and pyqtgraph: after the first paint
        from .perceptron_panel import PerceptronPanel  # noqa: PLC0415
        from .truth_table_panel import TruthTablePanel  # noqa: PLC0415

        # The neuron, its truth table and the perceptron rule belong together: one tab, side by side when wide,
        # the neuron above the other two when narrow (see NeuronsSplitter).
        splitter = NeuronsSplitter(parent)
        splitter.setObjectName("neuronsSplitter")
        view = NeuronView(self.document, self.session, splitter)
        column = QSplitter(Qt.Orientation.Vertical, splitter)
        column.setObjectName("neuronsColumn")
        column.setChildrenCollapsible(False)
        TruthTablePanel(self.document, self.session, column)
        PerceptronPanel(self.document, self.session, column)
        splitter.addWidget(view)
        splitter.addWidget(column)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.arrange()
        return splitter

    def _build_stepper(self, parent: QWidget) -> QWidget:
        from .backprop_panel import BackpropStepper  # noqa: PLC0415

        stepper = BackpropStepper(self.document, self.session, parent)
        runner = self.holders["lessons"].panel
        if runner is not None:
            stepper.phase_changed.connect(runner.check)
        return stepper

    def _build_map(self, parent: QWidget) -> QWidget:
        from .decision_map import DecisionMap  # noqa: PLC0415

        return DecisionMap(self.document, self.session, parent)

    def _build_xor(self, parent: QWidget) -> QWidget:
        from .xor_lesson import XorLesson  # noqa: PLC0415

        return XorLesson(self.document, self.session, parent)

    def _build_explain(self, parent: QWidget) -> QWidget:
        from .explain_panel import ExplainPanel  # noqa: PLC0415

        return ExplainPanel(self.document, self.session, parent)

    def _build_diagnostics(self, parent: QWidget) -> QWidget:
        from .diagnostics_panel import DiagnosticsPanel  # noqa: PLC0415

        panel = DiagnosticsPanel(self.document, self.session, parent)
        runner = self.holders["lessons"].panel
        if runner is not None:
            panel.diagnosed.connect(runner.record_run)
        return panel

    def _build_runner(self, parent: QWidget) -> QWidget:
        from .lessons_runner import LessonsRunner  # noqa: PLC0415

        runner = LessonsRunner(self.document, self.session, parent, stepper=lambda: self.holders["stepper"].panel,
                               show_place=self.show_place)
        runner.retry_shown.connect(self._show_retry)
        runner.close_asked.connect(self.close_lesson)
        # Runs reach the lesson through the diagnostics (a lesson step may ask for the overfitting diagnosis).
        diagnostics_built = self.holders["diagnostics"].panel is not None
        self.holders["lessons"].panel = runner
        diagnostics = self.diagnostics  # building it now connects it to the runner (see _build_diagnostics)
        if diagnostics_built:
            diagnostics.diagnosed.connect(runner.record_run)
        stepper = self.holders["stepper"].panel
        if stepper is not None:
            stepper.phase_changed.connect(runner.check)
        sharing = self.parts.contributions.get("sharing") if self.parts is not None else None
        if sharing is not None:
            # A lesson step may ask for an export: python code counts as "code".
            sharing.exported.connect(lambda kind: runner.note_export("code" if kind == "python" else str(kind)))
        return runner

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

    # ------------------------------------------------------------ bringing parts to the front
    def show_tab(self, holder: LazyPanel) -> None:
        self.parts.central_tabs.setCurrentWidget(holder)
        holder.ensure_built()

    def show_dock(self, key: str) -> None:
        self.parts.show_dock(key)
        self.holders[key].ensure_built()

    def show_place(self, place: str) -> bool:
        """Bring a part of the window to the front by its key in PLACES (a lesson's "Show me" button)."""
        kind, part_id = PLACES.get(place, ("", ""))
        if kind == "dock" and part_id in self.parts.docks:
            lesson_open = self.docks["lessons"].isVisible()
            dock = self.parts.show_dock(part_id)
            if lesson_open:
                self._keep_lesson_beside(dock)
            page = self.parts.dock_page(part_id)
        elif kind == "tab" and part_id in self.parts.tabs:
            page = self.parts.show_tab(part_id)
        else:
            return False
        if isinstance(page, LazyPanel):
            page.ensure_built()
        return True

    def _keep_lesson_beside(self, shown: Any) -> None:
        """The lesson's instructions stay on screen while "Show me" brings a dock forward: a lesson that shares a
        tab group with that dock (the student moved it there, or an old layout had it there) gets a place of its
        own under that group instead of being hidden behind it."""
        lessons = self.docks["lessons"]
        if lessons is shown or lessons not in self.window.tabifiedDockWidgets(shown):
            return
        # addDockWidget moves a dock already in the window; splitDockWidget would only tabify it again.
        self.window.addDockWidget(self.window.dockWidgetArea(shown), lessons, Qt.Orientation.Vertical)
        lessons.show()
        shown.raise_()
        self._give_lesson_room()

    def load_classic(self) -> None:
        self.show_tab(self.stepper_tab)
        self.stepper.load_classic()

    def compare_xor(self) -> None:
        self.show_tab(self.xor_tab)
        self.xor_lesson.start()

    def start_lesson(self, lesson_id: str) -> None:
        self.show_dock("lessons")
        self._give_lesson_room()
        self.runner.start(lesson_id)

    def close_lesson(self) -> None:
        """The finished lesson's "Close the lesson": its dock goes, and the Inspector column has its height back."""
        self.docks["lessons"].close()

    def _show_retry(self) -> None:
        """A run fell short of the step's goal: the lesson's advice must be read, even if the training panel that
        came forward shares the lesson's tab group."""
        lessons = self.docks["lessons"]
        if lessons.isHidden() and not self.window.tabifiedDockWidgets(lessons):
            return   # the student closed the lesson
        group = self.window.tabifiedDockWidgets(lessons)
        if group:
            self._keep_lesson_beside(group[0])
        self._give_lesson_room()
        QTimer.singleShot(0, self._scroll_to_retry)   # once the dock has its new height

    def _scroll_to_retry(self) -> None:
        holder = self.holders["lessons"]
        if holder.scroll is not None and holder.panel is not None:
            holder.scroll.ensureWidgetVisible(holder.panel.retry_label)

    def _give_lesson_room(self) -> None:
        """A lesson in a place of its own gets the height to show its title, step and instruction unscrolled (a new
        dock under another starts a few lines tall)."""
        self._resize_lesson()
        # Once more when Qt has laid out a dock just moved: until then the lesson reports its old height.
        QTimer.singleShot(0, self, self._resize_lesson)

    def _resize_lesson(self) -> None:
        lessons = self.docks["lessons"]
        if lessons.isHidden() or lessons.isFloating() or self.window.tabifiedDockWidgets(lessons):
            return
        wanted = min(LESSON_HEIGHT, self.window.height() // 2)
        if lessons.height() < wanted:
            self.window.resizeDocks([lessons], [wanted], Qt.Orientation.Vertical)

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


LESSON_HEIGHT = 380   # pixels: a lesson's title, summary, step and instruction, and the first steps of its list

# The Lessons menu lists these without importing the checks (which bring numpy); a test keeps them in step.
LESSON_TITLES = (
    ("neuron", N_("A neuron and logic gates")),
    ("xor", N_("XOR: why one layer is not enough")),
    ("mlp", N_("A multi-layer perceptron and its parameters")),
    ("backprop", N_("One step of backpropagation")),
    ("digits", N_("Classifying digits, overfitting and dropout")),
    ("wide_deep", N_("Wide & Deep with two outputs")),
    ("saving", N_("Saving and exporting")),
)


# Where a lesson's "Show me" button takes the learner: a dock or a central tab, by its id in the window's parts
# (main_window.py names the window's own, sharing/install.py the Code dock, this file the teaching tabs).
PLACES: dict[str, tuple[str, str]] = {
    "data": ("dock", "data"),
    "training": ("dock", "training"),
    "inspector": ("dock", "inspector"),
    "summary": ("dock", "summary"),
    "code": ("dock", "code"),
    "network": ("tab", "network"),
    "curves": ("tab", "training"),
    "evaluate": ("tab", "evaluate"),
    "neurons": ("tab", "neurons"),
    "stepper": ("tab", "stepper"),
}


def install_teaching(window: Any) -> Teaching:
    """Add teaching mode to the main window: Teach and Lessons menus, the panels' tabs and docks (once)."""
    return window.teaching or window.install(Teaching(window))


__all__ = ["LESSONS_MENU", "LESSON_TITLES", "PLACES", "TEACH_MENU", "NeuronsSplitter", "Teaching", "install_teaching"]
