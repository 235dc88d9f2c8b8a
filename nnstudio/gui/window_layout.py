"""Where the window's docks go: the calm first screen, View → Reset layout, and the layout kept between starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from PySide6.QtCore import QByteArray, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar

from ..core.i18n import tr
from .app_settings import settings

LEFT, RIGHT, BOTTOM = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                       Qt.DockWidgetArea.BottomDockWidgetArea)


@dataclass(frozen=True)
class Place:
    """One place of the first screen: its docks share it as tabs, the first in front; `shown`: on the first screen.
    `later`: docks that join the place as tabs when opened (from View → Panels, or by the app when they have
    something to show) and start closed."""

    area: Qt.DockWidgetArea
    docks: tuple[str, ...]
    shown: bool = True
    later: tuple[str, ...] = ()
    under: Optional[str] = None   # the id of the dock this place sits under, in the same area (else its own row)


# The first screen a beginner meets: the layer palette on the left, the inspector on the right and one panel under
# the drawing (the model summary). Everything else waits one click away as a tab of those places. The lesson has a
# place of its own under the inspector's, so "Show me" (which brings a data, training or summary tab to the front)
# never covers the lesson's instructions; it opens when a lesson starts.
FIRST_SCREEN: tuple[Place, ...] = (
    Place(LEFT, ("palette",)),
    Place(RIGHT, ("inspector", "training", "data", "explain")),
    # The weights need some 300 pixels of height: they open when training starts, not on the first screen.
    Place(BOTTOM, ("summary", "issues", "code", "diagnostics"), later=("weights",)),
    Place(RIGHT, ("lessons",), shown=False, under="inspector"),
)
SIDE_WIDTHS = {"palette": 210, "inspector": 340}   # wide enough for every tab title of the place (never "Inspe…")
BOTTOM_HEIGHT = 210

# The window's preferred size, made smaller to fit the screen (a 1280×720 laptop gets the whole screen).
PREFERRED_SIZE = QSize(1400, 900)

# Saved under these keys. A layout saved by a window with other docks is not restored (Qt would place the docks it
# does not know anywhere); LAYOUT_VERSION changes when FIRST_SCREEN changes in a way old layouts should not survive.
GEOMETRY_KEY, STATE_KEY, DOCKS_KEY = "window/geometry", "window/state", "window/docks"
LAYOUT_VERSION = 1


def window_size_for(available: QRect) -> QSize:
    """The window's first size on a screen with this free area: the preferred size, or the whole free area."""
    return QSize(min(PREFERRED_SIZE.width(), available.width()), min(PREFERRED_SIZE.height(), available.height()))


class WindowLayout(QObject):
    """Arranges a main window's docks (found by id in `docks`), saves the arrangement on close and restores it."""

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
        super().__init__(window)
        self.window = window
        self.docks = docks
        self.reset_action = QAction(tr("&Reset Layout"), window)
        self.reset_action.setObjectName("resetLayout")
        self.reset_action.setStatusTip(tr("Bring back the first screen: layers, drawing, inspector and model summary"))
        self.reset_action.triggered.connect(lambda checked=False: self.reset())

    # ------------------------------------------------------------ the first screen
    def first_screen(self) -> None:
        """Put every known dock in its first-screen place, show the places of the first screen and hide the rest."""
        window = self.window
        places = [(place, [self.docks[dock_id] for dock_id in place.docks + place.later if dock_id in self.docks])
                  for place in FIRST_SCREEN]
        places = [(place, present) for place, present in places if present]
        # Each place's front dock first (Qt splits a tabbed dock by adding a tab, so splits come before tabs)…
        for place, present in places:
            front = present[0]
            front.setFloating(False)
            if place.under in self.docks:
                window.splitDockWidget(self.docks[place.under], front, Qt.Orientation.Vertical)
            else:
                window.addDockWidget(place.area, front)   # moves a dock already in the window to this place
        # …then the others join their place as tabs.
        for place, present in places:
            front = present[0]
            for dock in present[1:]:
                dock.setFloating(False)
                window.tabifyDockWidget(front, dock)
            for dock in present:
                dock.setVisible(place.shown and dock.objectName().removesuffix("Dock") not in place.later)
            if place.shown:
                front.raise_()
        # The side docks run the full height; the bottom docks sit under the drawing only.
        window.setCorner(Qt.Corner.BottomLeftCorner, LEFT)
        window.setCorner(Qt.Corner.BottomRightCorner, RIGHT)
        self._size_docks()
        QTimer.singleShot(0, self.hide_orphan_tab_bars)

    def _size_docks(self) -> None:
        sides = [(self.docks[dock_id], width) for dock_id, width in SIDE_WIDTHS.items() if dock_id in self.docks]
        if sides:
            self.window.resizeDocks([dock for dock, _ in sides], [width for _, width in sides],
                                    Qt.Orientation.Horizontal)
        if "summary" in self.docks:
            self.window.resizeDocks([self.docks["summary"]], [BOTTOM_HEIGHT], Qt.Orientation.Vertical)

    def reset(self) -> None:
        """View → Reset layout: the first screen again, in a window sized to fit its screen."""
        if self.window.isMaximized() or self.window.isFullScreen():
            self.window.showNormal()
        self.fit_to_screen()
        self.first_screen()

    def hide_orphan_tab_bars(self) -> None:
        """Hide dock tab bars Qt leaves behind.

        Building or rearranging tabified docks leaves stale tab bars of the old groups on screen (Qt 6.11; over
        the canvas, or over the real tab bar of the new group). A real dock tab bar names exactly the docks of a
        group that is on screen now; any other visible tab bar of the window is a stale copy."""
        groups = set()
        for dock in self.docks.values():
            if dock.isVisible() and not dock.isFloating():
                group = [dock, *self.window.tabifiedDockWidgets(dock)]
                groups.add(frozenset(member.windowTitle() for member in group if member.isVisible()))
        for bar in self.window.findChildren(QTabBar):
            if bar.parent() is self.window and bar.isVisible():
                names = frozenset(bar.tabText(index) for index in range(bar.count()))
                if names not in groups:
                    bar.hide()

    # ------------------------------------------------------------ the window's size
    def _available(self) -> QRect:
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 720)

    def fit_to_screen(self) -> None:
        """Size the window to fit its screen's free area (never 1400×900 on a 1280×720 screen) and centre it there."""
        available = self._available()
        size = window_size_for(available)
        self.window.resize(size)
        frame = QRect(available.topLeft(), size)
        frame.moveCenter(available.center())
        self.window.move(frame.topLeft())

    # ------------------------------------------------------------ kept between starts
    def _dock_ids(self) -> str:
        return ",".join(sorted(self.docks))

    def save(self) -> None:
        """Keep the window's size, place and dock arrangement for the next start."""
        store = settings()
        store.setValue(GEOMETRY_KEY, self.window.saveGeometry())
        store.setValue(STATE_KEY, self.window.saveState(LAYOUT_VERSION))
        store.setValue(DOCKS_KEY, self._dock_ids())
        store.sync()

    def restore_geometry(self) -> bool:
        """The size and place saved last time, if that place is still on a screen; else a size that fits."""
        saved = _bytes(settings().value(GEOMETRY_KEY))
        if saved is not None and self.window.restoreGeometry(saved) and self._on_a_screen():
            return True
        self.fit_to_screen()
        return False

    def _on_a_screen(self) -> bool:
        """Whether the window's title bar lies on a screen there is now (a second monitor may be gone)."""
        frame = self.window.frameGeometry()
        title_bar = QRect(frame.left(), frame.top(), frame.width(), 30)
        return any(screen.availableGeometry().intersects(title_bar) for screen in QGuiApplication.screens())

    def restore_state(self) -> bool:
        """The dock arrangement saved last time, if it was saved by a window with the same docks."""
        store = settings()
        saved = _bytes(store.value(STATE_KEY))
        if saved is None or store.value(DOCKS_KEY) != self._dock_ids():
            return False
        restored = self.window.restoreState(saved, LAYOUT_VERSION)
        QTimer.singleShot(0, self.hide_orphan_tab_bars)
        return restored


def _bytes(value: object) -> Optional[QByteArray]:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, (bytes, bytearray)) and value:
        return QByteArray(bytes(value))
    return None
