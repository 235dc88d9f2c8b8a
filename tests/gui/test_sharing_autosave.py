"""Autosave in the window: a recovery file while there are unsaved changes, gone after Save or a clean close."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from nnstudio.core.autosave import find_recoveries, write_recovery
from nnstudio.core.project import dumps_project, load_project
from nnstudio.gui.editing.commands import AddNode
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing, offer_recovery
from nnstudio.gui.sharing.autosave import interval_seconds
from nnstudio.gui.sharing.install import DISCARD, LATER, RESTORE


@pytest.fixture
def recovery_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "recovery"
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(folder))
    monkeypatch.setenv("NNSTUDIO_AUTOSAVE_SECONDS", "0.2")
    return folder


@pytest.fixture
def make_window(qtbot, recovery_dir):
    windows = []

    def make() -> MainWindow:
        window = MainWindow()
        install_sharing(window)
        window.answer = QMessageBox.StandardButton.Discard
        window.file_actions.ask_unsaved_changes = lambda: window.answer
        window.file_actions.show_error = lambda title, text: pytest.fail(f"unexpected error dialog: {text}")
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.session.shutdown()


def add_dense(window: MainWindow, name: str) -> None:
    assert window.document.push(AddNode(window.document.graph, "Dense", (300.0, 300.0), name=name))


def recovery_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.nnstudio-recovery")) if folder.is_dir() else []


def test_interval_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("NNSTUDIO_AUTOSAVE_SECONDS", "1")
    assert interval_seconds() == 1.0
    monkeypatch.setenv("NNSTUDIO_AUTOSAVE_SECONDS", "soon")
    assert interval_seconds() == 60.0
    monkeypatch.delenv("NNSTUDIO_AUTOSAVE_SECONDS")
    assert interval_seconds() == 60.0


def test_an_edit_is_autosaved_and_the_file_goes_after_save(qtbot, make_window, recovery_dir, tmp_path):
    window = make_window()
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    assert window.file_actions.save_to(tmp_path / "mine.nnstudio")
    qtbot.wait(400)
    assert recovery_files(recovery_dir) == []  # nothing unsaved, nothing written

    add_dense(window, "autosaved_layer")
    qtbot.waitUntil(lambda: len(recovery_files(recovery_dir)) == 1, timeout=5000)
    record = json.loads(recovery_files(recovery_dir)[0].read_text())
    assert record["original_path"] == str((tmp_path / "mine.nnstudio").resolve())
    assert "autosaved_layer" in [node["name"] for node in record["project"]["graph"]["nodes"]]

    assert window.file_actions.save()
    assert recovery_files(recovery_dir) == []
    qtbot.wait(400)
    assert recovery_files(recovery_dir) == []  # clean again: the timer is quiet


def test_a_clean_close_discards_but_a_cancelled_close_keeps(qtbot, make_window, recovery_dir):
    window = make_window()
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    add_dense(window, "unsaved")
    qtbot.waitUntil(lambda: len(recovery_files(recovery_dir)) == 1, timeout=5000)

    window.answer = QMessageBox.StandardButton.Cancel
    assert not window.close()
    qtbot.wait(50)
    assert len(recovery_files(recovery_dir)) == 1 and window.isVisible()

    window.answer = QMessageBox.StandardButton.Discard  # "Don't save": the student chose to lose the changes
    assert window.close()
    assert recovery_files(recovery_dir) == []


def test_restore_opens_the_work_unsaved_under_its_name(qtbot, make_window, recovery_dir, tmp_path):
    project = load_project(EXAMPLES_DIR / "iris.nnstudio")
    project.graph.add_node("Dense", name="restored_layer")
    original = tmp_path / "lesson.nnstudio"
    left_behind = write_recovery(dumps_project(project, tmp_path), recovery_dir, original)

    window = make_window()
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    asked = []
    window.sharing.ask_restore = lambda recovery: asked.append(recovery) or RESTORE
    offer_recovery(window)
    assert [r.path for r in asked] == [left_behind] and asked[0].title == "lesson.nnstudio"
    assert window.document.graph.node_by_name("restored_layer") is not None
    assert window.windowTitle().startswith("lesson.nnstudio") and window.isWindowModified()
    # Untitled: Save asks where (tests/gui/test_recovery_redirect.py), suggesting the original's name.
    assert window.document.path is None
    # Still recoverable (now as this window's untitled recovery file), and gone once saved.
    assert len(find_recoveries(recovery_dir)) == 1
    window.file_actions.ask_save_path = lambda: original
    assert window.file_actions.save()
    assert recovery_files(recovery_dir) == [] and original.is_file()


def test_discard_deletes_and_later_keeps(qtbot, make_window, recovery_dir):
    project = load_project(EXAMPLES_DIR / "xor.nnstudio")
    first = write_recovery(dumps_project(project), recovery_dir, Path("/nowhere/first.nnstudio"), saved_at=100.0)
    second = write_recovery(dumps_project(project), recovery_dir, Path("/nowhere/second.nnstudio"), saved_at=200.0)
    window = make_window()
    answers = {second: LATER, first: DISCARD}
    window.sharing.ask_restore = lambda recovery: answers[recovery.path]
    offer_recovery(window)
    assert recovery_files(recovery_dir) == [second]
    assert not window.isWindowModified()
