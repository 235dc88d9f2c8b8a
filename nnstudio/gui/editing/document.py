"""The open project as the GUI sees it: graph, undo stack, selection, live analysis, file state."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from ...core.analysis import Analysis, DataContext, analyze
from ...core.graph import Graph
from ...core.i18n import tr
from ...core.project import Project


class Document(QObject):
    """One open project. Views read it and listen; edits go through `push(command)` only."""

    analysis_changed = Signal()          # shapes, parameter counts or issues may have changed
    selection_changed = Signal(list)     # selected node ids
    dirty_changed = Signal(bool)         # unsaved changes appeared / were saved
    path_changed = Signal()              # the file name changed (Save As, Open)
    project_replaced = Signal()          # a whole new project (New, Open): views rebuild
    edit_refused = Signal(str)           # an edit was refused; the message says why
    settings_changed = Signal(str)       # "data" or "training" settings of the project changed
    edit_lock_changed = Signal(bool)     # edits (undo and redo included) were locked (True, maybe anew) or allowed

    def __init__(self, project: Optional[Project] = None, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        # The window's Undo/Redo actions come from this group: a stack alone ignores setActive(False), but the
        # group's actions turn off when it has no active stack, which is how lock_edits takes undo away.
        # The group is made first so that it is destroyed first (Qt deletes children in creation order): a stack
        # destroyed before its group makes the group announce "no active stack" from a half-deleted Document,
        # which crashed Python during garbage collection (test_data_binding_issues.py then test_data_panel.py did).
        self.undo_group = QUndoGroup(self)
        self.undo_stack = QUndoStack(self)
        self.undo_group.addStack(self.undo_stack)
        self.undo_group.setActiveStack(self.undo_stack)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.project = project or Project()
        self.data_context: Optional[DataContext] = None
        self.analysis: Analysis = Analysis()
        self.selected_ids: list[str] = []
        # While training runs, the graph must not change under the trainer: edits are refused with this reason.
        self.edit_lock_reason: Optional[str] = None
        # Changes saved with the project that are not undo steps (a finished run added to the history).
        self._changed_outside_undo = False
        self._attach()

    # ------------------------------------------------------------ project
    @property
    def graph(self) -> Graph:
        return self.project.graph

    @property
    def path(self) -> Optional[Path]:
        return self.project.path

    @property
    def display_name(self) -> str:
        return self.path.name if self.path else tr("Untitled")

    @property
    def is_dirty(self) -> bool:
        return not self.undo_stack.isClean() or self._changed_outside_undo

    def mark_changed_outside_undo(self) -> None:
        """Note a saved change that is no undo step (a run recorded in the history): Ctrl+Z must not erase it."""
        if not self._changed_outside_undo:
            self._changed_outside_undo = True
            self.dirty_changed.emit(True)

    def replace_project(self, project: Project) -> None:
        """Show another project (New/Open); the undo history starts again from it."""
        self.project.graph.events.changed.disconnect(self.refresh_analysis)
        self.project = project
        self._changed_outside_undo = False
        self.undo_stack.clear()
        self.selected_ids = []
        self.data_context = None
        self._attach()
        self.project_replaced.emit()
        self.path_changed.emit()
        self.dirty_changed.emit(False)
        self.selection_changed.emit([])

    def mark_saved(self, path: Path) -> None:
        self.project.path = path
        self.undo_stack.setClean()
        if self._changed_outside_undo:
            self._changed_outside_undo = False
            self.dirty_changed.emit(False)
        self.path_changed.emit()

    def _on_clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean or self._changed_outside_undo)

    def _attach(self) -> None:
        self.project.graph.events.changed.connect(self.refresh_analysis)
        self.refresh_analysis()

    # ------------------------------------------------------------ analysis
    def set_data_context(self, context: Optional[DataContext]) -> None:
        self.data_context = context
        self.refresh_analysis()

    def refresh_analysis(self) -> None:
        self.analysis = analyze(self.project.graph, self.data_context)
        self.analysis_changed.emit()

    # ------------------------------------------------------------ edits
    def push(self, command: QUndoCommand) -> bool:
        """Apply an edit as one undo step; refused (and False) while the graph is locked for training."""
        if self.edit_lock_reason:
            self.edit_refused.emit(self.edit_lock_reason)
            return False
        self.undo_stack.push(command)
        return True

    def lock_edits(self, reason: Optional[str]) -> None:
        """Refuse every edit, undo and redo included, with this reason (None allows them again)."""
        self.edit_lock_reason = reason
        self.undo_group.setActiveStack(self.undo_stack if reason is None else None)
        self.edit_lock_changed.emit(reason is not None)

    def undo(self) -> bool:
        """Undo the last step; refused (and False) while edits are locked, like any other edit."""
        return self._step(self.undo_stack.undo)

    def redo(self) -> bool:
        """Redo the next step; refused (and False) while edits are locked."""
        return self._step(self.undo_stack.redo)

    def _step(self, move: Callable[[], None]) -> bool:
        if self.edit_lock_reason:
            self.edit_refused.emit(self.edit_lock_reason)
            return False
        move()
        return True

    # ------------------------------------------------------------ selection
    def select(self, node_ids: list[str]) -> None:
        ids = [n for n in node_ids if n in self.graph.nodes]
        if ids != self.selected_ids:
            self.selected_ids = ids
            self.selection_changed.emit(list(ids))
