"""Python's cycle collector runs only in the GUI thread, so a Qt object is never destroyed by another thread."""

from __future__ import annotations

import gc
import threading
from typing import Optional

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

# Why this exists. Python's cyclic garbage collector runs in whichever thread happens to allocate when a
# generation's counter passes its threshold. When that is the training thread and the garbage holds a Qt
# object (a window, menu or plot of an earlier project, kept alive by a reference cycle), the training thread
# runs QObject's destructor: it takes Qt's connection mutex and then waits for the GIL, while the GUI thread holds
# the GIL and waits for that mutex (seen: half the GUI test runs hung), or shiboken frees a wrapper the GUI
# thread is reading (seen: SIGSEGV). Reference counting alone is thread-agnostic but harmless here: the GUI owns
# every Qt object's last reference. So automatic collection is switched off and the GUI thread collects on a
# timer, generation by generation with Python's own thresholds, as pyqtgraph's GarbageCollector does. We do not
# use pyqtgraph's class itself: it must also be callable from the test suite's fixtures between tests, count
# what it did for the soak benchmark, and refuse to run outside the GUI thread.

CHECK_INTERVAL_MS = 100   # a young-generation collection takes well under a millisecond; memory stays bounded


class GuiThreadCollector(QObject):
    """Collects garbage from a timer in the GUI thread; automatic collection stays off while it is installed."""

    def __init__(self, app: QCoreApplication, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(app)
        self.setObjectName("guiThreadCollector")
        self.thresholds = gc.get_threshold()
        self.collections = [0, 0, 0]   # how many times each generation was collected here
        self.reenabled = 0             # times something switched automatic collection back on (we undo it)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> None:
        """Collect the generations Python itself would have collected by now (cheap when nothing is due)."""
        if QThread.currentThread() is not self.thread():
            return  # never from another thread: that is the very thing this class prevents
        if gc.isenabled():  # some library switched it back on: the hazard is back, so switch it off again
            self.reenabled += 1
            gc.disable()
        young, middle, old = gc.get_count()
        if young <= self.thresholds[0]:
            return
        generation = 0
        if middle > self.thresholds[1]:
            generation = 2 if old > self.thresholds[2] else 1
        gc.collect(generation)
        self.collections[generation] += 1

    def collect_all(self) -> int:
        """A full collection now (in the GUI thread): between tests, and before memory is measured."""
        if threading.current_thread() is not threading.main_thread():
            return 0
        found = gc.collect()
        self.collections[2] += 1
        return found

    def uninstall(self) -> None:
        """Back to Python's automatic collection (the application is ending)."""
        self._timer.stop()
        gc.enable()


def install(app: Optional[QCoreApplication] = None) -> Optional[GuiThreadCollector]:
    """Install the collector on the application once (later calls return the same one); None without an app."""
    app = app or QCoreApplication.instance()
    if app is None:
        return None
    existing = app.findChild(GuiThreadCollector, "guiThreadCollector")
    if existing is not None:
        if gc.isenabled():
            gc.disable()
        return existing
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("the garbage collector guard must be installed from the GUI thread")
    return GuiThreadCollector(app)


def installed() -> Optional[GuiThreadCollector]:
    app = QCoreApplication.instance()
    return None if app is None else app.findChild(GuiThreadCollector, "guiThreadCollector")
