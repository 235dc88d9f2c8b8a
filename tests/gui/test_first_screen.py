"""The calm first screen at 1280×720, View → Reset layout, every dock in View → Panels, and the layout kept between
starts: the window as app.main opens it, driven through its menus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QTabBar
from settling import settle as settle_all

from nnstudio.gui import window_layout
from nnstudio.gui.window_layout import window_size_for

LAPTOP = QRect(0, 0, 1280, 720)
FIRST_SCREEN_DOCKS = {"palette", "inspector", "summary"}


@pytest.fixture
def start_app(started_app):
    """Starts the app as main() does (contributions join after the first paint) on a 1280×720 screen."""
    return lambda: started_app(LAPTOP)


def settle(qtbot) -> None:
    settle_all(qtbot)


def on_screen(window) -> set[str]:
    """The ids of the docks a student can see now (open, and not a tab behind another)."""
    return {dock_id for dock_id, dock in window.parts.docks.items()
            if dock.isVisible() and not dock.visibleRegion().isEmpty()}


def view_menu_action(window, object_name: str):
    view = window.parts.menus["view"]
    return next(action for action in view.actions() if action.objectName() == object_name)


def elided_tabs(window) -> list[str]:
    """Dock tab titles shorter on screen than their words ("Inspe…")."""
    clipped = []
    for bar in window.findChildren(QTabBar):
        if bar.isVisible() and bar.parent() is window:
            metrics = bar.fontMetrics()
            clipped += [bar.tabText(index) for index in range(bar.count())
                        if bar.tabRect(index).width() < metrics.horizontalAdvance(bar.tabText(index))]
    return clipped


def assert_first_screen(window) -> None:
    assert on_screen(window) == FIRST_SCREEN_DOCKS
    assert window.tabs.currentWidget() is window.canvas
    docks = window.parts.docks
    # The rest is one click away: tabs of the places on screen, or closed and listed in View → Panels.
    beside_inspector = {dock.objectName() for dock in window.tabifiedDockWidgets(docks["inspector"])}
    assert {"trainingDock", "dataDock", "explainDock"} <= beside_inspector
    assert docks["issues"] in window.tabifiedDockWidgets(docks["summary"])
    assert not docks["lessons"].isVisible() and not docks["weights"].isVisible()
    assert elided_tabs(window) == []
    # Nothing on the first screen is squeezed below what it needs.
    for dock_id in FIRST_SCREEN_DOCKS:
        dock = docks[dock_id]
        assert dock.widget().width() >= dock.widget().minimumSizeHint().width(), dock_id
    assert window.minimumSizeHint().width() <= 1280 and window.minimumSizeHint().height() <= 720


def test_the_window_opens_at_a_size_that_fits_the_screen():
    assert window_size_for(QRect(0, 0, 1280, 720)) == LAPTOP.size()
    assert window_size_for(QRect(0, 0, 1920, 1080)).width() == 1400
    assert window_size_for(QRect(0, 0, 1920, 1080)).height() == 900


def test_a_laptop_sized_first_screen_shows_palette_canvas_inspector_and_one_panel(start_app):
    window = start_app()
    assert window.frameGeometry().size() == LAPTOP.size()   # not 1400×900 on a 1280×720 screen (nor its frame)
    assert_first_screen(window)


def test_reset_layout_brings_the_first_screen_back(start_app, qtbot):
    window = start_app()
    docks = window.parts.docks
    # The student closes the palette, drags Training to the left, floats the data and opens the weights.
    docks["palette"].toggleViewAction().trigger()
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, docks["training"])
    docks["data"].setFloating(True)
    docks["weights"].toggleViewAction().trigger()
    window.resize(900, 600)
    settle(qtbot)
    assert on_screen(window) != FIRST_SCREEN_DOCKS

    view_menu_action(window, "resetLayout").trigger()
    settle(qtbot)
    assert window.frameGeometry().size() == LAPTOP.size()   # the whole screen, its title bar and borders included
    assert not docks["data"].isFloating()
    assert window.dockWidgetArea(docks["training"]) == Qt.DockWidgetArea.RightDockWidgetArea
    assert_first_screen(window)


def test_every_dock_can_be_opened_from_view_panels(start_app, qtbot):
    window = start_app()
    panels = window.parts.menus["view.panels"]
    docks = window.findChildren(QDockWidget)
    assert {"lessonsDock", "explainDock", "diagnosticsDock", "weightsDock"} <= {d.objectName() for d in docks}
    missing = [dock.objectName() for dock in docks if dock.toggleViewAction() not in panels.actions()]
    assert missing == []
    # The lesson opens in a place of its own: "Show me" (data, training, inspector…) never covers it.
    lessons = window.parts.docks["lessons"]
    lessons.toggleViewAction().trigger()
    settle(qtbot)
    assert lessons.isVisible() and not lessons.visibleRegion().isEmpty()
    assert window.tabifiedDockWidgets(lessons) == []
    window.teaching.show_place("data")
    settle(qtbot)
    assert not lessons.visibleRegion().isEmpty()


def test_window_size_and_docks_are_remembered_at_the_next_start(start_app, qtbot):
    window = start_app()
    docks = window.parts.docks
    window.resize(760, 560)   # within the test screen (offscreen: 800×800), which Qt keeps a restored window on
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, docks["training"])   # dragged to the left
    docks["code"].toggleViewAction().trigger()   # the code closed
    settle(qtbot)
    assert window.close()

    again = start_app()
    assert again is not window
    assert again.size().width() == 760 and again.size().height() == 560
    moved = again.parts.docks
    assert again.dockWidgetArea(moved["training"]) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert not moved["code"].isVisible()
    assert moved["training"].isVisible()

    view_menu_action(again, "resetLayout").trigger()
    settle(qtbot)
    assert_first_screen(again)


def test_a_layout_saved_with_other_docks_or_off_screen_is_not_restored(start_app, qtbot):
    from nnstudio.gui.app_settings import settings

    window = start_app()
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.parts.docks["training"])
    window.move(20_000, 20_000)   # on a second monitor that will be gone
    assert window.close()
    store = settings()
    store.setValue(window_layout.DOCKS_KEY, "paletteDock,someOldDock")   # saved by a version with other docks
    store.sync()

    again = start_app()
    assert_first_screen(again)
    frame = again.frameGeometry()
    assert LAPTOP.intersects(frame) or any(screen.availableGeometry().intersects(frame)
                                           for screen in QApplication.screens())
