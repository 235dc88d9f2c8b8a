"""A stand-in that builds its panel the first time it is shown, so the window starts without numpy or pyqtgraph."""

from __future__ import annotations

from typing import Callable, Optional

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget


class LazyPanel(QWidget):
    """Stands in for a panel and builds it when first shown (or asked for with ensure_built).

    `may_build` says whether building is allowed yet: the window allows it once it has painted, so no panel
    slows its first appearance. With `scroll` the panel sits in a scroll area: then it never sets the window's
    minimum size (a wide panel in a tab or a dock would otherwise push a laptop-sized window off the screen).
    """

    def __init__(self, build: Callable[[QWidget], QWidget], may_build: Callable[[], bool],
                 parent: Optional[QWidget] = None, scroll: bool = False) -> None:
        super().__init__(parent)
        self._build: Optional[Callable[[QWidget], QWidget]] = build
        self._may_build = may_build
        self._wants_scroll = scroll
        self.panel: Optional[QWidget] = None
        self.scroll: Optional[QScrollArea] = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> QWidget:
        if self.panel is None and self._build is not None:
            build, self._build = self._build, None
            if self._wants_scroll:
                self.scroll = QScrollArea(self)
                self.scroll.setObjectName(f"{self.objectName()}_scroll")
                self.scroll.setWidgetResizable(True)
                self.scroll.setFrameShape(QFrame.Shape.NoFrame)
                self.layout().addWidget(self.scroll)
            self.panel = build(self)
            if self.scroll is not None:
                self.scroll.setWidget(self.panel)
            else:
                self.layout().addWidget(self.panel)
            if self.isVisible():
                # A layout shows a new child only on the next turn of the event loop; the caller wants it now.
                (self.scroll or self.panel).show()
                self.panel.show()
        return self.panel

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.panel is None and self._build is not None:
            # Next turn of the event loop, and only if still shown and allowed: panels must not be built (and
            # import numpy or pyqtgraph) before the window's first paint.
            QTimer.singleShot(0, self.build_if_visible)

    def build_if_visible(self) -> None:
        """Build now if the student can see it and it is allowed (the window calls this once it has painted, for
        panels that waited). A dock behind another dock's tab is "visible" to Qt but has nothing on screen: it
        waits for its tab (build_when_seen), so hidden tabs do not cost the start a second."""
        if self.isVisible() and not self.visibleRegion().isEmpty() and self._may_build():
            self.ensure_built()

    def build_when_seen(self, visible: bool = True) -> None:
        """A dock's tab came to the front: build on the next turn of the event loop, once it is laid out."""
        if visible and self.panel is None:
            QTimer.singleShot(0, self, self.build_if_visible)
