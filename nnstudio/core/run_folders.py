"""Where a run's files go: the checkpoint and TensorBoard folders of a project, and the command that opens the logs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from .project import Project
from .settings import TrainingSettings

TENSORBOARD_DEFAULT = "logs"   # the notes' my_logs: one folder beside the project, one sub-folder per run


def project_folder(project: Project) -> Optional[Path]:
    """The folder of the project's file, or None while it has never been saved."""
    return project.path.parent if project.path is not None else None


def _resolve(project: Project, folder: str, default_name: str) -> Optional[Path]:
    """A folder setting as a path: absolute as written, relative to the project's folder, or the default name
    beside the project; None when that needs a project folder and the project has none yet."""
    chosen = Path(folder).expanduser() if folder else None
    if chosen is not None and chosen.is_absolute():
        return chosen
    base = project_folder(project)
    if base is None:
        return None
    return base / (chosen if chosen is not None else default_name)


def checkpoint_folder(project: Project, settings: Optional[TrainingSettings] = None) -> Optional[Path]:
    """Where checkpoint files go: the chosen folder, or "<project name>-checkpoints" beside the project.
    `settings`: the run's own, when they differ from the project's (a CLI option)."""
    settings = settings or project.training
    name = project.path.stem if project.path is not None else "project"
    return _resolve(project, settings.checkpoints.folder, f"{name}-checkpoints")


def tensorboard_folder(project: Project, settings: Optional[TrainingSettings] = None) -> Optional[Path]:
    """Where TensorBoard logs go: the chosen folder, or "logs" beside the project."""
    settings = settings or project.training
    return _resolve(project, settings.tensorboard.folder, TENSORBOARD_DEFAULT)


def relative_to_project(project: Project, chosen: Path) -> str:
    """How a chosen folder is stored: relative to the project's folder when it is inside it (the project can then
    move with its folder), else absolute."""
    base = project_folder(project)
    chosen = Path(chosen)
    if base is not None:
        try:
            return chosen.resolve().relative_to(base.resolve()).as_posix() or "."
        except ValueError:
            pass  # elsewhere on the disk: only the whole path can find it again
    return str(chosen)


def tensorboard_command(folder: Path) -> str:
    """The command that opens the logs, quoted for this platform's shell: the same words as
    engine.tensorboard_log.tensorboard_command says after a run (that module loads torch; the window may not)."""
    path = str(Path(folder).resolve())
    if sys.platform == "win32":
        return f'tensorboard --logdir "{path}"'   # Windows paths cannot hold a double quote; cmd.exe keeps $ and \
    escaped = "".join("\\" + char if char in '\\"$`' else char for char in path)
    return f'tensorboard --logdir "{escaped}"'


__all__ = ["TENSORBOARD_DEFAULT", "checkpoint_folder", "project_folder", "relative_to_project",
           "tensorboard_command", "tensorboard_folder"]
