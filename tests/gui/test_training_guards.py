"""Guards around a run, used as a student would: no undo while training, results and devices told plainly."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from test_training_studio import (  # noqa: F401 - rootdir
    TRAINING_TIMEOUT_MS,
    click,
    open_example,
    set_training,
    type_into,  # import; window: fixture
    window,
)

from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.training.session import TRAINING_LOCK_MESSAGE


def press(qtbot, window: MainWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:
    """A key press on the focused part of the window, as a person makes it (shortcuts included)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window.focusWidget() or window, key, modifiers)


def train_and_wait(qtbot, window: MainWindow):
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS) as finished:
        click(qtbot, window, "trainButton")
    return finished.args[0]


# ---------------------------------------------------------------- 1. no undo while training

def test_undo_and_redo_do_nothing_while_training_and_say_why(qtbot, window, one_thread):
    open_example(window, "digits")
    document = window.document
    hidden = document.graph.node_by_name("hidden2")
    document.select([hidden.id])
    type_into(qtbot, window.inspector.editor("units"), "120")
    assert hidden.params["units"] == 120
    set_training(window, epochs=2000, early_enabled=False)
    with qtbot.waitSignal(window.session.progress, timeout=TRAINING_TIMEOUT_MS):
        click(qtbot, window, "trainButton")
    graph_before = document.graph.to_dict()
    settings_before = document.project.training.to_dict()

    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()  # they look switched off
    assert window.undo_action.toolTip() == TRAINING_LOCK_MESSAGE
    window.statusBar().clearMessage()
    window.undo_action.trigger()  # the menu item and the toolbar button
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == TRAINING_LOCK_MESSAGE
    window.statusBar().clearMessage()
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.statusBar().currentMessage() == TRAINING_LOCK_MESSAGE
    assert document.graph.to_dict() == graph_before
    assert document.project.training.to_dict() == settings_before
    assert window.training_panel.editor("epochs").value() == 2000
    assert window.session.is_training

    with qtbot.waitSignal(window.session.training_finished, timeout=2000):
        click(qtbot, window, "stopButton")
    assert window.undo_action.isEnabled() and window.undo_action.toolTip() != TRAINING_LOCK_MESSAGE
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document.project.training.epochs == 30 and window.training_panel.editor("epochs").value() == 30
    window.undo_action.trigger()
    assert hidden.params["units"] == 100
    window.redo_action.trigger()
    assert hidden.params["units"] == 120


# ---------------------------------------------------------------- 2. the Evaluate tab opened after a run

def test_evaluate_tab_first_opened_after_a_run_shows_that_run(qtbot, window, one_thread):
    open_example(window, "iris")
    set_training(window, epochs=20)
    train_and_wait(qtbot, window)
    assert window.evaluate_view.panel is None  # never opened so far
    tab_bar = window.tabs.tabBar()
    index = window.tabs.indexOf(window.evaluate_view)
    qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton, pos=tab_bar.tabRect(index).center())
    qtbot.waitUntil(lambda: window.evaluate_view.panel is not None, timeout=5000)
    panel = window.evaluate_view.findChild(object, "evaluationPanel")
    qtbot.waitUntil(lambda: panel.content.isVisible(), timeout=5000)
    assert not panel.empty_label.isVisible()
    shown = sum(int(cell) for row in panel.confusion_values() for cell in row)
    assert shown == len(window.session.data.prepared.test) > 0
    assert "test rows" in panel.status_label.text()


# ---------------------------------------------------------------- 3. a project saved for a GPU, opened without one

def open_gpu_project(window: MainWindow, tmp_path: Path) -> None:
    """The XOR example as someone with a GPU saved it: training.device is "cuda"."""
    saved = json.loads((EXAMPLES_DIR / "xor.nnstudio").read_text())
    saved["training"].update(device="cuda", epochs=5)
    path = tmp_path / "xor_on_gpu.nnstudio"
    path.write_text(json.dumps(saved))
    assert window.file_actions.open_path(path)


def test_a_gpu_project_without_a_gpu_says_the_cpu_is_used(qtbot, window, one_thread, tmp_path, monkeypatch):
    import torch
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # the same answer on a machine with a GPU
    open_gpu_project(window, tmp_path)
    combo = window.training_panel.editor("device")
    assert combo.currentText() == "CUDA (not available here: the CPU is used)"
    assert window.document.project.training.device == "cuda"  # shown, not silently changed
    result = train_and_wait(qtbot, window)
    assert result.history.stop_reason == "completed"
    text = window.training_panel.status_label.text()
    assert "asks for a GPU (CUDA), but this computer has none" in text and "it trained on the CPU" in text
    assert text in window.statusBar().currentMessage()


def test_a_gpu_project_with_a_gpu_shows_its_name(qtbot, window, tmp_path, monkeypatch):
    import torch
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=0: "Test GPU")
    open_gpu_project(window, tmp_path)
    assert window.training_panel.editor("device").currentText() == "CUDA (Test GPU)"


def test_a_cpu_run_says_so(qtbot, window, one_thread):
    open_example(window, "xor")
    set_training(window, epochs=5)
    train_and_wait(qtbot, window)
    assert window.training_panel.status_label.text().endswith("Trained on the CPU.")


# ---------------------------------------------------------------- 4. the details of a NaN run

def test_a_nan_run_offers_details_with_the_epoch_and_learning_rate(qtbot, window, one_thread):
    open_example(window, "regression")
    set_training(window, learning_rate=1e6, epochs=5, early_enabled=False)
    result = train_and_wait(qtbot, window)
    assert result.history.stop_reason == "diverged"
    panel = window.training_panel
    shown: list[str] = []
    panel.show_details = shown.append
    assert panel.details_button.isVisible()
    click(qtbot, panel, "trainingDetailsButton")
    where = result.history.divergence
    assert shown and f"at epoch {where['epoch']}, batch {where['batch']}" in shown[0]
    assert "Learning rate: 1e+06" in shown[0] and "Last batch losses" in shown[0]
    assert where["last_losses"] == result.history.batch_losses[-10:]
