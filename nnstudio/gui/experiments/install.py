"""Experiments as a contribution to the window: its menu, and its dock (built when first opened, not at start)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from ...core.i18n import tr
from ..contributions import Contribution, DockSpec, Entries, MenuSpec, WindowParts
from ..widgets.lazy_panel import LazyPanel

# Of the window's height, for the Experiments dock when it is opened from its menu: at 1280×720 a walk found
# 45% showed four rows of the settings and five of the trials.
DOCK_SHARE = 0.6
EXPERIMENTS_MENU = "experiments"   # the id of the menu this adds; the dock's id is the same word
# Nothing heavy is imported here: optuna, torch and pyqtgraph come with the panel, built when its dock is opened.


class Experiments(Contribution):
    """The Experiments menu (Tune Hyperparameters…) and dock. The dock waits in View → Panels and joins the bottom
    place as a tab when opened (window_layout.FIRST_SCREEN)."""

    id = "experiments"

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = LazyPanel(self._build_panel, window.has_painted, window)
        self.view.setObjectName("experimentsView")
        self.dock: Optional[QDockWidget] = None
        self.tune_action = QAction(tr("&Tune Hyperparameters…"), window)
        self.tune_action.setObjectName("tuneHyperparameters")
        self.tune_action.setStatusTip(tr("Try many settings of the network and its training, and compare the results"))
        self.tune_action.triggered.connect(self.show_panel)

    def _build_panel(self, parent: QWidget) -> QWidget:
        from .experiments_panel import ExperimentsPanel  # noqa: PLC0415 - pyqtgraph and the tuning code

        return ExperimentsPanel(self.window.document, parent)

    @property
    def panel(self):  # -> ExperimentsPanel, or None until the dock was first opened
        return self.view.panel

    # ------------------------------------------------------------ what it adds to the window
    def menu_specs(self) -> list[MenuSpec]:
        return [MenuSpec(EXPERIMENTS_MENU, tr("E&xperiments"))]

    def dock_specs(self) -> list[DockSpec]:
        return [DockSpec("experiments", tr("Experiments"), self.view, Qt.DockWidgetArea.BottomDockWidgetArea)]

    def menu_actions(self) -> dict[str, Entries]:
        return {EXPERIMENTS_MENU: [self.tune_action]}

    def installed(self, parts: WindowParts) -> None:
        self.dock = parts.docks["experiments"]
        # A study still running when the window closes is stopped (its finished trials are kept; Run goes on).
        self.window.installEventFilter(self)

    def show_panel(self, *_: object):
        """Open the dock in front of its place and build the panel now."""
        self.dock.show()
        self.dock.raise_()
        # The table and the plots need room: the place under the drawing grows to almost half the window.
        self.window.resizeDocks([self.dock], [int(self.window.height() * DOCK_SHARE)], Qt.Orientation.Vertical)
        return self.view.ensure_built()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Hidden, not minimised (that hide is spontaneous): the close was accepted (a Close event can still be
        # refused by the save question), or a language switch retired this window.
        if (watched is self.window and event.type() == QEvent.Type.Hide and not event.spontaneous()
                and self.panel is not None):
            self.panel.shutdown()
        return False
