"""The Evaluate tab, the runs table and `nnstudio evaluate` show the same numbers for the same trained model."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QListWidget, QMessageBox, QTableWidget, QWidget

from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing

TRAINING_TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot, one_thread):
    window = MainWindow()
    install_sharing(window)
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    window.file_actions.show_error = lambda title, text: pytest.fail(f"unexpected error dialog: {text}")
    window.sharing.bundles.show_error = lambda title, text: pytest.fail(f"unexpected error dialog: {text}")
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.session.shutdown()


def shown_panel(qtbot, window: MainWindow, name: str) -> QWidget:
    """A panel by its object name, once the window has built it (panels are built when first shown)."""
    qtbot.waitUntil(lambda: window.findChild(QWidget, name) is not None, timeout=5000)
    return window.findChild(QWidget, name)


def table_rows(table: QTableWidget) -> dict[str, dict[str, str]]:
    """First column -> {column title: text} for every row, as the student reads the table."""
    titles = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return {table.item(r, 0).text(): {titles[c]: table.item(r, c).text() for c in range(1, len(titles))}
            for r in range(table.rowCount())}


def test_evaluate_tab_runs_table_and_cli_agree_on_wide_and_deep_with_two_outputs(qtbot, window, tmp_path):
    assert window.file_actions.open_path(EXAMPLES_DIR / "wide_deep.nnstudio")
    graph = window.document.graph
    aux = next(n.id for n in graph.nodes.values() if n.name == "aux_output")
    epochs = window.training_panel.editor("epochs")
    epochs.setFocus()
    epochs.selectAll()
    qtbot.keyClicks(epochs, "8")
    qtbot.keyClick(epochs, Qt.Key.Key_Return)
    assert window.document.project.training.epochs == 8

    # In the Data panel the auxiliary output is given a second target, so it predicts two columns: its R² is
    # then the average of the two columns' R² (engine, Keras, scikit-learn), not one R² of both pooled.
    window.data_dock.show()
    window.data_dock.raise_()
    data_panel = shown_panel(qtbot, window, "dataPanel")
    qtbot.waitUntil(lambda: data_panel.findChild(QCheckBox, f"automatic_targets_{aux}") is not None, timeout=5000)
    with qtbot.waitSignal(window.session.data_changed, timeout=5000):
        qtbot.mouseClick(data_panel.findChild(QCheckBox, f"automatic_targets_{aux}"), Qt.MouseButton.LeftButton)
    targets = data_panel.findChild(QListWidget, f"targets_{aux}")
    s6 = targets.findItems("s6", Qt.MatchFlag.MatchExactly)[0]
    with qtbot.waitSignal(window.session.data_changed, timeout=5000):
        s6.setCheckState(Qt.CheckState.Checked)
    assert set(graph.nodes[aux].params["targets"]) == {"progression", "s6"}

    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(window.findChild(QWidget, "trainButton"), Qt.MouseButton.LeftButton)

    # What `nnstudio evaluate` prints for the weights saved from the window.
    bundle = tmp_path / "wide_deep_trained.nnzip"
    window.sharing.bundles.ask_bundle_save_path = lambda: bundle
    window.sharing.bundles.save_bundle_action.trigger()
    finished = subprocess.run([sys.executable, "-m", "nnstudio.cli", "evaluate", str(bundle), "--json"],
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    cli = json.loads(finished.stdout.strip().splitlines()[-1])["test"]
    assert set(cli) == {"main_output", "aux_output"}

    # The Evaluate tab: the scores table, and the title over each output's scatter.
    window.tabs.setCurrentIndex(next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == "Evaluate"))
    evaluation = shown_panel(qtbot, window, "evaluationPanel")
    scores = evaluation.findChild(QTableWidget, "testMetrics")
    qtbot.waitUntil(lambda: scores.isVisible() and scores.rowCount() == 2, timeout=10_000)
    shown = table_rows(scores)
    for name, expected in cli.items():
        for key, title in (("loss", "Loss"), ("mse", "MSE"), ("mae", "MAE"), ("r2", "R²")):
            assert shown[name][title] == f"{expected[key]:.4g}", (name, title)
    chooser = evaluation.findChild(QComboBox, "evaluationOutput")
    for name, expected in cli.items():
        chooser.setCurrentIndex(chooser.findText(name))
        title = evaluation.scatter_plot.getPlotItem().titleLabel.text
        assert re.search(rf"{name}: R² (\S+) · MAE (\S+) ", title).groups() == (
            f"{expected['r2']:.3f}", f"{expected['mae']:.4g}"), title

    # The runs table's row of that run.
    runs = window.findChild(QTableWidget, "runsTable")
    titles = [runs.horizontalHeaderItem(c).text() for c in range(runs.columnCount())]
    assert runs.rowCount() == 1
    assert runs.item(0, titles.index("Test")).text() == (
        f"main_output R² {cli['main_output']['r2']:.3f}, aux_output R² {cli['aux_output']['r2']:.3f}")
