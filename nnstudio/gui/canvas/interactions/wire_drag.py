"""Drawing a wire: from a port, a dashed curve follows the mouse; ports that cannot take it are dimmed with why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent

from ....core.i18n import tr
from ...editing.commands import Connect
from ..items.edge_item import DraftWire
from ..items.node_item import NodeItem
from ..items.port_item import ANCHOR, INVALID, NORMAL, VALID, PortItem
from .base import Interaction

if TYPE_CHECKING:
    from ..view import Canvas


class WireDrag(Interaction):
    """A connection being drawn: the port it started from, and what every other port would say to it.

    The rules (and the sentences) are the graph's: `Graph.connection_problems` answers for all ports at once."""

    def __init__(self, canvas: Canvas, anchor: PortItem) -> None:
        super().__init__(canvas)
        self.anchor = anchor
        self.hover: Optional[PortItem] = None
        self.draft = DraftWire(anchor.scenePos(), from_output=not anchor.is_input)
        canvas.canvas_scene.addItem(self.draft)
        graph = canvas.graph
        self.problems: dict[PortItem, Optional[str]] = {}
        for (node_id, port), problem in graph.connection_problems(anchor.node_id, anchor.port,
                                                                  anchor.is_input).items():
            item = canvas.node_item(node_id)
            other = item.port(port, not anchor.is_input) if item is not None else None
            if other is not None:
                self.problems[other] = problem
        anchor.set_state(ANCHOR)
        for other, problem in self.problems.items():
            other.set_state(INVALID if problem else VALID, problem)
        taken = graph.input_taken_problem(anchor.node_id, anchor.port) if anchor.is_input else None
        if taken:
            canvas.message.emit(f"{taken[0].upper()}{taken[1:]}.")

    # ------------------------------------------------------------ events
    def mouse_press(self, event: QMouseEvent) -> bool:
        return True  # another button while drawing changes nothing

    def mouse_move(self, event: QMouseEvent) -> bool:
        pos = event.position().toPoint()
        self.draft.follow(self.canvas.mapToScene(pos))
        port = self._target_at(pos)
        if port is not self.hover:
            if self.hover is not None:
                self.hover.set_hovered(False)
            self.hover = port
            if port is not None:
                port.set_hovered(True)
                problem = self.problems.get(port)
                if problem:
                    self.canvas.message.emit(tr("Cannot connect here: {problem}.", problem=problem))
        return True

    def mouse_release(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        self._finish(event.position().toPoint())
        return True

    def key_press(self, event: QKeyEvent) -> bool:
        if event.key() != Qt.Key.Key_Escape:
            return False
        self.cancel()
        return True

    def end(self) -> None:
        self.canvas.canvas_scene.removeItem(self.draft)
        for port in list(self.problems) + [self.anchor]:
            port.hovered = False  # set_state repaints it
            port.set_state(NORMAL)
        super().end()

    # ------------------------------------------------------------ finishing
    def _target_at(self, view_pos: QPoint) -> Optional[PortItem]:
        """The port under the mouse if it is on the other side (an input for a wire from an output)."""
        port = self.canvas.port_at(view_pos, skip=self.anchor)
        return port if port in self.problems else None

    def _finish(self, view_pos: QPoint) -> None:
        self.end()
        canvas, anchor = self.canvas, self.anchor
        target = self._target_at(view_pos)
        if target is None:
            node = canvas.node_at(view_pos)
            if node is None:
                return  # released on empty space: the user changed their mind
            if node.node_id != anchor.node_id:
                target = self._port_on_node(node)
        if target is None:
            canvas.message.emit(tr("That layer has no free port for this wire."))
            return
        if anchor.is_input:
            source, source_port, dest, dest_port = target.node_id, target.port, anchor.node_id, anchor.port
        else:
            source, source_port, dest, dest_port = anchor.node_id, anchor.port, target.node_id, target.port
        graph = canvas.graph
        problem = graph.connection_problem(source, source_port, dest, dest_port)
        if problem:
            canvas.message.emit(tr("Cannot connect '{source}' to '{target}': {problem}.",
                                   source=graph.nodes[source].name, target=graph.nodes[dest].name, problem=problem))
            return
        canvas.document.push(Connect(graph, source, source_port, dest, dest_port))

    def _port_on_node(self, node: NodeItem) -> Optional[PortItem]:
        """Released on a card's body: its first port that accepts the wire, else its first port (to say why)."""
        candidates = list(node.output_ports.values() if self.anchor.is_input else node.input_ports.values())
        for port in candidates:
            if self.problems.get(port) is None:
                return port
        return candidates[0] if candidates else None
