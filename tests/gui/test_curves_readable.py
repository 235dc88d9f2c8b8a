"""The training charts read as a student sees them at 1280×720: legends beside the curves, not on them; log ticks
that do not pile up; an accuracy axis that says 1.0 and leaves room above a perfect score."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from nnstudio.gui.editing.document import Document
from nnstudio.gui.training.curves_panel import CurvesPanel
from nnstudio.gui.training.session import TrainingSession

EPOCHS = 50
# The size of the curves' tab in the walk-through's window (1280×720, docks open at both sides).
PANEL_SIZE = (715, 290)


@pytest.fixture
def curves(qtbot):
    document = Document()
    document.project.training.epochs = EPOCHS
    session = TrainingSession(document)
    panel = CurvesPanel(document, session)
    qtbot.addWidget(panel)
    panel.resize(*PANEL_SIZE)
    panel.show()
    qtbot.waitExposed(panel)
    yield panel
    session.shutdown()


def play_run(panel: CurvesPanel, loss_of_epoch, accuracy_of_epoch=lambda epoch: min(1.0, 0.4 + epoch / 10)) -> None:
    """A whole run as the worker sends it through the session: epochs, then the timer's redraw."""
    session = panel.session
    session.training_started.emit()
    for epoch in range(1, EPOCHS + 1):
        loss = loss_of_epoch(epoch)
        session.epoch_finished.emit(epoch, {"loss": loss, "val_loss": loss * 1.2, "accuracy": accuracy_of_epoch(epoch),
                                            "val_accuracy": min(0.96, 0.8 + epoch / 100)})
    session.refreshed.emit()


def falling_loss(epoch: int) -> float:
    return 1.6 * math.exp(-epoch / 3) + 0.05


def test_the_legends_lie_beside_the_plot_areas_not_on_the_curves(qtbot, curves):
    play_run(curves, falling_loss)
    for view, plot in ((curves.loss_view, curves.loss_plot), (curves.metric_view, curves.metric_plot)):
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        labels = [label for _, label in plot.legend.items]
        # Every entry can be read (the layout settles after the first paint): inside the widget, and shown.
        qtbot.waitUntil(lambda: all(shown.contains(label.sceneBoundingRect()) for label in labels))
        assert all(label.isVisible() for label in labels)
        legend, data_area = plot.legend.sceneBoundingRect(), plot.vb.sceneBoundingRect()
        assert not legend.intersects(data_area)
        assert shown.contains(data_area)  # the legend does not push the plot area out of the widget
    assert [label.text for _, label in curves.loss_plot.legend.items] == [
        "training, per batch (smoothed)", "training", "validation"]


def drawn_labels(axis) -> list[tuple]:
    """The tick labels the axis draws, as (text, rectangle in the scene)."""
    from PySide6.QtGui import QPainter, QPixmap  # noqa: PLC0415

    picture = QPixmap(10, 10)
    painter = QPainter(picture)   # the axis measures its texts with the painter's font
    try:
        specs = axis.generateDrawSpecs(painter)[2]
    finally:
        painter.end()
    return [(text, axis.mapRectToScene(rect)) for rect, _, text in specs]


def assert_apart(labels: list[tuple]) -> None:
    for i, (text, rect) in enumerate(labels):
        for other, other_rect in labels[i + 1:]:
            assert not rect.intersects(other_rect), f"{text!r} lies on {other!r}"


def falling_between(first: float, last: float):
    """A loss that falls evenly on a log axis from `first` at epoch 1 to `last` at the last epoch."""
    return lambda epoch: first * (last / first) ** ((epoch - 1) / (EPOCHS - 1))


@pytest.mark.parametrize("loss_of_epoch, decades", [
    (falling_between(0.9, 0.2), {"0.1", "0.2", "0.5", "1", "10"}),            # within one decade: 0.2, 0.5 too
    (falling_between(0.8, 0.03), {"0.01", "0.1", "1", "10"}),                  # the walk-through's run (84c.png)
    (falling_between(10.0, 0.001), {"0.001", "0.01", "0.1", "1", "10", "100"}),  # five decades
], ids=["0.2 to 0.9", "0.03 to 0.8", "0.001 to 10"])
def test_log_loss_axis_labels_do_not_pile_on_each_other(qtbot, curves, loss_of_epoch, decades):
    play_run(curves, loss_of_epoch)   # the validation loss is 1.2 times the training loss
    qtbot.mouseClick(curves.log_check, Qt.MouseButton.LeftButton)
    axis = curves.loss_plot.getAxis("left")
    assert axis.logMode
    qtbot.waitUntil(lambda: "1" in {text for text, _ in drawn_labels(axis)})
    assert_apart(drawn_labels(axis))
    # Every decade in view is named, in plain numbers (the axis widens for long labels after a paint), and
    # within one decade the 2s and 5s are named where they fit.
    qtbot.waitUntil(lambda: decades <= {text for text, _ in drawn_labels(axis)})
    assert_apart(drawn_labels(axis))


def test_a_perfect_accuracy_is_seen_under_a_labelled_one_and_the_last_epoch_is_named(qtbot, curves):
    play_run(curves, falling_loss)   # the training accuracy reaches 1.0 at epoch 6
    plot, view = curves.metric_plot, curves.metric_view
    assert curves.metric_curve.yData.max() == 1.0
    left, bottom_axis = plot.getAxis("left"), plot.getAxis("bottom")
    qtbot.waitUntil(lambda: "1.0" in [text for text, _ in drawn_labels(left)])
    labels = drawn_labels(left)
    assert [text for text, _ in labels][-1] == "1.0" or max(labels, key=lambda item: -item[1].top())[0] == "1.0"
    assert all(float(text) <= 1.0 for text, _ in labels)   # no tick beyond what an accuracy can be
    assert_apart(labels)
    # The curve at 1.0 lies a few pixels under the top of the plot area, not on its frame.
    frame_top = plot.vb.sceneBoundingRect().top()
    curve_top = plot.vb.mapViewToScene(pg_point(1.0, 1.0)).y()
    assert curve_top - frame_top >= 4
    # The x axis names the last epoch, inside the widget (not cut off at the right edge).
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    epochs = dict(drawn_labels(bottom_axis))
    assert str(EPOCHS) in epochs and shown.contains(epochs[str(EPOCHS)])
    assert_apart(list(epochs.items()))


def pg_point(x: float, y: float):
    from PySide6.QtCore import QPointF  # noqa: PLC0415

    return QPointF(x, y)
