"""The curves' axes say what is possible: a score that cannot pass 1 is drawn on an axis that ends at 1."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

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


def test_the_accuracy_axis_of_a_perfect_xor_run_ends_at_one(qtbot, window):
    """A student walk-through saw the accuracy axis run past 1 after XOR reached 100%."""
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    with qtbot.waitSignal(window.session.training_finished, timeout=120_000) as finished:
        qtbot.mouseClick(window.training_panel.train_button, Qt.MouseButton.LeftButton)
    logs = finished.args[0].history.logs
    assert max(logs["accuracy"]) == 1.0
    curves = window.curves_panel
    curves.redraw()
    assert curves.current_metric().endswith("accuracy")
    bottom, top = curves.metric_plot.viewRange()[1]
    # The axis shows a sliver above 1 so the 100% curve is not drawn on the frame; its ticks stop at 1.0.
    assert 1.0 < top <= 1.05 and bottom == pytest.approx(0.0)
    assert curves._y_ranges[id(curves.metric_plot)] == (0.0, 1.0)
    low, high = curves.loss_plot.viewRange()[1]
    assert high > max(logs["loss"])  # the loss keeps room above
