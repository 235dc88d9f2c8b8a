"""Keys and toolbar buttons a student reaches for: Ctrl+Y redoes, and Pause sits on the toolbar beside Train and Stop."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnstudio.core.settings import TrainingSettings
from nnstudio.gui.editing.commands import SetProjectSettings
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


def toolbar_button(window: MainWindow, text: str):
    action = next(a for a in window.toolbar.actions() if a.text() == text)
    return window.toolbar.widgetForAction(action)


def test_ctrl_y_redoes_as_well_as_the_platform_key(qtbot, window):
    """Found by a student walk-through: under GNOME Redo is only Ctrl+Shift+Z, and Ctrl+Y did nothing."""
    from PySide6.QtGui import QKeySequence

    from nnstudio.gui.main_window import redo_keys

    gnome = redo_keys([QKeySequence("Ctrl+Shift+Z")])
    assert [k.toString() for k in gnome] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    assert QKeySequence("Ctrl+Y") in window.redo_action.shortcuts()
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    graph = window.document.graph
    before = len(graph.nodes)
    window.append_layer("Dropout")
    assert len(graph.nodes) == before + 1
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(graph.nodes) == before
    qtbot.keyClick(window.canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(graph.nodes) == before + 1


def test_pause_on_the_toolbar_and_the_panel_tell_the_same_state(qtbot, window):
    assert window.file_actions.open_path(EXAMPLES_DIR / "digits.nnstudio")
    settings = TrainingSettings.from_dict(window.document.project.training.to_dict())
    settings.epochs, settings.early_stopping.enabled = 2000, False
    assert window.document.push(SetProjectSettings(window.document, "training", settings))
    pause = toolbar_button(window, "Pause")
    assert not pause.isEnabled()  # nothing to pause yet
    with qtbot.waitSignal(window.session.progress, timeout=60_000):
        qtbot.mouseClick(toolbar_button(window, "Train"), Qt.MouseButton.LeftButton)
    assert pause.isEnabled()

    qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)
    assert window.session.is_paused
    assert window.training_panel.pause_button.text() == "Resume"
    assert window.pause_action.text() == "Resume" and window.pause_action.isChecked()

    qtbot.mouseClick(window.training_panel.pause_button, Qt.MouseButton.LeftButton)  # the panel's own button
    assert not window.session.is_paused
    assert window.pause_action.text() == "Pause" and not window.pause_action.isChecked()

    with qtbot.waitSignal(window.session.training_finished, timeout=10_000):
        window.stop_action.trigger()
    assert not window.pause_action.isEnabled()
