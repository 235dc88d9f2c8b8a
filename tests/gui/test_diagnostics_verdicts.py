"""The diagnostics panel shows one verdict that follows from the run's numbers, fed crafted runs as a student's."""

from __future__ import annotations

from teaching_window import open_teaching_window

from nnstudio.engine.training import History
from nnstudio.gui.teaching.diagnostics_panel import HEALTHY, HEALTHY_WITHOUT_VALIDATION

OVERFIT_LOSS = [1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05]
OVERFIT_VAL_LOSS = [1.0, 0.7, 0.5, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]


def crafted(**series) -> History:
    history = History()
    for epoch, values in enumerate(zip(*series.values()), start=1):
        history.record(epoch, dict(zip(series, values)))
    return history


def open_panel(qtbot, example: str = "xor"):
    window = open_teaching_window(qtbot, example)
    window.teaching.actions["diagnostics"].trigger()   # Teach → Diagnostics, as the student opens it
    return window, window.teaching.diagnostics


def shown_text(panel) -> str:
    return panel.status_label.text() + "\n" + (panel.view.toPlainText() if panel.view.isVisibleTo(panel) else "")


def test_four_rows_validating_on_themselves_show_no_overfitting_while_training(qtbot):
    """The XOR table's four rows are its training and its validation rows: a rising validation curve there is
    no evidence of overfitting, and the panel says a separate validation set is needed."""
    window, panel = open_panel(qtbot)
    session = window.session
    assert session.data.prepared.validation is session.data.prepared.train
    session.training_started.emit()
    for epoch, (loss, val_loss) in enumerate(zip(OVERFIT_LOSS, OVERFIT_VAL_LOSS), start=1):
        session.epoch_finished.emit(epoch, {"loss": loss, "val_loss": val_loss})
    text = shown_text(panel)
    assert "Overfitting from epoch" not in text and "by heart" not in text
    assert "Overfitting cannot be told without a separate validation set" in text
    assert "A separate validation set is needed" in text


def test_a_negative_r2_reads_as_worse_than_the_average(qtbot):
    _, panel = open_panel(qtbot)
    panel.show_history(crafted(loss=[9.0, 8.5, 8.2, 8.0], r2=[-3.5, -3.3, -3.1, -3.04]))
    text = shown_text(panel)
    assert "-3.04" in text and "worse than simply predicting the average" in text
    assert "barely beats" not in text


def test_one_learning_rate_verdict_never_both_directions(qtbot):
    _, panel = open_panel(qtbot)
    jumpy = crafted(loss=[1.0, 1.3, 0.95, 1.2, 0.9, 1.25, 0.92, 1.1],
                    accuracy=[0.4, 0.35, 0.4, 0.38, 0.42, 0.36, 0.4, 0.37])
    panel.show_history(jumpy, baseline_accuracy=0.34, learning_rate=1.0)
    text = shown_text(panel)
    assert panel.status_label.text() == "1 thing to look at."
    assert "Lower the learning rate about 10× (to 0.1)" in text
    assert "raise the learning rate" not in text.lower() and "Underfitting" not in text


def test_healthy_without_separate_validation_does_not_claim_no_overfitting(qtbot):
    _, panel = open_panel(qtbot)
    panel.show_history(crafted(loss=[1.0, 0.6, 0.4, 0.3, 0.25, 0.2]), validation="training")
    assert panel.status_label.text() == HEALTHY_WITHOUT_VALIDATION
    panel.show_history(crafted(loss=[1.0, 0.6, 0.4, 0.3, 0.25, 0.2],
                               val_loss=[1.0, 0.65, 0.45, 0.35, 0.3, 0.27]))
    assert panel.status_label.text() == HEALTHY
