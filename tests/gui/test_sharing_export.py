"""File → Export…, Save/Load weights and the Code panel, used from the window the way a student would."""

from __future__ import annotations

import py_compile
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from nnstudio.core.settings import TrainingSettings
from nnstudio.gui.editing.commands import RemoveItems, SetParam, SetProjectSettings
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing
from nnstudio.gui.sharing.code_view import UPDATE_DELAY_MS

TRAINING_TIMEOUT_MS = 60_000
XOR_ROWS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, one_thread):
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    window = MainWindow()
    install_sharing(window)
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    window.errors = []
    record = lambda title, text: window.errors.append(text)  # noqa: E731
    window.file_actions.show_error = record
    window.sharing.bundles.show_error = record
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    yield window
    window.session.shutdown()


def train(qtbot, window: MainWindow, epochs: int = 40) -> None:
    settings = TrainingSettings.from_dict(window.document.project.training.to_dict())
    settings.epochs = epochs
    assert window.document.push(SetProjectSettings(window.document, "training", settings))
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        assert window.session.start()


def input_id(window: MainWindow) -> str:
    return window.document.graph.nodes_of_type("Input")[0].id


def predict(window: MainWindow) -> np.ndarray:
    outputs = window.session.predict({input_id(window): XOR_ROWS})
    return next(iter(outputs.values()))


def export_from_dialog(qtbot, window: MainWindow, fmt: str, path: Path):
    """Open File → Export…, pick the format, choose the place in the (replaced) file dialog, press Export."""
    window.sharing.export_action.trigger()
    dialog = window.sharing.export_dialog
    assert dialog.isVisible()
    dialog.errors = []
    dialog.show_error = lambda title, text: dialog.errors.append(text)
    dialog.ask_destination = lambda chosen: path
    dialog.set_format(fmt)
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.path_edit.text() == str(path)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    return dialog


# ---------------------------------------------------------------- exports

def test_every_format_exports_the_trained_network(qtbot, window, tmp_path):
    import onnx
    import onnxruntime

    train(qtbot, window)
    expected = predict(window)

    dialog = export_from_dialog(qtbot, window, "onnx", tmp_path / "xor.onnx")
    assert not dialog.errors
    message = dialog.message_label.text()
    assert message.startswith("Exported the trained weights as ONNX (.onnx) to") and "Inputs in this order" in message
    onnx.checker.check_model(onnx.load(str(tmp_path / "xor.onnx")))
    runtime = onnxruntime.InferenceSession(str(tmp_path / "xor.onnx"), providers=["CPUExecutionProvider"])
    (onnx_out,) = runtime.run(None, {runtime.get_inputs()[0].name: XOR_ROWS})
    np.testing.assert_allclose(onnx_out, expected, atol=1e-5)

    export_from_dialog(qtbot, window, "torchscript", tmp_path / "xor.pt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch points to torch.export; jit still loads
        scripted = torch.jit.load(str(tmp_path / "xor.pt"))
    with torch.no_grad():
        np.testing.assert_allclose(scripted(torch.from_numpy(XOR_ROWS)).numpy(), expected, atol=1e-6)

    export_from_dialog(qtbot, window, "safetensors", tmp_path / "xor.safetensors")
    from safetensors.torch import load_file
    assert set(load_file(tmp_path / "xor.safetensors")) == {"layers.hidden.weight", "layers.hidden.bias",
                                                            "layers.xor.weight", "layers.xor.bias"}

    folder = tmp_path / "xor_pytorch"
    dialog = export_from_dialog(qtbot, window, "python", folder)
    assert not dialog.errors and "XOR in model.py" in dialog.message_label.text()
    py_compile.compile(str(folder / "model.py"), doraise=True)
    assert (folder / "weights.safetensors").is_file() and (folder / "train.py").is_file()
    # The README's three lines, run as a student would (in their own Python, with the exported folder).
    script = ("import torch\n"
              "from safetensors.torch import load_file\n"
              "from model import XOR\n"
              "model = XOR()\n"
              "model.load_state_dict(load_file('weights.safetensors'))\n"
              "model.eval()\n"
              "print(model(torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])).tolist())\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True,
                            timeout=60, env={"PATH": "", "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(np.array(eval(result.stdout)), expected, atol=1e-6)
    assert not window.errors


def test_an_untrained_project_exports_its_seeded_weights_and_says_so(qtbot, window, tmp_path):
    dialog = export_from_dialog(qtbot, window, "safetensors", tmp_path / "start.safetensors")
    assert "seeded initial weights" in dialog.message_label.text()
    assert (tmp_path / "start.safetensors").is_file() and not dialog.errors


def test_export_problems_are_messages_not_tracebacks(qtbot, window, tmp_path):
    dialog = export_from_dialog(qtbot, window, "onnx", tmp_path / "no such folder" / "xor.onnx")
    assert len(dialog.errors) == 1 and "does not exist" in dialog.errors[0]
    assert dialog.message_label.text().startswith("Nothing was exported. The folder")

    # A drawing with an error: the Output has lost its input.
    graph = window.document.graph
    output = graph.nodes_of_type("Output")[0].id
    assert window.document.push(RemoveItems(graph, [], [e.id for e in graph.edges_into(output)]))
    dialog = export_from_dialog(qtbot, window, "onnx", tmp_path / "xor.onnx")
    assert len(dialog.errors) == 1 and "problems to fix first" in dialog.errors[0]
    assert "Traceback" not in dialog.errors[0] and not (tmp_path / "xor.onnx").exists()


def test_changing_the_drawing_after_training_exports_starting_weights(qtbot, window, tmp_path):
    train(qtbot, window, epochs=5)
    hidden = window.document.graph.node_by_name("hidden").id
    assert window.document.push(SetParam(window.document.graph, hidden, "units", 4))
    dialog = export_from_dialog(qtbot, window, "safetensors", tmp_path / "changed.safetensors")
    text = dialog.message_label.text()
    assert "seeded initial weights" in text and "changed after it was trained" in text


# ---------------------------------------------------------------- weights alone

def test_save_weights_and_load_them_back_or_into_a_mismatch(qtbot, window, tmp_path):
    train(qtbot, window, epochs=20)
    expected = predict(window)
    window.sharing.bundles.ask_weights_save_path = lambda: tmp_path / "trained.safetensors"
    window.sharing.bundles.save_weights_action.trigger()
    assert (tmp_path / "trained.safetensors").is_file()

    # A fresh window: the starting network predicts something else until the weights are loaded.
    window.file_actions.new_project()
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    window.session.reload_data()
    assert not np.array_equal(predict(window), expected)
    window.sharing.bundles.ask_weights_open_path = lambda: tmp_path / "trained.safetensors"
    window.sharing.bundles.load_weights_action.trigger()
    assert not window.errors
    assert np.array_equal(predict(window), expected)

    # The state dict of exported code, saved with torch.save, loads too (read with weights_only=True).
    from nnstudio.engine.export.codegen import state_for_code
    torch.save(state_for_code(window.session.model), tmp_path / "from_code.pt")
    assert window.sharing.bundles.load_weights_from(tmp_path / "from_code.pt")
    assert np.array_equal(predict(window), expected)

    # Into a drawing whose hidden layer has 4 units instead of 8: the message names that layer.
    hidden = window.document.graph.node_by_name("hidden").id
    assert window.document.push(SetParam(window.document.graph, hidden, "units", 4))
    before = window.session.model
    assert not window.sharing.bundles.load_weights_from(tmp_path / "trained.safetensors")
    assert len(window.errors) == 1 and "layer 'hidden' does not match" in window.errors[0]
    assert window.session.model is before


# ---------------------------------------------------------------- the Code panel

def test_code_panel_shows_the_drawing_as_code_and_follows_edits(qtbot, window):
    sharing = window.sharing
    sharing.show_code()
    view = sharing.code_view
    assert window.findChild(object, "codeView") is view.editor and view.editor.isReadOnly()
    qtbot.waitUntil(lambda: "class XOR(nn.Module)" in view.code(), timeout=10_000)
    code = view.code()
    assert "self.hidden = nn.Linear(2, 8)" in code and "self.xor = nn.Linear(8, 1)" in code
    assert "hidden = torch.tanh(self.hidden(inputs_layer))" in code

    graph = window.document.graph
    hidden = graph.node_by_name("hidden").id
    assert window.document.push(SetParam(graph, hidden, "units", 16))
    assert "nn.Linear(2, 8)" in view.code()  # not yet: the panel waits for the edits to settle
    qtbot.waitUntil(lambda: "self.hidden = nn.Linear(2, 16)" in view.code(), timeout=UPDATE_DELAY_MS + 10_000)
    assert "self.xor = nn.Linear(16, 1)" in view.code()

    # An error in the drawing: a comment listing it instead of code.
    output = graph.nodes_of_type("Output")[0].id
    assert window.document.push(RemoveItems(graph, [], [e.id for e in graph.edges_into(output)]))
    qtbot.waitUntil(lambda: view.code().startswith("# The network has problems"), timeout=10_000)
    assert "class " not in view.code()
    window.document.undo_stack.undo()
    qtbot.waitUntil(lambda: "class XOR" in view.code(), timeout=10_000)

    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == view.code()


def test_hidden_code_panel_does_not_compile(qtbot, window):
    view = window.sharing.code_view
    assert not view.is_on_screen()  # a tab behind the inspector: nothing to compute until it is looked at
    view.timer.timeout.emit()
    assert view.code() == ""
    window.sharing.show_code()
    qtbot.waitUntil(lambda: "class XOR" in view.code(), timeout=10_000)
