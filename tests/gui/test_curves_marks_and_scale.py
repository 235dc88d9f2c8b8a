"""The curves read as a student reads them: the best and stopped marks on their epochs, the loss on a log axis."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from nnstudio.core.settings import TrainingSettings
from nnstudio.engine.history import History
from nnstudio.engine.pipeline import RunResult
from nnstudio.gui.editing.commands import SetProjectSettings
from nnstudio.gui.editing.document import Document
from nnstudio.gui.training.curves_panel import CurvesPanel
from nnstudio.gui.training.session import TrainingSession

# A crafted run watched by early stopping on val_accuracy with patience 2: the accuracy is best at epoch 3 and
# does not beat it in epochs 4 and 5, so the run stops after epoch 5. The validation loss keeps falling until
# epoch 5, so a mark that followed the loss would say 5.
LOGS = [
    {"loss": 1.0, "accuracy": 0.50, "val_loss": 1.10, "val_accuracy": 0.50},
    {"loss": 0.1, "accuracy": 0.70, "val_loss": 0.90, "val_accuracy": 0.70},
    {"loss": 0.01, "accuracy": 0.90, "val_loss": 0.80, "val_accuracy": 0.90},
    {"loss": 0.005, "accuracy": 0.92, "val_loss": 0.70, "val_accuracy": 0.85},
    {"loss": 0.001, "accuracy": 0.95, "val_loss": 0.60, "val_accuracy": 0.90},
]


@pytest.fixture
def curves(qtbot):
    document = Document()
    session = TrainingSession(document)
    settings = TrainingSettings.from_dict(document.project.training.to_dict())
    settings.epochs = 20
    settings.early_stopping.enabled = True
    settings.early_stopping.monitor = "val_accuracy"
    settings.early_stopping.patience = 2
    assert document.push(SetProjectSettings(document, "training", settings))
    panel = CurvesPanel(document, session)
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    qtbot.waitExposed(panel)
    yield panel
    session.shutdown()


def play_epochs(panel: CurvesPanel, logs: list[dict]) -> None:
    """What the worker sends through the session, epoch after epoch (the session's timer then says redraw)."""
    session = panel.session
    for epoch, row in enumerate(logs, start=1):
        session.epoch_finished.emit(epoch, row)
        session.refreshed.emit()


def mark_epochs(markers) -> list[float | None]:
    """Where each vertical mark is drawn (its x in epochs), None for a hidden one."""
    return [marker.line.line().x1() if marker.isVisible() else None for marker in markers]


def test_best_and_stopped_marks_land_on_the_watched_epochs(qtbot, curves):
    curves.session.training_started.emit()
    play_epochs(curves, LOGS[:4])
    # During the run: best so far is epoch 3 by val_accuracy (the loss plot would put it at 4).
    assert mark_epochs(curves.best_lines) == [3.0, 3.0]
    assert mark_epochs(curves.stop_lines) == [None, None]
    play_epochs(curves, LOGS[4:])
    assert mark_epochs(curves.best_lines) == [3.0, 3.0]  # 0.90 again at epoch 5 is no improvement
    history = History(stop_reason="early_stopping", best_epoch=3)
    for epoch, row in enumerate(LOGS, start=1):
        history.record(epoch, row)
    curves.session.training_finished.emit(RunResult(history=history))
    assert mark_epochs(curves.best_lines) == [3.0, 3.0]
    assert mark_epochs(curves.stop_lines) == [5.0, 5.0]
    # The marks span what the plot shows, so the student sees them: bottom to top of the view.
    bottom, top = curves.loss_plot.viewRange()[1]
    line = curves.best_lines[0].line.line()
    assert (line.y1(), line.y2()) == pytest.approx((bottom, top))


def test_a_watched_loss_marks_its_lowest_epoch(qtbot, curves):
    settings = TrainingSettings.from_dict(curves.document.project.training.to_dict())
    settings.early_stopping.monitor = "val_loss"
    assert curves.document.push(SetProjectSettings(curves.document, "training", settings))
    curves.session.training_started.emit()
    play_epochs(curves, LOGS)
    assert mark_epochs(curves.best_lines) == [5.0, 5.0]


def test_log_scale_box_makes_the_loss_axis_logarithmic_and_back(qtbot, curves):
    curves.session.training_started.emit()
    play_epochs(curves, LOGS[:3])
    loss_axis = curves.loss_plot.getAxis("left")
    assert not loss_axis.logMode
    qtbot.mouseClick(curves.log_check, Qt.MouseButton.LeftButton)
    assert curves.log_check.isChecked() and loss_axis.logMode
    # The values are kept as they are; the drawn points sit at their powers of ten, so the axis reads 1, 0.1, 0.01.
    assert list(curves.loss_curve.yData) == [1.0, 0.1, 0.01]
    drawn = curves.loss_curve.items()[0].path()
    heights = [drawn.elementAt(i).y for i in range(drawn.elementCount())]
    assert heights == pytest.approx([0.0, -1.0, -2.0])
    bottom, top = curves.loss_plot.viewRange()[1]
    assert bottom <= -2.0 and top >= math.log10(1.1) and top - bottom < 10  # in powers of ten, all in view
    assert loss_axis.tickStrings([-2.0, -1.0, 0.0], 1.0, 1.0) == ["0.01", "0.1", "1"]
    qtbot.mouseClick(curves.log_check, Qt.MouseButton.LeftButton)
    assert not curves.log_check.isChecked() and not loss_axis.logMode
    drawn = curves.loss_curve.items()[0].path()
    assert [drawn.elementAt(i).y for i in range(drawn.elementCount())] == pytest.approx([1.0, 0.1, 0.01])
    bottom, top = curves.loss_plot.viewRange()[1]
    assert bottom <= 0.01 and 1.1 <= top < 10
