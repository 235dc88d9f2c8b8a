"""A panel behind another dock's tab is built when its tab is clicked, not at start: the Data and Explain panels
(sklearn, pyqtgraph) cost the first second of the app when they were built though nobody could see them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar
from settling import settle


def test_panels_behind_tabs_wait_until_their_tab_is_clicked(qtbot, started_app):
    window = started_app()
    settle(qtbot, turns=5, wait_ms=30)
    data, explain = window.parts.dock_page("data"), window.parts.dock_page("explain")
    assert window.parts.docks["data"].visibleRegion().isEmpty()     # behind the Inspector's tab
    assert data.panel is None and explain.panel is None
    # The student clicks the Data tab under the Inspector column.
    bar = next(b for b in window.findChildren(QTabBar) if b.isVisible() and b.parent() is window
               and any(b.tabText(i) == window.parts.docks["data"].windowTitle() for i in range(b.count())))
    index = next(i for i in range(bar.count()) if bar.tabText(i) == window.parts.docks["data"].windowTitle())
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: data.panel is not None and data.panel.isVisible(), timeout=10_000)
    assert explain.panel is None                                      # still behind its tab
