"""Export runs to TensorBoard as a student does: train XOR, click the button (or the File menu), copy the command."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
# TensorBoard is in the test extra: a missing install must fail these tests, not skip them.
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from nnstudio.core.settings import TrainingSettings
from nnstudio.gui.contributions import FILE_EXPORT
from nnstudio.gui.editing.commands import SetProjectSettings
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.training.tensorboard_export import TensorBoardMessage

TRAINING_TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot, one_thread):
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.session.shutdown()


def train_xor(qtbot, window: MainWindow, epochs: int):
    settings = TrainingSettings.from_dict(window.document.project.training.to_dict())
    settings.epochs, settings.early_stopping.enabled = epochs, False
    assert window.document.push(SetProjectSettings(window.document, "training", settings))
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS) as finished:
        qtbot.mouseClick(window.findChild(object, "trainButton"), Qt.MouseButton.LeftButton)
    return finished.args[0]


def losses(folder: Path, part: str) -> tuple[list[int], list[float]]:
    events = EventAccumulator(str(folder / part), size_guidance={"scalars": 0})
    events.Reload()
    found = events.Scalars("epoch_loss")
    return [event.step for event in found], [event.value for event in found]


def test_export_runs_shows_the_command_and_writes_each_run(qtbot, window, tmp_path):
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    first = train_xor(qtbot, window, epochs=6)
    second = train_xor(qtbot, window, epochs=3)
    runs = window.runs_panel
    logs = tmp_path / "my logs"
    runs.tensorboard.ask_folder = lambda: logs

    button = runs.findChild(object, "exportTensorBoardButton")
    assert button.text() == "Export runs to TensorBoard…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)   # nothing selected: every run
    message = runs.tensorboard.message
    assert isinstance(message, TensorBoardMessage)
    qtbot.waitUntil(message.isVisible)
    command = f'tensorboard --logdir "{logs.resolve()}"'
    field = message.findChild(object, "tensorBoardCommand")
    assert field.text() == command and field.isReadOnly()
    assert "2 runs were written to" in message.summary.text()
    assert "pip install" in message.hint.text()
    qtbot.mouseClick(message.findChild(object, "copyTensorBoardCommand"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == command

    folders = sorted(logs.iterdir())
    assert len(folders) == 2 and all(folder.name.startswith("run_") for folder in folders)
    for folder, result in zip(folders, (first, second)):
        steps, values = losses(folder, "train")
        assert steps == result.history.epochs
        assert values == pytest.approx(result.history.logs["loss"], rel=1e-6)
        assert losses(folder, "validation")[1] == pytest.approx(result.history.logs["val_loss"], rel=1e-6)
    message.close()

    # A selected row exports that run only.
    runs.table.selectRow(1)   # newest first: the second row is the first run
    assert runs.selected_numbers() == [1]
    runs.tensorboard.ask_folder = lambda: tmp_path / "one"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "1 run was written to" in runs.tensorboard.message.summary.text()
    (only,) = (tmp_path / "one").iterdir()
    assert losses(only, "train")[0] == first.history.epochs


def test_the_file_menu_offers_the_export_and_says_when_there_is_nothing_to_export(qtbot, started_app):
    window = started_app()
    entries = [action for action in window.parts.menus[FILE_EXPORT].actions()
               if action.objectName() == "exportTensorBoardAction"]
    assert len(entries) == 1 and entries[0].text() == "Export runs to TensorBoard…"
    assert not window.document.project.runs
    entries[0].trigger()
    message = window.runs_panel.tensorboard.message
    qtbot.waitUntil(message.isVisible)
    assert "no runs to export yet" in message.text()
    message.close()


def test_a_folder_that_cannot_be_written_is_said_plainly(qtbot, window, tmp_path):
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    train_xor(qtbot, window, epochs=2)
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    window.runs_panel.tensorboard.ask_folder = lambda: blocked
    qtbot.mouseClick(window.runs_panel.findChild(object, "exportTensorBoardButton"), Qt.MouseButton.LeftButton)
    message = window.runs_panel.tensorboard.message
    assert isinstance(message, QMessageBox)
    assert "could not be written" in message.text()
