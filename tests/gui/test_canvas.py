"""The canvas driven as a student would: drop layers, drag, select, delete, copy, rename, zoom."""

from __future__ import annotations

import json

import pytest
import shiboken6
from canvas_driving import (
    LEFT,
    NO_BUTTON,
    body,
    chain,
    drag,
    in_port,
    make_canvas,
    mouse,
    title,
    two_layers,
)
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from nnstudio.core.analysis import ERROR
from nnstudio.core.examples import build_example
from nnstudio.core.graph import Graph
from nnstudio.core.project import Project
from nnstudio.gui.canvas import FRAGMENT_MIME_TYPE, LAYER_MIME_TYPE, Canvas
from nnstudio.gui.canvas.items import style
from nnstudio.gui.editing.commands import MoveNodes
from nnstudio.gui.editing.document import Document


# ---------------------------------------------------------------- dropping and adding
def test_drop_from_palette_adds_layer_at_drop_point(qtbot):
    canvas = make_canvas(qtbot)
    mime = QMimeData()
    mime.setData(LAYER_MIME_TYPE, b"Dense")
    scene_point = QPointF(500, 260)
    local = QPointF(canvas.mapFromScene(scene_point))
    # A real drag announces itself (enter, move) before the drop; Qt ignores a drop that was not announced.
    no_keys = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(local.toPoint(), Qt.DropAction.CopyAction, mime, LEFT, no_keys)
    QApplication.sendEvent(canvas.viewport(), enter)
    assert enter.isAccepted()
    QApplication.sendEvent(canvas.viewport(), QDragMoveEvent(local.toPoint(), Qt.DropAction.CopyAction, mime,
                                                             LEFT, no_keys))
    drop = QDropEvent(local, Qt.DropAction.CopyAction, mime, LEFT, no_keys)
    QApplication.sendEvent(canvas.viewport(), drop)
    assert drop.isAccepted()
    graph = canvas.graph
    assert len(graph.nodes) == 1
    node = next(iter(graph.nodes.values()))
    assert node.type == "Dense"
    # The drop point is the centre of the new card.
    assert node.position == pytest.approx((scene_point.x() - style.DROP_OFFSET[0],
                                           scene_point.y() - style.DROP_OFFSET[1]), abs=1.0)
    assert canvas.document.selected_ids == [node.id]


def test_append_layer_builds_a_wired_sequential_model(qtbot):
    canvas = make_canvas(qtbot)
    graph, stack = canvas.graph, canvas.document.undo_stack
    first = canvas.append_layer("Input")
    second = canvas.append_layer("Dense")
    third = canvas.append_layer("Output")
    assert [graph.nodes[n].type for n in (first, second, third)] == ["Input", "Dense", "Output"]
    assert {(e.source, e.target) for e in graph.edges.values()} == {(first, second), (second, third)}
    assert graph.nodes[second].position[0] > graph.nodes[first].position[0]
    assert stack.count() == 3  # each append (add + wire) is one undo step
    assert canvas.document.selected_ids == [third]
    stack.undo()
    assert third not in graph.nodes and len(graph.edges) == 1


# ---------------------------------------------------------------- moving and selecting
def test_dragging_a_card_is_one_move_step_and_undo_restores(qtbot):
    graph, source, target = two_layers()
    graph.connect(source, "out", target, "in")
    canvas = make_canvas(qtbot, graph)
    stack = canvas.document.undo_stack
    start = body(canvas, target)
    drag(canvas, start, start + QPointF(100, 60), steps=8)
    assert stack.count() == 1
    assert isinstance(stack.command(0), MoveNodes)
    x, y = graph.nodes[target].position
    assert (x, y) != (300.0, 0.0)
    assert x % style.GRID_SIZE == 0 and y % style.GRID_SIZE == 0  # snapped to the grid
    item = canvas.node_item(target)
    assert (item.pos().x(), item.pos().y()) == (x, y)
    # The wire followed the card.
    edge_item = canvas.edge_item(next(iter(graph.edges)))
    assert edge_item.boundingRect().contains(in_port(canvas, target))
    stack.undo()
    assert graph.nodes[target].position == (300.0, 0.0)
    assert (item.pos().x(), item.pos().y()) == (300.0, 0.0)


def test_moving_while_training_is_refused_and_card_goes_back(qtbot):
    graph, source, target = two_layers()
    canvas = make_canvas(qtbot, graph)
    canvas.document.lock_edits("Training is running")
    start = body(canvas, target)
    drag(canvas, start, start + QPointF(100, 60))
    assert graph.nodes[target].position == (300.0, 0.0)
    assert canvas.node_item(target).pos() == QPointF(300, 0)


def test_click_and_ctrl_click_select_and_mirror_into_document(qtbot):
    graph, source, target = two_layers()
    canvas = make_canvas(qtbot, graph)
    QTest.mouseClick(canvas.viewport(), LEFT, pos=canvas.mapFromScene(body(canvas, source)))
    assert canvas.document.selected_ids == [source]
    QTest.mouseClick(canvas.viewport(), LEFT, Qt.KeyboardModifier.ControlModifier,
                     canvas.mapFromScene(body(canvas, target)))
    assert set(canvas.document.selected_ids) == {source, target}
    QTest.mouseClick(canvas.viewport(), LEFT, Qt.KeyboardModifier.ControlModifier,
                     canvas.mapFromScene(body(canvas, source)))
    assert canvas.document.selected_ids == [target]


def test_rubber_band_selects_the_cards_inside(qtbot):
    graph, ids = chain("Input", "Dense", "Dense")
    canvas = make_canvas(qtbot, graph)
    drag(canvas, QPointF(-40, -60), QPointF(240 + style.NODE_WIDTH + 20, 150), steps=6)
    assert set(canvas.document.selected_ids) == {ids[0], ids[1]}
    assert not canvas.graph.edges or canvas.document.undo_stack.count() == 0  # selecting is not an edit


def test_document_selection_is_shown_on_canvas(qtbot):
    graph, ids = chain("Input", "Dense")
    canvas = make_canvas(qtbot, graph)
    canvas.document.select([ids[1]])
    assert canvas.node_item(ids[1]).isSelected() and not canvas.node_item(ids[0]).isSelected()
    canvas.center_on_node(ids[0])
    assert canvas.document.selected_ids == [ids[0]]
    centre = canvas.mapToScene(canvas.viewport().rect().center())
    assert canvas.node_item(ids[0]).sceneBoundingRect().contains(centre)


# ---------------------------------------------------------------- deleting, copying, renaming
def test_delete_key_removes_node_and_undo_brings_back_node_and_wires(qtbot):
    graph, ids = chain("Input", "Dense", "Output")
    canvas = make_canvas(qtbot, graph)
    before = graph.to_dict()
    canvas.center_on_node(ids[1])
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert ids[1] not in graph.nodes and not graph.edges
    assert ids[1] not in canvas.canvas_scene.node_items and not canvas.canvas_scene.edge_items
    canvas.document.undo_stack.undo()
    assert graph.to_dict() == before
    assert len(canvas.canvas_scene.edge_items) == 2


def test_click_a_wire_and_delete_it(qtbot):
    graph, ids = chain("Input", "Dense")
    canvas = make_canvas(qtbot, graph)
    edge_id = next(iter(graph.edges))
    middle = canvas.edge_item(edge_id).shape().boundingRect().center()
    QTest.mouseClick(canvas.viewport(), LEFT, pos=canvas.mapFromScene(middle))
    assert canvas.edge_item(edge_id).isSelected()
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert not graph.edges and set(graph.nodes) == set(ids)


def test_copy_paste_two_connected_layers_gives_new_layers_and_their_wire(qtbot):
    graph, ids = chain("Input", "Dense", "Dense")
    canvas = make_canvas(qtbot, graph)
    canvas.document.select(ids[1:])
    fragment = canvas.copy_selection()
    assert len(fragment["nodes"]) == 2 and len(fragment["edges"]) == 1
    assert json.loads(bytes(QApplication.clipboard().mimeData().data(FRAGMENT_MIME_TYPE)).decode())
    new_ids = canvas.paste()
    assert len(new_ids) == 2 and not set(new_ids) & set(ids)
    assert len(graph.nodes) == 5
    assert any(e.source == new_ids[0] and e.target == new_ids[1] for e in graph.edges.values())
    assert set(canvas.document.selected_ids) == set(new_ids)
    assert graph.nodes[new_ids[0]].position != graph.nodes[ids[1]].position


def test_cut_removes_and_paste_puts_back(qtbot):
    graph, ids = chain("Input", "Dense")
    canvas = make_canvas(qtbot, graph)
    canvas.document.select([ids[1]])
    canvas.cut_selection()
    assert ids[1] not in graph.nodes
    assert len(canvas.paste()) == 1 and len(graph.nodes) == 2


def test_duplicate_selection(qtbot):
    graph, ids = chain("Input", "Dense")
    canvas = make_canvas(qtbot, graph)
    canvas.select_all()
    new_ids = canvas.duplicate_selection()
    assert len(new_ids) == 2 and len(graph.nodes) == 4 and len(graph.edges) == 2
    assert canvas.document.undo_stack.count() == 1


def test_rename_inline_with_double_click_and_enter(qtbot):
    graph, source, target = two_layers()
    canvas = make_canvas(qtbot, graph)
    QTest.mouseDClick(canvas.viewport(), LEFT, pos=canvas.mapFromScene(title(canvas, target)))
    editor = canvas.findChild(QLineEdit, "renameEditor")
    assert editor is not None and editor.isVisible() and editor.text() == "hidden"
    editor.selectAll()
    QTest.keyClicks(editor, "encoder")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert graph.nodes[target].name == "encoder"
    assert canvas.document.undo_stack.command(0).text() == "Rename 'hidden' to 'encoder'"


def test_rename_refuses_a_bad_or_taken_name_and_esc_cancels(qtbot):
    graph, source, target = two_layers()
    canvas = make_canvas(qtbot, graph)
    messages = []
    canvas.message.connect(messages.append)
    canvas.start_rename(target)
    editor = canvas.findChild(QLineEdit, "renameEditor")
    editor.setText("inputs")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert graph.nodes[target].name == "hidden" and "already called" in messages[-1]
    editor.setText("2 layers")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert graph.nodes[target].name == "hidden" and "starts with a letter" in messages[-1]
    assert "starts with a letter" in editor.toolTip()
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: canvas.findChild(QLineEdit, "renameEditor") is None)
    assert graph.nodes[target].name == "hidden" and canvas.document.undo_stack.count() == 0


# ---------------------------------------------------------------- what the cards and wires show
def test_card_shows_error_mark_with_message_and_wire_shows_shape(qtbot):
    graph = Graph()
    image = graph.add_node("Input", name="image", params={"shape": [28, 28]}, position=(0, 0))
    dense = graph.add_node("Dense", name="hidden1", params={"units": 300}, position=(240, 0))
    graph.connect(image.id, "out", dense.id, "in")
    canvas = make_canvas(qtbot, graph)
    item = canvas.node_item(dense.id)
    assert item.severity == ERROR and item.issue_mark.isVisible()
    assert "add a Flatten node" in item.issue_mark.toolTip()
    assert canvas.edge_item(next(iter(graph.edges))).label == "28×28"
    # Fix it the way the message says and the mark goes away; the numbers appear.
    flatten = canvas.document.graph.add_node("Flatten", position=(120, 200))
    graph.disconnect(next(iter(graph.edges)))
    graph.connect(image.id, "out", flatten.id, "in")
    graph.connect(flatten.id, "out", dense.id, "in")
    assert not item.issue_mark.isVisible() or item.severity != ERROR
    assert item._params_text == "235,500 params" and item._shape_text.endswith("300")
    assert item._detail_text == "300 units · relu"
    labels = {canvas.edge_item(e).label for e in graph.edges}
    assert labels == {"28×28", "784"}


def test_concatenate_card_has_a_port_per_input_and_grows_with_inputs(qtbot):
    graph = Graph()
    concat = graph.add_node("Concatenate", position=(0, 0))
    canvas = make_canvas(qtbot, graph)
    item = canvas.node_item(concat.id)
    assert list(item.input_ports) == ["in1", "in2"] and list(item.output_ports) == ["out"]
    graph.set_param(concat.id, "inputs", 8)
    assert len(item.input_ports) == 8 and item.height > style.NODE_MIN_HEIGHT
    output = graph.add_node("Output")
    assert canvas.node_item(output.id).output_ports == {}


def test_edge_weights_change_wire_width(qtbot):
    graph, ids = chain("Input", "Dense", "Dense")
    canvas = make_canvas(qtbot, graph)
    first, second = list(graph.edges)
    canvas.set_edge_weights({first: 2.0, second: 0.5})
    assert canvas.edge_item(first).pen_width() > canvas.edge_item(second).pen_width()
    canvas.set_edge_weights(None)
    assert canvas.edge_item(first).pen_width() == canvas.edge_item(second).pen_width() == style.EDGE_WIDTH


# ---------------------------------------------------------------- view
def test_zoom_in_out_and_fit(qtbot):
    graph, ids = chain("Input", "Dense", "Output")
    canvas = make_canvas(qtbot, graph)
    canvas.zoom_in()
    assert canvas.zoom_level() == pytest.approx(style.ZOOM_STEP)
    canvas.zoom_out()
    canvas.zoom_out()
    assert canvas.zoom_level() == pytest.approx(1 / style.ZOOM_STEP)
    for _ in range(40):
        canvas.zoom_out()
    assert canvas.zoom_level() == pytest.approx(style.MIN_ZOOM)
    canvas.fit_to_view()
    assert canvas.zoom_level() <= style.MAX_FIT_ZOOM
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(canvas.canvas_scene.nodes_rect())


def test_fit_never_blows_up_a_single_layer(qtbot):
    graph = Graph()
    graph.add_node("Input", position=(0, 0))
    canvas = make_canvas(qtbot, graph)
    canvas.fit_to_view()
    assert canvas.zoom_level() == pytest.approx(style.MAX_FIT_ZOOM)


def test_wheel_zoom_is_clamped(qtbot):
    canvas = make_canvas(qtbot, chain("Input", "Dense")[0])
    for _ in range(30):
        QTest.qWait(0)
        canvas._zoom_by(style.ZOOM_STEP, around=QPointF(500, 300))
    assert canvas.zoom_level() == pytest.approx(style.MAX_ZOOM)


def test_middle_drag_pans(qtbot):
    canvas = make_canvas(qtbot, chain("Input", "Dense")[0])
    before = canvas.mapToScene(QPoint(0, 0))
    start = canvas.mapToScene(QPoint(500, 300))
    mouse(canvas, QEvent.Type.MouseButtonPress, start, button=Qt.MouseButton.MiddleButton,
          buttons=Qt.MouseButton.MiddleButton)
    mouse(canvas, QEvent.Type.MouseMove, start + QPointF(-120, -80), button=NO_BUTTON,
          buttons=Qt.MouseButton.MiddleButton)
    mouse(canvas, QEvent.Type.MouseButtonRelease, start + QPointF(-120, -80), button=Qt.MouseButton.MiddleButton,
          buttons=NO_BUTTON)
    after = canvas.mapToScene(QPoint(0, 0))
    assert after != before


def test_auto_layout_is_one_step_and_fits(qtbot):
    graph, ids = chain("Input", "Dense", "Output")
    for node_id in ids:
        graph.move(node_id, (0, 0))
    canvas = make_canvas(qtbot, graph)
    canvas.auto_layout()
    xs = [graph.nodes[n].position[0] for n in ids]
    assert xs == sorted(xs) and len(set(xs)) == 3
    assert canvas.document.undo_stack.count() == 1
    assert [canvas.node_item(n).pos().x() for n in ids] == xs


def test_new_project_rebuilds_the_canvas(qtbot):
    canvas = make_canvas(qtbot, chain("Input", "Dense")[0])
    canvas.document.replace_project(build_example("wide_deep"))
    assert len(canvas.canvas_scene.node_items) == 7 and len(canvas.canvas_scene.edge_items) == 6
    # The canvas follows the new graph's events, not the old one's.
    canvas.document.graph.add_node("Dense")
    assert len(canvas.canvas_scene.node_items) == 8


def test_wide_and_deep_example_renders(qtbot):
    document = Document(build_example("wide_deep"))
    canvas = Canvas(document)
    qtbot.addWidget(canvas)
    canvas.resize(1100, 600)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.fit_to_view()
    image = canvas.grab().toImage()
    assert not image.isNull()
    # The cards do not overlap each other.
    rects = [item.sceneBoundingRect() for item in canvas.canvas_scene.node_items.values()]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_a_500_node_graph_loads(qtbot):
    from bench.canvas import build_big_graph
    graph = build_big_graph(500)
    canvas = make_canvas(qtbot, graph)
    assert len(canvas.canvas_scene.node_items) == 500
    canvas.auto_layout()
    assert canvas.zoom_level() >= style.MIN_ZOOM


def test_space_and_left_drag_pans_instead_of_selecting(qtbot):
    graph, ids = chain("Input", "Dense")
    canvas = make_canvas(qtbot, graph)
    canvas.setFocus()
    QTest.keyPress(canvas, Qt.Key.Key_Space)
    before = canvas.mapToScene(QPoint(0, 0))
    start = canvas.mapToScene(QPoint(600, 400))
    drag(canvas, start, start + QPointF(-150, -90))
    QTest.keyRelease(canvas, Qt.Key.Key_Space)
    assert canvas.mapToScene(QPoint(0, 0)) != before
    assert canvas.document.selected_ids == [] and canvas.document.undo_stack.count() == 0


def test_graph_edits_after_the_canvas_is_gone_do_not_fail(qtbot):
    graph, ids = chain("Input", "Dense")
    document = Document(Project(graph))
    canvas = Canvas(document)
    canvas.deleteLater()
    qtbot.waitUntil(lambda: not canvas.isVisible())
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(canvas)
    graph.add_node("Dense")  # the scene's listeners must not touch the deleted items
    assert len(graph.nodes) == 3
