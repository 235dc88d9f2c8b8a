"""The files a run writes as it goes (checkpoints, TensorBoard logs): their callbacks and their closing words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.i18n import tr
from ..core.project import Project
from ..core.run_folders import checkpoint_folder, tensorboard_folder
from ..core.settings import TrainingSettings
from .callbacks import Callback


@dataclass
class RunFiles:
    """The callbacks that write a run's files, and what the run's closing message should say about them."""

    callbacks: list[Callback] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # problems found before the run started

    def closing_words(self) -> str:
        """Where the files went and any problem, plainly; "" when the run wrote none and nothing went wrong."""
        words = list(self.notes)
        for callback in self.callbacks:
            note = getattr(callback, "closing_note", None)
            text = note() if callable(note) else ""
            if text:
                words.append(text)
        return " ".join(words)

    def add_test_results(self, test: dict) -> None:
        """The test numbers measured after the run, for the callbacks that log them (TensorBoard)."""
        for callback in self.callbacks:
            add = getattr(callback, "add_test_results", None)
            if callable(add):
                add(test)

    def add_to_message(self, history: Any) -> None:
        """Append the closing words to the run's message (the CLI prints it, the Training panel shows it)."""
        words = self.closing_words()
        if words:
            history.message = f"{history.message} {words}".strip()


def class_names_of(data: Any) -> dict[str, tuple[str, ...]]:
    """Each Output's class names from the loaded data, so a checkpoint opens with the same labels."""
    targets = getattr(getattr(data, "context", None), "output_targets", None) or {}
    return {node_id: tuple(target.class_names) for node_id, target in targets.items() if target.class_names}


def run_files(project: Project, settings: TrainingSettings, data: Any = None) -> RunFiles:
    """The file-writing callbacks the settings ask for; folders come from `project` (its file's folder)."""
    files = RunFiles()
    options = settings.checkpoints
    if options.enabled:
        folder = checkpoint_folder(project, settings)
        if folder is None:
            files.notes.append(tr("No checkpoint files were written: the project has not been saved yet, so there "
                                  "is no folder beside it. Save the project or choose a checkpoint folder."))
        else:
            from .checkpoints import CheckpointWriter

            files.callbacks.append(CheckpointWriter(
                folder, project, every_epochs=options.every_epochs, when_improves=options.when_improves,
                keep=options.keep, monitor=settings.early_stopping.monitor, class_names=class_names_of(data)))
    if settings.tensorboard.enabled:
        root = tensorboard_folder(project, settings)
        if root is None:
            files.notes.append(tr("No TensorBoard logs were written: the project has not been saved yet, so there "
                                  "is no folder beside it. Save the project or choose a log folder."))
        else:
            try:
                from .tensorboard_log import TensorBoardLog
            except ImportError as exc:
                files.notes.append(tr("No TensorBoard logs were written: {reason}", reason=str(exc)[:200]))
            else:
                files.callbacks.append(TensorBoardLog(root, project, settings))
    return files


__all__ = ["RunFiles", "class_names_of", "run_files"]
