"""Started in Korean (LANG=ko_KR.UTF-8, or --lang ko under LANG=C), the window speaks Korean: menus, tabs, dock
titles, buttons, labels, placeholders and tooltips, with only technical names left in Latin letters."""

from __future__ import annotations

import pytest
from korean_walk import korean_share, visible_texts
from PySide6.QtCore import QRect

from nnstudio.core import i18n
from nnstudio.gui.language import startup_language

LAPTOP = QRect(0, 0, 1280, 720)


@pytest.fixture
def start_in(started_app):
    """Start the app as main() does, with this command line and environment, on a 1280×720 screen."""
    return lambda argv, environ: started_app(LAPTOP, startup_language(argv, environ))


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
