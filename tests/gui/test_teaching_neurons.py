"""Teaching mode, as a student uses it: the neuron view, typed weights, truth tables of gates, the perceptron rule."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from teaching_window import open_teaching_window

from nnstudio.core.examples import build_example
from nnstudio.gui.editing.commands import SetParam, SetProjectSettings

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "neuron_view.png"


def open_window(qtbot, example: str = "xor"):
    window = open_teaching_window(qtbot, example)
    window.teaching.actions["neurons"].trigger()  # Teach → Open the neuron view
    return window


def gate_project(window, gate: str) -> None:
    """The xor-style single-layer project on and/or/nand data, with a step output: as a student sets it up."""
    document = window.document
    window.document.replace_project(build_example("xor_single_layer"))
    data = dataclasses.replace(document.project.data, source={"kind": "builtin", "name": gate})
    document.push(SetProjectSettings(document, "data", data, f"Choose {gate}"))
    output = document.graph.node_by_name("xor").id
    document.push(SetParam(document.graph, output, "activation", "step"))
    window.session.reload_data()


def move(widget, point: QPoint) -> None:
    """A mouse move over a widget (the offscreen platform has no real cursor, so send the event itself)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(point), QPointF(widget.mapToGlobal(point)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def type_into(table, row: int, column: int, text: str) -> None:
    """Type a number into a table cell the way a student does: open the cell's editor, type, Enter."""
    from pytestqt.qtbot import QtBot  # noqa: PLC0415

    table.setCurrentCell(row, column)
    table.editItem(table.item(row, column))
    editors = [e for e in table.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    editor.selectAll()
    if text.isascii():
        QtBot.keyClicks(editor, text)
    else:
        editor.insert(text)  # QTest can only type ASCII keys; a pasted "−" (real minus sign) goes in like this
    QtBot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # Qt 6 commits the typed text on the next turn of the event loop


def test_one_line_per_weight_with_the_models_values_tooltip_and_worked_sum(qtbot):
    window = open_window(qtbot)
    teaching = window.teaching
    teaching.actions["neurons"].trigger()
    view = teaching.neuron_view
    hidden = window.document.graph.node_by_name("hidden").id
    window.document.select([hidden])
    model = window.session.current_model()
    weight = model.layers["hidden"].weight.detach().numpy()
    assert len(view.lines) == weight.size == 16
    for (neuron, source), line in view.lines.items():
        assert line.value == pytest.approx(float(weight[neuron, source]), abs=1e-7)
        assert (line.pen().color().blue() > line.pen().color().red()) == (line.value >= 0)  # blue +, red −
    thick, thin = max(view.lines.values(), key=lambda l: abs(l.value)), min(view.lines.values(), key=lambda l: abs(l.value))
    assert thick.pen().widthF() > thin.pen().widthF()

    # Hover a line: its tooltip says the weight.
    line = view.line(2, 1)
    assert f"{line.value:.4f}"[:5].replace("-", "−") in line.toolTip()
    point = view.diagram.mapFromScene(line.line().pointAt(0.8))
    hovered = view.diagram.itemAt(point)
    assert hovered in view.lines.values()
    move(view.diagram.viewport(), point)
    assert view.message_label.text() == hovered.toolTip().splitlines()[0]
    assert view.message_label.text().startswith("weight from")

    # Click a neuron: its weighted sum with the current numbers, then the activation.
    view.sample_spin.setValue(4)   # the fourth training row
    circle = view.neurons[1]
    qtbot.mouseClick(view.diagram.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.diagram.mapFromScene(circle.center))
    text = view.sum_label.text()
    assert view.selected_neuron == 1
    assert text.splitlines()[1].startswith("z = ") and "tanh(" in text
    x = view.layer_inputs(3)
    z = float(weight[1] @ x + model.layers["hidden"].bias.detach().numpy()[1])
    assert f"tanh(" in text and f"{np.tanh(z):.3f}"[:4].replace("-", "−") in text.splitlines()[-1]
    # The first hidden layer on 2 features: every neuron shows its activation map over the input plane.
    assert view.map_values.shape == (8, 24, 24) and all(item.isVisible() for item in view.maps)


def test_hand_typed_weights_change_predictions_and_undo_restores(qtbot):
    window = open_window(qtbot, "xor_single_layer")
    view = window.teaching.neuron_view
    output = window.document.graph.node_by_name("xor").id
    window.document.select([output])
    session = window.session
    inputs = window.document.graph.node_by_name("inputs").id
    before = session.predict({inputs: np.array([[1.0, 1.0]])})[output].item()
    # w = (2, 3), b = −4: sigmoid(1) for (1, 1)
    type_into(view.table, 0, 0, "2")
    type_into(view.table, 0, 1, "3")
    type_into(view.table, 0, 2, "−4")
    after = session.predict({inputs: np.array([[1.0, 1.0]])})[output].item()
    assert after == pytest.approx(1 / (1 + np.exp(-1.0)), abs=1e-6)
    assert view.line(0, 1).value == 3.0 and "b=" in view.neurons[0].value_item.text()
    # The try-it panel answers with the new weights at once (it listens to model_changed).
    assert window.document.undo_stack.undoText().startswith("Set bias")
    for _ in range(3):
        window.document.undo_stack.undo()
    assert session.predict({inputs: np.array([[1.0, 1.0]])})[output].item() == pytest.approx(before, abs=1e-7)
    # Double-click a line: the number typed in the dialog goes in too.
    view.ask_number = lambda title, label, value: 0.25
    line = view.line(0, 0)
    qtbot.mouseDClick(view.diagram.viewport(), Qt.MouseButton.LeftButton,
                      pos=view.diagram.mapFromScene(line.line().pointAt(0.5)))
    assert session.current_model().layers["xor"].weight[0, 0].item() == 0.25


@pytest.mark.parametrize("gate, weights, bias", [("and", ("0.5", "0.5"), "-0.7"), ("or", ("0.5", "0.5"), "-0.2"),
                                                 ("nand", ("-0.5", "-0.5"), "0.7")])
def test_truth_tables_of_hand_built_gates(qtbot, gate, weights, bias):
    window = open_window(qtbot)
    gate_project(window, gate)
    teaching = window.teaching
    view, table = teaching.neuron_view, teaching.truth_table
    assert table.dataset() == gate
    type_into(view.table, 0, 0, weights[0])
    type_into(view.table, 0, 1, weights[1])
    assert not table.table_data.all_right or gate == "or"  # with bias 0 only OR is right already
    type_into(view.table, 0, 2, bias)
    assert table.table_data.all_right, table.table_data.text()
    assert table.score_label.text().startswith("4 of 4 rows right")
    expected = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0]}[gate]
    assert [int(table.cell(r, "output")) for r in range(4)] == expected
    assert [table.cell(r, "right?") for r in range(4)] == ["✓"] * 4
    # The weighted sum column is the arithmetic of the row: x = (1, 1) is the last row.
    z = float(weights[0]) + float(weights[1]) + float(bias)
    assert float(table.cell(3, "weighted sum z").replace("−", "-")) == pytest.approx(z, abs=1e-6)
    # Undo the bias: the table follows.
    window.document.undo_stack.undo()
    assert table.table_data.rows[3].z == pytest.approx(float(weights[0]) + float(weights[1]), abs=1e-6)


def test_scaled_logic_data_is_flagged_and_fixed_in_one_click(qtbot):
    window = open_window(qtbot)
    gate_project(window, "and")
    document = window.document
    document.push(SetProjectSettings(document, "data", dataclasses.replace(document.project.data,
                                                                           scaling="standardize"), "scale"))
    window.session.reload_data()
    table = window.teaching.truth_table
    assert "scaled" in table.title_label.text() and not table.plain_inputs_button.isHidden()
    table.plain_inputs_button.click()
    assert document.project.data.scaling == "none" and table.plain_inputs_button.isHidden()


def test_perceptron_panel_steps_and_learns_and(qtbot):
    window = open_window(qtbot)
    gate_project(window, "and")
    teaching = window.teaching
    panel, table, view = teaching.perceptron, teaching.truth_table, teaching.neuron_view
    type_into(view.table, 0, 0, "0")
    type_into(view.table, 0, 1, "0")
    type_into(view.table, 0, 2, "0")
    assert panel.step_button.isEnabled()
    panel.rate_spin.setValue(0.5)
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    first = panel.updates[-1]
    # Sample (0, 0) with target 0: step(0) = 1 is wrong, so the bias moves down by η.
    assert first.changed and "error y − ŷ = −1" in first.text
    assert "b ← 0 + 0.5·−1 = −0.5" in panel.log.toPlainText()
    assert view.layer.bias[0] == pytest.approx(-0.5)
    for _ in range(20):
        qtbot.mouseClick(panel.epoch_button, Qt.MouseButton.LeftButton)
        if panel.last_epoch_mistakes == 0:
            break
    assert panel.last_epoch_mistakes == 0 and "converged" in panel.status_label.text()
    assert table.table_data.all_right
    # Reset brings the weights of before the first step back, as one undo step.
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert view.layer.bias[0] == 0.0 and not table.table_data.all_right


def test_perceptron_panel_says_why_it_does_not_apply(qtbot):
    window = open_window(qtbot, "xor")
    panel = window.teaching.perceptron
    assert not panel.step_button.isEnabled()
    assert "hidden Dense layer" in panel.status_label.text()
    gate_project(window, "and")
    output = window.document.graph.node_by_name("xor").id
    window.document.push(SetParam(window.document.graph, output, "activation", "sigmoid"))
    assert "set its activation to step" in panel.status_label.text()


def test_neuron_view_follows_training_live(qtbot, one_thread):
    window = open_window(qtbot, "xor")
    window.document.project.training.epochs = 3000   # stopped below once the picture has been checked
    view = window.teaching.neuron_view
    window.document.select([window.document.graph.node_by_name("hidden").id])
    starting = {key: line.value for key, line in view.lines.items()}
    changes: list[float] = []
    window.session.weights_snapshot.connect(
        lambda snapshot: changes.append(max(abs(line.value - starting[key]) for key, line in view.lines.items())))
    with qtbot.waitSignal(window.session.training_finished, timeout=60_000):
        assert window.session.start()
        qtbot.waitUntil(lambda: len(changes) >= 2, timeout=30_000)
        if os.environ.get("NNSTUDIO_SCREENSHOTS") == "1":
            view.select_neuron(2)
            window.teaching.show_tab(window.teaching.neurons_tab)
            window.resize(1400, 900)
            qtbot.wait(100)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            window.teaching.holders["neurons"].grab().save(str(SCREENSHOT))
        assert "learning" in view.title_label.text()
        window.session.stop()
    assert max(changes) > 0  # the lines moved while it trained
    model = window.session.model.layers["hidden"].weight.detach().numpy()
    for (neuron, source), line in view.lines.items():
        assert line.value == pytest.approx(float(model[neuron, source]), abs=1e-6)


def test_neuron_view_and_truth_table_show_the_numbers_of_the_sessions_weight_store(qtbot):
    from nnstudio.core.weight_store import LayerWeights  # noqa: PLC0415

    window = open_window(qtbot)
    gate_project(window, "and")
    teaching = window.teaching
    view, table, store = teaching.neuron_view, teaching.truth_table, window.session.weights
    output = window.document.graph.node_by_name("xor").id
    # A weight typed into the neuron view goes into the one store the Weights panel reads too.
    type_into(view.table, 0, 1, "0.75")
    assert store.get(output).weights[0, 1] == 0.75 and view.line(0, 1).value == 0.75
    # Numbers written into the store by anyone else (another panel, a finished run) are what the view shows.
    store.write({output: LayerWeights(np.array([[0.5, 0.5]]), np.array([-0.7]))})
    assert [view.line(0, j).value for j in range(2)] == [0.5, 0.5]
    assert view.layer.bias[0] == pytest.approx(-0.7) and view.table.item(0, 2).text() == "−0.7"
    assert table.table_data.all_right and table.table_data.rows[3].z == pytest.approx(0.3)
    window.document.undo_stack.undo()   # the typed weight's undo restores the store, and the view follows it
    assert store.get(output).weights[0, 1] == view.line(0, 1).value != 0.75
