"""File handling for the window: New, Open, Open Example, Open Recent, Save, Save As and unsaved-change prompts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from ...core.i18n import tr
from ...core.project import EXTENSION, Project, ProjectError, load_project, save_project
from ..app_settings import settings
from ..widgets import file_dialogs
from ..widgets.menu_text import as_menu_text
from .document import Document

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "resources" / "examples"
# The example a newcomer sees first: XOR is the lecture's first network and is free of warnings.
DEFAULT_EXAMPLE = "xor"
MAX_RECENT = 8


def file_filter() -> str:
    """The file dialogs' filter for project files, in the current language."""
    return tr("NN Studio projects (*{extension});;All files (*)", extension=EXTENSION)


def example_files() -> list[tuple[str, Path]]:
    """(title, path) of every shipped example, read from the files so the menu shows their real titles."""
    found = []
    for path in sorted(EXAMPLES_DIR.glob(f"*{EXTENSION}")):
        try:
            title = json.loads(path.read_text(encoding="utf-8")).get("title") or path.stem
            title = tr(title) if isinstance(title, str) else title  # marked in core/examples.py
        except (OSError, ValueError) as exc:
            title = tr("{name} (unreadable: {error})", name=path.stem, error=exc)
        found.append((str(title), path))
    return found


def is_example(path: Optional[Path]) -> bool:
    return path is not None and path.resolve().parent == EXAMPLES_DIR


def _project_file_name(path: Path) -> str:
    """A name to suggest for saving: the file's name, ending in the project extension."""
    name = path.name or tr("Untitled")
    return name if name.endswith(EXTENSION) else f"{Path(name).stem}{EXTENSION}"


class FileActions(QObject):
    """Owns the File menu's actions; every prompt goes through a method tests can replace."""

    message = Signal(str)  # for the status bar: "Saved xor.nnstudio"
    changes_discarded = Signal()  # the student answered Discard: their unsaved changes (and autosave) may go

    def __init__(self, document: Document, window: QWidget) -> None:
        super().__init__(window)
        self.document = document
        self.window = window
        # An example opens without a path so Save never overwrites the shipped file; its name is kept for titles.
        self.suggested_name: Optional[str] = None
        self.save_title = ""   # the Save dialog's title while a feature asks for a save (save_as(title=...))
        # Other kinds of file that Open, Open Recent and drops accept (a trained-model bundle, .nnzip):
        # extension -> (file-dialog filter, function that opens such a file and says whether it did).
        self.openers: dict[str, tuple[str, Callable[[Path], bool]]] = {}
        # Kinds of file that Save writes in their own way when the project was last saved as one (a .nnzip is
        # written again as a bundle, never as project JSON): extension -> function that saves there.
        self.savers: dict[str, Callable[[Path], bool]] = {}
        # What is written beside a project file before it (sharing writes the trained weights and names them in
        # the project): each is given the project's path and says whether it managed (it has said why not).
        self.companion_writers: list[Callable[[Path], bool]] = []

        self.new_action = self._action(tr("&New"), QKeySequence.StandardKey.New, self.new_project,
                                       tr("Start an empty network"))
        self.open_action = self._action(tr("&Open…"), QKeySequence.StandardKey.Open, self.open_dialog,
                                        tr("Open a project file"))
        self.save_action = self._action(tr("&Save"), QKeySequence.StandardKey.Save, self.save,
                                        tr("Save the project"))
        self.save_as_action = self._action(tr("Save &As…"), QKeySequence("Ctrl+Shift+S"), self.save_as,
                                           tr("Save the project under a new name"))
        self.examples_menu = QMenu(tr("Open &Example"), window)
        for title, path in example_files():
            action = self.examples_menu.addAction(as_menu_text(title))
            action.setData(str(path))
            action.triggered.connect(lambda checked=False, p=path: self.open_example(p))
        self.recent_menu = QMenu(tr("Open &Recent"), window)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()

    def _action(self, text: str, shortcut, slot, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(lambda checked=False: slot())
        return action

    # ------------------------------------------------------------ titles
    def display_name(self) -> str:
        if self.document.path is not None:
            return self.document.path.name
        return self.suggested_name or tr("Untitled")

    def window_title(self) -> str:
        # [*] is where Qt draws the unsaved-changes mark when the window is marked modified.
        return tr("{name}[*] — NN Studio", name=self.display_name())

    # ------------------------------------------------------------ prompts (tests replace these)
    def ask_unsaved_changes(self) -> QMessageBox.StandardButton:
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        return QMessageBox.question(
            self.window, tr("Unsaved changes"),
            tr("“{name}” has changes that are not saved.\nDo you want to save them?", name=self.display_name()),
            buttons, QMessageBox.StandardButton.Save)

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)

    def ask_open_path(self) -> Optional[Path]:
        return file_dialogs.ask_open_file(self.window, tr("Open project"), self.open_filter(), file_dialogs.PROJECTS)

    def open_filter(self) -> str:
        """The Open dialog's filter: projects and every registered kind of file, together and one by one."""
        if not self.openers:
            return file_filter()
        patterns = " ".join(f"*{ext}" for ext in [EXTENSION, *self.openers])
        kinds = ";;".join(f"{label} (*{ext})" for ext, (label, _) in self.openers.items())
        return tr("NN Studio files ({patterns});;NN Studio projects (*{extension});;{kinds};;All files (*)",
                  patterns=patterns, extension=EXTENSION, kinds=kinds)

    def ask_save_path(self) -> Optional[Path]:
        """Where to save the project. The dialog's title is "Save project as", or why a feature asks for the save
        (save_as's title)."""
        # A saved project's own folder, or a restored one's original folder; otherwise None, so the dialog
        # starts in the folder last used for projects, else for data (file_dialogs.start_folder).
        near = self.document.path.parent if self.document.path else self._origin_folder()
        suggested = _project_file_name(Path(self.display_name()))  # after a .nnzip: the same name as a project
        path = file_dialogs.ask_save_file(self.window, self.save_title or tr("Save project as"), suggested,
                                          file_filter(), file_dialogs.PROJECTS, near)
        if path is None:
            return None
        return path if path.suffix == EXTENSION else path.with_name(path.name + EXTENSION)

    def _origin_folder(self) -> Optional[Path]:
        """The folder of an untitled project's origin (a restored recovery's original file), if it still exists."""
        origin = self.document.project.origin
        try:
            if origin is not None and origin.parent.is_dir():
                return origin.parent
        except (OSError, ValueError):
            pass  # an unreadable or odd origin is only a suggestion: the remembered folders come next
        return None

    # ------------------------------------------------------------ unsaved changes
    def maybe_save(self) -> bool:
        """True when it is fine to throw the current project away (saved, discarded or clean)."""
        if not self.document.is_dirty:
            return True
        answer = self.ask_unsaved_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.changes_discarded.emit()
            return True
        return False

    # ------------------------------------------------------------ commands
    def new_project(self) -> bool:
        if not self.maybe_save():
            return False
        self.suggested_name = None
        self.document.replace_project(Project())
        self.message.emit(tr("New empty project: drag an Input from the palette to begin"))
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        path = self.ask_open_path()
        return self.open_path(path, ask_first=False) if path else False

    def open_example(self, path: Path) -> bool:
        return self.open_path(path)

    def open_path(self, path: Path, ask_first: bool = True) -> bool:
        """Open a project file; a file that fails shows why and leaves the current project as it was."""
        if ask_first and not self.maybe_save():
            return False
        opener = self.openers.get(Path(path).suffix.lower())
        if opener is not None:
            return opener[1](Path(path))
        try:
            project = load_project(path)
        except ProjectError as exc:
            self.show_error(tr("Could not open the project"), str(exc))
            return False
        self.show_project(project)
        return True

    def show_project(self, project: Project) -> None:
        """Put a loaded project in the window (no questions asked: the caller has asked already)."""
        example = is_example(project.path)
        if example:
            self.suggested_name = project.path.name
            project.path = None
        elif project.path is None and project.origin is not None:
            # Restored unsaved work: its original's name is shown and offered in Save As, never written to
            # without asking (the recovery file that named it could name any file).
            self.suggested_name = _project_file_name(project.origin)
        else:
            self.suggested_name = None
            self.add_recent(project.path)
        self.document.replace_project(project)
        name = (tr(project.title) if example else project.title) or self.display_name()
        self.message.emit(tr("Opened example {name}", name=name) if example else tr("Opened {name}", name=name))

    def save(self) -> bool:
        path = self.document.path
        if path is None:
            return self.save_as()
        return self.save_to(path)

    def save_as(self, title: str = "") -> bool:
        """Ask where and save there; `title` says why when a feature needs the project saved first."""
        self.save_title = title
        try:
            path = self.ask_save_path()
        finally:
            self.save_title = ""
        return self.save_to(path) if path else False

    def save_to(self, path: Path) -> bool:
        saver = self.savers.get(Path(path).suffix.lower())
        if saver is not None:
            return saver(Path(path))
        if not all(write(Path(path).resolve()) for write in self.companion_writers):
            return False
        try:
            save_project(self.document.project, path)  # atomic: a crash mid-save keeps the old file
        except ProjectError as exc:
            self.show_error(tr("Could not save the project"), str(exc))
            return False
        self.mark_saved_as(path)
        self.message.emit(tr("Saved {name}", name=self.document.path.name))
        return True

    def mark_saved_as(self, path: Path) -> None:
        """The project now lives in this file (a project or a bundle): title, clean state and Open Recent say so."""
        self.suggested_name = None
        self.document.project.origin = None  # saved where the user chose: that is its place from now on
        self.document.mark_saved(Path(path).resolve())
        self.add_recent(self.document.path)

    # ------------------------------------------------------------ recent files
    def recent_files(self) -> list[Path]:
        value = settings().value("recent_files", [])
        if isinstance(value, str):  # QSettings gives a lone string for a one-item list on some platforms
            value = [value]
        return [Path(v) for v in (value or [])]

    def add_recent(self, path: Optional[Path]) -> None:
        if path is None:
            return
        text = str(Path(path).resolve())
        paths = [text] + [str(p) for p in self.recent_files() if str(p) != text]
        settings().setValue("recent_files", paths[:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        existing = [p for p in self.recent_files() if p.is_file()]
        for path in existing:
            action = self.recent_menu.addAction(as_menu_text(path.name))
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda checked=False, p=path: self.open_path(p))
        if not existing:
            self.recent_menu.addAction(tr("No recent projects")).setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(tr("Clear list"), lambda: settings().remove("recent_files"))
