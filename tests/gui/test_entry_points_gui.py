"""Every way into the window keeps the one-line promise: exports that fail say so plainly, never silently."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnstudio.gui.file_actions import EXAMPLES_DIR
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
