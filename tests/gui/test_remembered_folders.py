"""File dialogs start in the folder last used for that kind of file: projects, bundles and weights share the
projects folder; a data import remembers its own and never moves it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing
from nnstudio.gui.widgets import file_dialogs


class FakeDialogs:
    """Stands in for QFileDialog's static methods: records the folder each dialog starts in, answers `answer`."""

    def __init__(self, monkeypatch) -> None:
        self.started_in: list[Path] = []
        self.answer = ""
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(self._open))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self._save))

    def _open(self, parent, title, folder, file_filter, *rest):
        self.started_in.append(Path(folder))
        return self.answer, ""

    def _save(self, parent, title, suggested, file_filter, *rest):
        self.started_in.append(Path(suggested).parent)
        return self.answer, ""


def new_window(qtbot) -> MainWindow:
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    install_sharing(window)
    return window


@pytest.fixture
def folders(tmp_path):
    projects, downloads = tmp_path / "course", tmp_path / "downloads"
    projects.mkdir()
    downloads.mkdir()
    shutil.copy(EXAMPLES_DIR / "xor.nnstudio", projects / "xor.nnstudio")
    (downloads / "table.csv").write_text("x,y\n1,2\n")
    return projects, downloads


def test_open_starts_in_the_folder_of_the_last_project_and_a_data_import_does_not_move_it(qtbot, monkeypatch,
                                                                                         folders):
    projects, downloads = folders
    dialogs = FakeDialogs(monkeypatch)
    window = new_window(qtbot)
    dialogs.answer = str(projects / "xor.nnstudio")
    window.file_actions.open_action.trigger()            # File → Open… a project in the course folder
    assert window.document.path == projects / "xor.nnstudio"

    dialogs.answer = str(downloads / "table.csv")     # then data from the downloads folder
    assert file_dialogs.ask_open_file(window, "Import data", "CSV (*.csv)", file_dialogs.DATA) == \
        downloads / "table.csv"

    dialogs.answer = ""                                # File → Open… again, cancelled
    window.file_actions.open_action.trigger()
    assert dialogs.started_in[-1] == projects
    assert file_dialogs.start_folder(file_dialogs.DATA) == downloads
    window.session.shutdown()


def test_bundle_and_weights_dialogs_start_in_the_last_projects_folder(qtbot, monkeypatch, folders):
    projects, _ = folders
    dialogs = FakeDialogs(monkeypatch)
    first = new_window(qtbot)
    dialogs.answer = str(projects / "xor.nnstudio")
    first.file_actions.open_action.trigger()
    first.session.shutdown()

    # A new, untitled window: Save with Trained Weights, Save Weights and Load Weights start where the last
    # project was, not in the home folder.
    window = new_window(qtbot)
    assert window.document.path is None
    bundles = window.sharing.bundles
    dialogs.answer = ""
    for ask in (bundles.ask_bundle_save_path, bundles.ask_weights_save_path, bundles.ask_weights_open_path):
        assert ask() is None   # cancelled
        assert dialogs.started_in[-1] == projects, ask.__name__

    # Saving a bundle in another folder makes that the projects folder for the next Open.
    elsewhere = projects.parent / "shared"
    elsewhere.mkdir()
    dialogs.answer = str(elsewhere / "mine")
    assert bundles.ask_bundle_save_path() == elsewhere / "mine.nnzip"
    dialogs.answer = ""
    window.file_actions.open_action.trigger()
    assert dialogs.started_in[-1] == elsewhere
    window.session.shutdown()
