"""Test setup shared by every folder: headless Qt, and no test may leave a thread running."""

import faulthandler
import os
import sys
import tempfile
import threading
import time

import pytest

# Before any Qt import: draw offscreen so tests run without a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep recent-file lists, remembered folders and window state of tests out of the user's settings: the
# settings file goes to a throwaway config folder, and each test starts with it empty (fresh_settings).
os.environ.setdefault("NNSTUDIO_SETTINGS_SCOPE", "tests")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnstudio-test-config-")
# Crash-recovery files of test windows go to a throwaway folder, never the user's.
os.environ.setdefault("NNSTUDIO_RECOVERY_DIR", tempfile.mkdtemp(prefix="nnstudio-test-recovery-"))


# A test that runs longer than this is stopped by pytest-timeout (pyproject.toml: timeout = 120, method "thread",
# which prints every thread's stack). That timer is a Python thread: it needs the GIL, and the hangs we have seen
# are the GUI thread holding the GIL while it waits for a Qt mutex. So faulthandler's watchdog, a C thread that
# needs no GIL, backs it up: a little later it prints every thread's stack and ends the process, so a deadlock
# fails the run in minutes instead of hanging CI for 90.
HANG_WATCHDOG_S = 150


@pytest.fixture(autouse=True)
def hang_watchdog(request):
    marker = request.node.get_closest_marker("timeout")  # a test allowed longer (a slow campaign) keeps its time
    allowed = float(marker.args[0]) + 30 if marker and marker.args else HANG_WATCHDOG_S
    faulthandler.dump_traceback_later(max(allowed, HANG_WATCHDOG_S), exit=True, file=sys.__stderr__)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def fresh_settings():
    """Each test starts with empty app settings, as on a fresh install: one test's remembered window size,
    folder or recent file never changes what another sees."""
    yield
    if "PySide6.QtCore" in sys.modules:  # core tests never load Qt; nothing to clear there
        from nnstudio.gui.app_settings import settings

        store = settings()
        store.clear()
        store.sync()


@pytest.fixture(autouse=True)
def own_recovery_folder(tmp_path_factory, monkeypatch):
    """Each test gets an empty crash-recovery folder: one test's autosave never becomes another's
    "restore your work?" dialog (a modal dialog would block the test)."""
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(tmp_path_factory.mktemp("recovery")))


@pytest.fixture(autouse=True)
def no_thread_left_behind():
    """Fail a test that leaves a Python or Qt thread running (a training worker that was never stopped)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while True:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not extra, f"test left threads running: {[t.name for t in extra]}"
    qthreads = _running_qthreads()
    assert not qthreads, f"test left QThreads running: {qthreads}"
    _collect_in_gui_thread()


def _collect_in_gui_thread() -> None:
    """This test's windows and plots become garbage here, in the main (GUI) thread, before the next test starts
    a training thread (see nnstudio/gui/gc_guard.py for why the collector must never run in another thread)."""
    if "nnstudio.gui.gc_guard" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    from nnstudio.gui import gc_guard
    collector = gc_guard.installed()
    if collector is None:
        return
    # pytest-qt closed the test's windows with deleteLater(): delete them now, while their Python parts are whole.
    # Collected first, a closed window's Python attributes would be cleared while Qt still calls its overrides
    # during the deletion (seen: "'PreviewModel' object has no attribute 'table'" in the next test).
    collector.collect_all()


def _running_qthreads() -> list:
    import sys
    if "PySide6.QtCore" not in sys.modules:
        return []
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    if app is None:
        return []
    deadline = time.monotonic() + 5.0
    while True:
        running = [t.objectName() or repr(t) for t in app.findChildren(QThread) if t.isRunning()]
        if not running or time.monotonic() > deadline:
            return running
        app.processEvents()
        time.sleep(0.02)
