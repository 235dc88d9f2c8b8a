"""File dialogs that start where the student last was: one remembered folder per kind of file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtWidgets import QFileDialog, QWidget

from ..app_settings import settings

# The kinds of file a student opens or saves; each remembers its own folder, so importing data from
# ~/Downloads does not send the next "Save project" there too.
PROJECTS = "projects"
DATA = "data"
EXPORTS = "exports"
KINDS = (PROJECTS, DATA, EXPORTS)


def _key(kind: str) -> str:
    return f"folders/{kind}"


def remembered_folder(kind: str) -> Optional[Path]:
    """The folder last used for this kind of file, if it still exists."""
    value = settings().value(_key(kind))
    if isinstance(value, str) and value:
        folder = Path(value)
        if folder.is_dir():
            return folder
    return None


def remember_folder(kind: str, chosen: str | Path) -> None:
    """Remember the folder of a chosen file (or the chosen folder itself) for the next dialog of this kind."""
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    store = settings()
    store.setValue(_key(kind), str(folder))
    store.sync()


def start_folder(kind: str, near: Optional[Path] = None) -> Path:
    """Where a dialog opens: beside `near` (the open project) if given, else the last folder of this kind,
    else the last folder of any kind, else the home folder."""
    if near is not None and Path(near).is_dir():
        return Path(near)
    for candidate in (kind, *[k for k in KINDS if k != kind]):
        folder = remembered_folder(candidate)
        if folder is not None:
            return folder
    return Path.home()


def ask_open_file(parent: QWidget, title: str, file_filter: str, kind: str,
                  near: Optional[Path] = None) -> Optional[Path]:
    """Ask for one file to open; remembers its folder. None when the student cancels."""
    name, _ = QFileDialog.getOpenFileName(parent, title, str(start_folder(kind, near)), file_filter)
    if not name:
        return None
    remember_folder(kind, name)
    return Path(name)


def ask_open_files(parent: QWidget, title: str, file_filter: str, kind: str,
                   near: Optional[Path] = None) -> list[Path]:
    """Ask for several files at once; remembers their folder. Empty when the student cancels."""
    names, _ = QFileDialog.getOpenFileNames(parent, title, str(start_folder(kind, near)), file_filter)
    if names:
        remember_folder(kind, names[0])
    return [Path(name) for name in names]


def ask_folder(parent: QWidget, title: str, kind: str, near: Optional[Path] = None) -> Optional[Path]:
    """Ask for a folder; remembers it. None when the student cancels."""
    name = QFileDialog.getExistingDirectory(parent, title, str(start_folder(kind, near)))
    if not name:
        return None
    remember_folder(kind, name)
    return Path(name)


def ask_save_file(parent: QWidget, title: str, suggested_name: str, file_filter: str, kind: str,
                  near: Optional[Path] = None) -> Optional[Path]:
    """Ask where to save, suggesting a name in the start folder; remembers the folder. None on cancel."""
    suggested = start_folder(kind, near) / suggested_name
    name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
    if not name:
        return None
    remember_folder(kind, name)
    return Path(name)
