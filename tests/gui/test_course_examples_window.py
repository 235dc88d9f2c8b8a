"""The course's examples opened in the window before their data is downloaded: no error, the Data panel says
'not downloaded yet' and its Download button gets the data (served by http.server on 127.0.0.1)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from nnstudio.core.data import downloads
from nnstudio.core.i18n import tr
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from tests.core.dataset_server import fake_mnist_files, serving
from tests.gui.test_dataset_download import cache, serve_as  # noqa: F401 - the cache fixture
from tests.gui.test_window import make_window

COURSE = {"fashion_1_sigmoid": "fashion-mnist", "fashion_2_relu_adam": "fashion-mnist",
          "fashion_3_dropout": "fashion-mnist", "mnist_first_network": "mnist"}


def data_panel(window):
    window.parts.show_dock("data")
    return window.parts.dock_page("data").ensure_built()


def test_each_course_example_opens_before_its_data_is_downloaded(qtbot, cache):  # noqa: F811
    window, prompts = make_window(qtbot)
    panel = data_panel(window)
    for name, key in COURSE.items():
        assert window.file_actions.open_path(EXAMPLES_DIR / f"{name}.nnstudio")
        qtbot.waitUntil(lambda: bool(window.session.data_error), timeout=10_000)
        panel.refresh()
        box = panel.findChild(QWidget, "notDownloadedBox")
        assert box.isVisible(), name
        text = panel.findChild(QLabel, "notDownloadedLabel").text()
        assert text.startswith(tr("{title} is not downloaded yet.", title=tr(downloads.DATASETS[key].title))[:-1])
        assert panel.error_text() == "", name            # not an error: a step still to take
        assert panel.findChild(QPushButton, "downloadButton").isEnabled()
    assert prompts.errors == []


def test_an_example_not_yet_downloaded_shows_the_datasets_real_shape(qtbot, cache):  # noqa: F811
    """The walk found Fashion-MNIST's Output with 2 units and "no data is chosen yet" while the Data panel showed
    Fashion-MNIST: the drawing now knows the dataset's shape and classes before its files are there."""
    window, prompts = make_window(qtbot)
    for name, units in (("fashion_3_dropout", "(None, 10)"), ("mnist_first_network", "(None, 10)")):
        assert window.file_actions.open_path(EXAMPLES_DIR / f"{name}.nnstudio")
        qtbot.waitUntil(lambda: bool(window.session.data_error), timeout=10_000)
        summary = window.summary
        qtbot.waitUntil(lambda: summary.cell_text(summary.table.rowCount() - 1, 2) == units, timeout=10_000)
        assert summary.cell_text(0, 2) == "(None, 28, 28)"
        shown = window.issues.messages()
        assert not any("guess" in text for text in shown), shown
    assert prompts.errors == []


def test_the_download_button_gets_the_examples_data(qtbot, cache, monkeypatch):  # noqa: F811
    files = fake_mnist_files(train=40, test=10, size=28)
    window, prompts = make_window(qtbot)
    panel = data_panel(window)
    assert window.file_actions.open_path(EXAMPLES_DIR / "fashion_3_dropout.nnstudio")
    qtbot.waitUntil(lambda: bool(window.session.data_error), timeout=10_000)
    with serving(files) as server:
        serve_as(monkeypatch, "fashion-mnist", files, (server.mirror("good"),))
        with qtbot.waitSignal(window.session.data_changed, timeout=20_000):
            qtbot.mouseClick(panel.findChild(QPushButton, "downloadButton"), Qt.MouseButton.LeftButton)
    assert window.session.data is not None and window.session.data_error == ""
    assert not panel.findChild(QWidget, "notDownloadedBox").isVisible()
    assert panel.error_text() == "" and panel.preview_model.rowCount() > 0
    assert window.document.undo_stack.count() == 0   # the project did not change: its data arrived
    assert prompts.errors == []


@pytest.mark.parametrize("name", list(COURSE))
def test_course_examples_are_listed_in_open_example(qtbot, name):
    window, _ = make_window(qtbot)
    paths = [action.text() for action in window.file_actions.examples_menu.actions()]
    from nnstudio.core.project import load_project
    title = tr(load_project(EXAMPLES_DIR / f"{name}.nnstudio").title)
    assert any(text.replace("&&", "&") == title for text in paths)
