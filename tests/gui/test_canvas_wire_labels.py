"""Wire labels follow every change of the analysis on screen, not only in memory (a student reads the pixels)."""

from __future__ import annotations

from canvas_driving import double_click_palette
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QComboBox, QGraphicsItem

from nnstudio.gui.canvas import Canvas
from nnstudio.gui.main_window import MainWindow


def make_window(qtbot) -> MainWindow:
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: None
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def label_on_screen(canvas: Canvas, edge_id: str) -> QImage:
    """The pixels the student sees where the wire's label is drawn (a little wider than the label)."""
    item = canvas.edge_item(edge_id)
    area = canvas.mapFromScene(item.boundingRect()).boundingRect().adjusted(-2, -2, 2, 2)
    canvas.viewport().repaint()
    return canvas.viewport().grab(area).toImage()


def freshly_drawn(canvas: Canvas, edge_id: str) -> QImage:
    """The same area painted from scratch: the wire's kept drawing (if any) is thrown away first."""
    item = canvas.edge_item(edge_id)
    mode = item.cacheMode()
    item.setCacheMode(QGraphicsItem.CacheMode.NoCache)  # drops the cached pixmap
    item.setCacheMode(mode)
    return label_on_screen(canvas, edge_id)


def choose_dataset(qtbot, window: MainWindow, name: str) -> None:
    """Pick a built-in dataset in the Data panel's list, as a student does; wait for the data."""
    window.data_dock.show()
    window.data_dock.raise_()
    combo = window.data_view.ensure_built().findChild(QComboBox, "datasetCombo")
    index = combo.findData(name)
    with qtbot.waitSignal(window.session.data_changed, timeout=5000):
        combo.setCurrentIndex(index)
        combo.activated.emit(index)


def hand_drawn_mlp(qtbot) -> tuple[MainWindow, list[str]]:
    window = make_window(qtbot)
    for type_name in ("Input", "Dense", "Output"):
        double_click_palette(qtbot, window, type_name)
    canvas = window.canvas
    canvas.resetTransform()
    canvas.centerOn(canvas.canvas_scene.nodes_rect().center())
    return window, list(window.document.graph.nodes)


def test_wire_label_follows_units_typed_into_the_inspector(qtbot):
    window, (_inputs, hidden, output) = hand_drawn_mlp(qtbot)
    graph, canvas = window.document.graph, window.canvas
    wire = graph.edge_at_input(output, "in").id
    assert canvas.edge_item(wire).label == "32"
    before = label_on_screen(canvas, wire)
    window.document.select([hidden])
    units = window.inspector.editor("units")
    units.setFocus()
    units.selectAll()
    qtbot.keyClicks(units, "4")
    qtbot.keyClick(units, Qt.Key.Key_Return)
    assert graph.node(hidden).params["units"] == 4
    assert canvas.edge_item(wire).label == "4"
    shown = label_on_screen(canvas, wire)
    assert shown != before  # the wire no longer shows 32
    assert shown == freshly_drawn(canvas, wire)


def test_wire_label_follows_a_dataset_with_another_number_of_features(qtbot):
    window, (_inputs, hidden, _output) = hand_drawn_mlp(qtbot)
    graph, canvas = window.document.graph, window.canvas
    wire = graph.edge_at_input(hidden, "in").id
    choose_dataset(qtbot, window, "iris")
    assert canvas.edge_item(wire).label == "4"
    before = label_on_screen(canvas, wire)
    choose_dataset(qtbot, window, "digits")  # 8×8 pictures instead of 4 measurements
    assert canvas.edge_item(wire).label == "8×8"
    shown = label_on_screen(canvas, wire)
    assert shown != before
    assert shown == freshly_drawn(canvas, wire)
