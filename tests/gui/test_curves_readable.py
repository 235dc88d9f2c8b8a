"""The training charts read as a student sees them at 1280×720: legends beside the curves, not on them; log ticks
that do not pile up; an accuracy axis that says 1.0 and leaves room above a perfect score."""

from __future__ import annotations

import math

import pytest

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
