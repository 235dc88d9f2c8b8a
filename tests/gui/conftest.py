"""Fixtures shared by the GUI tests."""

import pytest
from settling import settle


@pytest.fixture(scope="session", autouse=True)
def gui_thread_collector(qapp):
    """Python's collector runs only in the GUI thread for the whole GUI suite, as in the app (gc_guard.py):
    leftovers of one test's windows are never destroyed by a later test's training thread."""
    from nnstudio.gui import gc_guard
    collector = gc_guard.install(qapp)
    collector.freeze_survivors()  # pytest, torch and the test modules are loaded: full collections stay cheap
    yield collector
    collector.uninstall()


@pytest.fixture
def one_thread():
    """Tiny networks train about 10× faster on one torch thread on this busy 2-core machine."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def started_app(qtbot, monkeypatch):
    """start(screen=1280×720, language=None): the app as main() starts it — the window, its project, the
    contributions joining after the first paint — on a screen with that free area, in that language (English
    again afterwards). Unsaved-changes questions are answered Discard; every window's training is shut down."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QMessageBox

    from nnstudio.gui.app import open_window
    from nnstudio.gui.language import apply_language
    from nnstudio.gui.window_layout import WindowLayout

    windows, languages = [], []

    def start(screen: QRect = QRect(0, 0, 1280, 720), language: str | None = None):
        monkeypatch.setattr(WindowLayout, "_available", lambda self: QRect(screen))
        if language is not None:
            apply_language(language)
            languages.append(language)
        window = open_window(["nnstudio"])
        window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
        qtbot.addWidget(window)
        windows.append(window)
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.teaching is not None and window.sharing is not None, timeout=10_000)
        settle(qtbot)
        return window

    yield start
    for window in windows:
        window.session.shutdown()
    if languages:
        apply_language("en")
