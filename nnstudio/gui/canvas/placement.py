"""Where a new layer goes: at the drop point (into the wire it lands on), or after the selected (or last) layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QPointF, QRectF

from ...core.i18n import tr
from ...core.layers import canonical_type
from ...core.layout import COLUMN_GAP, ROW_GAP
from ..editing.commands import AddNode, Connect, InsertOnWire
from .items import style
from .items.node_item import NodeItem

# Space kept between an inserted card and its neighbours on the wire (scene pixels).
INSERT_GAP = 40.0

if TYPE_CHECKING:
    from ...core.graph import Graph
    from .view import Canvas


def add_layer_at(canvas: Canvas, type_name: str, scene_pos: QPointF) -> Optional[str]:
    """Add a layer whose card is centred on `scene_pos`; returns its id (None when refused)."""
    if canonical_type(type_name) is None:
        canvas.message.emit(tr("There is no layer type called {type}.", type=repr(type_name)))
        return None
    position = (scene_pos.x() - style.DROP_OFFSET[0], scene_pos.y() - style.DROP_OFFSET[1])
    command = AddNode(canvas.graph, type_name, position)
    if not canvas.document.push(command):
        return None
    canvas.select_only([command.node_id])
    return command.node_id


def insert_layer_on_wire(canvas: Canvas, type_name: str, scene_pos: QPointF, edge_id: str) -> Optional[str]:
    """Put a new layer, centred on `scene_pos`, into a wire (source → new → target) as one undo step."""
    graph = canvas.graph
    wire = graph.edges[edge_id]
    left = scene_pos.x() - style.DROP_OFFSET[0]
    room: dict[str, tuple[float, float]] = {}
    source_x, target_x = graph.node(wire.source).position[0], graph.node(wire.target).position[0]
    if source_x < target_x:  # a wire drawn left to right, as the network reads
        # The new card goes where it was dropped, but never over the card that feeds it; the cards
        # after it step right when it would cover them.
        left = max(left, source_x + style.NODE_WIDTH + INSERT_GAP)
        room = _room_after(graph, wire.target, left)
    position = (left, scene_pos.y() - style.DROP_OFFSET[1])
    command = InsertOnWire(graph, type_name, position, edge_id, room)
    if not canvas.document.push(command):
        return None
    canvas.select_only([command.node_id])
    return command.node_id


def _room_after(graph: Graph, target: str, new_left: float) -> dict[str, tuple[float, float]]:
    """Where the wire's target and everything after it move so the new card does not cover them."""
    shift = new_left + style.NODE_WIDTH + INSERT_GAP - graph.node(target).position[0]
    if shift <= 0:
        return {}
    after = [n for n in graph.nodes if n == target or graph.reaches(target, n)]
    return {n: (graph.node(n).position[0] + shift, graph.node(n).position[1]) for n in after}


def append_layer(canvas: Canvas, type_name: str) -> Optional[str]:
    """Add a layer to the right of the selected one (or the last one) and wire it in: one undo step."""
    if canonical_type(type_name) is None:
        canvas.message.emit(tr("There is no layer type called {type}.", type=repr(type_name)))
        return None
    document, graph = canvas.document, canvas.graph
    if document.edit_lock_reason:
        document.edit_refused.emit(document.edit_lock_reason)
        return None
    anchor_id = _append_anchor(canvas)
    if anchor_id is None:
        position = free_spot(canvas, QPointF(0, 0))
    else:
        x, y = graph.nodes[anchor_id].position
        position = free_spot(canvas, QPointF(x + COLUMN_GAP, y))
    command = AddNode(graph, type_name, (position.x(), position.y()))
    connect: Optional[Connect] = None
    if anchor_id is None:
        text = tr("Add {type} '{layer}'", type=command.node.type, layer=command.node.name)
    else:
        text = tr("Add {type} '{layer}' after '{anchor}'", type=command.node.type, layer=command.node.name,
                  anchor=graph.nodes[anchor_id].name)
    stack = document.undo_stack
    stack.beginMacro(text)
    try:
        document.push(command)
        new_node = graph.nodes[command.node_id]
        if anchor_id is not None and graph.nodes[anchor_id].output_ports() and new_node.input_ports():
            source_port = graph.nodes[anchor_id].output_ports()[0]
            target_port = new_node.input_ports()[0]
            if graph.connection_problem(anchor_id, source_port, new_node.id, target_port) is None:
                connect = Connect(graph, anchor_id, source_port, new_node.id, target_port)
                document.push(connect)
    finally:
        stack.endMacro()
    if anchor_id is not None and connect is None:
        canvas.message.emit(tr("Added '{layer}' but did not wire it: '{anchor}' has no free output to feed it.",
                               layer=command.node.name, anchor=graph.nodes[anchor_id].name))
    canvas.select_only([command.node_id])
    item = canvas.node_item(command.node_id)
    if item is not None:
        canvas.ensureVisible(item.sceneBoundingRect(), 40, 40)
    return command.node_id


def _append_anchor(canvas: Canvas) -> Optional[str]:
    """The layer a new one is appended after: the selected one, else the last that can feed another."""
    graph = canvas.graph
    selected = [n for n in canvas.document.selected_ids if n in graph.nodes]
    if selected:
        return selected[-1]
    order = [n for n in canvas.document.analysis.order if n in graph.nodes]
    for node_id in reversed(order):  # an Output cannot feed anything
        if graph.nodes[node_id].output_ports():
            return node_id
    return order[-1] if order else (list(graph.nodes)[-1] if graph.nodes else None)


def free_spot(canvas: Canvas, top_left: QPointF) -> QPointF:
    """The first place at or below `top_left` where a new card does not cover another one."""
    spot = QPointF(top_left)
    for _ in range(200):
        rect = QRectF(spot, QPointF(spot.x() + style.NODE_WIDTH, spot.y() + style.NODE_MIN_HEIGHT))
        if not any(isinstance(i, NodeItem) for i in canvas.canvas_scene.items(rect)):
            return spot
        spot = QPointF(spot.x(), spot.y() + ROW_GAP)
    return spot
