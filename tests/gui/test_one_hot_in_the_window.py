"""A student imports a CSV with a colour column: the Data panel says it becomes one-hot inputs, the canvas and
summary count them, and the network trains on them."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow

TRAINING_TIMEOUT_MS = 60_000
COLOURS = ("red", "blue", "green")


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny networks train faster on one thread, and the machine is shared
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    window.errors = []
    window.file_actions.show_error = lambda title, text: window.errors.append(text)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.session.shutdown()
    torch.set_num_threads(threads)


def write_fruit_csv(folder):
    """60 rows: a colour (text), a weight (number) and the fruit to predict; the colour tells most of it."""
    fruit = {"red": "apple", "blue": "plum", "green": "pear"}
    rows = ["colour,weight,fruit"] + [f"{COLOURS[i % 3]},{100 + (i * 7) % 40},{fruit[COLOURS[i % 3]]}"
                                      for i in range(60)]
    path = folder / "fruit.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_colour_column_is_one_hot_encoded_shown_and_trained_on(qtbot, window, tmp_path, monkeypatch):
    assert window.file_actions.open_path(EXAMPLES_DIR / "iris.nnstudio")
    csv = write_fruit_csv(tmp_path)
    window.data_dock.show()
    window.data_dock.raise_()
    panel = window.data_view.ensure_built()
    monkeypatch.setattr(panel, "ask_open_path", lambda title, file_filter: str(csv))
    with qtbot.waitSignal(window.session.data_changed, timeout=5000):
        qtbot.mouseClick(panel.import_csv_button, Qt.MouseButton.LeftButton)

    graph = window.document.graph
    input_id = next(n.id for n in graph.nodes.values() if n.type == "Input")
    # The Data panel says what the colour column becomes.
    note = panel.findChild(QLabel, f"notes_columns_{input_id}")
    qtbot.waitUntil(lambda: note.isVisible())
    assert note.text() == "colour — text, 3 values (blue, green, red) → one-hot: 3 inputs"
    # The Input is three colour inputs plus the weight: four wide on its card, in the summary and in the data.
    assert tuple(graph.node(input_id).params["shape"]) == (4,)
    assert window.canvas.canvas_scene.node_items[input_id]._shape_text.endswith("4")
    summary = window.summary
    input_row = next(r for r in range(summary.table.rowCount()) if summary.cell_text(r, 1) == "Input")
    assert summary.cell_text(input_row, 2) == "(None, 4)"

    epochs = window.training_panel.editor("epochs")
    epochs.setFocus()
    epochs.selectAll()
    qtbot.keyClicks(epochs, "5")
    qtbot.keyClick(epochs, Qt.Key.Key_Return)
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS) as finished:
        qtbot.mouseClick(window.findChild(object, "trainButton"), Qt.MouseButton.LeftButton)
    assert len(finished.args[0].history.epochs) == 5 and not window.errors
    assert window.session.data.prepared.train.inputs[input_id].shape[1] == 4
    # Try-it gives one value per column (the colour as its category number) and gets three class probabilities.
    output_id = next(n.id for n in graph.nodes.values() if n.type == "Output")
    probabilities = window.session.predict({input_id: [[2.0, 120.0]]})[output_id]
    assert probabilities.shape == (1, 3)
