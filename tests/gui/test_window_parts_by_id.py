"""Menus, docks and tabs are found by id, never by their visible text: a translated window still gets its parts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QMessageBox

from nnstudio.gui.contributions import Contribution, MenuSpec
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing
from nnstudio.gui.teaching.install import PLACES, install_teaching

GUI = Path(__file__).resolve().parents[2] / "nnstudio" / "gui"


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    yield window
    window.session.shutdown()


def translate(window: MainWindow) -> None:
    """What a translation does: every menu, submenu, dock and tab gets new words (and new '&' keys)."""
    def retitle(menu: QMenu) -> None:
        menu.setTitle(f"Übersetzt &{menu.objectName() or 'menu'}")
        for action in menu.actions():
            if action.menu() is not None:
                retitle(action.menu())

    for action in window.menuBar().actions():
        retitle(action.menu())
    for dock in window.findChildren(QDockWidget):
        dock.setWindowTitle(f"Übersetzt {dock.objectName()}")
    for index in range(window.tabs.count()):
        window.tabs.setTabText(index, f"Übersetzt {index}")


def entries(menu: QMenu) -> list[QAction]:
    return [action for action in menu.actions() if not action.isSeparator()]


def test_sharing_and_teaching_land_in_the_right_menus_of_a_translated_window(qtbot, window):
    # The window's menus as the menu bar holds them, in order (File, Edit, View), before anything is added.
    file_menu, edit_menu, view_menu = [action.menu() for action in window.menuBar().actions()]
    panels_menu = next(action.menu() for action in view_menu.actions() if action.menu() is not None)
    translate(window)
    sharing = install_sharing(window)
    teaching = install_teaching(window)
    window.show()
    qtbot.waitExposed(window)

    files = window.file_actions
    shown = entries(file_menu)
    # Save with Trained Weights… right after Save As…; the exports next, in their own group; Quit stays last.
    assert shown[shown.index(files.save_as_action) + 1] is sharing.bundles.save_bundle_action
    export_at = shown.index(sharing.export_action)
    assert shown[export_at:export_at + 3] == [sharing.export_action, sharing.bundles.save_weights_action,
                                              sharing.bundles.load_weights_action]
    assert file_menu.actions()[export_at + 1].isSeparator()  # a line between Save… and Export…
    assert shown[-1].menuRole() == QAction.MenuRole.QuitRole and file_menu.actions()[-2].isSeparator()
    assert sharing.export_action not in edit_menu.actions() + view_menu.actions()
    # The Code dock is listed under View → Panels and shares the model summary's place, which stays in front.
    assert sharing.code_dock.toggleViewAction() in panels_menu.actions()
    assert sharing.code_dock in window.tabifiedDockWidgets(window.summary_dock)
    assert window.summary_dock.visibleRegion().isEmpty() is False

    # Teaching adds two menus after the window's own, each with its own actions.
    menus = [action.menu() for action in window.menuBar().actions()]
    assert menus[:3] == [file_menu, edit_menu, view_menu] and len(menus) == 5
    teach, lessons = menus[3], menus[4]
    assert entries(teach) == [teaching.actions[key] for key in ("neurons", "stepper", "classic", "map", "xor",
                                                                  "diagnostics", "explain")]
    assert all(action.objectName().startswith("lesson_") for action in entries(lessons)) and len(entries(lessons)) == 7
    # Its docks share the places of the window's docks by id, whatever those are called now.
    assert teaching.docks["explain"] in window.tabifiedDockWidgets(window.inspector_dock)
    assert teaching.docks["diagnostics"] in window.tabifiedDockWidgets(window.issues_dock)

    # A lesson's "Show me" still finds every dock and tab of the translated window.
    for place, (kind, part_id) in PLACES.items():
        assert teaching.show_place(place), place
        if kind == "tab":
            assert window.tabs.currentWidget() is window.parts.tabs[part_id], place
        else:
            assert window.parts.docks[part_id].isVisible(), place
    teaching.actions["neurons"].trigger()   # Teach → Open the neuron view, clicked in the translated menu
    assert window.tabs.currentWidget() is teaching.neurons_tab


class Extra(Contribution):
    """A contribution with a menu of its own that also asks for a menu the window does not have."""

    id = "extra"

    def menu_specs(self):
        return [MenuSpec("tools", "&Tools")]

    def menu_actions(self):
        return {"tools": [QAction("Sort", self)], "help": [QAction("About", self)]}


def test_a_contribution_is_installed_once_and_an_unknown_menu_id_is_named(qtbot, window):
    first = install_sharing(window)
    assert install_sharing(window) is first and window.sharing is first
    assert len([a for a in entries(window.parts.menus["file"]) if a is first.export_action]) == 1
    menus = window.menuBar().actions()
    with pytest.raises(KeyError, match="'help'"):
        window.install(Extra(window))
    assert window.menuBar().actions() == menus and "extra" not in window.parts.contributions  # nothing half-placed


# ---------------------------------------------------------------- nothing looks parts up by their words

VISIBLE_TEXT_GETTERS = {"title", "tabText", "windowTitle"}     # a menu's, a tab's, a dock's words
ACTION_TEXT_GETTERS = {"text", "iconText"}                     # an action's words: flagged when it is a menu's
MENU_ACTION_SOURCES = {"actions", "menuAction", "menuBar", "toggleViewAction"}
REGISTRY_BYPASS = {"QMenu", "QDockWidget", "QTabWidget"}      # findChild for these bypasses the parts' ids


def _calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]


def _menu_loop_names(tree: ast.AST) -> set[str]:
    """Names bound by loops and comprehensions over a menu's actions (`for a in menu_bar.actions()`)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)) and any(
                call.func.attr in MENU_ACTION_SOURCES for call in _calls(node.iter)):
            names |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return names


def lookups_by_visible_text(source: str) -> list[int]:
    """Line numbers where code compares a menu's, dock's or tab's visible words, or finds one by findChild."""
    tree = ast.parse(source)
    loop_names = _menu_loop_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for call in _calls(node):
                receiver_calls = {c.func.attr for c in _calls(call.func.value)}
                receiver_names = {n.id for n in ast.walk(call.func.value) if isinstance(n, ast.Name)}
                if call.func.attr in VISIBLE_TEXT_GETTERS or (
                        call.func.attr == "replace" and call.args and isinstance(call.args[0], ast.Constant)
                        and call.args[0].value == "&") or (
                        call.func.attr in ACTION_TEXT_GETTERS
                        and (receiver_calls & MENU_ACTION_SOURCES or receiver_names & loop_names)):
                    found.append(node.lineno)
                    break
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in {"findChild", "findChildren"} and node.args \
                and isinstance(node.args[0], ast.Name) and node.args[0].id in REGISTRY_BYPASS:
            found.append(node.lineno)
    return found


OLD_WAYS = {  # the ways the window's parts were found before (issue 11), and two more a translation breaks
    "sharing's File menu by title": '''
def _find_menu(window, title):
    for action in window.menuBar().actions():
        menu = action.menu()
        if menu is not None and menu.title().replace("&", "") == title:
            return menu
''',
    "teaching's tab by its words": '''
for index in range(tabs.count()):
    if tabs.tabText(index).replace("&", "") == name:
        tabs.setCurrentIndex(index)
''',
    "a dock by findChild": 'dock = self.window.findChild(QDockWidget, name)\n',
    "a menu action by its words": 'teach = [a for a in window.menuBar().actions() if a.text() == "&Teach"]\n',
    "the Panels submenu by title": 'panels = next(a.menu() for a in view.actions() if a.menu().title() == "Panels")\n',
}
FINE_WAYS = {  # comparisons of words that are not looking up a part of the window
    "a table's header": 'if self.table.horizontalHeaderItem(c).text() == column:\n    pass\n',
    "a label's text": 'empty = self.status_label.text() == ""\n',
    "a child by object name": 'canvas = window.findChild(QGraphicsView, "canvas")\n',
    "stray tab bars": 'bars = [b for b in self.findChildren(QTabBar) if b.isVisible()]\n',
}


@pytest.mark.parametrize("way", sorted(OLD_WAYS))
def test_the_check_catches_each_way_of_finding_a_part_by_its_words(way):
    assert lookups_by_visible_text(OLD_WAYS[way]), way


@pytest.mark.parametrize("way", sorted(FINE_WAYS))
def test_the_check_leaves_other_comparisons_alone(way):
    assert lookups_by_visible_text(FINE_WAYS[way]) == [], way


def test_no_gui_code_finds_a_menu_dock_or_tab_by_its_visible_text():
    files = sorted(GUI.rglob("*.py"))
    assert len(files) > 50 and GUI / "main_window.py" in files and GUI / "sharing" / "install.py" in files
    found = {str(path.relative_to(GUI)): lines for path in files
             if (lines := lookups_by_visible_text(path.read_text(encoding="utf-8")))}
    assert found == {}


LIGHT_START = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from nnstudio.gui.app import compose
from nnstudio.gui.main_window import MainWindow
window = MainWindow()
compose(window)
window.show()
app.processEvents()
print(len(window.parts.contributions), sorted(m for m in ('numpy', 'pandas', 'pyqtgraph', 'sklearn', 'torch')
                                              if m in sys.modules))
"""


def test_the_composed_window_imports_nothing_heavy_before_its_panels_are_shown():
    """Contributions only place stand-ins: their panels (numpy, pyqtgraph, torch) come when first shown."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", LIGHT_START], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    # Sharing, Teaching, Experiments and TensorBoard's File → Export entry.
    assert done.stdout.split()[-1:] == ["[]"] and done.stdout.startswith("4 ")
