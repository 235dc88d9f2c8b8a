"""Where the student picks the loss, the window says what the labels are: class numbers ("sparse") or one-hot rows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.session.shutdown()


def select_output(qtbot, window) -> None:
    """Click the Output card on the canvas, as the student does to see its settings."""
    canvas = window.canvas
    output = next(n.id for n in window.document.graph.nodes.values() if n.type == "Output")
    canvas.center_on_node(output)
    window.document.select([])
    centre = canvas.mapFromScene(canvas.node_item(output).sceneBoundingRect().center())
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert window.document.selected_ids == [output]


def note_text(window) -> str:
    note = window.inspector.findChild(QLabel, "lossLabelsNote")
    assert note is not None and note.isVisible()
    return note.text()


def choose_loss(qtbot, window, name: str) -> None:
    """Pick a loss in the inspector's list with the keyboard: click the box, then arrow keys to the choice."""
    combo = window.inspector.editor("loss")
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Escape)  # the list opened: close it, keep the focus on the box
    steps = combo.findText(name) - combo.currentIndex()
    for _ in range(abs(steps)):
        qtbot.keyClick(combo, Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up)
    assert window.document.graph.node(window.document.selected_ids[0]).params["loss"] == name


def test_the_iris_output_says_its_labels_are_class_numbers_what_keras_calls_sparse(qtbot, window):
    assert window.file_actions.open_path(EXAMPLES_DIR / "iris.nnstudio")
    select_output(qtbot, window)
    qtbot.waitUntil(lambda: "no data" not in note_text(window), timeout=30_000)  # the data is read meanwhile
    text = note_text(window)
    assert "class numbers (0 = setosa, 1 = versicolor, 2 = virginica)" in text
    assert "not one-hot rows" in text and "sparse_categorical_crossentropy" in text
    combo = window.inspector.editor("loss")
    tip = combo.itemData(combo.findText("cross_entropy"), Qt.ItemDataRole.ToolTipRole)
    assert "class numbers" in tip and "sparse_categorical_crossentropy" in tip
    # Mean squared error on classes trains against one-hot rows: the note follows the choice.
    choose_loss(qtbot, window, "mse")
    assert "one-hot row" in note_text(window) and "sparse" not in note_text(window)
    choose_loss(qtbot, window, "cross_entropy")
    assert "sparse_categorical_crossentropy" in note_text(window)


def test_a_yes_no_output_says_its_labels_are_0_or_1(qtbot, window):
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    select_output(qtbot, window)
    qtbot.waitUntil(lambda: "no data" not in note_text(window), timeout=30_000)
    assert "0 (no) or 1 (yes)" in note_text(window)
