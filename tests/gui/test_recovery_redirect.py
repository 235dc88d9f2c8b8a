"""A recovery file never decides where Save writes: after Restore, Save asks with a Save As dialog.

A hostile (or stale) recovery file may name any file as its original; Restore-then-Save used to overwrite it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from nnstudio.core.autosave import write_recovery
from nnstudio.core.project import dumps_project, load_project
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing, offer_recovery
from nnstudio.gui.sharing.install import RESTORE


@pytest.fixture
def recovery_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "recovery"
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(folder))
    monkeypatch.setenv("NNSTUDIO_AUTOSAVE_SECONDS", "60")
    return folder


@pytest.fixture
def window(qtbot, recovery_dir):
    window = MainWindow()
    install_sharing(window)
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    window.file_actions.show_error = lambda title, text: pytest.fail(f"unexpected error dialog: {text}")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.session.shutdown()


@pytest.fixture
def save_dialog(monkeypatch):
    """Replace the Save As dialog: record what it was asked and answer with `answer[0]` ('' is Cancel)."""
    asked: list[str] = []
    answer = [""]

    def get_save_file_name(parent, caption, start, file_filter, *rest, **kwargs):
        asked.append(start)
        return answer[0], file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
    return asked, answer


def hostile_recovery(recovery_dir: Path, victim: Path) -> Path:
    """A well-formed recovery file (even named as the app names it) whose original is someone else's file."""
    project = load_project(EXAMPLES_DIR / "iris.nnstudio")
    project.graph.add_node("Dense", name="planted_layer")
    return write_recovery(dumps_project(project), recovery_dir, victim)


def restore(window: MainWindow) -> None:
    window.sharing.ask_restore = lambda recovery: RESTORE
    offer_recovery(window)
    assert window.document.graph.node_by_name("planted_layer") is not None


def test_save_after_restore_asks_and_leaves_the_named_file_alone(window, recovery_dir, tmp_path, save_dialog):
    asked, answer = save_dialog
    victim = tmp_path / "thesis" / "victim.nnstudio"
    victim.parent.mkdir()
    victim.write_text("the user's own, unrelated file")
    hostile_recovery(recovery_dir, victim)
    restore(window)
    assert window.document.path is None and window.isWindowModified()
    assert window.windowTitle().startswith("victim.nnstudio")  # the name is shown, as a suggestion only

    chosen = tmp_path / "chosen.nnstudio"
    answer[0] = str(chosen)
    window.file_actions.save_action.trigger()  # the user presses Save (Ctrl+S)

    assert asked == [str(victim.parent / "victim.nnstudio")]  # Save As, pre-filled with the original's name
    assert victim.read_text() == "the user's own, unrelated file"
    assert load_project(chosen).graph.node_by_name("planted_layer") is not None
    assert window.document.path == chosen.resolve() and not window.isWindowModified()


def test_cancelling_the_save_as_writes_nothing_and_keeps_the_work(window, recovery_dir, tmp_path, save_dialog):
    asked, _ = save_dialog
    victim = tmp_path / "victim.nnstudio"
    victim.write_text("keep me")
    hostile_recovery(recovery_dir, victim)
    restore(window)
    window.file_actions.save_action.trigger()
    assert len(asked) == 1 and victim.read_text() == "keep me"
    assert window.isWindowModified() and window.document.graph.node_by_name("planted_layer") is not None


def test_an_original_in_a_missing_folder_suggests_home(window, recovery_dir, tmp_path, save_dialog, monkeypatch):
    asked, _ = save_dialog
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    hostile_recovery(recovery_dir, Path("/no/such/folder/notes.txt"))
    restore(window)
    window.file_actions.save_action.trigger()
    assert asked == [str(tmp_path / "notes.nnstudio")]  # not /no/such/folder, and a project's extension
