"""Drawing wires as a student would: port to port; a refused wire says why, in the graph's own words."""

from __future__ import annotations

from canvas_driving import (
    NO_BUTTON,
    body,
    chain,
    drag,
    in_port,
    make_canvas,
    mouse,
    out_port,
    two_layers,
)
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtTest import QTest

from nnstudio.core.graph import Graph
from nnstudio.gui.canvas.interactions import WireDrag
from nnstudio.gui.canvas.items.edge_item import DraftWire
from nnstudio.gui.canvas.items.port_item import INVALID, NORMAL, VALID


def test_drag_from_output_to_input_connects(qtbot):
    graph, source, target = two_layers()
    canvas = make_canvas(qtbot, graph)
    drag(canvas, out_port(canvas, source), in_port(canvas, target))
    assert [(e.source, e.target) for e in graph.edges.values()] == [(source, target)]
    assert canvas.edge_item(next(iter(graph.edges))) is not None
    canvas.document.undo_stack.undo()
    assert not graph.edges and not canvas.canvas_scene.edge_items


def test_drag_from_input_to_output_connects_the_right_way_round(qtbot):
    graph, source, target = two_layers()
    canvas = make_canvas(qtbot, graph)
    drag(canvas, in_port(canvas, target), out_port(canvas, source))
    edge = next(iter(graph.edges.values()))
    assert (edge.source, edge.target) == (source, target)


def test_release_on_card_body_uses_first_free_input(qtbot):
    graph = Graph()
    a = graph.add_node("Input", params={"shape": [4]}, position=(0, 0))
    b = graph.add_node("Input", params={"shape": [3]}, position=(0, 200))
    concat = graph.add_node("Concatenate", position=(300, 100))
    graph.connect(a.id, "out", concat.id, "in1")
    canvas = make_canvas(qtbot, graph)
    drag(canvas, out_port(canvas, b.id), body(canvas, concat.id))
    assert graph.edge_at_input(concat.id, "in2").source == b.id


def test_live_wire_dims_ports_that_cannot_take_it(qtbot):
    graph, ids = chain("Input", "Dense", "Dense")
    spare = graph.add_node("Dense", position=(0, 300))
    canvas = make_canvas(qtbot, graph)
    start = out_port(canvas, ids[2])
    mouse(canvas, QEvent.Type.MouseButtonPress, start)
    mouse(canvas, QEvent.Type.MouseMove, start + QPointF(50, 80), button=NO_BUTTON)
    taken = canvas.node_item(ids[1]).input_ports["in"]
    free = canvas.node_item(spare.id).input_ports["in"]
    assert taken.state == INVALID and taken.isVisible()
    assert "already connected" in taken.toolTip()
    assert free.state == VALID
    assert canvas.canvas_scene.items()  # the draft wire is on the scene while dragging
    mouse(canvas, QEvent.Type.MouseButtonRelease, start + QPointF(50, 80), buttons=NO_BUTTON)
    assert taken.state != INVALID and free.state != VALID
    assert len(graph.edges) == 2  # released on empty space: nothing happens



def test_esc_drops_a_wire_being_drawn_and_ports_give_the_graphs_reasons(qtbot):
    graph, ids = chain("Input", "Dense", "Dense")
    spare = graph.add_node("Dense", position=(0, 300))
    canvas = make_canvas(qtbot, graph)
    canvas.setFocus()
    start = out_port(canvas, ids[2])
    mouse(canvas, QEvent.Type.MouseButtonPress, start)
    mouse(canvas, QEvent.Type.MouseMove, start + QPointF(50, 80), button=NO_BUTTON)
    assert isinstance(canvas.interaction, WireDrag)
    # Every input says exactly what the graph says about this wire: the canvas keeps no rules of its own.
    for (node_id, port), why in graph.connection_problems(ids[2], "out", is_input=False).items():
        item = canvas.node_item(node_id).input_ports[port]
        assert item.state == (INVALID if why else VALID)
        if why:
            assert item.toolTip() == f"Cannot connect here: {why}"
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.interaction is None
    assert not any(isinstance(item, DraftWire) for item in canvas.canvas_scene.items())
    assert all(port.state == NORMAL for item in canvas.canvas_scene.node_items.values() for port in item.ports())
    mouse(canvas, QEvent.Type.MouseButtonRelease, in_port(canvas, spare.id), buttons=NO_BUTTON)
    assert len(graph.edges) == 2  # the release after Esc draws nothing

def test_wire_into_taken_port_is_refused_with_reason(qtbot):
    graph, source, target = two_layers()
    graph.connect(source, "out", target, "in")
    other = graph.add_node("Input", params={"shape": [8]}, position=(0, 250))
    canvas = make_canvas(qtbot, graph)
    messages = []
    canvas.message.connect(messages.append)
    before = graph.to_dict()
    drag(canvas, out_port(canvas, other.id), in_port(canvas, target))
    assert graph.to_dict() == before
    assert any("already connected" in m for m in messages)


def test_wire_that_makes_a_loop_is_refused_with_reason(qtbot):
    graph = Graph()
    inputs = graph.add_node("Input", params={"shape": [4]}, position=(0, 0))
    concat = graph.add_node("Concatenate", position=(240, 0))
    dense = graph.add_node("Dense", position=(480, 0))
    graph.connect(inputs.id, "out", concat.id, "in1")
    graph.connect(concat.id, "out", dense.id, "in")
    canvas = make_canvas(qtbot, graph)
    messages = []
    canvas.message.connect(messages.append)
    before = graph.to_dict()
    drag(canvas, out_port(canvas, dense.id), in_port(canvas, concat.id, "in2"))
    assert graph.to_dict() == before
    assert any("loop" in m for m in messages)


def test_starting_a_wire_at_a_taken_input_says_why(qtbot):
    graph, ids = chain("Input", "Dense")
    canvas = make_canvas(qtbot, graph)
    messages = []
    canvas.message.connect(messages.append)
    mouse(canvas, QEvent.Type.MouseButtonPress, in_port(canvas, ids[1]))
    assert any("already connected" in m for m in messages)
    mouse(canvas, QEvent.Type.MouseButtonRelease, in_port(canvas, ids[1]) + QPointF(-200, 300), buttons=NO_BUTTON)
    assert len(graph.edges) == 1


def test_a_wire_crossing_a_card_is_drawn_over_it_and_can_be_clicked_there(qtbot):
    graph = Graph()
    inputs = graph.add_node("Input", params={"shape": [8]}, position=(0, 0))
    between = graph.add_node("Dense", name="between", position=(240, 0))
    far = graph.add_node("Dense", position=(480, 0))
    graph.connect(inputs.id, "out", far.id, "in")
    canvas = make_canvas(qtbot, graph)
    wire = canvas.edge_item(next(iter(graph.edges)))
    card = canvas.node_item(between.id)
    crossing = wire.midpoint()
    assert card.sceneBoundingRect().contains(crossing)  # the wire really runs across the middle card
    assert wire.zValue() > card.zValue()
    topmost = canvas.items(canvas.mapFromScene(crossing))[0]
    assert topmost is wire
    mouse(canvas, QEvent.Type.MouseButtonPress, crossing)
    mouse(canvas, QEvent.Type.MouseButtonRelease, crossing, buttons=NO_BUTTON)
    assert wire.isSelected() and not card.isSelected()
