"""Runs a study off the GUI thread: a worker QObject on its own QThread, and the runner that owns both."""

from __future__ import annotations

import threading
import traceback
from typing import Any, Optional

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from ...core.i18n import tr


class StudyWorker(QObject):
    """Calls the engine's run_study in the thread it was moved to. It only sends signals; the runner, a QObject in
    the GUI thread, receives them (queued), so nothing of Qt is touched or destroyed in this thread."""

    trial_done = Signal()          # a trial finished (its row is in the study's storage)
    ended = Signal(bool, str)      # stopped by the student, plain message ("" when it went well)

    def __init__(self, project: Any, space: Any) -> None:
        super().__init__()
        self.project, self.space = project, space
        self.stop_event = threading.Event()

    def _on_trial(self, *_: Any) -> None:
        self.trial_done.emit()

    @Slot()
    def run(self) -> None:
        message = ""
        try:
            from ...engine.tuning.workers import run_study  # noqa: PLC0415 - optuna and torch load here

            # No storage named: the engine keeps the study in the project's folder, where reopening finds it.
            run_study(self.project, self.space, workers=self.space.workers, stop_event=self.stop_event,
                      on_trial=self._on_trial)
        except Exception as exc:  # noqa: BLE001 - any failure must reach the student, not end the thread silently
            message = tr("The experiment stopped because of an error: {reason}", reason=str(exc) or type(exc).__name__)
            traceback.print_exc()
        finally:
            self.ended.emit(self.stop_event.is_set(), message)
            # Back to the GUI thread, so the object is deleted there once the thread has ended.
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            QThread.currentThread().quit()


class StudyRunner(QObject):
    """Starts and stops one study at a time, and tells the panel (in the GUI thread) when trials finish."""

    trial_done = Signal()
    running_changed = Signal(bool)
    failed = Signal(str)

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self._worker: Optional[StudyWorker] = None
        self._thread: Optional[QThread] = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, project: Any, space: Any) -> None:
        if self.running:
            return
        from .. import gc_guard  # noqa: PLC0415
        gc_guard.install()   # before a second thread runs Python: garbage is collected in the GUI thread only
        worker = StudyWorker(project, space)
        worker.trial_done.connect(self._on_trial_done)   # methods of this GUI-thread object: queued calls
        worker.ended.connect(self._on_ended)
        thread = QThread(self)
        thread.setObjectName("experimentThread")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        self._worker, self._thread = worker, thread
        thread.start()
        self.running_changed.emit(True)

    def stop(self) -> None:
        """Ask the study to stop: trials running now end at their next epoch, none start after them."""
        if self._worker is not None:
            self._worker.stop_event.set()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop and wait for the thread (the window is closing)."""
        self.stop()
        self._finish(timeout_ms)

    def _on_trial_done(self) -> None:
        self.trial_done.emit()

    def _on_ended(self, stopped: bool, message: str) -> None:
        self._finish(30_000)
        if message:
            self.failed.emit(message)
        self.trial_done.emit()   # the last rows, whatever happened
        self.running_changed.emit(False)

    def _finish(self, timeout_ms: int) -> None:
        thread, self._thread, self._worker = self._thread, None, None
        if thread is None:
            return
        thread.quit()
        if not thread.wait(timeout_ms):
            thread.wait()
        thread.deleteLater()
