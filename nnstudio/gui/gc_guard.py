"""Python's cycle collector runs only in the GUI thread, so a Qt object is never destroyed by another thread."""

from __future__ import annotations

import gc
import sys
import threading
import time
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
#   - a top-level QObject that Python owns is deleted by Qt itself (Shiboken.delete) while every wrapper is
#     whole: its children go in Qt's order, exactly as when a window is closed and deleted;
#   - a QObject that a parent (or C++) owns and that still exists (a child of a window waiting for deleteLater)
#     keeps its wrapper, in `kept`, until Qt has destroyed it: its attributes must live as long as Qt can call it;
# and a second, ordinary collection frees what is left: wrappers whose C++ object is gone, and plain Python.

CHECK_INTERVAL_MS = 100   # a young-generation collection takes well under a millisecond; memory stays bounded
# A full collection walks every object: with torch, Qt and the plots loaded that is 400,000 objects and 0.6-0.9 s
# with the GIL held (measured on this 2-core machine), a frozen window and a stalled run. Python keeps it rare
# by a rule it does not expose (a quarter more long-lived objects), so we do what large Python services do: once
# a batch of modules has been imported (start-up, torch at the first run), collect and then gc.freeze() the
# survivors. Frozen objects (modules, classes, functions: they live as long as the app) are never walked again,
# and a full collection takes about a millisecond. The price: a cycle that was alive at a freeze and dies later
# is never collected (refcounting still frees everything else): a freeze happens a few times a session.
FULL_EVERY_S = 10.0
MODULES_BEFORE_FREEZE = 50   # this many newly imported modules make the next check collect and freeze
FIRST_FREEZE_AFTER_S = 2.0   # not before the window's first paint (start-up time matters more)


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
        self._last_full = self._born = time.monotonic()
        self._modules_at_freeze = self._modules_last_check = 0
        self.freezes = 0
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
        modules = len(sys.modules)
        settled = modules == self._modules_last_check  # an import batch (torch: ~1,500 modules) has ended
        self._modules_last_check = modules
        if settled and modules >= self._modules_at_freeze + MODULES_BEFORE_FREEZE and \
                time.monotonic() - self._born >= FIRST_FREEZE_AFTER_S:
            self.freeze_survivors()
            return
        young, middle, old = gc.get_count()
        if young <= self.thresholds[0]:
            return
        generation = 0
        if middle > self.thresholds[1]:
            generation = 1
            if old > self.thresholds[2] and time.monotonic() - self._last_full >= FULL_EVERY_S:
                generation = 2
        self._collect(generation)

    def collect_all(self) -> int:
        """A full collection now (in the GUI thread): between tests, and before memory is measured."""
        if threading.current_thread() is not threading.main_thread():
            return 0
        return self._collect(2)

    def freeze_survivors(self) -> None:
        """Collect everything, then set what survives aside for good (see FULL_EVERY_S above for why)."""
        if threading.current_thread() is not threading.main_thread():
            return
        self._collect(2)
        gc.freeze()
        self._modules_at_freeze = len(sys.modules)
        self.freezes += 1

    def _collect(self, generation: int) -> int:
        self.collections[generation] += 1
        if generation == 2:
            self._last_full = time.monotonic()
        # Wrappers kept earlier whose Qt object is gone now are plain garbage again: freed below.
        self.kept = [wrapper for wrapper in self.kept if Shiboken.isValid(wrapper) and not _dropped(wrapper)]
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
        if found and generation == 2:
            # Now only plain Python and wrappers of deleted Qt objects are unreachable: the ordinary collector is
            # safe. Only after a full pass: a younger one moves what it found up a generation, where the ordinary
            # collector would also meet older garbage that no finding pass has looked at. So cycles found young
            # wait (at most FULL_EVERY_S) for the next full collection, which frees them.
            gc.collect(2)
        return found

    def _delete_safely(self, wrappers: list) -> None:
        # Only QObjects: Qt tells shiboken when one is destroyed, so a wrapper's validity can be trusted. (Graphics
        # items and undo commands deleted by their C++ owner can look valid: deleting those again crashed.)
        objects = [w for w in wrappers if isinstance(w, QObject)]
        # Top-level ones first: deleting one deletes its children in Qt's order, and their wrappers with them.
        for wrapper in sorted(objects, key=lambda w: w.parent() is not None):
            if not Shiboken.isValid(wrapper):
                continue  # deleted with its parent a moment ago
            if wrapper.parent() is not None or not Shiboken.ownedByPython(wrapper):
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


def _dropped(wrapper: QObject) -> bool:
    """A kept top-level object whose thread has ended since: it can be deleted like any other garbage now."""
    return wrapper.parent() is None and Shiboken.ownedByPython(wrapper) and not _runs_a_thread(wrapper)


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
