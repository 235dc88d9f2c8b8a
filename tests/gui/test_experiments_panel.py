"""The Experiments panel, used as a student would: a 6-trial search, its results read, the best trial used and undone,
and the trials still there after the window is closed and the project opened again."""

import json
import math
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox
from settling import settle

from nnstudio.core.examples import EXAMPLES_DIR

TRIALS = 6


@pytest.fixture
def small_xor(tmp_path: Path) -> Path:
    """The XOR example saved in its own folder, trained for 2 epochs per trial so the study takes seconds."""
    raw = json.loads((EXAMPLES_DIR / "xor.nnstudio").read_text(encoding="utf-8"))
    raw["training"]["epochs"] = 2
    raw["training"]["early_stopping"] = {**raw["training"].get("early_stopping", {}), "enabled": False}
    hidden = next(node for node in raw["graph"]["nodes"] if node["name"] == "hidden")
    hidden["params"]["activation"] = "sigmoid"   # the search tries relu and tanh only: every trial differs
    path = tmp_path / "xor_study" / "xor.nnstudio"
    path.parent.mkdir()
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def open_experiments(window, qtbot, path: Path):
    assert window.file_actions.open_path(path)
    menu = window.parts.menus["experiments"]
    action = next(action for action in menu.actions() if action.objectName() == "tuneHyperparameters")
    action.trigger()
    experiments = window.parts.contributions["experiments"]
    qtbot.waitUntil(lambda: experiments.panel is not None and experiments.panel.isVisible(), timeout=10_000)
    settle(qtbot)
    return experiments.panel


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))


def type_number(qtbot, box, value: int) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, str(value))
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_a_student_runs_reads_and_uses_a_small_search(started_app, qtbot, small_xor, one_thread):
    window = started_app()
    panel = open_experiments(window, qtbot, small_xor)
    editor = panel.editor
    hidden = window.document.graph.node_by_name("hidden")

    # What may vary: the hidden layer's activation and the learning rate, nothing else.
    for key, row in editor.rows.items():
        if row.is_ticked():
            click(qtbot, row.tick)
    for key in (f"layer:{hidden.id}:activation", "training:learning_rate"):
        click(qtbot, editor.rows[key].tick)
    activation = editor.rows[f"layer:{hidden.id}:activation"]
    click(qtbot, activation.findChild(QCheckBox, f"choice_layer_{hidden.id}_activation_sigmoid"))
    assert activation.tick.text() == "activation of hidden: relu, tanh"
    editor.pruner.setCurrentIndex(editor.pruner.findData("none"))
    editor.strategy.setCurrentIndex(editor.strategy.findData("random"))
    type_number(qtbot, editor.trials, TRIALS)
    type_number(qtbot, editor.workers, 1)
    space = window.document.project.tuning
    assert [d.key for d in space.dimensions] == [f"layer:{hidden.id}:activation", "training:learning_rate"]
    assert (space.trials, space.workers, space.strategy) == (TRIALS, 1, "random")
    assert space.dimensions[0].choices == ("relu", "tanh")

    old_rate, old_activation = window.document.project.training.learning_rate, hidden.params["activation"]
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running and panel.model.rowCount() == TRIALS, timeout=240_000)
    assert panel.run_button.isEnabled() and not panel.stop_button.isEnabled()
    headers = [panel.model.headerData(c, Qt.Orientation.Horizontal) for c in range(panel.model.columnCount())]
    # The watched number comes right after the status, where a small window still shows it; then what varied.
    assert headers == ["Trial", "Status", "best val_loss", "activation of hidden", "learning rate", "Epochs", "Time"]
    assert all(panel.model.data(panel.model.index(r, 1)) == "finished" for r in range(TRIALS))

    # Sorted by the watched number: the best trial comes first.
    metric = panel.model.metric_column()
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(metric) + header.sectionSize(metric) // 2, 5))
    if header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(header.sectionViewportPosition(metric) + header.sectionSize(metric) // 2, 5))
    shown = [float(panel.sorter.index(r, metric).data()) for r in range(TRIALS)]
    assert shown == sorted(shown)

    # Tick the best trial: its learning curve is drawn.
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.sorter.index(0, 0))
    qtbot.keyClick(panel.table.viewport(), Qt.Key.Key_Space)
    best = panel.selected_trial()
    assert panel.model.ticked == {best.number}
    assert list(panel.curves.curves) == [best.number]
    x, y = panel.curves.curves[best.number].getData()
    assert len(y) == 2 and all(math.isfinite(v) for v in y)

    # What mattered: bars for both values and sentences in plain words.
    qtbot.waitUntil(lambda: len(panel.importance.shown) == 2, timeout=10_000)
    assert {name for name, _ in panel.importance.shown} == {"activation of hidden", "learning rate"}
    assert panel.summary.text().strip()
    assert len(panel.parallel.lines) == TRIALS

    # Use the best trial's settings: one undo step, shown in the Training panel and the Inspector.
    window.document.select([hidden.id])
    assert panel.use_button.isEnabled()
    steps = window.document.undo_stack.count()
    click(qtbot, panel.use_button)
    assert window.document.undo_stack.count() == steps + 1
    assert panel.status.text() == (f"The network and the training settings have trial {best.number}'s values now "
                                   "(Ctrl+Z takes them back).")
    new_rate, new_activation = best.params["training:learning_rate"], best.params[f"layer:{hidden.id}:activation"]
    assert new_activation != old_activation and new_rate != old_rate
    assert window.training_panel.learning_rate_box.value() == pytest.approx(new_rate)
    assert window.inspector.editor("activation").currentText() == new_activation
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.project.training.learning_rate == old_rate
    assert window.document.graph.node(hidden.id).params["activation"] == old_activation
    assert panel.status.text() == f"{TRIALS} trials finished."   # "…values now" is no longer true after Ctrl+Z
    assert window.training_panel.learning_rate_box.value() == pytest.approx(old_rate)
    assert window.inspector.editor("activation").currentText() == old_activation

    # Saved and closed: the study stays beside the project.
    window.file_actions.save_action.trigger()
    window.close()
    settle(qtbot)

    again = started_app()
    panel = open_experiments(again, qtbot, small_xor)
    qtbot.waitUntil(lambda: panel.model.rowCount() == TRIALS, timeout=20_000)
    assert sorted(row.number for row in panel.model.rows) == list(range(TRIALS))
    assert [key for key, row in panel.editor.rows.items() if row.is_ticked()] == \
        [f"layer:{hidden.id}:activation", "training:learning_rate"]

    # All six trials are there: Run says so instead of doing nothing (a walk saw that).
    click(qtbot, panel.run_button)
    assert not panel.runner.running
    assert panel.status.text() == "The experiment has its 6 trials already: raise the number of trials to run more."

    # Run goes on with the same study: two more trials, numbered after the first six.
    type_number(qtbot, panel.editor.trials, TRIALS + 2)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running and panel.model.rowCount() == TRIALS + 2, timeout=240_000)
    assert sorted(row.number for row in panel.model.rows) == list(range(TRIALS + 2))


def test_trials_show_up_while_the_study_runs_and_stop_ends_it(started_app, qtbot, tmp_path, one_thread,
                                                              monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = started_app()
    panel = open_experiments(window, qtbot, EXAMPLES_DIR / "xor.nnstudio")
    assert window.document.path is None   # an example: Run saves it first, where the student says
    mine = tmp_path / "mine.nnstudio"
    captions, answers = [], ["", str(mine)]   # Cancel first, then a file

    def save_dialog(parent, caption, start, file_filter, *rest, **kwargs):
        captions.append(caption)
        return answers.pop(0), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    editor = panel.editor
    type_number(qtbot, editor.trials, 500)   # far more than will run before Stop
    type_number(qtbot, editor.workers, 1)
    reason = "Save the project first: the experiment's trials are kept in a folder beside it."
    click(qtbot, panel.run_button)   # the dialog says why it opens; Cancel runs nothing and says so again
    assert captions == [reason] and panel.status.text() == reason
    assert window.document.path is None and not panel.runner.running
    click(qtbot, panel.run_button)
    assert captions == [reason, reason]
    assert panel.stop_button.isEnabled() and not panel.run_button.isEnabled()
    assert window.document.path == mine and mine.exists()

    # The table fills while the study runs: the window reads the study as trials finish.
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 2, timeout=120_000)
    assert panel.runner.running
    click(qtbot, panel.stop_button)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=60_000)
    assert panel.run_button.isEnabled() and not panel.stop_button.isEnabled()
    assert 2 <= panel.model.rowCount() < 500
    # Every trial of the table counted, and how each ended; the stop said first.
    rows = panel.model.rows
    finished = sum(row.state == "COMPLETE" for row in rows)
    counted = sum(not row.interrupted for row in rows)   # interrupted trials are named apart, after the count
    assert finished >= 1 and panel.status.text().startswith(f"Stopped. {counted} trials")
    assert f"{finished} finished" in panel.status.text() or panel.status.text().startswith(
        f"Stopped. {counted} trials finished.")
