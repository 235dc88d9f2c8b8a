"""Panning: drag with the middle button, or with the left button while Space is held (as in drawing tools)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent

from .base import Interaction

if TYPE_CHECKING:
    from ..view import Canvas


class SpaceToPan:
    """Follows the Space key: while it is held, a left-drag pans instead of selecting, and the cursor says so."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.held = False

    def starts_pan(self, event: QMouseEvent) -> bool:
        """Whether this press begins a pan rather than a selection, a move or a wire."""
        return event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self.held)

    def key_press(self, event: QKeyEvent) -> bool:
        if event.key() != Qt.Key.Key_Space:
            return False
        if not event.isAutoRepeat():
            self.held = True
            self.canvas.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        return True

    def key_release(self, event: QKeyEvent) -> bool:
        if event.key() != Qt.Key.Key_Space or event.isAutoRepeat():
            return False
        self.held = False
        if not isinstance(self.canvas.interaction, Pan):  # mid-pan, the release of the button restores it
            self.canvas.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        return True

    def focus_lost(self) -> None:
        self.held = False  # the Space release may go to another widget


class Pan(Interaction):
    """A pan in progress: the view scrolls by however far the mouse moved since the last event."""

    def __init__(self, canvas: Canvas, start: QPoint, space: SpaceToPan) -> None:
        super().__init__(canvas)
        self.last = start
        self.space = space
        canvas.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouse_press(self, event: QMouseEvent) -> bool:
        return True  # another button while panning changes nothing

    def mouse_move(self, event: QMouseEvent) -> bool:
        pos = event.position().toPoint()
        delta = pos - self.last
        self.last = pos
        horizontal, vertical = self.canvas.horizontalScrollBar(), self.canvas.verticalScrollBar()
        horizontal.setValue(horizontal.value() - delta.x())
        vertical.setValue(vertical.value() - delta.y())
        return True

    def mouse_release(self, event: QMouseEvent) -> bool:
        if event.button() not in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            return False
        self.end()
        return True

    def end(self) -> None:
        self.canvas.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self.space.held
                                         else Qt.CursorShape.ArrowCursor)
        super().end()
