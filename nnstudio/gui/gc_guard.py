"""Python's cycle collector runs only in the GUI thread, so a Qt object is never destroyed by another thread."""

from __future__ import annotations

import gc
import threading
from typing import Optional

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer
from shiboken6 import Shiboken

# Why this exists. Python's cyclic garbage collector runs in whichever thread happens to allocate when a
# generation's counter passes its threshold. When that is the training thread and the garbage holds a Qt
# object (a window, menu or plot of an earlier project, kept alive by a reference cycle), the training thread
# runs QObject's destructor: it takes Qt's connection mutex and then waits for the GIL, while the GUI thread holds
# the GIL and waits for that mutex (seen: half the GUI test runs hung), or shiboken frees a wrapper the GUI
# thread is reading (seen: SIGSEGV). Reference counting alone is thread-agnostic but harmless here: the GUI owns
# every Qt object's last reference. So automatic collection is switched off and the GUI thread collects on a
# timer, generation by generation with Python's own thresholds, as pyqtgraph's GarbageCollector does. We do not
# use pyqtgraph's class itself: it must also be callable from the test suite's fixtures between tests, count
# what it did for the soak benchmark, refuse to run outside the GUI thread, and collect Qt objects safely:
#
# Even in the GUI thread, letting Python's collector free a cycle of Qt wrappers is unsafe. It clears the
# wrappers' attributes in an arbitrary order before their C++ objects go, so Qt may call an override of a
# wrapper that has lost its attributes (seen: "'PreviewModel' object has no attribute 'table'"), or a parent
# destroys a child whose wrapper was already freed (seen: SIGSEGV in ~QUndoCommand while a garbage Document's
# undo stack was destroyed). So each collection first only *finds* the garbage (gc.DEBUG_SAVEALL), then:
#   - a Qt object Python owns is deleted by Qt itself (Shiboken.delete), parents first, while every wrapper is
#     whole: children go in Qt's order, exactly as when a window is closed and deleted;
#   - a Qt object that C++ owns and that still exists (a child of a window waiting for deleteLater) keeps its
#     wrapper, in `kept`, until Qt has destroyed it: its attributes must live as long as Qt can call it;
# and a second, ordinary collection frees what is left: wrappers whose C++ object is gone, and plain Python.

CHECK_INTERVAL_MS = 100   # a young-generation collection takes well under a millisecond; memory stays bounded


class GuiThreadCollector(QObject):
    """Collects garbage from a timer in the GUI thread; automatic collection stays off while it is installed."""

    def __init__(self, app: QCoreApplication, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(app)
        self.setObjectName("guiThreadCollector")
        self.thresholds = gc.get_threshold()
        self.collections = [0, 0, 0]   # how many times each generation was collected here
        self.reenabled = 0             # times something switched automatic collection back on (we undo it)
        self.deleted_by_qt = 0         # garbage Qt objects deleted by Qt before Python freed their wrappers
        self.kept: list = []           # garbage wrappers of Qt objects that still exist (see above)
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
        self._collect(generation)

    def collect_all(self) -> int:
        """A full collection now (in the GUI thread): between tests, and before memory is measured."""
        if threading.current_thread() is not threading.main_thread():
            return 0
        return self._collect(2)

    def _collect(self, generation: int) -> int:
        self.collections[generation] += 1
        # Wrappers kept earlier whose Qt object is gone now are plain garbage again: freed below.
        self.kept = [wrapper for wrapper in self.kept if Shiboken.isValid(wrapper)]
        flags = gc.get_debug()
        gc.set_debug(flags | gc.DEBUG_SAVEALL)
        try:
            gc.collect(generation)
        finally:
            gc.set_debug(flags)
        garbage = gc.garbage[:]
        gc.garbage.clear()
        found = len(garbage)
        wrappers = [obj for obj in garbage if isinstance(obj, Shiboken.Object) and Shiboken.isValid(obj)]
        if wrappers:
            self._delete_safely(wrappers)
        del garbage, wrappers
        # Now only plain Python and wrappers of deleted Qt objects are unreachable: the ordinary collector is safe.
        gc.collect(generation)
        return found

    def _delete_safely(self, wrappers: list) -> None:
        # Parents before children: deleting a parent deletes its children in Qt's order.
        wrappers.sort(key=lambda w: 0 if isinstance(w, QObject) and w.parent() is None else 1)
        for wrapper in wrappers:
            if not Shiboken.isValid(wrapper):
                continue  # deleted with its parent a moment ago
            if not Shiboken.ownedByPython(wrapper):
                self.kept.append(wrapper)  # Qt still owns and may call it: its attributes must stay
            elif _runs_a_thread(wrapper):
                self.kept.append(wrapper)  # deleting a running QThread aborts the app: wait for it to end
            else:
                Shiboken.delete(wrapper)
                self.deleted_by_qt += 1

    def uninstall(self) -> None:
        """Back to Python's automatic collection (the application is ending)."""
        self._timer.stop()
        gc.enable()


def _runs_a_thread(wrapper: object) -> bool:
    if isinstance(wrapper, QThread):
        return wrapper.isRunning()
    if isinstance(wrapper, QObject):
        return any(thread.isRunning() for thread in wrapper.findChildren(QThread))
    return False


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
