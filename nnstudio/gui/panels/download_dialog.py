"""The download dialog: fetch one course dataset in a background thread, with progress in MB and Cancel."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.i18n import N_, tr

# The datasets whose files the MNIST-format import dialog reads: offline, the student can use files from a folder.
MNIST_FORMAT = ("fashion-mnist", "mnist")
PROGRESS_EVERY_MS = 50   # the bar needs no more than 20 updates a second
MEGABYTE = 1_000_000
OFFLINE = N_("You seem to be offline: {title} could not be downloaded.")
OFFLINE_MNIST = N_("If you have the files already (from a classmate or another computer), choose their folder "
                   "with \"Use files from a folder…\".")
OFFLINE_FOLDER = N_("Without internet, put {files} in this folder and choose {title} again: {folder}")


def megabytes(size: int) -> str:
    """Bytes as a number of megabytes for the bar's line: '30', '0.4' for small amounts."""
    value = size / MEGABYTE
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


class DownloadWorker(QObject):
    """Runs one blocking download in the thread it was moved to; every outcome is a signal to the GUI thread.

    Progress is no signal: the download reports every 64 kB chunk, so the worker only keeps the latest count
    and the dialog reads it on its own timer (as the training panel reads its mailbox)."""

    succeeded = Signal(str)               # the dataset's folder
    failed = Signal(str, bool)            # message, whether the computer seems offline
    cancelled = Signal()
    finished = Signal()

    def __init__(self, key: str, fetch: Callable[..., Path], timeout_s: float) -> None:
        super().__init__()
        self.key, self.fetch, self.timeout_s = key, fetch, timeout_s
        self.cancel = threading.Event()   # set from the GUI thread; the download checks it between chunks
        self.latest: Optional[tuple[int, int]] = None   # (bytes done, bytes in all): one tuple, swapped whole

    def report(self, done: int, total: int) -> None:
        """Called by the download in this thread after every chunk."""
        self.latest = (int(done), int(total or 0))

    def run(self) -> None:
        from ...core.data.downloads import DownloadCancelled, DownloadError  # noqa: PLC0415

        try:
            path = self.fetch(self.key, progress=self.report, cancel=self.cancel, timeout=self.timeout_s)
        except DownloadCancelled:
            self.cancelled.emit()
        except DownloadError as exc:
            self.failed.emit(str(exc), bool(getattr(exc, "offline", False)))
        except Exception as exc:  # noqa: BLE001 - whatever went wrong must reach the student, not kill the thread
            self.failed.emit(tr("The download stopped with an error: {error}", error=exc), False)
        else:
            self.succeeded.emit(str(path))
        finally:
            # Back to the GUI thread before the thread ends, so the worker is destroyed there (gc_guard.py).
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            self.finished.emit()
            QThread.currentThread().quit()


class DownloadDialog(QDialog):
    """Downloads `dataset` when shown; `outcome` says how it ended: done, cancelled, failed or folder."""

    timeout_s = 20.0   # seconds without an answer before a mirror counts as unreachable (tests lower it)

    def __init__(self, dataset: Any, fetch: Optional[Callable[..., Path]] = None,
                 folder: Optional[Path] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        if fetch is None:
            from ...core.data.downloads import download as fetch  # noqa: PLC0415
        self.setObjectName("downloadDialog")
        self.dataset, self.fetch, self.folder = dataset, fetch, folder
        self.title = tr(dataset.title)
        self.outcome = ""
        self.path: Optional[Path] = None
        self.message = ""
        self._thread: Optional[QThread] = None
        self._worker: Optional[DownloadWorker] = None
        self._closing = False
        self._shown: Optional[tuple[int, int]] = None
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(PROGRESS_EVERY_MS)
        self._progress_timer.timeout.connect(self.read_progress)
        self.setWindowTitle(tr("Download {title}", title=self.title))
        layout = QVBoxLayout(self)
        about = QLabel(f"<b>{self.title}</b><br>{tr(dataset.description)}", self)
        about.setObjectName("downloadAbout")
        about.setWordWrap(True)
        about.setMinimumWidth(420)
        layout.addWidget(about)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("downloadProgress")
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        layout.addWidget(self.bar)
        self.status = QLabel(tr("Connecting…"), self)
        self.status.setObjectName("downloadStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(420)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.folder_button = QPushButton(tr("Use files from a folder…"), self)
        self.folder_button.setObjectName("useFilesFromFolder")
        self.folder_button.clicked.connect(self.use_folder)
        self.folder_button.hide()
        self.cancel_button = QPushButton(tr("Cancel"), self)
        self.cancel_button.setObjectName("downloadCancel")
        self.cancel_button.clicked.connect(self.reject)
        self.close_button = QPushButton(tr("Close"), self)
        self.close_button.setObjectName("downloadClose")
        self.close_button.clicked.connect(self.reject)
        self.close_button.hide()
        for button in (self.folder_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

    # ------------------------------------------------------------ running
    def start(self) -> None:
        """Start the download in its own thread (the dialog is then shown with exec())."""
        from .. import gc_guard  # noqa: PLC0415
        gc_guard.install()  # before a second thread runs Python: garbage is collected in the GUI thread only
        worker = DownloadWorker(self.dataset.key, self.fetch, self.timeout_s)
        thread = QThread(self)
        thread.setObjectName("downloadThread")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.succeeded.connect(self._on_succeeded)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        worker.finished.connect(self._on_finished)
        self._worker, self._thread = worker, thread
        thread.start()
        self._progress_timer.start()

    def read_progress(self) -> None:
        """Show the download's latest count when it changed (the timer's tick, and once at the end)."""
        latest = self._worker.latest if self._worker is not None else None
        if latest is not None and latest != self._shown:
            self._shown = latest
            self.show_progress(*latest)

    def is_running(self) -> bool:
        return self._thread is not None

    def show_progress(self, done: int, total: int) -> None:
        total = total or int(getattr(self.dataset, "size_bytes", 0) or 0)
        if total > 0:
            self.bar.setValue(min(1000, int(1000 * done / total)))
            self.status.setText(tr("{done} MB of {total} MB", done=megabytes(done), total=megabytes(total)))
        else:
            self.status.setText(tr("{done} MB", done=megabytes(done)))

    def _on_succeeded(self, path: str) -> None:
        self.outcome, self.path = "done", Path(path)
        self.bar.setValue(1000)

    def _on_cancelled(self) -> None:
        self.outcome = "cancelled"

    def _on_failed(self, message: str, offline: bool) -> None:
        if self._closing:   # the student pressed Cancel while a silent server was timing out: that is a cancel
            self.outcome = "cancelled"
            return
        self.outcome = "failed"
        if offline:
            text = tr(OFFLINE, title=self.title)
            self.status.setToolTip(message)   # which addresses were tried and why each failed
            if self.dataset.key in MNIST_FORMAT:
                text += "\n\n" + tr(OFFLINE_MNIST)
                self.folder_button.show()
            elif self.folder is not None:
                files = ", ".join(file.name for file in self.dataset.files)
                text += "\n\n" + tr(OFFLINE_FOLDER, files=files, title=self.title, folder=str(self.folder))
        else:
            text = tr("{title} could not be downloaded: {error}", title=self.title, error=message)
        self.message = text
        self.status.setText(text)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar.hide()
        self.cancel_button.hide()
        self.close_button.show()
        self.fit_height()

    def fit_height(self) -> None:
        """Grow to show every line of the wrapped texts: a dialog keeps the height it first had, so a longer
        message (offline, with what to do next) was cut off mid-sentence in a real window."""
        layout = self.layout()
        layout.activate()
        width = max(self.width(), self.minimumSizeHint().width())
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
        if height > self.height():
            self.resize(width, height)

    def _on_finished(self) -> None:
        self._progress_timer.stop()
        if self.outcome == "done":
            self.read_progress()
        # The worker's run() may still be returning in its thread: hold the worker until that thread has ended,
        # so its last reference (and the QObject) goes here, in the GUI thread, never there.
        thread, worker = self._thread, self._worker
        self._thread = self._worker = None
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        del worker
        if self.outcome == "done":
            self.accept()
        elif self.outcome == "cancelled" or self._closing:
            super().reject()
        # A failure stays open: the student reads why and closes it (or uses files from a folder).

    # ------------------------------------------------------------ the student's buttons
    def reject(self) -> None:
        """Cancel (or Esc, or the window's ×): stop the download first; the dialog closes once it has stopped."""
        if self._worker is not None:
            self._closing = True
            self._worker.cancel.set()
            self.cancel_button.setEnabled(False)
            self.status.setText(tr("Stopping the download…"))
            return
        if not self.outcome:
            self.outcome = "cancelled"
        super().reject()

    def use_folder(self) -> None:
        self.outcome = "folder"
        self.done(QDialog.DialogCode.Accepted)

    def shutdown(self) -> None:
        """Stop and wait for the download (the dialog is going away)."""
        worker, thread = self._worker, self._thread
        if worker is not None:
            worker.cancel.set()
        if thread is not None:
            thread.quit()
            thread.wait()


def run_download(dataset: Any, folder: Optional[Path], parent: QWidget,
                 fetch: Optional[Callable[..., Path]] = None) -> DownloadDialog:
    """Show the dialog until the download ends; the caller reads `outcome` and `path`, then deletes it."""
    dialog = DownloadDialog(dataset, fetch, folder, parent)
    dialog.start()
    dialog.exec()
    dialog.shutdown()
    return dialog


__all__ = ["DownloadDialog", "DownloadWorker", "MNIST_FORMAT", "megabytes", "run_download"]
