"""Qt objects in garbage cycles are destroyed in the GUI thread, never by a training thread that allocates."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from nnstudio.gui import gc_guard
from nnstudio.gui.main_window import MainWindow


class Probe(QObject):
    """Remembers the thread that destroyed it."""

    destroyed_in: list = []

    def __del__(self) -> None:
        Probe.destroyed_in.append(threading.get_ident())


def _allocate_cycles(count: int) -> None:
    """What a training loop does to the collector: many container allocations (here, each a small cycle)."""
    for _ in range(count):
        box: list = []
        box.append(box)


def test_a_window_switches_automatic_collection_off(qtbot):
    gc.enable()  # as a fresh process has it
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    assert not gc.isenabled(), "a window trains in a second thread: the collector must only run in the GUI thread"
    assert gc_guard.installed() is not None


def test_qt_garbage_made_before_a_run_is_destroyed_in_the_gui_thread(qapp, qtbot):
    collector = gc_guard.install(qapp)
    Probe.destroyed_in = []
    probe = Probe()
    probe.me = probe   # a cycle: only the collector can free it, as a closed window's leftovers
    del probe
    # The training thread allocates far past every threshold: with automatic collection on, it would run the
    # collector itself and destroy the probe there (the hang and the crash the issue describes).
    worker = threading.Thread(target=_allocate_cycles, args=(300_000,), name="allocating")
    worker.start()
    worker.join()
    assert Probe.destroyed_in == [], "the training thread destroyed a Qt object"
    # The GUI thread's timer collects it.
    qtbot.waitUntil(lambda: Probe.destroyed_in != [], timeout=5000)
    assert Probe.destroyed_in == [threading.main_thread().ident]
    assert sum(collector.collections) > 0


def test_the_guard_undoes_a_library_that_switches_collection_back_on(qapp, qtbot):
    collector = gc_guard.install(qapp)
    before = collector.reenabled
    gc.enable()
    qtbot.waitUntil(lambda: not gc.isenabled(), timeout=2000)
    assert collector.reenabled == before + 1


def test_a_collection_asked_from_another_thread_does_nothing(qapp):
    collector = gc_guard.install(qapp)
    Probe.destroyed_in = []
    probe = Probe()
    probe.me = probe
    del probe
    thread = threading.Thread(target=collector.collect_all)
    thread.start()
    thread.join()
    assert Probe.destroyed_in == []
    collector.collect_all()
    assert Probe.destroyed_in == [threading.main_thread().ident]
