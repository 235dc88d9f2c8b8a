"""Evaluation and Try-it panels on trained networks: confusion matrix, scatter, typed values and drawings."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pytest
import torch
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QLineEdit, QSpinBox, QTableWidget

from nnstudio.core.examples import digits, iris, regression, xor
from nnstudio.core.project import Project
from nnstudio.engine.pipeline import effective_settings, train_project
from nnstudio.gui.editing.document import Document
from nnstudio.gui.evaluation.draw_grid import DrawGrid
from nnstudio.gui.evaluation.evaluation_panel import EvaluationPanel
from nnstudio.gui.evaluation.tryit_panel import TryItPanel
from nnstudio.gui.training.session import TrainingSession


class SyncSession(TrainingSession):
    """The real session, except that training runs here and now instead of on its thread (quick, certain)."""

    def train_now(self, epochs: Optional[int] = None) -> None:
        project = self.document.project
        self.training_started.emit()
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # tiny networks: one thread does not wait on busy cores (10× faster here)
        try:
            trainer, result = train_project(project, effective_settings(project, epochs=epochs), self.data)
        finally:
            torch.set_num_threads(threads)
        self.model, self.last_result = trainer.model, result
        self.model_changed.emit()
        self.training_finished.emit(result)


def make(qtbot, project: Project, panel_class):
    document = Document(project)
    session = SyncSession(document)
    session.reload_data()
    panel = panel_class(document, session)
    qtbot.addWidget(panel)
    panel.resize(700, 600)
    panel.show()
    return panel, document, session


def node_id(document: Document, type_name: str) -> str:
    return next(n.id for n in document.graph.nodes.values() if n.type == type_name)


def cells(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


# ---------------------------------------------------------------- evaluation

def test_evaluation_empty_before_training_then_confusion_matrix_of_iris(qtbot):
    panel, document, session = make(qtbot, iris(), EvaluationPanel)
    assert panel.findChild(QLabel, "evaluationEmpty").isVisible()
    session.train_now(epochs=25)  # enough for > 80% here, and quick
    assert not panel.findChild(QLabel, "evaluationEmpty").isVisible()
    matrix = panel.findChild(QTableWidget, "confusionMatrix")
    assert matrix.isVisible()
    test_rows = len(session.data.prepared.test)
    counts = np.array([[int(v) for v in row] for row in cells(matrix)])
    assert counts.shape == (3, 3) and counts.sum() == test_rows == 30
    assert [matrix.verticalHeaderItem(r).text() for r in range(3)] == ["setosa", "versicolor", "virginica"]
    metrics = panel.findChild(QTableWidget, "testMetrics")
    headers = [metrics.horizontalHeaderItem(c).text() for c in range(metrics.columnCount())]
    assert headers[:3] == ["Output", "Loss", "Accuracy"]
    accuracy = float(metrics.item(0, 2).text())
    assert accuracy == pytest.approx(np.trace(counts) / test_rows, abs=1e-3) and accuracy > 0.8
    panel.findChild(QCheckBox, "normalisedToggle").setChecked(True)
    percents = np.array([[float(v.rstrip("%")) for v in row] for row in cells(matrix)])
    expected = 100 * counts / counts.sum(axis=1, keepdims=True)
    assert np.allclose(percents, np.round(expected), atol=0.51)
    assert np.allclose(percents.sum(axis=1), 100, atol=2)
    per_class = panel.findChild(QTableWidget, "perClassScores")
    assert per_class.rowCount() == 3
    assert [int(per_class.item(r, 3).text()) for r in range(3)] == list(counts.sum(axis=1))
    recall_setosa = counts[0, 0] / counts[0].sum()
    assert float(per_class.item(0, 1).text()) == pytest.approx(recall_setosa, abs=1e-3)


def test_regression_scatter_has_one_point_per_test_row(qtbot):
    panel, document, session = make(qtbot, regression(), EvaluationPanel)
    session.train_now(epochs=5)
    test_rows = len(session.data.prepared.test)
    assert panel.scatter.data.shape[0] == test_rows
    title = panel.scatter_plot.getPlotItem().titleLabel.text
    assert "R²" in title and "MAE" in title
    assert not panel.findChild(QTableWidget, "confusionMatrix").isVisible()
    metrics = panel.findChild(QTableWidget, "testMetrics")
    headers = [metrics.horizontalHeaderItem(c).text() for c in range(metrics.columnCount())]
    assert headers == ["Output", "Loss", "MSE", "MAE", "R²"]


# ---------------------------------------------------------------- try it

def type_into(qtbot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(field, text)


def test_tryit_on_trained_xor_answers_all_four_rows(qtbot):
    project = xor()
    project.training.learning_rate = 0.1  # learns XOR in 100 epochs instead of 300: a quicker test
    panel, document, session = make(qtbot, project, TryItPanel)
    assert "untrained" in panel.findChild(QLabel, "tryItStatus").text()
    output = node_id(document, "Output")
    assert panel.predicted_class(output) in ("0", "1")  # an untrained network answers too
    session.train_now(epochs=100)
    assert "trained" in panel.findChild(QLabel, "tryItStatus").text().lower()
    input_id = node_id(document, "Input")
    x1 = panel.findChild(QLineEdit, f"feature_{input_id}_x1")
    x2 = panel.findChild(QLineEdit, f"feature_{input_id}_x2")
    for a, b in ((0, 0), (0, 1), (1, 0), (1, 1)):
        type_into(qtbot, x1, str(a))
        type_into(qtbot, x2, str(b))
        assert panel.predicted_class(output) == str(a ^ b), (a, b)
        bars = [panel.findChild(QLabel, f"prediction_{output}")]
        assert f"<b>{a ^ b}</b>" in bars[0].text()
    # A typo shows a hint instead of an answer, and the last answer stays.
    type_into(qtbot, x1, "abc")
    assert "number" in panel.findChild(QLabel, "tryItMessage").text()


def test_tryit_sample_picker_prefills_raw_values(qtbot):
    panel, document, session = make(qtbot, iris(), TryItPanel)
    session.train_now(epochs=3)
    input_id = node_id(document, "Input")
    spin = panel.findChild(QSpinBox, "sampleIndex")
    assert (spin.minimum(), spin.maximum()) == (1, len(session.data.prepared.test))
    spin.setValue(3)
    field = panel.findChild(QLineEdit, f"feature_{input_id}_sepal_length")
    value = float(field.text())
    assert 4.0 <= value <= 8.0  # raw centimetres, not standardised values
    assert "true answer" in panel.findChild(QLabel, "sampleTruth").text()
    output = node_id(document, "Output")
    bars = [panel.findChild(QLabel, f"prediction_{output}")]
    assert "Prediction" in bars[0].text()


def drag(widget: DrawGrid, points: list[QPointF], button: Qt.MouseButton) -> None:
    """Press, move through the points holding the button, release: a stroke with the mouse."""
    def send(kind: QEvent.Type, point: QPointF, buttons) -> None:
        event = QMouseEvent(kind, point, widget.mapToGlobal(point), button if kind != QEvent.Type.MouseMove
                            else Qt.MouseButton.NoButton, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)
    send(QEvent.Type.MouseButtonPress, points[0], button)
    for point in points[1:]:
        send(QEvent.Type.MouseMove, point, button)
    send(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)


def test_drawing_on_the_digits_grid_changes_the_input(qtbot):
    panel, document, session = make(qtbot, digits(), TryItPanel)
    input_id = node_id(document, "Input")
    grid = panel.findChild(DrawGrid, f"drawGrid_{input_id}")
    assert grid is not None and (grid.rows, grid.columns) == (8, 8)
    assert grid.maximum_value == 16.0
    qtbot.mouseClick(panel.findChild(QObject, f"clearDrawing_{input_id}"), Qt.MouseButton.LeftButton)
    assert not panel.raw[input_id].any()
    seen: list[np.ndarray] = []
    original_predict = session.predict
    session.predict = lambda raw: seen.append(raw[input_id].copy()) or original_predict(raw)
    # A vertical stroke down the middle column: a "1".
    drag(grid, [grid.cell_center(row, 4) for row in range(1, 7)], Qt.MouseButton.LeftButton)
    image = panel.raw[input_id].reshape(8, 8)
    assert list(np.nonzero(image[:, 4])[0]) == [1, 2, 3, 4, 5, 6]
    assert image.max() == 16.0 and image.sum() == 6 * 16.0
    assert seen and seen[-1].reshape(8, 8)[6, 4] == 16.0  # the network saw the drawing at once
    assert "your drawing" in panel.findChild(QLabel, "sampleTruth").text()
    drag(grid, [grid.cell_center(3, 4)], Qt.MouseButton.RightButton)
    assert panel.raw[input_id].reshape(8, 8)[3, 4] == 0.0
    output = node_id(document, "Output")
    assert panel.predicted_class(output) in [str(d) for d in range(10)]


@pytest.mark.parametrize("rows", [8, 28])
def test_a_fast_stroke_is_a_line_not_dots(qtbot, rows):
    """A student walk-through: a quick stroke (the mouse reports only its ends) came out as two dots."""
    grid = DrawGrid(rows, rows, 16.0)
    qtbot.addWidget(grid)
    grid.resize(280, 280)
    grid.show()
    drag(grid, [grid.cell_center(1, 1), grid.cell_center(rows - 2, rows - 2)], Qt.MouseButton.LeftButton)
    painted = grid.intensity > 0.5
    assert all(painted[i, i] for i in range(1, rows - 1))  # every cell along the diagonal
    assert painted.sum() < rows * rows / 2  # a line, not a filled area
    # Erasing with a fast stroke across the line clears where it crosses; lifting the button ends the stroke.
    drag(grid, [grid.cell_center(rows - 2, 1), grid.cell_center(1, rows - 2)], Qt.MouseButton.RightButton)
    middle = rows // 2
    assert grid.intensity[middle, middle] < 0.5 or grid.intensity[middle - 1, middle - 1] < 0.5
    before = grid.intensity.copy()
    drag(grid, [grid.cell_center(0, 0)], Qt.MouseButton.LeftButton)  # a new stroke starts fresh, no line back
    assert (grid.intensity > before).sum() <= 9
