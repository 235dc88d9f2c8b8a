"""A student quits and answers Discard: no 'closed unexpectedly' next time; after a crash the work is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from nnstudio.gui.editing.commands import AddNode
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing, offer_recovery
from nnstudio.gui.sharing.install import RESTORE


@pytest.fixture
def recovery_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "recovery"
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(folder))
    monkeypatch.setenv("NNSTUDIO_AUTOSAVE_SECONDS", "0.2")
    return folder


@pytest.fixture
def open_window(qtbot, recovery_dir):
    """Windows that ask the real unsaved-changes question; at the end of the test they close without asking
    (closed here, not by qtbot, whose closing comes before this fixture's end and would wait for an answer)."""
    windows = []

    def open_one() -> MainWindow:
        window = MainWindow()
        install_sharing(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield open_one
    for window in windows:
        window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
        window.close()
        window.deleteLater()


def edit_xor_until_autosaved(qtbot, window: MainWindow, recovery_dir: Path) -> None:
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    assert window.document.push(AddNode(window.document.graph, "Dense", (300.0, 300.0), name="unsaved"))
    qtbot.waitUntil(lambda: len(list(recovery_dir.glob("*.nnstudio-recovery"))) == 1, timeout=5000)


def answer_the_question_with(button: QMessageBox.StandardButton, clicked: list) -> None:
    """Click a button of the real message box once it is open (it runs its own event loop, as for a student)."""
    def click(tries_left: int = 200) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.button(button) is not None:
            clicked.append(box.text())
            box.button(button).click()
        elif tries_left:
            QTimer.singleShot(20, lambda: click(tries_left - 1))
    QTimer.singleShot(0, click)


def quit_action(window: MainWindow):
    file_menu = window.menuBar().actions()[0].menu()
    return next(action for action in file_menu.actions() if action.text() == "&Quit")


def test_quit_and_discard_leaves_nothing_to_restore(qtbot, open_window, recovery_dir):
    window = open_window()
    edit_xor_until_autosaved(qtbot, window, recovery_dir)

    clicked: list = []
    answer_the_question_with(QMessageBox.StandardButton.Discard, clicked)
    quit_action(window).trigger()
    assert clicked and "xor.nnstudio" in clicked[0]  # the real "Unsaved changes" question was answered
    assert not window.isVisible()
    assert list(recovery_dir.glob("*.nnstudio-recovery")) == []
    qtbot.wait(300)  # a few autosave intervals: nothing is written again after the window closed
    assert list(recovery_dir.glob("*.nnstudio-recovery")) == []

    # The next start offers nothing: the student quit normally.
    again = open_window()
    asked = []
    again.sharing.ask_restore = lambda recovery: asked.append(recovery) or RESTORE
    offer_recovery(again)
    assert asked == [] and not again.isWindowModified()


def test_after_a_crash_the_restore_question_names_the_example(qtbot, open_window, recovery_dir):
    crashed = open_window()
    edit_xor_until_autosaved(qtbot, crashed, recovery_dir)
    crashed.sharing.autosaver.timer.stop()  # it "crashed": nothing more from it
    crashed.sharing.autosaver.current_file = None

    window = open_window()
    asked = []
    window.sharing.ask_restore = lambda recovery: asked.append(recovery) or RESTORE
    offer_recovery(window)
    assert [recovery.title for recovery in asked] == ["xor.nnstudio"]
    assert window.document.graph.node_by_name("unsaved") is not None
    assert window.statusBar().currentMessage() == "Restored your unsaved work on xor.nnstudio"
