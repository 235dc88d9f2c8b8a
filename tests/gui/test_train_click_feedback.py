"""The first Train click shows "Starting…" and greys out Train at once, before PyTorch is loaded (seconds)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt

from nnstudio.core.project import Project
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from tests.gui.teaching_window import open_teaching_window


class PaintedTexts(QObject):
    """Records the progress bar's text each time it is painted."""

    def __init__(self, bar) -> None:
        super().__init__(bar)
        self.bar, self.texts = bar, []
        bar.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.texts.append(self.bar.format())
        return False


def test_train_says_starting_before_the_run_is_set_up(qtbot, monkeypatch):
    window = open_teaching_window(qtbot)
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    window.training_dock.show()
    window.training_dock.raise_()
    panel = window.training_panel
    qtbot.waitExposed(panel.progress_bar)
    assert panel.progress_bar.format() == "Not trained yet"
    painted = PaintedTexts(panel.progress_bar)

    seen_when_starting = []
    start = window.session.start

    def slow_start():  # what the student sees while the run is being set up (torch imported, the model built)
        seen_when_starting.append((panel.progress_bar.format(), panel.train_button.isEnabled(), list(painted.texts)))
        return start()

    monkeypatch.setattr(window.session, "start", slow_start)
    with qtbot.waitSignal(window.session.training_finished, timeout=120_000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    text, train_enabled, painted_before = seen_when_starting[0]
    assert text == "Starting…" and not train_enabled
    assert "Starting…" in painted_before  # on the screen already, not only set
    window.session.shutdown()


def test_a_run_that_cannot_start_leaves_no_starting_behind(qtbot):
    window = open_teaching_window(qtbot)
    window.document.replace_project(Project())  # an empty project: nothing to train
    panel = window.training_panel
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert panel.progress_bar.format() != "Starting…" and panel.train_button.isEnabled()
    assert "no data" in panel.status_label.text()
