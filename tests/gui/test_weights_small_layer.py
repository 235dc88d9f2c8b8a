"""The Weights panel for a small layer, as the walk-through's student saw it (67.png): a 1×2 matrix must read as
two cells named input 1 and input 2 for unit 1, with a key to its colours and "1 unit" in the title."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QLabel

from nnstudio.core.examples import build_example, iris
from nnstudio.gui.editing.document import Document
from nnstudio.gui.evaluation.weights_panel import WeightsPanel
from nnstudio.gui.training.session import TrainingSession
from nnstudio.gui.widgets.weight_colors import NEGATIVE, POSITIVE


@pytest.fixture
def open_panel(qtbot):
    sessions = []

    def open_(project, layer: str) -> WeightsPanel:
        document = Document(project)
        session = TrainingSession(document)
        sessions.append(session)
        session.reload_data()
        panel = WeightsPanel(document, session)
        qtbot.addWidget(panel)
        panel.resize(730, 330)   # the Weights dock in the walk-through's 1280×720 window
        panel.show()
        qtbot.waitExposed(panel)
        document.select([document.graph.node_by_name(layer).id])   # the student clicks the layer on the canvas
        return panel

    yield open_
    for session in sessions:
        session.shutdown()


def drawn_labels(axis) -> list[tuple[str, float]]:
    """The axis's tick labels as drawn, with the middle of each (x for a bottom axis, y for a left one)."""
    picture = QPixmap(10, 10)
    painter = QPainter(picture)
    try:
        specs = axis.generateDrawSpecs(painter)[2]
    finally:
        painter.end()
    middle = (lambda rect: rect.center().x()) if axis.orientation == "bottom" else (lambda rect: rect.center().y())
    return [(text, middle(axis.mapRectToScene(rect))) for rect, _, text in specs]


def test_a_one_by_two_matrix_names_its_cells_and_counts_one_unit(qtbot, open_panel):
    panel = open_panel(build_example("xor_single_layer"), "xor")
    assert panel.shown_weight.shape == (1, 2)
    title = panel.findChild(QLabel, "weightsTitle").text()
    assert "1 unit × 2 inputs" in title and "1 units" not in title
    view = panel.heatmap_plot.getPlotItem().vb
    bottom, left = panel.heatmap_plot.getAxis("bottom"), panel.heatmap_plot.getAxis("left")
    qtbot.waitUntil(lambda: [text for text, _ in drawn_labels(bottom)] == ["input 1", "input 2"])
    assert [text for text, _ in drawn_labels(left)] == ["unit 1"]
    # Each label sits on the middle of its cell (cell c spans c to c + 1 on the image).
    for (text, x), cell in zip(drawn_labels(bottom), (0, 1)):
        assert x == pytest.approx(view.mapViewToScene(pg_point(cell + 0.5, 0.5)).x(), abs=1.5), text
    ((_, y),) = drawn_labels(left)
    assert y == pytest.approx(view.mapViewToScene(pg_point(0.5, 0.5)).y(), abs=1.5)


def test_the_heatmap_has_a_key_to_its_colours(qtbot, open_panel):
    panel = open_panel(build_example("xor_single_layer"), "xor")
    scale = panel.colour_scale
    assert scale.isVisible() and scale.width() > 0
    largest = float(np.abs(panel.shown_weight).max())
    assert scale.texts == (f"+{largest:.2g}", "0", f"−{largest:.2g}")
    picture = scale.grab().toImage()
    bar = scale.bar_rect()
    ratio = picture.width() / scale.width()
    top = picture.pixelColor(int(bar.center().x() * ratio), int((bar.top() + 2) * ratio))
    bottom = picture.pixelColor(int(bar.center().x() * ratio), int((bar.bottom() - 2) * ratio))
    assert top.blue() > top.red() and abs(top.blue() - POSITIVE.blue()) < 30       # + is blue
    assert bottom.red() > bottom.blue() and abs(bottom.red() - NEGATIVE.red()) < 30  # − is red


def test_a_larger_layer_counts_its_cells_in_whole_numbers(qtbot, open_panel):
    panel = open_panel(iris(), "hidden")
    assert panel.shown_weight.shape == (16, 4)
    bottom, left = panel.heatmap_plot.getAxis("bottom"), panel.heatmap_plot.getAxis("left")
    qtbot.waitUntil(lambda: len(drawn_labels(left)) >= 2)
    assert [text for text, _ in drawn_labels(bottom)] == ["input 1", "input 2", "input 3", "input 4"]
    numbers = [text for text, _ in drawn_labels(left)]
    assert numbers[0] == "1" and all(text.isdigit() and 1 <= int(text) <= 16 for text in numbers)
    assert "16 units × 4 inputs" in panel.findChild(QLabel, "weightsTitle").text()


def pg_point(x: float, y: float):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)
