"""Waiting for Qt to finish what a test step queued, before the test reads the screen."""

from __future__ import annotations


def settle(qtbot, turns: int = 3, wait_ms: int = 20) -> None:
    """Let Qt finish what the last step queued (layouts, deferred builds) before reading the screen."""
    from PySide6.QtWidgets import QApplication

    for _ in range(turns):
        QApplication.processEvents()
        qtbot.wait(wait_ms)
