"""The shape every canvas interaction shares (as Orange canvas's UserInteraction): it is offered the events first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeyEvent, QMouseEvent

if TYPE_CHECKING:
    from ..view import Canvas


class Interaction:
    """One gesture in progress. The canvas offers it each mouse and key event first; a handler
    returns True when it used the event, False to let the canvas (and Qt) handle it as usual.

    Only one interaction is active at a time; it calls `end()` when the gesture is over."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas

    def mouse_press(self, event: QMouseEvent) -> bool:
        return False

    def mouse_move(self, event: QMouseEvent) -> bool:
        return False

    def mouse_release(self, event: QMouseEvent) -> bool:
        return False

    def key_press(self, event: QKeyEvent) -> bool:
        return False

    def cancel(self) -> None:
        """Stop without doing anything (another gesture starts, or the user pressed Esc)."""
        self.end()

    def end(self) -> None:
        self.canvas.interaction_ended(self)
