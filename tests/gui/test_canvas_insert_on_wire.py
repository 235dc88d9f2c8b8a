"""Dropping a layer from the palette onto a wire puts it into the wire (lesson 2: a Dense between Input and Output)."""

from __future__ import annotations

from canvas_driving import LEFT, chain, make_canvas
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from nnstudio.gui.canvas import LAYER_MIME_TYPE, Canvas

NO_KEYS = Qt.KeyboardModifier.NoModifier


def drag_over(canvas: Canvas, type_name: str, scene_point: QPointF) -> QMimeData:
    """A real drag from the palette: it enters the canvas and moves to `scene_point`, not yet let go."""
    mime = QMimeData()
    mime.setData(LAYER_MIME_TYPE, type_name.encode())
    local = canvas.mapFromScene(scene_point)
    viewport = canvas.viewport()
    QApplication.sendEvent(viewport, QDragEnterEvent(local, Qt.DropAction.CopyAction, mime, LEFT, NO_KEYS))
    QApplication.sendEvent(viewport, QDragMoveEvent(local, Qt.DropAction.CopyAction, mime, LEFT, NO_KEYS))
    return mime


def let_go(canvas: Canvas, mime: QMimeData, scene_point: QPointF) -> QDropEvent:
    drop = QDropEvent(QPointF(canvas.mapFromScene(scene_point)), Qt.DropAction.CopyAction, mime, LEFT, NO_KEYS)
    QApplication.sendEvent(canvas.viewport(), drop)
    return drop


def drop_layer(canvas: Canvas, type_name: str, scene_point: QPointF) -> QDropEvent:
    return let_go(canvas, drag_over(canvas, type_name, scene_point), scene_point)


def wires(graph) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in graph.edges.values()}


def middle_of_wire(canvas: Canvas, graph) -> QPointF:
    return canvas.edge_item(next(iter(graph.edges))).midpoint()


def test_a_dense_dropped_on_the_wire_goes_between_input_and_output_in_one_undo_step(qtbot):
    graph, (inputs, output) = chain("Input", "Output")
    graph.move(output, (600.0, 0.0))  # room between them, as in lesson 2
    canvas = make_canvas(qtbot, graph)
    before = graph.to_dict()
    middle = middle_of_wire(canvas, graph)
    wire = canvas.edge_item(next(iter(graph.edges)))
    mime = drag_over(canvas, "Dense", middle)
    assert wire.hovered  # lit up: this is the wire the layer will go into
    assert let_go(canvas, mime, middle).isAccepted()
    (dense,) = [n.id for n in graph.nodes.values() if n.type == "Dense"]
    assert wires(graph) == {(inputs, dense), (dense, output)}
    assert len(canvas.canvas_scene.edge_items) == 2
    assert canvas.document.selected_ids == [dense]
    assert canvas.document.undo_stack.count() == 1
    canvas.document.undo()
    assert graph.to_dict() == before
    assert wires(graph) == {(inputs, output)} and len(canvas.canvas_scene.node_items) == 2
    canvas.document.redo()
    assert wires(graph) == {(inputs, dense), (dense, output)}


def test_inserting_between_close_cards_moves_the_rest_of_the_network_aside(qtbot):
    graph, (inputs, hidden, output) = chain("Input", "Dense", "Output")  # one column apart, as appended
    canvas = make_canvas(qtbot, graph)
    before = graph.to_dict()
    places = {node_id: graph.node(node_id).position for node_id in (inputs, hidden, output)}
    wire = graph.edge_at_input(hidden, "in").id
    assert drop_layer(canvas, "Dense", canvas.edge_item(wire).midpoint()).isAccepted()
    cards = [item.sceneBoundingRect() for item in canvas.canvas_scene.node_items.values()]
    assert len(cards) == 4
    assert not any(a.intersects(b) for i, a in enumerate(cards) for b in cards[i + 1:])
    assert graph.node(inputs).position == places[inputs]  # the start of the network stays
    assert graph.node(hidden).position[0] > places[hidden][0]
    assert graph.node(output).position[0] > places[output][0]
    canvas.document.undo()
    assert graph.to_dict() == before
    assert canvas.node_item(output).pos().x() == places[output][0]


def test_a_layer_that_cannot_sit_in_a_wire_is_dropped_beside_it(qtbot):
    graph, (inputs, output) = chain("Input", "Output")
    graph.move(output, (600.0, 0.0))
    canvas = make_canvas(qtbot, graph)
    assert drop_layer(canvas, "Input", middle_of_wire(canvas, graph)).isAccepted()  # an Input has no input port
    assert len(graph.nodes) == 3
    assert wires(graph) == {(inputs, output)}


def test_a_drop_away_from_wires_adds_a_loose_layer(qtbot):
    graph, (inputs, output) = chain("Input", "Output")
    graph.move(output, (600.0, 0.0))
    canvas = make_canvas(qtbot, graph)
    assert drop_layer(canvas, "Dense", middle_of_wire(canvas, graph) + QPointF(0, 300)).isAccepted()
    assert len(graph.nodes) == 3
    assert wires(graph) == {(inputs, output)}
