"""Moving cards: Qt drags the selected cards; when the button comes up the move becomes one undo step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent

from ...editing.commands import MoveNodes
from ..items.node_item import NodeItem
from .base import Interaction

if TYPE_CHECKING:
    from ..view import Canvas


class MoveCards(Interaction):
    """A left press off the ports: Qt selects, drags cards or draws the selection band; we record the result.

    While it lasts, cards snap to the grid when the grid is shown."""

    def __init__(self, canvas: Canvas) -> None:
        super().__init__(canvas)
        canvas.canvas_scene.snapping = canvas.grid_visible

    def mouse_release(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        self.canvas.default_mouse_release(event)  # Qt finishes the drag first: the cards are where they land
        self.end()
        self.commit()
        return True

    def end(self) -> None:
        self.canvas.canvas_scene.snapping = False
        super().end()

    def commit(self) -> None:
        """One MoveNodes command with the old and new place of every moved card."""
        canvas, graph = self.canvas, self.canvas.graph
        moves = {}
        for item in canvas.canvas_scene.selectedItems():
            if not isinstance(item, NodeItem) or item.node_id not in graph.nodes:
                continue
            old = graph.nodes[item.node_id].position
            new = (item.pos().x(), item.pos().y())
            if old != new:
                moves[item.node_id] = (old, new)
        if not moves:
            return
        if not canvas.document.push(MoveNodes(graph, moves)):
            for node_id, (old, _) in moves.items():  # refused (training): put the cards back
                canvas.canvas_scene.node_items[node_id].setPos(*old)
            return
        canvas.canvas_scene.schedule_scene_rect_update()
