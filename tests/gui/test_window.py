"""The whole editor window, used as a student would: palette to canvas, inspector, summary, issues, files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from canvas_driving import double_click_palette
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from nnstudio.core.analysis import ERROR
from nnstudio.core.project import load_project
from nnstudio.gui import app as app_module
from nnstudio.gui.editing.commands import (
    AddNode,
    AutoLayout,
    Connect,
    MoveNodes,
    Paste,
    RemoveItems,
    Rename,
    SetParam,
)
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR, example_files
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.panels.issues_panel import NO_PROBLEMS

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "main_window_wide_deep.png"


class Prompts:
    """Stands in for the dialogs: records errors and answers the unsaved-changes question."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.questions = 0
        self.answer = QMessageBox.StandardButton.Discard

    def ask(self) -> QMessageBox.StandardButton:
        self.questions += 1
        return self.answer

    def error(self, title: str, text: str) -> None:
        self.errors.append(text)


def make_window(qtbot) -> tuple[MainWindow, Prompts]:
    window = MainWindow()
    prompts = Prompts()
    window.file_actions.ask_unsaved_changes = prompts.ask
    window.file_actions.show_error = prompts.error
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, prompts


@pytest.fixture
def window_and_prompts(qtbot):
    return make_window(qtbot)


@pytest.fixture
def window(window_and_prompts):
    return window_and_prompts[0]


def open_example(window: MainWindow, name: str) -> None:
    assert window.file_actions.open_path(EXAMPLES_DIR / f"{name}.nnstudio")


def drop_layer(window: MainWindow, type_name: str, at: QPoint) -> None:
    """Deliver the drag a palette entry produces to the canvas, as the mouse would."""
    mime = window.palette_panel.mime_data_for(type_name)
    viewport = window.canvas.viewport()
    actions = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at, actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted(), "the canvas refused the palette's drag"
    QApplication.sendEvent(viewport, QDragMoveEvent(at, actions, mime, buttons, keys))
    drop = QDropEvent(QPointF(at), actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, drop)


def node_tooltips(window: MainWindow, node_id: str) -> str:
    item = window.canvas.node_item(node_id)
    texts = [item.toolTip()] + [child.toolTip() for child in item.childItems()]
    return "\n".join(texts)


def node_of_type(window: MainWindow, type_name: str) -> str:
    ids = [n.id for n in window.document.graph.nodes.values() if n.type == type_name]
    assert len(ids) == 1, ids
    return ids[0]


# ---------------------------------------------------------------- layout of the window

def test_window_has_the_named_parts(window):
    for name in ("palette", "canvas", "inspector", "summaryTable", "issuesList"):
        assert window.findChild(object, name) is not None, name
    assert window.windowTitle().startswith("Untitled")
    assert window.undo_action.text() == "&Undo"
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View"]
    assert len(window.file_actions.examples_menu.actions()) == len(example_files()) >= 6


def test_titles_and_file_names_with_an_ampersand_show_it_in_the_menus(window, tmp_path):
    """Qt reads a lone '&' as a shortcut marker: File → Open Example showed 'Wide _Deep' (a student walk-through)."""
    shown = [a.text().replace("&&", "&") for a in window.file_actions.examples_menu.actions()]
    assert "Wide & Deep with two outputs" in shown
    assert all("&" not in a.text().replace("&&", "") for a in window.file_actions.examples_menu.actions())
    project = tmp_path / "rock & roll.nnstudio"
    assert window.file_actions.save_to(project)
    window.file_actions._fill_recent_menu()
    texts = [a.text() for a in window.file_actions.recent_menu.actions()]
    assert "rock && roll.nnstudio" in texts


def test_toolbar_says_undo_and_redo_while_the_menu_names_the_step(qtbot, window):
    window.show()
    window.document.push(AutoLayout(window.document.graph))
    assert window.undo_action.text().startswith("&Undo ") and len(window.undo_action.text()) > len("&Undo ")
    for action, word in ((window.undo_action, "Undo"), (window.redo_action, "Redo")):
        assert window.toolbar.widgetForAction(action).text() == word


# ---------------------------------------------------------------- building networks

def test_drag_dense_from_palette_onto_canvas(qtbot, window):
    drop_layer(window, "Dense", QPoint(300, 200))
    nodes = list(window.document.graph.nodes.values())
    assert [n.type for n in nodes] == ["Dense"]
    dropped_at = window.canvas.mapToScene(QPoint(300, 200))
    x, y = nodes[0].position
    assert abs(x - dropped_at.x()) < 200 and abs(y - dropped_at.y()) < 200  # near the mouse
    assert window.document.undo_stack.undoText().startswith("Add Dense")


def test_double_clicks_build_a_sequential_model_with_keras_counts(qtbot, window):
    for type_name in ("Input", "Dense", "Dense", "Output"):
        double_click_palette(qtbot, window, type_name)
    graph = window.document.graph
    assert [n.type for n in graph.nodes.values()] == ["Input", "Dense", "Dense", "Output"]
    assert len(graph.edges) == 3  # each appended layer is wired to the one before
    ids = list(graph.nodes)
    for node_id, key, value in ((ids[0], "shape", "784"), (ids[1], "units", 300), (ids[2], "units", 100),
                                (ids[3], "units", 10)):
        window.document.select([node_id])
        editor = window.inspector.editor(key)
        if isinstance(value, str):
            editor.setText(value)
            editor.editingFinished.emit()
        else:
            editor.setValue(value)
    summary = window.summary
    assert [summary.cell_text(r, 3) for r in range(4)] == ["0", "235,500", "30,100", "1,010"]
    assert "266,610" in summary.totals.text()
    assert window.issues.messages() == [NO_PROBLEMS]


def test_an_error_shows_in_the_issues_list_and_on_the_node(qtbot, window):
    for type_name in ("Input", "Dense", "Output"):
        double_click_palette(qtbot, window, type_name)
    input_id, dense_id = list(window.document.graph.nodes)[:2]
    window.document.select([input_id])
    shape = window.inspector.editor("shape")
    shape.setText("28×28")
    shape.editingFinished.emit()
    message = next(m for m in window.issues.messages() if "expects a flat vector" in m)
    assert "28×28" in message and "Flatten" in message
    assert message in node_tooltips(window, dense_id)
    assert window.issues_dock.windowTitle().startswith("Issues (")
    # Clicking the issue selects the layer it is about.
    row = window.issues.messages().index(message)
    window.issues.itemClicked.emit(window.issues.item(row))
    assert window.document.selected_ids == [dense_id]


def test_inspector_edit_updates_node_and_summary(qtbot, window):
    open_example(window, "xor")
    hidden = node_of_type(window, "Dense")
    window.document.select([hidden])
    units = window.inspector.editor("units")
    units.setFocus()
    units.selectAll()
    qtbot.keyClicks(units, "12")
    assert window.document.graph.node(hidden).params["units"] == 12
    assert "12 units" in node_tooltips(window, hidden)
    row = window.document.analysis.order.index(hidden)
    assert window.summary.cell_text(row, 3) == "36"  # 2*12 weights + 12 biases
    name = window.inspector.name_edit
    name.setText("hidden_layer")
    name.editingFinished.emit()
    assert window.document.graph.node(hidden).name == "hidden_layer"
    assert window.summary.cell_text(row, 0) == "hidden_layer"
    assert window.isWindowModified()


def test_ten_edits_undo_to_the_file_and_redo_to_the_end(qtbot, window):
    open_example(window, "wide_deep")
    document, graph = window.document, window.document.graph
    opened = graph.to_dict()
    hidden1 = graph.node_by_name("hidden1").id
    concat = graph.node_by_name("concat").id
    aux = graph.node_by_name("aux_output").id
    drop_layer(window, "Dropout", QPoint(200, 150))                              # 1 add by drag
    dropout = node_of_type(window, "Dropout")
    document.push(SetParam(graph, dropout, "rate", 0.5))                           # 2
    document.push(Rename(graph, hidden1, "deep1"))                                 # 3
    document.push(SetParam(graph, hidden1, "units", 64))                           # 4
    document.push(MoveNodes(graph, {aux: (graph.node(aux).position, (900.0, 400.0))}))  # 5
    document.push(SetParam(graph, concat, "inputs", 3))                            # 6
    document.push(Connect(graph, dropout, "out", concat, "in3"))                   # 7 (dropout still unfed)
    document.push(Paste(graph, graph.subgraph_dict([hidden1])))                    # 8
    document.push(RemoveItems(graph, [aux]))                                       # 9
    document.push(AutoLayout(graph))                                               # 10
    final = graph.to_dict()
    assert document.undo_stack.count() == 10
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    assert graph.to_dict() == opened
    assert not window.isWindowModified()
    while document.undo_stack.canRedo():
        document.undo_stack.redo()
    assert graph.to_dict() == final
    assert window.document.undo_stack.undoText() == "Auto-layout"


# ---------------------------------------------------------------- files

def test_save_and_reopen_in_a_new_window(qtbot, window, tmp_path):
    open_example(window, "digits")
    window.document.push(AddNode(window.document.graph, "Dropout", (50.0, 300.0)))
    assert window.isWindowModified() and "[*]" in window.windowTitle()
    assert window.windowTitle() == "digits.nnstudio[*] — NN Studio"
    window.file_actions.ask_save_path = lambda: tmp_path / "mine.nnstudio"
    window.file_actions.save_action.trigger()  # an example has no path yet: Save asks where
    assert (tmp_path / "mine.nnstudio").is_file()
    assert not window.isWindowModified()
    assert window.windowTitle() == "mine.nnstudio[*] — NN Studio"
    other, prompts = make_window(qtbot)
    assert other.file_actions.open_path(tmp_path / "mine.nnstudio")
    assert other.document.graph.to_dict() == window.document.graph.to_dict()
    assert tmp_path / "mine.nnstudio" in [p for p in other.file_actions.recent_files()]
    assert prompts.errors == []


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.nnstudio")), ids=lambda p: p.stem)
def test_every_example_opens_without_errors(qtbot, window_and_prompts, path):
    window, prompts = window_and_prompts
    assert window.file_actions.open_path(path)
    assert prompts.errors == []
    errors = [i.message for i in window.document.analysis.issues if i.severity == ERROR]
    assert errors == []
    # Warnings may only be about the data, which these tests do not load.
    for message in window.issues.messages():
        assert message == NO_PROBLEMS or "data" in message, message
    assert window.summary.table.rowCount() == len(window.document.graph.nodes)
    assert window.canvas.scene() is not None and len(window.canvas.scene().node_items) == len(
        window.document.graph.nodes)


def test_unsaved_changes_ask_before_closing(qtbot, window_and_prompts):
    window, prompts = window_and_prompts
    open_example(window, "iris")
    drop_layer(window, "Dense", QPoint(250, 250))
    prompts.answer = QMessageBox.StandardButton.Cancel
    assert not window.close()
    assert window.isVisible() and prompts.questions == 1
    assert len(window.document.graph.nodes) == 4  # nothing lost
    prompts.answer = QMessageBox.StandardButton.Discard
    assert window.close()
    assert not window.isVisible() and prompts.questions == 2


def test_new_with_unsaved_changes_cancel_keeps_everything(qtbot, window_and_prompts):
    window, prompts = window_and_prompts
    open_example(window, "iris")
    drop_layer(window, "Dense", QPoint(250, 250))
    before = window.document.graph.to_dict()
    prompts.answer = QMessageBox.StandardButton.Cancel
    window.file_actions.new_action.trigger()
    assert window.document.graph.to_dict() == before and window.isWindowModified()
    prompts.answer = QMessageBox.StandardButton.Discard
    window.file_actions.new_action.trigger()
    assert window.document.graph.nodes == {} and not window.isWindowModified()


def test_a_broken_file_shows_why_and_keeps_the_project(qtbot, window_and_prompts, tmp_path):
    window, prompts = window_and_prompts
    open_example(window, "xor")
    before = window.document.graph.to_dict()
    broken = tmp_path / "broken.nnstudio"
    broken.write_text('{"format": "nnstudio-project", "version": 1, "graph": {"nodes": [{"id": 3}]}}')
    assert not window.file_actions.open_path(broken)
    assert len(prompts.errors) == 1 and "broken.nnstudio" in prompts.errors[0]
    assert window.document.graph.to_dict() == before
    assert window.windowTitle().startswith("xor.nnstudio")


def test_a_project_file_dropped_on_the_window_opens(qtbot, window):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(EXAMPLES_DIR / "iris.nnstudio"))])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(20, 20), *args)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(QPointF(20, 20), *args))
    assert window.document.project.title == load_project(EXAMPLES_DIR / "iris.nnstudio").title


def test_a_bad_command_line_path_opens_the_example_and_says_why(tmp_path):
    project, error = app_module._first_project(tmp_path / "missing.nnstudio")
    assert error and "does not exist" in error
    assert len(project.graph.nodes) >= 3
    project, error = app_module._first_project(None)
    assert error is None and project.title


MAIN_WITH_BAD_PATH = """
import sys
from PySide6.QtWidgets import QApplication
from nnstudio.gui import app as app_module
from nnstudio.gui.editing.file_actions import FileActions
from nnstudio.gui.main_window import MainWindow
shown = []
FileActions.show_error = lambda self, title, text: shown.append(text)
code = app_module.main(["main.py", sys.argv[1]])
windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
for _ in range(50):  # the dialog comes just after the first paint
    QApplication.processEvents()
import json
print(json.dumps({"code": code, "windows": len(windows), "title": windows[0].windowTitle(),
                  "nodes": len(windows[0].document.graph.nodes), "dialog": shown[0] if shown else ""}))
"""


def test_main_with_a_bad_path_shows_the_example_and_a_dialog(tmp_path):
    """A real start with a file that does not exist: the example opens and a dialog says why.

    In a separate process: main() runs and quits the application's event loop, which would leave the
    test process's own loop unusable for the tests after it."""
    import subprocess
    import sys
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env[app_module.QUIT_AFTER_PAINT_ENV] = "1"  # main() returns after the first paint
    done = subprocess.run([sys.executable, "-c", MAIN_WITH_BAD_PATH, str(tmp_path / "nowhere.nnstudio")],
                          capture_output=True, text=True, cwd=EXAMPLES_DIR.parents[1], timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    import json
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0 and seen["windows"] == 1 and seen["title"].startswith("xor.nnstudio")
    assert seen["nodes"] >= 3
    assert "does not exist" in seen["dialog"] and "example" in seen["dialog"]


# ---------------------------------------------------------------- the picture in the README

def test_screenshot_of_wide_and_deep(qtbot, window, tmp_path):
    """Renders the window at 1400×900; set NNSTUDIO_SCREENSHOTS=1 to refresh the one in docs/."""
    from nnstudio.gui.sharing import install_sharing
    from nnstudio.gui.teaching.install import install_teaching
    window.resize(1400, 900)
    install_sharing(window)  # the whole window, with the menus app.main adds after the first paint
    install_teaching(window)
    open_example(window, "wide_deep")
    # As a student sees it: once the data has loaded, the "no data chosen yet" warnings are gone.
    ses = window.session
    try:
        qtbot.waitUntil(lambda: window.session.data is not None and not window.document.analysis.issues,
                        timeout=10_000)
    except Exception:
        raise AssertionError((ses._loading_held, ses._load_wanted, ses._reload_timer.isActive(), ses.is_training, getattr(ses, "_reload_after_training", None), ses.data_error))
    window.document.select([window.document.graph.node_by_name("hidden1").id])
    qtbot.wait(50)
    window.canvas.fit_to_view()
    image = window.grab()
    assert image.width() == 1400 and image.height() == 900
    target = SCREENSHOT if os.environ.get("NNSTUDIO_SCREENSHOTS") else tmp_path / SCREENSHOT.name
    target.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(target))


FLOATING_TAB_BARS = """
from PySide6.QtWidgets import QApplication, QTabBar
app = QApplication([])
from nnstudio.gui.main_window import MainWindow
window = MainWindow()
window.resize(1400, 900)
window.show()
for _ in range(20):
    app.processEvents()
central = window.centralWidget().geometry()
print(sum(1 for bar in window.findChildren(QTabBar)
          if bar.parent() is window and bar.isVisible() and central.intersects(bar.geometry())))
"""


def test_no_stray_tab_bar_floats_over_the_canvas():
    """Qt leaves a stale dock tab bar behind when docks are tabified; it must not show over the canvas.

    In a fresh process, as a user starts the app (inside pytest-qt's application the stale bar does not
    appear, so this would pass without the fix)."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", FLOATING_TAB_BARS], capture_output=True, text=True,
                          cwd=EXAMPLES_DIR.parents[1], timeout=120,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "0"
