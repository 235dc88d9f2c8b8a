"""The Training panel's "Files during training": a student switches checkpoints on, trains XOR, finds the files,
and undo puts the settings back; the TensorBoard part shows the command that opens its logs."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QSpinBox

from nnstudio.engine.bundle_io import load_bundle
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing

TRAINING_TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    """The window as the app makes it (sharing installed), with its questions answered."""
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny networks train faster on one thread, and the machine is shared
    made = MainWindow()
    install_sharing(made)
    made.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    made.errors = []
    made.file_actions.show_error = lambda title, text: made.errors.append(text)
    qtbot.addWidget(made)
    made.resize(1400, 900)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.session.shutdown()
    torch.set_num_threads(threads)


def xor_saved_in(qtbot, window: MainWindow, folder) -> None:
    """Open the XOR example and save it into `folder` (File → Save, the dialog answered)."""
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    window.file_actions.ask_save_path = lambda: folder / "xor.nnstudio"
    window.file_actions.save_action.trigger()
    assert not window.errors and window.document.project.path == folder / "xor.nnstudio"


def box_child(window: MainWindow, kind, name: str):
    found = window.training_panel.run_files_box.findChild(kind, name)
    assert found is not None, name
    return found


def type_number(qtbot, box: QSpinBox, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_checkpoints_every_two_epochs_appear_in_the_chosen_folder_and_undo_restores(qtbot, window, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    xor_saved_in(qtbot, window, course)
    box = window.training_panel.run_files_box
    assert box.title() == "Files during training"
    enabled = box_child(window, QCheckBox, "training_checkpoints.enabled")
    every = box_child(window, QSpinBox, "training_checkpoints.every_epochs")
    assert not enabled.isChecked() and not every.isEnabled()   # off, its details greyed out
    qtbot.mouseClick(enabled, Qt.MouseButton.LeftButton)
    assert enabled.isChecked() and every.isEnabled()
    type_number(qtbot, every, "2")
    box.ask_checkpoint_folder = lambda: course / "saved" / "ck"
    qtbot.mouseClick(box_child(window, QPushButton, "training_checkpoints.folder_choose"), Qt.MouseButton.LeftButton)
    options = window.document.project.training.checkpoints
    assert (options.enabled, options.every_epochs, options.folder) == (True, 2, "saved/ck")   # relative to the project
    assert box_child(window, QLineEdit, "training_checkpoints.folder").text() == "saved/ck"
    epochs = window.document.project.training.epochs

    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(window.findChild(object, "trainButton"), Qt.MouseButton.LeftButton)
    last_even = epochs - epochs % 2
    wanted = {f"epoch-{epoch:04d}.nnzip" for epoch in range(last_even - 4, last_even + 1, 2)}   # the last 3 kept
    folder = course / "saved" / "ck"
    assert {path.name for path in folder.iterdir()} == wanted
    assert load_bundle(folder / f"epoch-{last_even:04d}.nnzip").history.epochs[-1] == last_even
    assert f"3 checkpoint files are in {folder}." in window.training_panel.status_label.text()

    for _ in range(3):   # Edit → Undo three times: the folder, the count, the switch
        window.undo_action.trigger()
    options = window.document.project.training.checkpoints
    assert (options.enabled, options.every_epochs, options.folder) == (False, 1, "")
    assert not enabled.isChecked() and every.value() == 1 and not every.isEnabled()
    assert box_child(window, QLineEdit, "training_checkpoints.folder").text() == ""


def test_tensorboard_switch_and_the_command_to_open_the_logs(qtbot, window, tmp_path):
    xor_saved_in(qtbot, window, tmp_path)
    command = box_child(window, QPlainTextEdit, "tensorboardCommand")
    assert command.isReadOnly() and command.text() == f'tensorboard --logdir "{tmp_path / "logs"}"'
    qtbot.mouseClick(box_child(window, QCheckBox, "training_tensorboard.enabled"), Qt.MouseButton.LeftButton)
    folder_edit = box_child(window, QLineEdit, "training_tensorboard.folder")
    folder_edit.setFocus()
    qtbot.keyClicks(folder_edit, "my_logs")
    qtbot.keyClick(folder_edit, Qt.Key.Key_Return)
    assert window.document.project.training.tensorboard.enabled
    assert window.document.project.training.tensorboard.folder == "my_logs"
    assert command.text() == f'tensorboard --logdir "{tmp_path / "my_logs"}"'
    qtbot.mouseClick(box_child(window, QPushButton, "tensorboardCommandCopy"), Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == command.text()
    window.training_panel.editor("epochs").setValue(2)
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(window.findChild(object, "trainButton"), Qt.MouseButton.LeftButton)
    runs = list((tmp_path / "my_logs").iterdir())
    assert len(runs) == 1 and runs[0].name.startswith("run_")
    assert f"The TensorBoard log of this run is in {runs[0]}." in window.training_panel.status_label.text()


def test_a_folder_no_file_system_can_hold_is_refused_in_words(qtbot, window, tmp_path):
    xor_saved_in(qtbot, window, tmp_path)
    qtbot.mouseClick(box_child(window, QCheckBox, "training_checkpoints.enabled"), Qt.MouseButton.LeftButton)
    folder_edit = box_child(window, QLineEdit, "training_checkpoints.folder")
    folder_edit.setFocus()
    qtbot.keyClicks(folder_edit, "x" * 5000)
    qtbot.keyClick(folder_edit, Qt.Key.Key_Return)
    hint = box_child(window, object, "runFilesHint")
    assert hint.isVisible() and hint.text().startswith("the checkpoint folder is too long to be a file path")
    assert window.document.project.training.checkpoints.folder == "" and folder_edit.text() == ""
