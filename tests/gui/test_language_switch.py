"""Choosing the language: --lang, the remembered choice and the system locale at start; View → Language switches at
once and keeps the project, unsaved edits, the undo history, a running training and the lesson step."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from nnstudio.core import i18n
from nnstudio.gui import app as app_module
from nnstudio.gui.app_settings import settings
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.language import apply_language, language_argument, startup_language, without_language_argument
from nnstudio.gui.main_window import MainWindow

TRAINING_TIMEOUT_MS = 60_000


@pytest.fixture
def english_after():
    """Windows are kept in app.WINDOWS (a switch deletes the old one, so pytest-qt must not close it later);
    afterwards the survivors close and the app speaks English again."""
    yield
    for window in app_module.WINDOWS:
        if shiboken6.isValid(window):
            window.session.shutdown()
            window.retired = True
            window.close()
            window.deleteLater()
    app_module.WINDOWS.clear()
    apply_language("en")


def composed_window(qtbot) -> MainWindow:
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    app_module.WINDOWS.append(window)
    window.resize(1200, 700)
    window.show()
    qtbot.waitExposed(window)
    app_module.compose(window)
    return window


def test_the_start_language_comes_from_lang_then_the_remembered_choice_then_the_system():
    assert language_argument(["main.py", "--lang", "ko"]) == "ko"
    assert language_argument(["main.py", "--lang=en", "x.nnstudio"]) == "en"
    assert without_language_argument(["main.py", "--lang", "ko", "x.nnstudio"]) == ["main.py", "x.nnstudio"]
    assert startup_language(["main.py", "--lang", "ko"], {"LANG": "C"}) == "ko"
    assert startup_language(["main.py"], {"LANG": "ko_KR.UTF-8"}) == "ko"
    assert startup_language(["main.py"], {"LANG": "C"}) == "en"
    settings().setValue("language", "ko")
    assert startup_language(["main.py"], {"LANG": "C"}) == "ko"          # View → Language was chosen before
    assert startup_language(["main.py", "--lang", "en"], {"LANG": "C"}) == "en"   # --lang wins


def test_switching_keeps_the_project_the_unsaved_edit_the_undo_history_and_a_running_training(qtbot, english_after):
    window = composed_window(qtbot)
    assert window.file_actions.open_path(EXAMPLES_DIR / "digits.nnstudio")
    window.session.reload_data()
    qtbot.waitUntil(lambda: window.session.data is not None, timeout=20_000)
    window.canvas.append_layer("Dropout")                 # an unsaved edit, one undo step
    nodes = set(window.document.graph.nodes)
    undo_steps = window.document.undo_stack.count()
    assert window.document.is_dirty and undo_steps >= 1
    window.document.project.training.epochs = 500          # a long run, stopped at the end of the test
    with qtbot.waitSignal(window.session.training_started, timeout=TRAINING_TIMEOUT_MS):
        window.train_action.trigger()
    session, document = window.session, window.document
    with qtbot.waitSignal(session.epoch_finished, timeout=TRAINING_TIMEOUT_MS):
        pass

    menu = window.findChild(object, "menu_view_language")
    korean = next(a for a in menu.actions() if a.objectName() == "language_ko")
    assert korean.text() == "한국어"
    korean.trigger()                                       # View → Language → 한국어
    new = app_module.WINDOWS[-1]
    assert new is not window and i18n.language() == "ko" and settings().value("language") == "ko"
    assert (new.pos(), new.size()) == (window.pos(), window.size())   # the same place, not a title bar lower
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "취소"   # Qt's own dialogs speak Korean
    assert new.document is document and new.session is session
    assert set(new.document.graph.nodes) == nodes and new.document.is_dirty and new.isWindowModified()
    assert new.document.undo_stack.count() == undo_steps
    assert session.is_training and new.stop_action.isEnabled()
    with qtbot.waitSignal(session.epoch_finished, timeout=TRAINING_TIMEOUT_MS):
        pass                                               # the run goes on, reported to the new window
    with qtbot.waitSignal(session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        new.stop_action.trigger()
    new.document.undo()                                    # the history came along
    assert set(new.document.graph.nodes) != nodes
    english = new.findChild(object, "menu_view_language").actions()[0]
    english.trigger()
    latest = app_module.WINDOWS[-1]
    assert i18n.language() == "en" and latest.document is document
    # The run that ended in the Korean window still shows: its progress line and its learning curves.
    assert "epoch" in latest.training_panel.progress_bar.format()
    assert latest.curves_panel.epochs
    assert not shiboken6.isValid(window) or window.isHidden()


def test_a_lesson_goes_on_at_the_same_step_in_the_other_language(qtbot, english_after):
    window = composed_window(qtbot)
    window.teaching.start_lesson("xor")
    runner = window.teaching.runner
    qtbot.waitUntil(lambda: runner.lesson is not None)
    runner.current = 1
    runner.check()
    step = runner.current
    new = app_module.switch_language(window, "ko")
    assert new.teaching.runner.lesson.id == "xor" and new.teaching.runner.current == step
    assert new.findChild(object, "lessonsRunner") is None or new.teaching.runner.isVisible()


def test_without_a_korean_font_the_student_is_told_which_package_to_install(qtbot, monkeypatch):
    from PySide6.QtGui import QFontDatabase

    from nnstudio.gui import language

    assert language.missing_font_message("ko") is None          # CI installs fonts-noto-cjk
    real, korean = QFontDatabase.families, QFontDatabase.WritingSystem.Korean
    monkeypatch.setattr(QFontDatabase, "families",
                        lambda system=QFontDatabase.WritingSystem.Any: [] if system == korean else real(system))
    message = language.missing_font_message("ko")
    assert message is not None and "fonts-noto-cjk" in message and "boxes" in message
    assert language.missing_font_message("en") is None          # Latin letters need no extra font
