"""Started in Korean (LANG=ko_KR.UTF-8, or --lang ko under LANG=C), the window speaks Korean: menus, tabs, dock
titles, buttons, labels, placeholders and tooltips, with only technical names left in Latin letters."""

from __future__ import annotations

import pytest
from korean_walk import korean_share, visible_texts
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QMessageBox

from nnstudio.core import i18n
from nnstudio.gui.app import open_window
from nnstudio.gui.language import apply_language, startup_language
from nnstudio.gui.window_layout import WindowLayout

LAPTOP = QRect(0, 0, 1280, 720)


@pytest.fixture
def start_in(qtbot, monkeypatch):
    """Start the app as main() does, with this command line and environment, on a 1280×720 screen."""
    monkeypatch.setattr(WindowLayout, "_available", lambda self: QRect(LAPTOP))
    windows = []

    def start(argv: list[str], environ: dict[str, str]):
        apply_language(startup_language(argv, environ))
        window = open_window(["nnstudio"])
        window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
        qtbot.addWidget(window)
        windows.append(window)
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.teaching is not None and window.sharing is not None, timeout=10_000)
        for _ in range(3):
            QApplication.processEvents()
            qtbot.wait(20)
        return window

    yield start
    for window in windows:
        window.session.shutdown()
    apply_language("en")


@pytest.mark.parametrize("argv, environ", [(["nnstudio"], {"LANG": "ko_KR.UTF-8"}),
                                           (["nnstudio", "--lang", "ko"], {"LANG": "C"})])
def test_the_first_screen_is_korean(start_in, argv, environ):
    window = start_in(argv, environ)
    assert i18n.language() == "ko"
    texts = visible_texts(window)
    share, english = korean_share(texts)
    assert len(texts) > 100
    assert share >= 0.95, f"{share:.1%} Korean; still English: {english}"


def test_every_tab_and_panel_is_korean_when_opened(start_in, qtbot):
    window = start_in(["nnstudio", "--lang", "ko"], {"LANG": "C"})
    texts = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        texts += visible_texts(window)
    for dock_id in window.parts.docks:
        window.parts.show_dock(dock_id)
        qtbot.wait(50)
        texts += visible_texts(window)
    share, english = korean_share(sorted(set(texts)))
    assert share >= 0.95, f"{share:.1%} Korean; still English: {english}"
