"""What the student sees on the canvas: amber and red marks on cards, zoom around the mouse, issues that lead to cards."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from canvas_driving import drag, in_port, make_canvas, out_port
from nnstudio.core.graph import Graph
from nnstudio.core.project import Project
from nnstudio.gui.canvas.items import style
from nnstudio.gui.editing.commands import MoveNodes
from nnstudio.gui.main_window import MainWindow


def network_with_a_loose_end() -> tuple[Graph, dict[str, str]]:
    """inputs → hidden → answer, and a Dense 'extra' fed by hidden that leads nowhere (a warning)."""
    graph = Graph()
    ids = {}
    for key, type_name, position, params in (("inputs", "Input", (0, 0), {"shape": [8]}),
                                              ("hidden", "Dense", (260, 0), {"units": 4}),
                                              ("answer", "Output", (520, 0), {"task": "regression", "units": 1}),
                                              ("extra", "Dense", (520, 260), {"units": 3})):
        ids[key] = graph.add_node(type_name, name=key, params=params, position=position).id
    graph.connect(ids["inputs"], "out", ids["hidden"], "in")
    graph.connect(ids["hidden"], "out", ids["answer"], "in")
    graph.connect(ids["hidden"], "out", ids["extra"], "in")
    return graph, ids


def mark_colour(canvas, node_id: str) -> QColor | None:
    """The colour painted on screen inside the card's mark (beside its '!'), None when there is no mark."""
    mark = canvas.node_item(node_id).issue_mark
    if not mark.isVisible():
        return None
    canvas.viewport().repaint()
    picture = canvas.viewport().grab().toImage()
    centre = canvas.mapFromScene(mark.scenePos())
    spot = centre + QPoint(-int(style.ISSUE_MARK_RADIUS) + 3, 0)   # left of the '!', inside the disc
    return QColor(picture.pixel(spot.x() * picture.width() // canvas.viewport().width(),
                                spot.y() * picture.height() // canvas.viewport().height()))


def near(colour: QColor | None, expected: QColor) -> bool:
    return colour is not None and all(abs(a - b) <= 12 for a, b in zip(colour.getRgb()[:3], expected.getRgb()[:3]))


def test_a_warning_shows_an_amber_mark_that_goes_when_it_is_fixed(qtbot):
    graph, ids = network_with_a_loose_end()
    canvas = make_canvas(qtbot, graph)
    canvas.centerOn(canvas.node_item(ids["extra"]))
    assert near(mark_colour(canvas, ids["extra"]), style.WARNING_COLOUR)
    assert "does not lead to any Output" in canvas.node_item(ids["extra"]).issue_mark.toolTip()
    assert mark_colour(canvas, ids["hidden"]) is None
    # The student clicks the wire hidden → answer, deletes it and wires 'extra' into the answer instead:
    # every layer now leads to the Output.
    canvas.centerOn(QPointF(500, 200))
    wire = next(e for e in graph.edges.values() if e.target == ids["answer"])
    middle = canvas.edge_item(wire.id).shape().boundingRect().center()
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.mapFromScene(middle))
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    drag(canvas, out_port(canvas, ids["extra"]), in_port(canvas, ids["answer"]))
    assert [(e.source, e.target) for e in graph.edges.values() if e.target == ids["answer"]] == \
        [(ids["extra"], ids["answer"])]
    canvas.centerOn(canvas.node_item(ids["extra"]))
    assert mark_colour(canvas, ids["extra"]) is None


def test_an_error_shows_the_red_mark_even_with_a_warning_beside_it(qtbot):
    graph, ids = network_with_a_loose_end()
    canvas = make_canvas(qtbot, graph)
    # Adding 3 numbers to 4 numbers is an error; the Add also leads nowhere (a warning).
    add = graph.add_node("Add", name="sum", position=(780, 260))
    graph.connect(ids["extra"], "out", add.id, add.input_ports()[0])
    graph.connect(ids["hidden"], "out", add.id, add.input_ports()[1])
    canvas.centerOn(canvas.node_item(add.id))
    tooltip = canvas.node_item(add.id).issue_mark.toolTip()
    assert "does not lead to any Output" in tooltip and "Error" in tooltip
    assert near(mark_colour(canvas, add.id), style.ERROR_COLOUR)


def wheel(canvas, view_pos: QPoint, notches: int) -> None:
    """Turn the mouse wheel over the canvas, the pointer resting at view_pos (a notch is 120)."""
    viewport = canvas.viewport()
    event = QWheelEvent(QPointF(view_pos), QPointF(viewport.mapToGlobal(view_pos)), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def test_wheel_zoom_keeps_the_point_under_the_mouse_in_place(qtbot):
    graph, ids = network_with_a_loose_end()
    canvas = make_canvas(qtbot, graph)
    pointer = canvas.mapFromScene(canvas.node_item(ids["extra"]).sceneBoundingRect().center())
    assert pointer != canvas.viewport().rect().center()   # not the middle: zooming there proves nothing
    under_mouse = canvas.mapToScene(pointer)
    start = canvas.zoom_level()
    for notches in (2, -1, -3, 2):
        wheel(canvas, pointer, notches)
        assert canvas.zoom_level() != start
        start = canvas.zoom_level()
        still = canvas.mapToScene(pointer)
        assert abs(still.x() - under_mouse.x()) * canvas.zoom_level() <= 1.5   # within a pixel or so
        assert abs(still.y() - under_mouse.y()) * canvas.zoom_level() <= 1.5
        assert canvas.node_at(pointer) is canvas.node_item(ids["extra"])


def test_clicking_an_issue_selects_its_card_and_brings_it_to_the_middle(qtbot):
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    graph, ids = network_with_a_loose_end()
    window.document.replace_project(Project(graph))
    # The loose layer is far away, off the screen; the student looks at the start of the network.
    window.document.push(MoveNodes(window.document.graph, {ids["extra"]: ((520.0, 260.0), (4000.0, 2500.0))}))
    canvas = window.canvas
    canvas.centerOn(canvas.node_item(ids["inputs"]))
    far_card = canvas.node_item(ids["extra"]).sceneBoundingRect()
    assert not canvas.mapToScene(canvas.viewport().rect()).boundingRect().intersects(far_card)

    window.issues_dock.show()
    window.issues_dock.raise_()
    issues = window.issues
    qtbot.waitUntil(lambda: issues.isVisible() and issues.count() > 0)
    row = next(r for r, text in enumerate(issues.messages()) if "'extra' does not lead to any Output" in text)
    issues.scrollToItem(issues.item(row))
    qtbot.mouseClick(issues.viewport(), Qt.MouseButton.LeftButton,
                     pos=issues.visualItemRect(issues.item(row)).center())
    assert window.document.selected_ids == [ids["extra"]]
    assert canvas.node_item(ids["extra"]).isSelected()
    middle = canvas.mapToScene(canvas.viewport().rect().center())
    centre = canvas.node_item(ids["extra"]).sceneBoundingRect().center()
    assert abs(middle.x() - centre.x()) * canvas.zoom_level() <= 2
    assert abs(middle.y() - centre.y()) * canvas.zoom_level() <= 2
    window.session.shutdown()
