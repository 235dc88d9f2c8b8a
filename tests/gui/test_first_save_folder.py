"""The first Ctrl+S of an untitled project opens the Save dialog where the student has been working, not at home."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from tests.gui.test_remembered_folders import FakeDialogs, folders, new_window  # noqa: F401 - the fixture


def test_first_save_of_an_example_starts_in_the_folder_the_data_came_from(qtbot, monkeypatch, folders):  # noqa: F811
    _, downloads = folders
    dialogs = FakeDialogs(monkeypatch)
    window = new_window(qtbot)
    window.show()
    qtbot.waitExposed(window)
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")  # an example: untitled until saved
    data_panel = window.data_view.ensure_built()
    dialogs.answer = str(downloads / "table.csv")
    data_panel.import_csv()                                       # Data → Import CSV… from the downloads folder

    dialogs.answer = ""                                           # Ctrl+S on the drawing, then Cancel
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.waitUntil(window.canvas.hasFocus)
    qtbot.keyClick(window.canvas, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert len(dialogs.started_in) == 2 and dialogs.started_in[-1] == downloads
    window.session.shutdown()


def test_first_save_starts_in_the_last_projects_folder_before_the_data_folder(qtbot, monkeypatch, folders):  # noqa: F811
    projects, downloads = folders
    dialogs = FakeDialogs(monkeypatch)
    window = new_window(qtbot)
    dialogs.answer = str(projects / "xor.nnstudio")
    window.file_actions.open_action.trigger()                    # a project from the course folder
    dialogs.answer = str(downloads / "table.csv")
    window.data_view.ensure_built().import_csv()                  # data from the downloads folder
    window.file_actions.new_action.trigger()                     # File → New, then Save
    dialogs.answer = ""
    window.file_actions.save_action.trigger()
    assert dialogs.started_in[-1] == projects
    window.session.shutdown()
