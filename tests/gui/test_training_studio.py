"""The training studio used as a student would: press Train, watch, pause, stop, close, compare runs, export."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, qInstallMessageHandler
from PySide6.QtWidgets import QMessageBox

from nnstudio.core.settings import TrainingSettings
from nnstudio.gui.editing.commands import AddNode, SetProjectSettings
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.training.session import TRAINING_LOCK_MESSAGE

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "training_digits.png"
TRAINING_TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot):
    window = MainWindow()
    window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
    window.file_actions.show_error = lambda title, text: pytest.fail(f"unexpected error dialog: {text}")
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.session.shutdown()


def open_example(window: MainWindow, name: str) -> None:
    assert window.file_actions.open_path(EXAMPLES_DIR / f"{name}.nnstudio")


def type_into(qtbot, editor, text: str) -> None:
    """Select the field's text, type a new value and press Enter, as a person does."""
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def set_training(window: MainWindow, **changes) -> None:
    """Change training settings in one undo step (for values outside the panel's ranges, like lr 1e6)."""
    settings = TrainingSettings.from_dict(window.document.project.training.to_dict())
    for key, value in changes.items():
        if key.startswith("early_"):
            setattr(settings.early_stopping, key[len("early_"):], value)
        else:
            setattr(settings, key, value)
    assert window.document.push(SetProjectSettings(window.document, "training", settings))


def click(qtbot, window: MainWindow, name: str) -> None:
    button = window.findChild(object, name)
    assert button is not None and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def start_long_run(qtbot, window: MainWindow) -> None:
    """Digits for many epochs; returns once batches are coming in."""
    open_example(window, "digits")
    set_training(window, epochs=2000, early_enabled=False)
    with qtbot.waitSignal(window.session.progress, timeout=TRAINING_TIMEOUT_MS):
        click(qtbot, window, "trainButton")


# ---------------------------------------------------------------- a whole run

def test_train_xor_curves_accuracy_history_and_exports(qtbot, window, tmp_path):
    open_example(window, "xor")
    panel = window.training_panel
    type_into(qtbot, panel.editor("epochs"), "80")
    assert window.document.project.training.epochs == 80
    assert window.document.undo_stack.undoText() == "Change epochs"
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS) as finished:
        click(qtbot, window, "trainButton")
        assert window.tabs.currentWidget() is window.training_view  # pressing Train shows the curves
    result = finished.args[0]
    curves = window.curves_panel
    x, y = curves.loss_curve.getData()
    assert len(x) == len(y) == 80 == len(result.history.epochs)  # one point per epoch
    assert list(x[:3]) == [1, 2, 3]
    assert curves.batch_series.count == 80  # XOR is one batch of 4 rows per epoch
    assert result.test["xor"]["accuracy"] == 1.0
    assert "accuracy 1" in panel.status_label.text()
    assert panel.progress_bar.value() == panel.progress_bar.maximum()
    assert panel.findChild(object, "trainButton").isEnabled()
    assert window.document.edit_lock_reason is None

    # The run is in the history, the window says there are unsaved changes, undo does not erase it.
    runs = window.runs_panel
    assert len(window.document.project.runs) == 1 and runs.table.rowCount() == 1
    assert window.isWindowModified()
    window.document.undo_stack.undo()  # undoes the epochs change, not the run
    assert window.document.project.training.epochs == 300 and len(window.document.project.runs) == 1
    row = [runs.table.item(0, c).text() for c in range(runs.table.columnCount())]
    assert "Adam" in row and "80" in row and "finished" in row

    # Exports: a PNG of the curves and a CSV with a row per epoch.
    curves.ask_png_path = lambda: tmp_path / "curves.png"
    curves.ask_csv_path = lambda: tmp_path / "history.csv"
    click(qtbot, curves, "exportPngButton")
    click(qtbot, curves, "exportCsvButton")
    assert (tmp_path / "curves.png").stat().st_size > 1000
    rows = list(csv.reader((tmp_path / "history.csv").open()))
    assert rows[0][:3] == ["epoch", "loss", "val_loss"] and "accuracy" in rows[0]
    assert len(rows) == 81 and rows[1][0] == "1" and rows[-1][0] == "80"
    assert float(rows[-1][1]) == pytest.approx(result.history.logs["loss"][-1])

    # A second run makes a second row; ticking the first overlays it; both survive save and reopen.
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        set_training(window, epochs=20)
        click(qtbot, window, "trainButton")
    assert runs.table.rowCount() == 2
    runs.set_ticked(1, True)
    assert len(curves._overlay_items) >= 2  # dashed loss and val_loss of run 1
    assert window.file_actions.save_to(tmp_path / "xor_runs.nnstudio")
    assert not window.isWindowModified()
    other = MainWindow()
    qtbot.addWidget(other)
    assert other.file_actions.open_path(tmp_path / "xor_runs.nnstudio")
    assert other.runs_panel.table.rowCount() == 2
    saved = other.document.project.runs
    assert [r["epochs_run"] for r in saved] == [80, 20] and saved[0]["test"]["xor"]["accuracy"] == 1.0
    assert "confusion_matrix" not in saved[0]["test"]["xor"]


def test_curves_show_a_readable_empty_state_before_training(qtbot, window):
    window.tabs.setCurrentWidget(window.training_view)
    curves = window.curves_panel
    assert curves.stack.currentWidget() is curves.empty_label
    assert curves.empty_label.text() == "Press Train to see the network learn"
    assert not curves.csv_button.isEnabled()


# ---------------------------------------------------------------- control while training

def test_stop_ends_the_run_at_once_edits_are_refused_and_the_app_stays_usable(qtbot, window):
    start_long_run(qtbot, window)
    assert window.session.is_training
    # Editing the drawing is refused, and the status bar says why.
    graph = window.document.graph
    before = len(graph.nodes)
    assert not window.document.push(AddNode(graph, "Dense", (0.0, 0.0)))
    window.append_layer("Dropout")  # the palette's double-click path
    assert len(graph.nodes) == before
    assert window.statusBar().currentMessage() == TRAINING_LOCK_MESSAGE
    assert not window.training_panel.editor("epochs").isEnabled()

    # The run has 2,000 epochs (minutes) left: ending within seconds shows Stop acts at the next batch, not at the
    # end. The bound is loose on purpose: a machine busy with other work must not make this test fail.
    started = time.perf_counter()
    with qtbot.waitSignal(window.session.training_finished, timeout=10_000) as finished:
        click(qtbot, window, "stopButton")
    assert time.perf_counter() - started < 10.0
    assert len(finished.args[0].history.epochs) < 1000
    assert finished.args[0].history.stop_reason == "stopped"
    assert "stopped" in window.training_panel.status_label.text().lower()
    assert not window.session.is_training

    # Usable again: the edit goes through and a new run trains.
    assert window.document.push(AddNode(graph, "Dropout", (0.0, 300.0)))
    window.document.undo_stack.undo()
    set_training(window, epochs=2)
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS) as finished:
        click(qtbot, window, "trainButton")
    assert finished.args[0].history.stop_reason == "completed"
    assert len(window.document.project.runs) == 2


def test_pause_holds_training_and_resume_continues(qtbot, window):
    start_long_run(qtbot, window)
    progress: list[dict] = []
    window.session.progress.connect(progress.append)
    click(qtbot, window, "pauseButton")
    assert window.session.is_paused and window.training_panel.pause_button.text() == "Resume"
    qtbot.wait(300)  # whatever was already on its way arrives
    seen = len(progress)
    qtbot.wait(500)
    assert len(progress) == seen  # nothing moves while paused
    assert "(paused)" in window.training_panel.progress_bar.format()
    click(qtbot, window, "pauseButton")
    assert not window.session.is_paused
    qtbot.waitUntil(lambda: len(progress) > seen, timeout=5000)
    with qtbot.waitSignal(window.session.training_finished, timeout=2000):
        click(qtbot, window, "stopButton")


def test_closing_the_window_during_training_stops_it_cleanly(qtbot, window):
    messages: list[str] = []

    def record(kind, context, text):
        messages.append(text)

    previous = qInstallMessageHandler(record)
    try:
        start_long_run(qtbot, window)
        thread = window.session._thread
        assert thread is not None and thread.isRunning()
        assert window.close()
        assert not window.session.is_training
        qtbot.wait(100)
    finally:
        qInstallMessageHandler(previous)
    assert not [m for m in messages if "QThread" in m or "Destroyed" in m], messages


# ---------------------------------------------------------------- things going wrong

def test_a_nan_run_shows_the_reason(qtbot, window):
    open_example(window, "regression")
    set_training(window, learning_rate=1e6, epochs=5, early_enabled=False)
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS) as finished:
        click(qtbot, window, "trainButton")
    assert finished.args[0].history.stop_reason == "diverged"
    text = window.training_panel.status_label.text()
    assert "NaN" in text and "learning rate" in text
    assert window.document.edit_lock_reason is None
    assert window.document.project.runs[-1]["stop_reason"] == "diverged"


def test_train_without_data_says_what_to_do(qtbot, window):
    window.file_actions.new_action.trigger()
    with qtbot.waitSignal(window.session.training_failed) as failed:
        click(qtbot, window, "trainButton")
    assert "no data" in failed.args[0]
    assert "no data" in window.training_panel.status_label.text()
    assert not window.session.is_training and window.train_action.isEnabled()


def test_an_exception_in_the_worker_shows_message_and_details(qtbot, window, monkeypatch):
    from nnstudio.engine import pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(pipeline, "train_project", broken)
    open_example(window, "xor")
    shown: list[str] = []
    window.training_panel.show_details = shown.append
    with qtbot.waitSignal(window.session.training_failed, timeout=TRAINING_TIMEOUT_MS) as failed:
        click(qtbot, window, "trainButton")
    assert "the engine broke" in failed.args[0] and "Traceback" in failed.args[1]
    panel = window.training_panel
    assert "the engine broke" in panel.status_label.text()
    click(qtbot, panel, "trainingDetailsButton")
    assert shown and "RuntimeError" in shown[0]
    assert window.document.edit_lock_reason is None and not window.session.is_training


# ---------------------------------------------------------------- the settings form

def test_settings_form_shows_what_matters_and_undo_refreshes_it(qtbot, window):
    open_example(window, "iris")
    panel = window.training_panel
    combo = panel.editor("optimizer")
    assert not panel.editor("momentum").isVisibleTo(panel) and panel.editor("beta1").isVisibleTo(panel)
    combo.setCurrentIndex(combo.findData("momentum"))
    assert window.document.project.training.optimizer == "momentum"
    assert panel.editor("momentum").isVisibleTo(panel) and not panel.editor("beta1").isVisibleTo(panel)
    rate = panel.editor("learning_rate")
    rate.stepBy(1)  # 0.01 → 0.02 → on the 1-2-5 ladder
    assert window.document.project.training.learning_rate == pytest.approx(0.02)
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert combo.currentData() == "adam" and rate.value() == pytest.approx(0.01)


# ---------------------------------------------------------------- the picture in the README

def test_screenshot_of_digits_training(qtbot, window, tmp_path):
    """The window mid-training on digits; set NNSTUDIO_SCREENSHOTS=1 to refresh the one in docs/."""
    open_example(window, "digits")
    set_training(window, epochs=40, early_enabled=False)
    window.document.select([window.document.graph.node_by_name("hidden1").id])  # its weights and pictures live
    epochs: list[int] = []
    window.session.epoch_finished.connect(lambda epoch, logs: epochs.append(epoch))
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: len(epochs) >= 6, timeout=2 * TRAINING_TIMEOUT_MS)
    qtbot.wait(150)  # one more redraw tick
    image = window.grab()
    with qtbot.waitSignal(window.session.training_finished, timeout=5000):
        click(qtbot, window, "stopButton")
    assert image.width() == 1400 and image.height() == 900
    target = SCREENSHOT if os.environ.get("NNSTUDIO_SCREENSHOTS") else tmp_path / SCREENSHOT.name
    target.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(target))


def test_runs_table_sorts_by_a_clicked_column_as_numbers(qtbot, window):
    open_example(window, "xor")
    runs = window.document.project.runs
    for rate, seconds, accuracy in ((0.1, 12.5, 0.75), (0.01, 3.0, 1.0), (1.0, 100.0, 0.5)):
        runs.append({"when": "2026-11-29T10:00:00", "settings": {"optimizer": "adam", "learning_rate": rate,
                                                                 "batch_size": 4, "seed": 0},
                     "history": {"loss": [0.5]}, "epochs": [1], "test": {"xor": {"accuracy": accuracy}},
                     "epochs_run": 1, "stop_reason": "completed", "best_epoch": 1, "seconds": seconds})
    window.tabs.setCurrentWidget(window.training_view)
    panel = window.runs_panel
    panel.refresh()
    table = panel.table
    columns = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert {"Seed", "Best epoch", "Seconds"} <= set(columns)

    def column(name):
        index = columns.index(name)
        return [table.item(row, index).text() for row in range(table.rowCount())]

    assert column("#") == ["3", "2", "1"]  # newest first
    header = table.horizontalHeader()
    seconds = columns.index("Seconds")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().topLeft() + QPoint(header.sectionViewportPosition(seconds) + 5, 5))
    numeric = ["3.0", "12.5", "100.0"]  # as text, "100.0" would come first
    if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder:
        numeric.reverse()
    assert header.sortIndicatorSection() == seconds and column("Seconds") == numeric
    table.sortByColumn(columns.index("Learning rate"), Qt.SortOrder.AscendingOrder)
    assert column("Learning rate") == ["0.01", "0.1", "1"]
    panel.set_ticked(2, True)  # ticks follow the run, wherever its row went
    assert panel.ticked_numbers() == [2]


def test_a_run_saved_by_an_older_version_still_shows_and_overlays(qtbot, window):
    open_example(window, "xor")
    # Saved before runs kept their epoch list, their count of epochs and their seconds.
    window.document.project.runs.append({"when": "2025-03-01T08:30:00", "settings": {"optimizer": "sgd"},
                                         "history": {"loss": [0.7, 0.4, 0.2]}, "stop_reason": "completed"})
    window.tabs.setCurrentWidget(window.training_view)
    panel = window.runs_panel
    panel.refresh()
    table = panel.table
    columns = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    row = [table.item(0, c).text() for c in range(len(columns))]
    assert row[columns.index("Epochs")] == "3" and row[columns.index("Seconds")] == "—"
    assert row[columns.index("When")] == "2025-03-01 08:30" and row[columns.index("Loss")] == "0.2"
    curves = window.curves_panel   # built on first use
    panel.set_ticked(1, True)   # as a click on its box does: its curve goes behind the live ones
    lines = [item for plot, item in curves._overlay_items if plot is curves.loss_plot]
    assert len(lines) == 1 and list(lines[0].xData) == [1.0, 2.0, 3.0] and list(lines[0].yData) == [0.7, 0.4, 0.2]


def test_per_output_numbers_are_named_by_their_output():
    from nnstudio.gui.training.curve_data import metric_label, metric_names

    outputs = ["main_output", "aux_output", "main"]
    assert metric_label("main_output_r2", outputs) == "R² of main_output"
    assert metric_label("aux_output_loss", outputs) == "loss of aux_output"
    assert metric_label("main_mae", outputs) == "MAE of main"          # the longest output name that fits wins
    assert metric_label("accuracy", outputs) == "accuracy"
    keys = ["loss", "val_loss", "main_output_loss", "main_output_r2", "val_main_output_r2", "aux_output_r2"]
    assert metric_names(keys)[:2] == ["main_output_r2", "aux_output_r2"]  # R² before the per-output losses


def test_opening_another_project_shows_its_own_training_state(qtbot, window, tmp_path):
    """Iris trained, then another example opened: the panel says that one is not trained, not Iris's accuracy."""
    open_example(window, "iris")
    panel = window.training_panel
    type_into(qtbot, panel.editor("epochs"), "5")
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        click(qtbot, window, "trainButton")
    assert "Test accuracy" in panel.status_label.text()
    assert window.file_actions.save_to(tmp_path / "iris_trained.nnstudio")

    # File → Open Example → Wide & Deep (a regression model: it has no accuracy at all).
    wide_deep = next(a for a in window.file_actions.examples_menu.actions() if a.data().endswith("wide_deep.nnstudio"))
    wide_deep.trigger()
    assert window.document.project.title != "Iris" and not window.document.project.runs
    assert panel.status_label.text() == ""
    assert panel.progress_bar.format() == "Not trained yet" and panel.progress_bar.value() == 0

    # Reopened, the saved Iris project shows its own last run again.
    assert window.file_actions.open_path(tmp_path / "iris_trained.nnstudio")
    assert "Last saved run" in panel.status_label.text() and "Test accuracy" in panel.status_label.text()
    assert "5 epochs" in panel.progress_bar.format()
    window.file_actions.new_action.trigger()
    assert panel.status_label.text() == "" and panel.progress_bar.format() == "Not trained yet"
