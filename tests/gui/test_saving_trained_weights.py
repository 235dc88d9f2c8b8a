"""Plain Save keeps a trained model: its weights go beside the project, and reopened the Evaluate tab scores it."""

from __future__ import annotations

import json

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QTableWidget

from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.evaluation.evaluation_panel import EvaluationPanel
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing

TRAINING_TIMEOUT_MS = 60_000


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    """Windows as the app makes them (sharing installed), with the unsaved-changes and error dialogs answered."""
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny networks train faster on one thread, and the machine is shared
    windows = []

    def make() -> MainWindow:
        window = MainWindow()
        install_sharing(window)
        window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
        window.errors = []
        record = lambda title, text: window.errors.append(text)  # noqa: E731
        window.file_actions.show_error = record
        window.sharing.bundles.show_error = record
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.session.shutdown()
    torch.set_num_threads(threads)


def train_iris(qtbot, window: MainWindow) -> None:
    """Open the Iris example, type 20 epochs and press Train, as a student does."""
    assert window.file_actions.open_path(EXAMPLES_DIR / "iris.nnstudio")
    epochs = window.training_panel.editor("epochs")
    epochs.setFocus()
    epochs.selectAll()
    qtbot.keyClicks(epochs, "20")
    qtbot.keyClick(epochs, Qt.Key.Key_Return)
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(window.findChild(object, "trainButton"), Qt.MouseButton.LeftButton)


def show_evaluate_tab(qtbot, window: MainWindow) -> EvaluationPanel:
    window.tabs.setCurrentWidget(window.evaluate_view)  # the tab builds its panels once it is shown
    qtbot.waitUntil(lambda: window.findChild(EvaluationPanel) is not None
                    and window.findChild(EvaluationPanel).isVisible())
    return window.findChild(EvaluationPanel)


def save_with_the_menu(window: MainWindow, path) -> None:
    """File → Save, the dialog answered with `path`."""
    window.file_actions.ask_save_path = lambda: path
    window.file_actions.save_action.trigger()
    assert not window.errors


def test_plain_save_keeps_the_trained_model_and_evaluate_shows_it_when_reopened(qtbot, make_window, tmp_path):
    first = make_window()
    train_iris(qtbot, first)
    accuracy = first.session.last_result.test["species"]["accuracy"]
    project_file = tmp_path / "my_iris.nnstudio"
    save_with_the_menu(first, project_file)
    sidecar = tmp_path / "my_iris.weights.safetensors"
    assert sidecar.is_file() and not first.isWindowModified()
    assert json.loads(project_file.read_text())["weights"] == "my_iris.weights.safetensors"

    second = make_window()
    assert second.file_actions.open_path(project_file) and not second.errors
    panel = show_evaluate_tab(qtbot, second)
    qtbot.waitUntil(lambda: panel.content.isVisible())
    assert not panel.findChild(QLabel, "evaluationEmpty").isVisible()
    metrics = panel.findChild(QTableWidget, "testMetrics")
    headers = [metrics.horizontalHeaderItem(c).text() for c in range(metrics.columnCount())]
    shown = metrics.item(0, headers.index("Accuracy")).text()
    assert float(shown) == pytest.approx(accuracy, abs=0.001)  # the same model: the same test score

    # Named on the command line, the project is open before sharing joins the window: the weights load then.
    started = MainWindow()
    qtbot.addWidget(started)
    assert started.file_actions.open_path(project_file)
    assert started.session.model is None
    install_sharing(started)
    assert started.session.model is not None
    started.session.shutdown()

    # Saved again from the reopened window, the weights stay with it.
    sidecar.unlink()
    save_with_the_menu(second, project_file)
    assert sidecar.is_file()


def test_an_evaluate_tab_with_nothing_to_show_says_why_and_what_to_do(qtbot, make_window, tmp_path):
    window = make_window()
    assert window.file_actions.open_path(EXAMPLES_DIR / "iris.nnstudio")
    panel = show_evaluate_tab(qtbot, window)
    empty = panel.findChild(QLabel, "evaluationEmpty")
    assert empty.isVisible() and empty.text().startswith("Not trained yet: press Train")

    # A project saved with a run but without its weights (an older NN Studio, or the file was deleted).
    train_iris(qtbot, window)
    save_with_the_menu(window, tmp_path / "lost.nnstudio")
    (tmp_path / "lost.weights.safetensors").unlink()
    messages = []
    window.sharing.bundles.message.connect(messages.append)
    assert window.file_actions.open_path(tmp_path / "lost.nnstudio")
    show_evaluate_tab(qtbot, window)
    qtbot.waitUntil(lambda: empty.isVisible())
    assert empty.text().startswith("The trained weights were not saved with this project")
    assert "Press Train" in empty.text()
    assert any("lost.weights.safetensors" in m and "missing" in m for m in messages)


def test_weights_reopened_from_beside_the_project_are_called_trained(qtbot, make_window, tmp_path):
    """The weights saved with the project were learned: reopened, the Weights panel says so, though no learning
    curves came with them (it said 'starting weights, before training')."""
    first = make_window()
    train_iris(qtbot, first)
    project_file = tmp_path / "trained_iris.nnstudio"
    save_with_the_menu(first, project_file)

    second = make_window()
    assert second.file_actions.open_path(project_file) and not second.errors
    second.weights_dock.show()
    second.weights_dock.raise_()
    qtbot.waitUntil(lambda: second.findChild(QLabel, "weightsTitle") is not None, timeout=5000)
    title = second.findChild(QLabel, "weightsTitle")
    hidden = next(n for n in second.document.graph.nodes.values() if n.type == "Dense")
    second.document.select([hidden.id])
    qtbot.waitUntil(lambda: f"'{hidden.name}'" in title.text(), timeout=5000)
    assert "(trained)" in title.text(), title.text()
