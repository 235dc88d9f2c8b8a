"""The two undo steps the Experiments panel makes: change the saved search, and use a trial's settings."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from ...core.i18n import tr
from ...core.settings import TrainingSettings

SEARCH_SPACE_ID = 1501   # consecutive edits of the search space merge into one step (typing a range, ticking)


def saved_space(project: Any) -> Any:
    """The search saved with the project (`project.tuning`, as the engine keeps it), or None."""
    return getattr(project, "tuning", None)


class SetSearchSpace(QUndoCommand):
    """Replace the search saved with the project; the panel follows the undo stack to show it."""

    def __init__(self, document: Any, space: Any) -> None:
        super().__init__()
        self.document = document
        self.old = copy.deepcopy(saved_space(document.project))
        self.new = copy.deepcopy(space)
        self.setText(tr("Change the experiment"))

    def id(self) -> int:  # noqa: A003 - Qt's name
        return SEARCH_SPACE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, SetSearchSpace) or other.document is not self.document:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self.document.project.tuning = copy.deepcopy(self.new)

    def undo(self) -> None:
        self.document.project.tuning = copy.deepcopy(self.old)


class UseTrialSettings(QUndoCommand):
    """Give the project a trial's drawing and training settings, as one step (apply_params made `trial_project`).

    When the trial changed only settings of existing layers, each changes in place (the canvas keeps its cards and
    the selection); when it added or removed layers, the whole drawing is replaced from its snapshot."""

    def __init__(self, document: Any, trial_project: Any, number: int) -> None:
        super().__init__()
        self.document = document
        project = document.project
        self.old_graph, self.new_graph = project.graph.to_dict(), trial_project.graph.to_dict()
        self.old_training = TrainingSettings.from_dict(project.training.to_dict())
        self.new_training = TrainingSettings.from_dict(trial_project.training.to_dict())
        self.setText(tr("Use the settings of trial {number}", number=number))

    def _show(self, graph_dict: dict, training: TrainingSettings) -> None:
        graph = self.document.project.graph
        if _same_layers(graph.to_dict(), graph_dict):
            for node in graph_dict["nodes"]:
                current = graph.nodes[node["id"]].params
                for key, value in node["params"].items():
                    if current.get(key) != value:
                        graph.set_param(node["id"], key, copy.deepcopy(value))
        else:
            graph.load_dict(copy.deepcopy(graph_dict))
        self.document.project.training = TrainingSettings.from_dict(training.to_dict())
        self.document.settings_changed.emit("training")

    def redo(self) -> None:
        self._show(self.new_graph, self.new_training)

    def undo(self) -> None:
        self._show(self.old_graph, self.old_training)


def _same_layers(before: dict, after: dict) -> bool:
    """The same layers (ids, types, order) and the same wires: only settings differ."""
    def shape(graph: dict) -> tuple:
        return ([(node["id"], node["type"]) for node in graph["nodes"]],
                [(e["source"], e["source_port"], e["target"], e["target_port"]) for e in graph["edges"]])
    return shape(before) == shape(after)
