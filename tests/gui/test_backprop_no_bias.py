"""The backprop stepper as a student follows the course's worked example: 'no bias' switch, tables that fit."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from teaching_window import open_teaching_window

from nnstudio.core.teaching.neuron_math import format_number


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def hand_computed_step_without_biases() -> dict[str, float]:
    """Mazur's 2-2-2 example worked out by hand with no biases: every number written out, no arrays."""
    i1, i2, t1, t2, rate = 0.05, 0.10, 0.01, 0.99, 0.5
    w1, w2, w3, w4, w5, w6, w7, w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55
    z_h1, z_h2 = w1 * i1 + w2 * i2, w3 * i1 + w4 * i2
    h1, h2 = sigmoid(z_h1), sigmoid(z_h2)
    z_o1, z_o2 = w5 * h1 + w6 * h2, w7 * h1 + w8 * h2
    o1, o2 = sigmoid(z_o1), sigmoid(z_o2)
    error = 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2
    d_o1, d_o2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
    d_h1 = (w5 * d_o1 + w7 * d_o2) * h1 * (1 - h1)
    d_h2 = (w6 * d_o1 + w8 * d_o2) * h2 * (1 - h2)
    return {"z h1": z_h1, "a h1": h1, "z h2": z_h2, "a h2": h2, "z o1": z_o1, "a o1": o1, "z o2": z_o2,
            "a o2": o2, "E": error, "δ o1": d_o1, "δ o2": d_o2, "δ h1": d_h1, "δ h2": d_h2,
            "g w1": d_h1 * i1, "g w5": d_o1 * h1, "g w8": d_o2 * h2,
            "w1": w1 - rate * d_h1 * i1, "w2": w2 - rate * d_h1 * i2, "w3": w3 - rate * d_h2 * i1,
            "w4": w4 - rate * d_h2 * i2, "w5": w5 - rate * d_o1 * h1, "w6": w6 - rate * d_o1 * h2,
            "w7": w7 - rate * d_o2 * h1, "w8": w8 - rate * d_o2 * h2}


def open_stepper(qtbot, example: str = "xor"):
    window = open_teaching_window(qtbot, example)
    window.resize(1280, 720)
    return window, window.teaching.stepper


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_no_bias_switch_gives_the_hand_computed_numbers_and_keeps_the_biases(qtbot):
    window, stepper = open_stepper(qtbot)
    window.teaching.actions["classic"].trigger()       # Teach → Load the classic 2-2-2 example
    assert stepper.no_bias_box.isVisible() and "no bias" in stepper.no_bias_box.text().lower()
    assert stepper.value("h1", "net input z") == "0.3775"          # with Mazur's biases 0.35 and 0.60
    click(qtbot, stepper.no_bias_box)
    assert stepper.no_bias_box.isChecked()
    assert stepper.bias_note.isVisible() and "keeps its biases" in stepper.bias_note.text()
    hand = hand_computed_step_without_biases()

    def shown(row: str, column: str, key: str) -> None:
        assert stepper.value(row, column) == format_number(hand[key], 9)

    assert "no bias" in stepper.text_label.text()
    shown("h1", "net input z", "z h1")
    shown("h2", "output a", "a h2")
    click(qtbot, stepper.next_button)
    shown("o1", "net input z", "z o1")
    shown("o2", "output a", "a o2")
    click(qtbot, stepper.next_button)
    shown("E (error)", "output a", "E")
    click(qtbot, stepper.next_button)
    shown("o1", "delta δ = ∂E/∂z", "δ o1")
    shown("o2", "delta δ = ∂E/∂z", "δ o2")
    click(qtbot, stepper.next_button)
    shown("h1", "delta δ = ∂E/∂z", "δ h1")
    shown("h2", "delta δ = ∂E/∂z", "δ h2")
    click(qtbot, stepper.next_button)
    assert stepper.current_kind() == "gradients"
    shown("w1", "gradient ∂E/∂w", "g w1")
    assert [stepper.table.item(r, 0).text() for r in range(stepper.table.rowCount())] == ["w1", "w2", "w3", "w4"]
    assert "bias" not in stepper.text_label.text()
    click(qtbot, stepper.next_button)
    shown("w5", "gradient ∂E/∂w", "g w5")
    shown("w8", "gradient ∂E/∂w", "g w8")
    stepper.go_to("update")
    for name in ("w1", "w2", "w3", "w4"):
        shown(name, "new", name)
    click(qtbot, stepper.next_button)
    for name in ("w5", "w6", "w7", "w8"):
        shown(name, "new", name)
    assert stepper.table.rowCount() == 4              # no bias rows in the update either
    # The step's own numbers agree with the hand computation to the last digits, not just the nine shown.
    step = stepper.step
    assert step.error == pytest.approx(hand["E"], rel=1e-13)
    assert step.deltas[0][0, 0] == pytest.approx(hand["δ h1"], rel=1e-12)
    assert step.new_network.layers[1].weights[1, 1] == pytest.approx(hand["w8"], rel=1e-13)
    # The starting-weights table lists the eight weights and no biases, while the stepper's network keeps them.
    names = [stepper.weights_table.item(r, 0).text() for r in range(stepper.weights_table.rowCount())]
    assert names == [f"w{n}" for n in range(1, 9)]
    assert list(stepper.network.layers[0].bias) == [0.35, 0.35]
    # Apply update writes the new weights (undoably) and leaves the biases alone.
    click(qtbot, stepper.apply_button)
    assert stepper.network.layers[1].weights[0, 0] == pytest.approx(hand["w5"], rel=1e-13)
    assert list(stepper.network.layers[1].bias) == [0.60, 0.60]
    window.document.undo_stack.undo()
    assert stepper.network.layers[1].weights[0, 0] == 0.40
    # Switched off again, the worked example has its biases back.
    click(qtbot, stepper.no_bias_box)
    assert stepper.value("h1", "net input z") == "0.3775" and not stepper.bias_note.isVisible()


def test_no_bias_on_my_network_only_changes_the_demonstration(qtbot):
    window, stepper = open_stepper(qtbot, "xor_single_layer")
    window.teaching.show_tab(window.teaching.stepper_tab)
    assert stepper.use_project()
    bias_before = window.session.current_model().layers["xor"].bias.detach().numpy().copy()
    steps_before = window.document.undo_stack.count()
    click(qtbot, stepper.no_bias_box)
    assert stepper.step.network.layers[0].bias is None and stepper.network.layers[0].bias is not None
    assert not any(stepper.weights_table.item(r, 0).text().startswith("b ")
                   for r in range(stepper.weights_table.rowCount()))
    # Its update is not the model's update, so it cannot be applied: the button says why.
    assert not stepper.apply_button.isEnabled() and "no bias" in stepper.apply_button.toolTip()
    assert not stepper.apply_update() and "Turn 'no bias' off" in stepper.message_label.text()
    assert window.document.undo_stack.count() == steps_before
    assert (window.session.current_model().layers["xor"].bias.detach().numpy() == bias_before).all()
    click(qtbot, stepper.no_bias_box)
    assert stepper.apply_button.isEnabled()


def assert_table_fits(table, what: str) -> None:
    """Every header and cell text is no wider than its column, and every column is inside the visible table."""
    header = table.horizontalHeader()
    header_metrics, cell_metrics = QFontMetrics(header.font()), QFontMetrics(table.font())
    for c in range(table.columnCount()):
        title = table.horizontalHeaderItem(c).text()
        assert header_metrics.horizontalAdvance(title) <= table.columnWidth(c), (what, title)
        for r in range(table.rowCount()):
            text = table.item(r, c).text()
            widest = max(cell_metrics.horizontalAdvance(line) for line in text.split("\n"))
            assert widest <= table.columnWidth(c), (what, text, table.columnWidth(c))
            lines = text.count("\n") + 1
            assert cell_metrics.lineSpacing() * lines <= table.rowHeight(r), (what, text)
    used = sum(table.columnWidth(c) for c in range(table.columnCount()))
    assert used <= table.viewport().width(), (what, used, table.viewport().width())
    assert not table.horizontalScrollBar().isVisible(), what


@pytest.mark.parametrize("no_bias", [False, True])
def test_every_table_cell_fits_at_the_default_size_in_a_1280_by_720_window(qtbot, no_bias):
    window, stepper = open_stepper(qtbot)
    window.teaching.actions["classic"].trigger()
    if no_bias:
        click(qtbot, stepper.no_bias_box)
    scroll = window.teaching.holders["stepper"].scroll
    # Nothing of the stepper is off to the right (once the scroll area has laid it out).
    qtbot.waitUntil(lambda: stepper.table.isVisible() and stepper.width() <= scroll.viewport().width())
    assert_table_fits(stepper.weights_table, "starting weights")
    while True:
        assert_table_fits(stepper.table, stepper.phase_label.text())
        if not stepper.next_button.isEnabled():
            break
        click(qtbot, stepper.next_button)
    assert stepper.current_kind() == "update"
