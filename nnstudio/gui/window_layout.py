"""Where the window's docks go: the calm first screen, View → Reset layout, and the layout kept between starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QTabBar, QWidget

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
    Place(BOTTOM, ("summary", "issues", "code", "diagnostics"), later=("weights", "experiments")),
    Place(RIGHT, ("lessons",), shown=False, under="inspector"),
)
SIDE_WIDTHS = {"palette": 210, "inspector": 340}   # wide enough for every tab title of the place (never "Inspe…")
BOTTOM_HEIGHT = 210

# The window's preferred size, made smaller to fit the screen (a 1280×720 laptop gets the whole screen).
PREFERRED_SIZE = QSize(1400, 900)

# Saved under these keys. A layout saved by a window with other docks is not restored (Qt would place the docks it
# does not know anywhere); LAYOUT_VERSION changes when FIRST_SCREEN changes in a way old layouts should not survive.
GEOMETRY_KEY, STATE_KEY, DOCKS_KEY = "window/geometry", "window/state", "window/docks"
# Where the frame's top-left corner was: restoreGeometry() puts a window at least a title bar's height (Fusion: 24
# pixels) below the screen's top, which without a window manager left a black strip along the top.
FRAME_KEY = "window/frame"
LAYOUT_VERSION = 1
# Docks that open only when the app has something for them: a lesson is not kept between starts, so a saved layout
# never brings back its dock (an empty "Choose a lesson…" panel would take half the right-hand column).
CLOSED_AT_START = ("lessons",)

# The smallest height of a dock's panel: a few lines, then it scrolls (see DockScroll).
DOCK_MIN_HEIGHT = 60


def window_size_for(available: QRect) -> QSize:
    """The window's first size on a screen with this free area: the preferred size, or the whole free area."""
    return QSize(min(PREFERRED_SIZE.width(), available.width()), min(PREFERRED_SIZE.height(), available.height()))


class DockScroll(QScrollArea):
    """Holds a dock's panel. Qt makes a window taller when its docks' smallest heights add up to more than it has
    (the training form, the weights and a lesson together asked 873 pixels of a 720-pixel screen): here a panel
    scrolls instead once its dock is short, so no dock pushes the window off the screen. Its width stays what the
    panel needs (nothing is squeezed sideways)."""

    def __init__(self, panel: QWidget, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{panel.objectName() or 'panel'}_dockScroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        fills = panel.autoFillBackground()
        self.setWidget(panel)   # (which makes the panel paint its own background)
        # See-through, as the dock was without it: the dock's background shows, and the panel counts as on screen
        # where it shows (an opaque viewport and panel would hide the scroll area itself from visibleRegion()).
        panel.setAutoFillBackground(fills)
        self.viewport().setAutoFillBackground(False)
        panel.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        panel = self.widget()
        if panel is None:
            return QSize(0, DOCK_MIN_HEIGHT)
        # The panel's own width (a scroll bar, when the dock is short, covers a little of its right margin).
        return QSize(max(panel.minimumSizeHint().width(), panel.minimumWidth()), DOCK_MIN_HEIGHT)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # The panel's own wish, asked each time (QScrollArea keeps the first answer: a lazy panel's, before it
        # was built, would keep the dock narrow).
        panel = self.widget()
        return panel.sizeHint() if panel is not None else super().sizeHint()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()   # the panel's smallest width changed (a lazy panel was built): tell the dock
        return super().eventFilter(watched, event)


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
        self.first_screen()
        self.fit_to_screen()   # after the docks are placed: a window grown by them shrinks back

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

    def _frame_margins(self) -> QSize:
        """How much the window manager's frame (title bar, borders) adds to the window's size; nothing before
        the window is shown, or without a window manager."""
        frame, inside = self.window.frameGeometry(), self.window.geometry()
        return QSize(max(0, frame.width() - inside.width()), max(0, frame.height() - inside.height()))

    def _settle_minimum(self) -> None:
        """Let Qt recompute the window's smallest size now (docks just closed), else it refuses to shrink."""
        layout = self.window.layout()
        if layout is not None and self.window.isVisible():   # (a hidden window's docks would be squeezed to nothing)
            layout.activate()

    def fit_to_screen(self) -> None:
        """Size the window to fit its screen's free area (never 1400×900 on a 1280×720 screen) and centre it there.
        The frame is what must fit: the title bar too."""
        self._settle_minimum()
        available = self._available()
        size = window_size_for(available)
        margins = self._frame_margins()
        self.window.resize(size - margins)
        frame = QRect(available.topLeft(), size)
        frame.moveCenter(available.center())
        self.window.move(frame.topLeft())   # move() places the frame's top-left corner

    def keep_on_screen(self) -> None:
        """Shrink and move the window so its frame lies within the screen's free area (a restored place that
        hangs over an edge, a window Qt grew for its docks)."""
        if self.window.isMaximized() or self.window.isFullScreen():
            return
        available, frame = self._available(), self.window.frameGeometry()
        if available.contains(frame):
            return
        self._settle_minimum()
        margins = self._frame_margins()
        size = frame.size().boundedTo(available.size())
        self.window.resize(size - margins)
        left = min(max(frame.left(), available.left()), available.right() + 1 - size.width())
        top = min(max(frame.top(), available.top()), available.bottom() + 1 - size.height())
        self.window.move(left, top)

    # ------------------------------------------------------------ kept between starts
    def _dock_ids(self) -> str:
        return ",".join(sorted(self.docks))

    def save(self) -> None:
        """Keep the window's size, place and dock arrangement for the next start."""
        store = settings()
        store.setValue(GEOMETRY_KEY, self.window.saveGeometry())
        if self.window.isMaximized() or self.window.isFullScreen():
            store.remove(FRAME_KEY)
        else:
            store.setValue(FRAME_KEY, self.window.frameGeometry().topLeft())
        store.setValue(STATE_KEY, self.window.saveState(LAYOUT_VERSION))
        store.setValue(DOCKS_KEY, self._dock_ids())
        store.sync()

    def restore_geometry(self) -> bool:
        """The size and place saved last time, if that place is still on a screen; else a size that fits.
        Called before the window shows; once shown, its frame (title bar included) is fitted to the screen too."""
        self.window.installEventFilter(self)
        saved = _bytes(settings().value(GEOMETRY_KEY))
        if saved is not None and self.window.restoreGeometry(saved) and self._on_a_screen():
            corner = settings().value(FRAME_KEY)
            if isinstance(corner, QPoint) and not (self.window.isMaximized() or self.window.isFullScreen()):
                self.window.move(corner)   # exactly where it was (move() places the frame)
            # A window saved taller than the screen, or one whose frame now hangs over an edge, comes within it.
            self.keep_on_screen()
            return True
        self.fit_to_screen()
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Show:
            # The window manager's frame is known only once the window is on screen.
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self, self.keep_on_screen)
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
        for dock_id in CLOSED_AT_START:
            if dock_id in self.docks:
                self.docks[dock_id].hide()
        QTimer.singleShot(0, self.hide_orphan_tab_bars)
        return restored


def _bytes(value: object) -> Optional[QByteArray]:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, (bytes, bytearray)) and value:
        return QByteArray(bytes(value))
    return None
