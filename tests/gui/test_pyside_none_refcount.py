"""Regression guard: PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call."""

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_keep_none_alive(qapp):
    obj = QObject()
    before = sys.getrefcount(None)
    for i in range(100_000):
        obj.setObjectName("x")  # returns None: a broken binding loses one reference to None each time
    after = sys.getrefcount(None)
    # Other code may hold or drop a few references meanwhile; a broken build loses ~100,000.
    assert after >= before - 100, f"None lost {before - after} references: this PySide6 build is broken"
