"""Recovery files for autosave: where they go, writing them atomically, finding them after a crash, discarding."""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from .files import atomic_write_text, read_user_file
from .i18n import N_, tr
from .json_checks import short_value
from .project import MAX_FILE_BYTES, Project, ProjectError, path_problem, project_from_dict

FORMAT = "nnstudio-recovery"
VERSION = 1
SUFFIX = ".nnstudio-recovery"
DEFAULT_INTERVAL_SECONDS = 60
MAX_TIMESTAMP = 1e11  # seconds since 1970: the year 5138, far beyond any real save and within datetime's range

PathLike = Union[str, Path]


@dataclass(frozen=True)
class Recovery:
    """One recovery file found on start-up: what it restores and when it was written."""

    path: Path
    original_path: Optional[Path]  # None for a project that was never saved
    saved_at: float                # seconds since the epoch
    name: Optional[str] = None     # the name an unsaved project went by (an example's file name), if any

    @property
    def title(self) -> str:
        """How to name it to the user: the project file's name, the example it came from, or 'Untitled project'."""
        if self.original_path:
            return self.original_path.name
        return self.name or tr("Untitled project")


def default_recovery_dir() -> Path:
    """NNSTUDIO_RECOVERY_DIR if set, else the user's state folder (the GUI may pass its own)."""
    configured = os.environ.get("NNSTUDIO_RECOVERY_DIR")
    if configured:
        return Path(configured)
    state = os.environ.get("XDG_STATE_HOME") or os.environ.get("LOCALAPPDATA")
    base = Path(state) if state else Path.home() / ".local" / "state"
    return base / "nnstudio" / "recovery"


def recovery_path_for(project_path: Optional[PathLike], recovery_dir: PathLike) -> Path:
    """The recovery file of a project: one per project file, or one per running app for an untitled one.

    The name carries a hash of the full path, so two projects called 'model.nnstudio' in different folders
    never share a recovery file."""
    recovery_dir = Path(recovery_dir)
    if project_path is None:
        return recovery_dir / f"untitled-{os.getpid()}{SUFFIX}"
    resolved = str(Path(project_path).resolve())
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:12]
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(project_path).stem)[:40] or "project"
    return recovery_dir / f"{stem}-{digest}{SUFFIX}"


def write_recovery(project_text: str, recovery_dir: PathLike, project_path: Optional[PathLike] = None,
                   saved_at: Optional[float] = None, name: Optional[str] = None) -> Path:
    """Write the project's current JSON (as dumps_project gives it) to its recovery file, atomically.

    `name` is what an unsaved project is called in the window (an example's file name), so the Restore
    question can say which work it is."""
    recovery_dir = Path(recovery_dir)
    recovery_dir.mkdir(parents=True, exist_ok=True)
    path = recovery_path_for(project_path, recovery_dir)
    record = {
        "format": FORMAT,
        "version": VERSION,
        "original_path": str(Path(project_path).resolve()) if project_path is not None else None,
        "saved_at": time.time() if saved_at is None else float(saved_at),
        "name": name if project_path is None and name else None,
        "project": json.loads(project_text),
    }
    atomic_write_text(path, json.dumps(record, indent=1, allow_nan=False) + "\n")
    return path


def _read_record(path: Path) -> dict:
    name = short_value(path.name, 60)
    data = read_user_file(path, MAX_FILE_BYTES, ProjectError, N_("a recovery file"))
    try:
        record = json.loads(data)
    except RecursionError:
        raise ProjectError(tr("the recovery file {name} is nested too deeply", name=name)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProjectError(tr("the recovery file {name} cannot be read ({reason})", name=name,
                              reason=str(exc)[:80])) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("version") != VERSION:
        raise ProjectError(tr("{name} is not an NN Studio recovery file", name=name))
    original, saved_at = record.get("original_path"), record.get("saved_at")
    if original is not None and (not isinstance(original, str) or path_problem(original)
                                 or not Path(original).is_absolute()):
        raise ProjectError(tr("the recovery file {name} is damaged (its original path)", name=name))
    # The time is shown as a date in the Restore question: it must be one (not NaN, not 10**400).
    if (isinstance(saved_at, bool) or not isinstance(saved_at, (int, float))
            or not 0 <= saved_at <= MAX_TIMESTAMP or not math.isfinite(saved_at)):
        raise ProjectError(tr("the recovery file {name} is damaged (its time)", name=name))
    return record


def _shown_name(name: str, limit: int = 60) -> str:
    """A project name from a recovery file as the Restore question shows it: printable, one line, short."""
    text = "".join(c if c.isprintable() else "?" for c in " ".join(name.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def find_recoveries(recovery_dir: PathLike) -> list[Recovery]:
    """The readable recovery files in a folder, newest first (damaged ones are left out, not raised)."""
    recovery_dir = Path(recovery_dir)
    if not recovery_dir.is_dir():
        return []
    found = []
    for path in recovery_dir.glob(f"*{SUFFIX}"):
        try:
            record = _read_record(path)
        except ProjectError:
            continue  # a damaged recovery file cannot be offered; discard_recovery can remove it
        original = record["original_path"]
        # The name is only shown (shortened, on one line); one that is not text is left out, like an old file's.
        name = record.get("name")
        shown = _shown_name(name) if isinstance(name, str) and name.strip() else None
        found.append(Recovery(path, Path(original) if original else None, float(record["saved_at"]), shown))
    return sorted(found, key=lambda recovery: recovery.saved_at, reverse=True)


def load_recovery(recovery: Union[Recovery, PathLike]) -> Project:
    """The project a recovery file holds; its data paths resolve as they did next to the original file.

    The project comes back untitled (`path` None): a recovery file is only a file in a folder, and whatever
    wrote it must not decide which file Save overwrites. The original is kept as `origin`, a name to suggest
    when Save asks where to write."""
    path = recovery.path if isinstance(recovery, Recovery) else Path(recovery)
    record = _read_record(path)
    original = Path(record["original_path"]) if record["original_path"] else None
    try:
        project = project_from_dict(record["project"], original.parent if original else None)
    except RecursionError:
        raise ProjectError(tr("the recovery file {name} is nested too deeply", name=short_value(path.name, 60))) \
            from None
    project.path = None
    project.origin = original
    return project


def discard_recovery(recovery: Union[Recovery, PathLike, None]) -> None:
    """Delete a recovery file (after a save, a restore or the user's 'discard'); a missing one is fine."""
    if recovery is None:
        return
    path = recovery.path if isinstance(recovery, Recovery) else Path(recovery)
    try:
        path.unlink()
    except FileNotFoundError:
        pass  # already gone: nothing to discard
