"""What a part of the app adds to the main window (menus, actions, docks, tabs), placed by id, never by visible text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QTabWidget, QWidget

from .widgets.lazy_panel import LazyPanel
from .window_layout import DockScroll

# The menu ids the window itself offers. A section id ("file.export") names a group inside a menu, set apart by
# separators: "file" is New … Save As, "file.export" the exports after it, "file.quit" Quit at the end.
FILE, FILE_EXPORT, FILE_QUIT = "file", "file.export", "file.quit"
EDIT, VIEW, VIEW_PANELS = "edit", "view", "view.panels"


@dataclass(frozen=True)
class MenuSpec:
    """A menu a contribution adds to the menu bar (after the window's own)."""

    id: str
    title: str


@dataclass(frozen=True)
class DockSpec:
    """A dock a contribution adds. `beside`: the id of a dock to share a place with as tabs (that one stays in
    front). Every dock is listed under View → Panels, so a closed or hidden dock is always one click away."""

    id: str
    title: str
    widget: QWidget
    area: Qt.DockWidgetArea
    beside: Optional[str] = None


@dataclass(frozen=True)
class TabSpec:
    """A page a contribution adds to the window's central tabs."""

    id: str
    title: str
    widget: QWidget


Entries = Sequence[Optional[QAction]]   # actions for one menu id; None stands for a separator


class Contribution(QObject):
    """A part of the app that adds to the window. The window asks for its new menus, tabs, docks and then its
    actions keyed by menu id, places each by id, and calls installed() with the parts, all found by id. `id` names
    the contribution itself ("sharing", "teaching"): the window holds at most one of each, and others find it."""

    id = ""

    def menu_specs(self) -> list[MenuSpec]:
        return []

    def tab_specs(self) -> list[TabSpec]:
        return []

    def dock_specs(self) -> list[DockSpec]:
        return []

    def menu_actions(self) -> dict[str, Entries]:
        return {}

    def installed(self, parts: WindowParts) -> None:
        """Called once everything is placed: connect what needs the placed docks or tabs."""


class WindowParts:
    """The window's menus, docks and central tabs, each kept under a stable id (an object name too, for tests and
    saved layouts). Titles are only for people: they may be translated at any time and nothing looks them up."""

    def __init__(self, window: QMainWindow, tabs: QTabWidget) -> None:
        self.window = window
        self.central_tabs = tabs
        self.menus: dict[str, QMenu] = {}          # a menu id or a section id → its menu
        self._before: dict[str, Optional[QAction]] = {}   # where that id's next action goes (None: at the end)
        self._last_section: dict[QMenu, str] = {}  # a menu → the id of its last section
        self.docks: dict[str, QDockWidget] = {}
        self.pages: dict[str, QWidget] = {}        # a dock id → the panel it shows (inside its DockScroll)
        self.tabs: dict[str, QWidget] = {}
        self.contributions: dict[str, Contribution] = {}

    # ------------------------------------------------------------ menus
    def add_menu(self, menu_id: str, title: str = "", inside: Optional[str] = None,
                 menu: Optional[QMenu] = None) -> QMenu:
        """A new menu (or `menu`, made elsewhere): in the menu bar, or a submenu at the end of `inside`."""
        menu = menu if menu is not None else QMenu(title, self.window)
        menu.setObjectName(f"menu_{menu_id.replace('.', '_')}")
        if inside is None:
            self.window.menuBar().addMenu(menu)
        else:
            self._insert(inside, menu.menuAction())
        self.menus[menu_id] = menu
        self._before[menu_id] = None
        self._last_section[menu] = menu_id
        return menu

    def add_section(self, section_id: str, menu_id: str) -> None:
        """Start a group at the end of `menu_id`'s menu, after a separator; what was last now ends before it."""
        menu = self.menus[menu_id]
        separator = menu.addSeparator()
        self._before[self._last_section[menu]] = separator
        self.menus[section_id] = menu
        self._before[section_id] = None
        self._last_section[menu] = section_id

    def add_actions(self, menu_id: str, entries: Entries) -> None:
        if menu_id not in self.menus:
            raise KeyError(f"the window has no menu with the id {menu_id!r} (it has {sorted(self.menus)})")
        for entry in entries:
            self._insert(menu_id, entry)

    def _insert(self, menu_id: str, action: Optional[QAction]) -> None:
        menu, before = self.menus[menu_id], self._before[menu_id]
        if action is None:
            if before is None:
                menu.addSeparator()
            else:
                menu.insertSeparator(before)
        elif before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)

    # ------------------------------------------------------------ docks and tabs
    def add_dock(self, spec: DockSpec) -> QDockWidget:
        dock = QDockWidget(spec.title, self.window)
        dock.setObjectName(f"{spec.id}Dock")
        # In a scroll area: a tall panel scrolls in a short dock rather than growing the window past the screen.
        dock.setWidget(DockScroll(spec.widget))
        self.pages[spec.id] = spec.widget
        self.window.addDockWidget(spec.area, dock)
        if spec.beside is not None:
            neighbour = self.docks[spec.beside]
            self.window.tabifyDockWidget(neighbour, dock)
            neighbour.raise_()   # the window's arrangement keeps its front tab
        self.docks[spec.id] = dock
        # A dock behind another's tab counts as visible to Qt; its panel is built when its tab comes to the front
        # (visibilityChanged), not at start (see LazyPanel.build_if_visible).
        if isinstance(spec.widget, LazyPanel):
            dock.visibilityChanged.connect(spec.widget.build_when_seen)
        if VIEW_PANELS in self.menus:
            self.add_actions(VIEW_PANELS, [dock.toggleViewAction()])
        return dock

    def dock_page(self, dock_id: str) -> QWidget:
        """The panel a dock shows (its widget() is the scroll area around it)."""
        return self.pages[dock_id]

    def add_tab(self, spec: TabSpec) -> QWidget:
        self.central_tabs.addTab(spec.widget, spec.title)
        self.tabs[spec.id] = spec.widget
        return spec.widget

    def show_dock(self, dock_id: str) -> QDockWidget:
        dock = self.docks[dock_id]
        dock.show()
        dock.raise_()
        return dock

    def show_tab(self, tab_id: str) -> QWidget:
        page = self.tabs[tab_id]
        self.central_tabs.setCurrentWidget(page)
        return page

    # ------------------------------------------------------------ contributions
    def install(self, contribution: Contribution) -> Contribution:
        """Place a contribution's parts by id; a second contribution with the same id is refused (the first stays)."""
        if contribution.id in self.contributions:
            return self.contributions[contribution.id]
        new_menus = contribution.menu_specs()
        unknown = set(contribution.menu_actions()) - set(self.menus) - {menu.id for menu in new_menus}
        if unknown:  # said before anything is placed, so a mistake leaves the window as it was
            raise KeyError(f"the window has no menu with the id {sorted(unknown)} (it has {sorted(self.menus)})")
        for menu in new_menus:
            self.add_menu(menu.id, menu.title)
        for tab in contribution.tab_specs():
            self.add_tab(tab)
        for dock in contribution.dock_specs():
            self.add_dock(dock)
        for menu_id, entries in contribution.menu_actions().items():
            self.add_actions(menu_id, entries)
        self.contributions[contribution.id] = contribution
        contribution.installed(self)
        return contribution
