"""The Experiments panel: set up a search from the drawing, run it off the GUI thread, read and use its trials."""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSplitter,
                               QTableView, QTabWidget, QVBoxLayout, QWidget)

from ...core.i18n import ntr, tr
from ...core.settings import SettingsError
from .importance_bars import ImportanceBars
from .parallel_plot import ParallelPlot
from .project_commands import SetSearchSpace, UseTrialSettings, saved_space
from .space_editor import SpaceEditor, default_workers
from .study_results import StudyReader, StudyView
from .study_thread import StudyRunner
from .trial_curves import TrialCurves
from .trials_model import SORT_ROLE, STATUS, TrialsModel, state_name

POLL_MS = 1000   # while a study runs, its storage is read this often (other processes' trials show up too)


class ExperimentsPanel(QWidget):
    """Search space on the left; on the right the trials table, their curves, the parallel plot and what mattered."""

    def __init__(self, document: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("experimentsPanel")
        self.document = document
        self.reader = StudyReader()
        self.runner = StudyRunner(self)
        self.view_now = StudyView()
        self._stop_pressed = False
        self._used_words = ""   # what the status said after Use these settings, until the next undo step

        self.editor = SpaceEditor(self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        # A walk found the panel opening on its settings with no word of what it is for.
        intro = QLabel(tr("Try many versions of your network by itself: tick what may change, say how many trials, "
                          "and press Run. Each trial trains a copy of the network; compare them on the right."), left)
        intro.setObjectName("experimentsIntro")
        intro.setWordWrap(True)
        left_layout.addWidget(intro)
        scroll = QScrollArea(left)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        left_layout.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(tr("Run"), left)
        self.run_button.setObjectName("experimentsRun")
        self.run_button.setToolTip(tr("Train the trials of the experiment; a stopped experiment goes on where it "
                                      "stopped"))
        self.stop_button = QPushButton(tr("Stop"), left)
        self.stop_button.setObjectName("experimentsStop")
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        left_layout.addLayout(buttons)
        self.status = QLabel(left)
        self.status.setObjectName("experimentsStatus")
        self.status.setWordWrap(True)
        # Room for three lines from the start: Run and Stop stay put when a message comes or goes (a walk saw them
        # jump up and down).
        self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing() * 3)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        left_layout.addWidget(self.status)

        self.model = TrialsModel(self)
        self.sorter = QSortFilterProxyModel(self)
        self.sorter.setSourceModel(self.model)
        self.sorter.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setObjectName("experimentsTable")
        self.table.setModel(self.sorter)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.use_button = QPushButton(tr("Use these settings"), self)
        self.use_button.setObjectName("experimentsUse")
        self.use_button.setToolTip(tr("Give the network and the training settings the values of the selected "
                                      "trial (Ctrl+Z takes them back)"))
        trials_page = QWidget(self)
        trials_layout = QVBoxLayout(trials_page)
        trials_layout.setContentsMargins(0, 0, 0, 0)
        how_to_use = QLabel(tr("Tick trials to see their learning curves. Click a trial's row, then Use these "
                               "settings to give the network that trial's values."), trials_page)
        how_to_use.setWordWrap(True)
        trials_layout.addWidget(how_to_use)
        trials_layout.addWidget(self.table, 1)
        trials_layout.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.curves = TrialCurves(self)
        self.parallel = ParallelPlot(self)
        self.importance = ImportanceBars(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("experimentsSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mattered = QWidget(self)
        mattered_layout = QVBoxLayout(mattered)
        mattered_layout.setContentsMargins(0, 0, 0, 0)
        mattered_layout.addWidget(self.summary)
        mattered_layout.addWidget(self.importance, 1)

        self.results = QTabWidget(self)
        self.results.setObjectName("experimentsResults")
        self.results.setDocumentMode(True)
        for page, title in ((trials_page, tr("Trials")), (self.curves, tr("Curves")),
                            (self.parallel, tr("Values")), (mattered, tr("What mattered"))):
            self.results.addTab(page, title)

        # Every result tab's title stays readable: the search space scrolls sideways before the tabs shrink.
        self.results.setMinimumWidth(self.results.tabBar().sizeHint().width() + 8)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.results)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self.refresh_results)
        self.editor.space_edited.connect(self._on_space_edited)
        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(self.stop)
        self.use_button.clicked.connect(self.use_selected_trial)
        self.runner.trial_done.connect(self.refresh_results)
        self.runner.running_changed.connect(self._on_running_changed)
        self.runner.failed.connect(self.status.setText)
        self.model.ticked_changed.connect(self._show_curves)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        document.project_replaced.connect(self.load_project)
        document.undo_stack.indexChanged.connect(self._follow_undo)
        document.path_changed.connect(self.refresh_results)
        self.load_project()
        # The workers' fork server imports torch and optuna in its own process (several seconds) while the student
        # sets up the search, so the first Run starts training at once.
        QTimer.singleShot(0, self._warm_up_workers)

    def _warm_up_workers(self) -> None:
        from ...core.tuning.worker_start import warm_up_workers  # noqa: PLC0415

        try:
            warm_up_workers()
        except OSError:   # no fork server today: Run starts its workers the slower way, and says so if that fails
            pass

    # ------------------------------------------------------------ the project's search
    def space(self) -> Any:
        """The search saved with the project, or a first one for this drawing (not saved until edited)."""
        from ...core.tuning.space import default_space  # noqa: PLC0415

        project = self.document.project
        space = saved_space(project)
        if space is not None:
            return space.usable_in(project)
        space = default_space(project)
        space.workers = default_workers()
        return space

    def load_project(self) -> None:
        # Another project opened: a study of the old one stops (its finished trials stay beside it).
        self.runner.stop()
        self.reader.forget()
        self.model.ticked.clear()
        self.editor.show_space(self.document.project, self.space())
        self.status.setText("")
        self.refresh_results()
        if self.view_now.rows:   # a study left from before: how its trials ended, as after a run
            self.status.setText(self._trials_summary())

    def _follow_undo(self, *_: Any) -> None:
        # An undo or redo of a search edit (or a drawing edit that adds or removes what may vary).
        if self._used_words and self.status.text() == self._used_words:
            # "…has trial 6's values now" is not true after Ctrl+Z (a walk read it so): back to the trials' count.
            self.status.setText(self._trials_summary())
        self._used_words = ""
        space = self.space()
        if space.to_dict() != self.editor.space().to_dict() or list(self.editor.rows) != self._candidate_keys():
            self.editor.show_space(self.document.project, space)

    def _candidate_keys(self) -> list[str]:
        from ...core.tuning.space import candidate_dimensions  # noqa: PLC0415
        return [dimension.key for dimension in candidate_dimensions(self.document.project)]

    def _on_space_edited(self, space: Any) -> None:
        try:
            space.validate()
        except SettingsError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText("")
        saved = saved_space(self.document.project)
        if saved is None or saved.to_dict() != space.to_dict():
            if not self.document.push(SetSearchSpace(self.document, space)):
                # Refused (edits are locked while the network trains; the status bar says so): show what is kept.
                self.editor.show_space(self.document.project, self.space())

    # ------------------------------------------------------------ running
    def run(self) -> None:
        if self.document.project.path is None and not self._save_first():
            self.status.setText(tr("Save the project first: the experiment's trials are kept in a folder beside it."))
            return
        project = self.document.project
        space = self.editor.space()
        try:
            space.validate()
        except SettingsError as exc:
            self.status.setText(str(exc))
            return
        if not space.dimensions:
            self.status.setText(tr("Tick at least one value that may vary."))
            return
        total = self._budget(space)
        if total is not None and self.view_now.budget_used >= total:
            # Nothing would run: a walk saw Run do nothing, with no word why, once the trials were all done.
            self.status.setText(ntr("The experiment has its {n} trial already: raise the number of trials to run more.",
                                    "The experiment has its {n} trials already: raise the number of trials to run "
                                    "more.", total))
            return
        self._on_space_edited(space)   # what runs is what the project keeps
        from ...core.tuning.space import copy_project  # noqa: PLC0415

        # The study trains a copy: nothing the student edits while it runs reaches the trials.
        self._stop_pressed = False
        self.runner.start(copy_project(project), space)

    @staticmethod
    def _budget(space: Any) -> Optional[int]:
        from ...engine.tuning.study import trial_budget  # noqa: PLC0415 - loaded with the study already
        return trial_budget(space)

    def _trials_summary(self) -> str:
        """How the study's trials ended, in one sentence ("" before there are any)."""
        if not self.view_now.rows:
            return ""
        from ...engine.tuning.results import run_summary  # noqa: PLC0415 - loaded with the study already
        return run_summary(self.view_now.rows)

    def _save_first(self) -> bool:
        """An unsaved project (an example, a new drawing) is saved first, as File → Save As… does: its study is
        kept in a folder beside the file."""
        file_actions = getattr(self.window(), "file_actions", None)
        if file_actions is None:
            return False
        # A walk saw Save As open after Run with nothing saying why: the dialog's title and the panel say it.
        reason = tr("Save the project first: the experiment's trials are kept in a folder beside it.")
        self.status.setText(reason)
        return file_actions.save_as(title=reason) and self.document.project.path is not None

    def _on_running_changed(self, running: bool) -> None:
        if running:
            self.poll.start()
            self.status.setText(tr("The experiment is running…"))
        else:
            self.poll.stop()
            if self.status.text() == tr("The experiment is running…"):
                # Every trial of the table counted, and how each ended (a walk read "8 trials finished." beside 12
                # rows, 4 of them stopped early by the pruner); after Stop, said first.
                summary = self._trials_summary() or tr("No trials yet.")
                # "Stopped." only when Stop cut the search short (a walk pressed Stop as the last trial ended).
                total = self._budget(self.space())
                cut_short = self._stop_pressed and (total is None or self.view_now.budget_used < total)
                self.status.setText(tr("Stopped. {summary}", summary=summary) if cut_short else summary)
        self._update_buttons()

    def stop(self) -> None:
        """The Stop button: the trials running end at their next epoch and are queued to run again."""
        self._stop_pressed = self.runner.running
        self.runner.stop()

    def shutdown(self) -> None:
        """The window is closing: stop the study (finished trials stay in its storage) and wait for its thread."""
        self.poll.stop()
        self.runner.shutdown()

    # ------------------------------------------------------------ reading the results
    def refresh_results(self) -> None:
        from ...core.tuning.space import Dimension, dimension_name  # noqa: PLC0415

        project, space = self.document.project, self.space()
        self.view_now = view = self.reader.read(project, space)
        if view.problem:
            self.status.setText(tr("The experiment's trials could not be read: {reason}", reason=view.problem))
        known = {dimension.key: dimension for dimension in space.dimensions}
        keys = list(known)
        for row in view.rows:   # values of trials run with an earlier search keep their columns
            keys += [key for key in row.params if key not in keys]
        names = {key: dimension_name(known.get(key) or Dimension(key, "choice", choices=(0,)), project)
                 for key in keys}
        columns_before = (self.model.keys, self.model.rowCount())
        self.model.set_rows(view.rows, keys, [names[key] for key in keys], space.monitor)
        if columns_before != (self.model.keys, self.model.rowCount()):
            self.table.resizeColumnsToContents()   # whole headers and values (a few dozen rows: cheap)
            # "interrupted (ran again as trial 17)" would push the result out of sight: the status column keeps to
            # a reasonable width, its words elided, whole in the cell's tooltip.
            status_width = self.table.fontMetrics().horizontalAdvance(tr("stopped early")) + 24
            if self.table.columnWidth(STATUS) > status_width:
                self.table.setColumnWidth(STATUS, status_width)
            if columns_before[0] != self.model.keys:
                # New columns: start at the left, where Trial, Status and the result are (a reopened project's
                # table showed its last columns, scrolled sideways).
                self.table.horizontalScrollBar().setValue(0)
        self._show_curves()
        self.parallel.show_trials([known[key] for key in keys if key in known],
                                  [names[key] for key in keys if key in known], view.rows, view.lower_is_better,
                                  metric=space.monitor)
        self.importance.show_importance(view.importance, names)
        self.summary.setText("\n".join(view.sentences))
        self._update_buttons()

    def _show_curves(self) -> None:
        rows = [row for row in self.model.rows if row.number in self.model.ticked]
        self.curves.show_trials(rows, self.model.metric)

    # ------------------------------------------------------------ using a trial
    def selected_trial(self) -> Optional[Any]:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        return self.model.rows[self.sorter.mapToSource(indexes[0]).row()]

    def _update_buttons(self, *_: Any) -> None:
        running = self.runner.running
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        trial = self.selected_trial()
        self.use_button.setEnabled(trial is not None and state_name(trial.state) == "COMPLETE")

    def use_selected_trial(self) -> bool:
        trial = self.selected_trial()
        if trial is None:
            return False
        from ...core.tuning.space import apply_params  # noqa: PLC0415

        try:
            changed = apply_params(self.document.project, trial.params)
        except (SettingsError, ValueError) as exc:
            self.status.setText(tr("These settings cannot be used: {reason}", reason=str(exc)))
            return False
        if not self.document.push(UseTrialSettings(self.document, changed, trial.number)):
            return False
        self._used_words = tr("The network and the training settings have trial {number}'s values now (Ctrl+Z "
                              "takes them back).", number=trial.number)
        self.status.setText(self._used_words)
        return True
