"""Autosave: while the project has unsaved changes, write it to a recovery file every minute; offer it after a crash."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from ...core.autosave import (DEFAULT_INTERVAL_SECONDS, Recovery, default_recovery_dir, discard_recovery,
                              find_recoveries, write_recovery)
from ...core.i18n import tr
from ...core.project import dumps_project

log = logging.getLogger(__name__)

INTERVAL_ENV = "NNSTUDIO_AUTOSAVE_SECONDS"
SHORTEST_INTERVAL_SECONDS = 0.2  # tests use 1 s; anything shorter would be writing all the time


def interval_seconds() -> float:
    """NNSTUDIO_AUTOSAVE_SECONDS if it holds a sensible number, else one minute."""
    text = os.environ.get(INTERVAL_ENV, "").strip()
    if not text:
        return float(DEFAULT_INTERVAL_SECONDS)
    try:
        value = float(text)
    except ValueError:
        log.warning("%s=%r is not a number of seconds; autosaving every %d s", INTERVAL_ENV, text,
                    DEFAULT_INTERVAL_SECONDS)
        return float(DEFAULT_INTERVAL_SECONDS)
    return max(value, SHORTEST_INTERVAL_SECONDS)


def _pid_of_untitled(recovery: Recovery) -> Optional[int]:
    """The process id in 'untitled-<pid>.nnstudio-recovery' (an untitled project's recovery file)."""
    stem = recovery.path.name.split(".")[0]
    if recovery.original_path is None and stem.startswith("untitled-") and stem[len("untitled-"):].isdigit():
        return int(stem[len("untitled-"):])
    return None


def _process_running(pid: int) -> bool:
    """Whether another NN Studio may still be writing this file (POSIX only: on Windows os.kill(pid, 0) kills)."""
    if os.name != "posix" or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is just someone else's
    return True


class Autosaver(QObject):
    """Writes the document to its recovery file on a timer while it is dirty; discards it once saved or closed."""

    written = Signal(Path)   # a recovery file was written
    failed = Signal(str)     # it could not be written: the reason, for the status bar

    def __init__(self, document: Any, recovery_dir: Optional[Path] = None, seconds: Optional[float] = None,
                 parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.document = document
        self.recovery_dir = Path(recovery_dir) if recovery_dir is not None else default_recovery_dir()
        self.current_file: Optional[Path] = None   # the recovery file this window wrote last
        self._last_text: Optional[str] = None
        self._closing = False
        # What an unsaved project is called in the window (an example's name): the window sets it.
        self.name_of_unsaved: Callable[[], Optional[str]] = lambda: None
        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 * (seconds if seconds is not None else interval_seconds())))
        self.timer.timeout.connect(self.write_now)
        document.dirty_changed.connect(self._dirty_changed)
        if document.is_dirty:
            self.timer.start()

    # ------------------------------------------------------------ writing and discarding
    def _dirty_changed(self, dirty: bool) -> None:
        if dirty:
            if not self.timer.isActive():
                self.timer.start()  # the first write comes one interval after the first unsaved change
        else:
            # Saved (or a new project opened after the unsaved-changes question): nothing left to recover.
            self.timer.stop()
            self.discard()

    def write_now(self) -> Optional[Path]:
        """Write the project if it has unsaved changes (and changed since the last write); the file written."""
        if not self.document.is_dirty:
            return None
        project = self.document.project
        try:
            text = dumps_project(project, project.path.parent if project.path else None)
            if text == self._last_text and self.current_file is not None and self.current_file.exists():
                return self.current_file
            path = write_recovery(text, self.recovery_dir, project.path,
                                  name=None if project.path else self.name_of_unsaved())
        except (OSError, ValueError) as exc:
            # The user keeps working; the status bar says autosave is failing (full disk, no permission...).
            log.warning("autosave failed: %s", exc)
            self.failed.emit(tr("Autosave failed: {error}", error=getattr(exc, "strerror", None) or exc))
            return None
        if self.current_file is not None and self.current_file != path:
            discard_recovery(self.current_file)  # the project moved (Save As while dirty): one file per project
        self.current_file, self._last_text = path, text
        self.written.emit(path)
        return path

    def discard(self) -> None:
        if self.current_file is not None:
            discard_recovery(self.current_file)
        self.current_file, self._last_text = None, None

    # ------------------------------------------------------------ a clean close of the window
    def watch_window(self, window: QObject) -> None:
        """Discard the recovery file when the window really closes (the unsaved-changes question was answered).

        A close the user cancels sends Close but no Hide; an accepted one hides the window right after.
        Answering Discard to the unsaved-changes question throws the recovery file away too: it holds exactly
        the changes the student chose to lose."""
        window.installEventFilter(self)
        files = getattr(window, "file_actions", None)
        if files is not None:
            files.changes_discarded.connect(self.discard)
            self.name_of_unsaved = lambda: files.suggested_name

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Not forgotten on a timer: the unsaved-changes question runs its own event loop, where any timer
        # would fire before the student answers. A cancelled close is simply followed by no Hide.
        if event.type() == QEvent.Type.Close:
            self._closing = True
        elif event.type() == QEvent.Type.Show:
            self._closing = False
        elif event.type() == QEvent.Type.Hide and self._closing and not event.spontaneous():
            # Hidden by close() itself, not minimised by the window system: the window is gone.
            self._closing = False
            self.timer.stop()
            self.discard()
        return False

    # ------------------------------------------------------------ after a crash
    def recoveries_to_offer(self) -> list[Recovery]:
        """Recovery files left by an NN Studio that did not close properly, newest first."""
        offered = []
        for recovery in find_recoveries(self.recovery_dir):
            if self.current_file is not None and recovery.path == self.current_file:
                continue  # this window's own
            pid = _pid_of_untitled(recovery)
            if pid is not None and _process_running(pid):
                continue  # another NN Studio that is still open is autosaving its untitled project
            offered.append(recovery)
        return offered
