"""File → Export… as a student uses it: every word of the dialog visible, and its file dialog starts where the
last export went."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QCheckBox, QComboBox, QFileDialog, QLabel, QMessageBox, QPushButton

from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, one_thread):
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    window = MainWindow()
    install_sharing(window)
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    yield window
    window.session.shutdown()


def assert_every_text_visible(dialog) -> None:
    """Each visible label, check box, button and list of choices is at least as wide as its text; a wrapped label
    is tall enough for all its lines and no unbreakable piece of it (a path) is wider than the label."""
    checked = 0
    for widget in dialog.findChildren(QLabel) + dialog.findChildren(QCheckBox) + dialog.findChildren(QPushButton):
        if not widget.isVisible() or not widget.text():
            continue
        metrics = QFontMetrics(widget.font())
        room = widget.contentsRect().width()
        if isinstance(widget, QLabel) and widget.wordWrap():
            assert widget.heightForWidth(room) <= widget.contentsRect().height(), widget.text()
            for piece in re.split(r"[\s\u200b]+", widget.text()):
                assert metrics.horizontalAdvance(piece) <= room, piece
        else:
            assert metrics.horizontalAdvance(widget.text().replace("&", "")) <= room, widget.text()
        checked += 1
    for combo in dialog.findChildren(QComboBox):
        metrics = QFontMetrics(combo.font())
        widest = max(metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
        assert widest < combo.width() and combo.sizeHint().width() <= combo.width()
        checked += 1
    assert checked >= 7   # the two form labels, the message, three buttons, the formats


def test_every_label_and_choice_of_the_export_dialog_is_fully_visible(qtbot, window, tmp_path):
    window.sharing.export_action.trigger()                       # File → Export…
    dialog = window.sharing.export_dialog
    qtbot.waitExposed(dialog)
    assert_every_text_visible(dialog)
    # A deep folder, as students' folders are: the long message that names it must show whole.
    deep = tmp_path / "my_course_work" / "week_04_multilayer_perceptrons" / "exports_for_the_assignment"
    deep.mkdir(parents=True)
    dialog.show_error = lambda title, text: pytest.fail(text)
    for fmt in ("python", "onnx", "torchscript", "safetensors"):
        dialog.set_format(fmt)
        dialog.path_edit.setText(str(deep / f"xor_network_exported_as_{fmt}"))
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        assert dialog.message_label.text().startswith("Exported the seeded initial weights")
        assert_every_text_visible(dialog)


def test_choose_starts_in_the_folder_of_the_last_export(qtbot, window, tmp_path, monkeypatch):
    asked: list[str] = []

    def fake_save_dialog(parent, title, start, file_filter):
        asked.append(start)
        return str(tmp_path / "picked" / "net.onnx"), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save_dialog)
    window.sharing.export_action.trigger()
    dialog = window.sharing.export_dialog
    dialog.show_error = lambda title, text: pytest.fail(text)
    first = tmp_path / "first_exports"
    first.mkdir()
    dialog.set_format("onnx")
    dialog.path_edit.setText(str(first / "xor.onnx"))                # typed by hand, then Export
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert (first / "xor.onnx").exists()
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)  # Choose…
    assert Path(asked[-1]).parent == first and Path(asked[-1]).suffix == ".onnx"
    assert dialog.path_edit.text() == str(tmp_path / "picked" / "net.onnx")
