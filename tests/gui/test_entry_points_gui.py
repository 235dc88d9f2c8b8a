"""Every way into the window keeps the one-line promise: exports that fail say so plainly, never silently."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing


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


def export_from_dialog(qtbot, window: MainWindow, fmt: str, path: Path):
    """File → Export…, the format and place chosen, Export pressed; the dialog's message boxes recorded."""
    window.sharing.export_action.trigger()
    dialog = window.sharing.export_dialog
    dialog.errors = []
    dialog.show_error = lambda title, text: dialog.errors.append(text)
    dialog.set_format(fmt)
    dialog.path_edit.setText(str(path))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    return dialog


# ---------------------------------------------------------------- ONNX without the onnx package

def test_onnx_export_without_onnx_says_how_to_install_it(qtbot, window, tmp_path, monkeypatch):
    """The README's plain install has no onnx: the dialog says so in one sentence and writes nothing."""
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` now raises ImportError
    target = tmp_path / "xor.onnx"
    dialog = export_from_dialog(qtbot, window, "onnx", target)
    assert dialog.errors and "ONNX export needs the onnx package: pip install onnx" in dialog.errors[0]
    assert "Nothing was exported" in dialog.message_label.text()
    assert not target.exists()


def test_an_exporters_unexpected_failure_is_shown_and_logged(qtbot, window, tmp_path, monkeypatch, caplog):
    """Whatever an exporter raises, the student sees a plain message and the traceback goes to the log."""
    import nnstudio.engine.export as export_package

    def broken(model, path):
        raise RuntimeError("the tracer tripped over something")

    monkeypatch.setattr(export_package, "export_torchscript", broken)
    with caplog.at_level(logging.ERROR):
        dialog = export_from_dialog(qtbot, window, "torchscript", tmp_path / "xor.pt")
    assert len(dialog.errors) == 1
    assert "torchscript export failed" in dialog.errors[0] and "the tracer tripped" in dialog.errors[0]
    assert "Traceback" not in dialog.errors[0]
    assert "Nothing was exported" in dialog.message_label.text()
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and "RuntimeError" in caplog.text
    assert not (tmp_path / "xor.pt").exists()


# ---------------------------------------------------------------- a step Output and gradient descent

def test_training_a_step_output_by_gradient_descent_offers_the_perceptron_rule(qtbot, window):
    """The AND-gate exercise: a step Output, Train pressed with gradient descent. A plain sentence, no
    traceback, and one button that switches the training method (an undoable edit)."""
    from nnstudio.gui.editing.commands import SetParam

    assert window.file_actions.open_path(EXAMPLES_DIR / "xor_single_layer.nnstudio", ask_first=False)
    document = window.document
    output = document.graph.nodes_of_type("Output")[0]
    assert document.push(SetParam(document.graph, output.id, "activation", "step"))
    assert document.project.training.method == "gradient_descent"
    panel = window.training_panel
    with qtbot.waitSignal(window.session.training_failed, timeout=60_000) as failed:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    message, details = failed.args
    assert "no slope" in message and "choose the perceptron rule as the training method" in message
    assert "does not require grad" not in message and "Traceback" not in message and details == ""
    qtbot.waitUntil(lambda: not window.session.is_training, timeout=10_000)
    assert panel.status_label.text() == message
    assert panel.perceptron_button.isVisibleTo(panel) and not panel.details_button.isVisibleTo(panel)

    qtbot.mouseClick(panel.perceptron_button, Qt.MouseButton.LeftButton)
    assert document.project.training.method == "perceptron"
    assert "perceptron rule" in panel.status_label.text() and not panel.perceptron_button.isVisibleTo(panel)
    document.undo_stack.undo()  # one undo step puts gradient descent back
    assert document.project.training.method == "gradient_descent"


def test_other_failures_do_not_offer_the_perceptron_rule(qtbot, window):
    """The button belongs to this one failure: a sigmoid network's problems never show it."""
    panel = window.training_panel
    panel.show_failure("There is no data to train on yet.", "")
    assert not panel.perceptron_button.isVisibleTo(panel)


def test_the_perceptron_rule_on_a_hidden_layer_network_is_refused_plainly(qtbot, window):
    """After the button, a network the rule cannot train (a hidden layer) gets a plain sentence, no traceback."""
    from nnstudio.gui.editing.commands import SetParam

    document = window.document  # the XOR example: a hidden layer
    output = document.graph.nodes_of_type("Output")[0]
    assert document.push(SetParam(document.graph, output.id, "activation", "step"))
    panel = window.training_panel
    assert panel.use_perceptron_rule() and document.project.training.method == "perceptron"
    with qtbot.waitSignal(window.session.training_failed, timeout=60_000) as failed:
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    message, details = failed.args
    assert "perceptron rule trains a single layer" in message and details == ""
    qtbot.waitUntil(lambda: not window.session.is_training, timeout=10_000)
    assert not panel.details_button.isVisibleTo(panel) and not panel.perceptron_button.isVisibleTo(panel)


def test_a_step_output_after_a_hidden_layer_is_not_offered_the_perceptron_rule(qtbot, window):
    """A student walk-through: on XOR (a hidden layer) the button led straight to a second refusal, and the
    progress bar of the earlier run said 'Starting…' for good."""
    from nnstudio.gui.editing.commands import SetParam

    panel, document = window.training_panel, window.document
    with qtbot.waitSignal(window.session.training_finished, timeout=60_000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    output = document.graph.nodes_of_type("Output")[0]
    assert document.push(SetParam(document.graph, output.id, "activation", "step"))
    with qtbot.waitSignal(window.session.training_failed, timeout=60_000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.session.is_training, timeout=10_000)
    assert "no slope" in panel.status_label.text()
    assert "without hidden layers only" in panel.status_label.text()
    assert not panel.perceptron_button.isVisibleTo(panel)
    assert panel.progress_bar.format() == "Stopped: see the message below"
