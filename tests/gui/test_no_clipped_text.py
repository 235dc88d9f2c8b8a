"""At 1280×720, in English and in Korean, no text a student sees is cut off: every tab of the window, every dock,
the dialogs they open (File → Export…, the MNIST import, the recovery question) and every lesson."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from clipping_walk import clipped_texts
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from settling import settle as settle_all

from nnstudio.core.autosave import Recovery
from nnstudio.core.layers import LAYERS
from nnstudio.core.teaching.lessons import LESSONS
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.panels.mnist_import import MnistImportDialog
from nnstudio.gui.widgets.lazy_panel import LazyPanel
from tests.core.test_mnist_test_files import write_mnist

LAPTOP = QRect(0, 0, 1280, 720)


def settle(qtbot) -> None:
    settle_all(qtbot, wait_ms=30)


@pytest.fixture
def window_in(started_app):
    """The app started as main() does in the given language, on a 1280×720 screen."""
    return lambda language: started_app(LAPTOP, language)


def _build(page) -> None:
    if isinstance(page, LazyPanel):
        page.ensure_built()


@pytest.mark.timeout(300)   # a long walk: about 40 s on a quiet machine, two short runs included
@pytest.mark.parametrize("language", ["en", "ko"])
def test_no_text_is_cut_off_at_1280_by_720(window_in, qtbot, monkeypatch, tmp_path, language):
    window = window_in(language)
    clipped: dict[str, list[str]] = {}

    def look(place: str, root) -> None:
        settle(qtbot)
        found = clipped_texts(root)
        if found:
            clipped[place] = found

    def every_tab_and_dock(when: str) -> None:
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            _build(window.tabs.widget(index))
            look(f"{when}, tab {window.tabs.tabText(index)!r}", window)
        for dock_id in list(window.parts.docks):
            window.parts.show_dock(dock_id)
            _build(window.parts.dock_page(dock_id))
            look(f"{when}, dock {dock_id}", window)

    look("first screen", window)
    every_tab_and_dock("before training")
    window.teaching.load_classic()                                  # Teach → the classic 2-2-2 example
    look("the classic 2-2-2 example", window)
    window.document.project.training.epochs = 30                    # XOR trained: results, curves, runs
    with qtbot.waitSignal(window.session.training_finished, timeout=60_000):
        window.train_action.trigger()
    every_tab_and_dock("after training")

    window.parts.show_dock("inspector")
    window.parts.show_dock("data")
    window.parts.show_dock("summary")
    for example in sorted(EXAMPLES_DIR.glob("*.nnstudio")):       # each example, each layer in the Inspector
        assert window.file_actions.open_path(example)
        window.session.reload_data()
        qtbot.waitUntil(lambda: window.session.data is not None or bool(window.session.data_error), timeout=30_000)
        for node_id in list(window.document.graph.nodes):
            window.canvas.select_only([node_id])
            look(f"{example.name}, layer {window.document.graph.nodes[node_id].name}", window)
        window.parts.show_dock("data")
        look(f"{example.name}, Data panel", window)
    window.parts.show_dock("inspector")
    for layer_type in LAYERS:                                       # every layer type the palette offers
        node_id = window.canvas.append_layer(layer_type)
        window.canvas.select_only([node_id])
        look(f"a new {layer_type} layer", window)

    for example in ("digits", "regression"):                       # ten classes; numbers: the richest results
        assert window.file_actions.open_path(EXAMPLES_DIR / f"{example}.nnstudio")
        window.document.project.training.epochs = 3
        window.parts.show_dock("training")
        with qtbot.waitSignal(window.session.training_finished, timeout=60_000):
            window.train_action.trigger()
            qtbot.waitSignal(window.session.epoch_finished, timeout=60_000).wait()
            look(f"{example} training", window)
        every_tab_and_dock(f"{example} trained")

    window.sharing.show_export_dialog()                             # File → Export…
    export = window.sharing.export_dialog
    qtbot.waitExposed(export)
    look("File → Export…", export)
    # As deep as students' folders are.
    deep = tmp_path / "my_course_work" / "week_04_multilayer_perceptrons" / "exports_for_the_assignment"
    deep.mkdir(parents=True)
    export.show_error = lambda title, text: pytest.fail(text)
    export.set_format("python")
    export.path_edit.setText(str(deep / "xor_network"))
    qtbot.mouseClick(export.export_button, Qt.MouseButton.LeftButton)
    look("File → Export…, after an export", export)
    look("the status bar after an export", window.statusBar())
    export.close()

    window.parts.show_dock("data")
    data_panel = window.parts.dock_page("data").ensure_built()
    mnist = MnistImportDialog(data_panel)                          # Data → MNIST files…, shown without blocking
    mnist.show()
    qtbot.waitExposed(mnist)
    look("MNIST import", mnist)
    mnist.show_found({}, deep)                                      # a folder without the files
    look("MNIST import, nothing found", mnist)
    paths = write_mnist(deep / "mnist", train=30, test=10, zipped=True)
    mnist.show_found(paths, deep / "mnist")
    look("MNIST import, all four files found", mnist)
    mnist.close()
    data_panel.ask_idx_source = lambda: {"kind": "idx", **{role: str(path) for role, path in paths.items()},
                                         "test_from_files": True}
    with qtbot.waitSignal(window.session.data_changed, timeout=30_000):
        assert data_panel.import_idx()
    look("Data panel with MNIST files", window)

    def look_instead_of_exec(box):                                 # the recovery question, read before it blocks
        box.show()
        qtbot.waitExposed(box)
        look("Restore unsaved work", box)
        box.close()
        return 0
    monkeypatch.setattr(QMessageBox, "exec", look_instead_of_exec)
    window.sharing.ask_restore(Recovery(path=Path(__file__), original_path=None,
                                        saved_at=time.time(), name="xor.nnstudio"))

    for lesson in LESSONS:
        window.teaching.start_lesson(lesson.id)
        look(f"lesson {lesson.id}", window)

    report = "\n".join(f"{place}:\n    " + "\n    ".join(found) for place, found in clipped.items())
    assert not clipped, f"text cut off in {language}:\n{report}"


def test_the_walk_finds_each_kind_of_cut_off_text(qtbot):
    """A button, check box, label, wrapped label, tab, group title, header section and choice each too small for
    its text are all reported; the same widgets with room are not."""
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    wrapped = QLabel("a sentence long enough to need three or four lines in a narrow label")
    wrapped.setWordWrap(True)
    tabs = QTabWidget()
    tabs.addTab(QWidget(), "Inspector")
    tabs.addTab(QWidget(), "Training")
    table = QTableWidget(1, 1)
    table.setHorizontalHeaderLabels(["Parameters"])
    combo = QComboBox()
    combo.addItems(["Standardise (mean 0, spread 1)"])
    widgets = [QPushButton("Export the network"), QCheckBox("Stop early"), QLabel("Learning rate"), wrapped, tabs,
               QGroupBox("Weights and biases"), table, combo]
    for widget in widgets:
        layout.addWidget(widget)
    page.show()
    qtbot.waitExposed(page)
    assert clipped_texts(page) == []
    for widget in widgets:
        widget.setFixedWidth(40)
    wrapped.setFixedHeight(20)
    table.setColumnWidth(0, 20)
    tabs.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
    tabs.tabBar().setUsesScrollButtons(False)
    QApplication.processEvents()
    found = "\n".join(clipped_texts(page))
    for text in ("'Export the network'", "'Stop early'", "'Learning rate'", "'a sentence long", "tab 'Inspector'",
                 "'Weights and biases'", "'Parameters'", "'Standardise (mean 0, spread 1)'"):
        assert text in found, f"{text} not reported in:\n{found}"
