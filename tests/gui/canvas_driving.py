"""Driving the canvas as a student would: real mouse events at ports, cards and titles; small graphs to draw on."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from nnstudio.core.graph import Graph
from nnstudio.core.project import Project
from nnstudio.gui.canvas import Canvas
from nnstudio.gui.canvas.items import style
from nnstudio.gui.canvas.items.node_item import NAME_TOP
from nnstudio.gui.editing.document import Document

LEFT = Qt.MouseButton.LeftButton
NO_BUTTON = Qt.MouseButton.NoButton


def make_canvas(qtbot, graph: Graph | None = None) -> Canvas:
    document = Document(Project(graph or Graph()))
    canvas = Canvas(document)
    qtbot.addWidget(canvas)
    canvas.resize(1000, 700)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.resetTransform()
    canvas.centerOn(400, 200)
    return canvas


def mouse(canvas: Canvas, kind: QEvent.Type, scene_pos: QPointF, button=LEFT, buttons=LEFT,
          modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Send a real mouse event to the viewport (QTest.mouseMove cannot hold a button down)."""
    viewport = canvas.viewport()
    local = QPointF(canvas.mapFromScene(scene_pos))
    event = QMouseEvent(kind, local, QPointF(viewport.mapToGlobal(local.toPoint())), button, buttons, modifiers)
    QApplication.sendEvent(viewport, event)


def drag(canvas: Canvas, start: QPointF, end: QPointF, steps: int = 5,
         modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    mouse(canvas, QEvent.Type.MouseButtonPress, start, modifiers=modifiers)
    for i in range(1, steps + 1):
        t = i / steps
        mouse(canvas, QEvent.Type.MouseMove, start + (end - start) * t, button=NO_BUTTON, modifiers=modifiers)
    mouse(canvas, QEvent.Type.MouseButtonRelease, end, buttons=NO_BUTTON, modifiers=modifiers)


def out_port(canvas: Canvas, node_id: str, port: str = "out") -> QPointF:
    return canvas.port_scene_pos(node_id, port, False)


def in_port(canvas: Canvas, node_id: str, port: str = "in") -> QPointF:
    return canvas.port_scene_pos(node_id, port, True)


def body(canvas: Canvas, node_id: str) -> QPointF:
    """A point on the card's body below the name (not a port, not the title)."""
    item = canvas.node_item(node_id)
    return item.pos() + QPointF(style.NODE_WIDTH / 2, item.height - 30)


def title(canvas: Canvas, node_id: str) -> QPointF:
    return canvas.node_item(node_id).pos() + QPointF(40, NAME_TOP + 8)


def two_layers() -> tuple[Graph, str, str]:
    graph = Graph()
    source = graph.add_node("Input", name="inputs", params={"shape": [8]}, position=(0, 0))
    target = graph.add_node("Dense", name="hidden", position=(300, 0))
    return graph, source.id, target.id


def chain(*types: str) -> tuple[Graph, list[str]]:
    graph = Graph()
    ids = []
    for i, type_name in enumerate(types):
        params = {"shape": [8]} if type_name == "Input" else {}
        node = graph.add_node(type_name, params=params, position=(i * 240.0, 0))
        if ids:
            graph.connect(ids[-1], "out", node.id, node.input_ports()[0])
        ids.append(node.id)
    return graph, ids


def double_click_palette(qtbot, window, type_name: str) -> None:
    """Double-click a layer in the window's palette, as a student adds one to the end of the network."""
    tree = window.palette_panel.tree
    item = window.palette_panel.item_for(type_name)
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
