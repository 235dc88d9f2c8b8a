"""The Weights panel with the real training session: heatmap, histograms, unit images, live snapshots, wires."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QCheckBox, QLabel

from nnstudio.core.examples import digits, iris
from nnstudio.core.project import Project
from nnstudio.engine.pipeline import build_model
from nnstudio.gui.editing.document import Document
from nnstudio.gui.evaluation.weights_panel import MAX_UNIT_IMAGES, WeightsPanel, mosaic
from nnstudio.gui.training.session import TrainingSession


class FakeCanvas:
    """Records what the panel asks the canvas to draw."""

    def __init__(self) -> None:
        self.calls: list = []

    def set_edge_weights(self, weights) -> None:
        self.calls.append(weights)


def make(qtbot, project: Project):
    document = Document(project)
    session = TrainingSession(document)
    session.reload_data()
    panel = WeightsPanel(document, session)
    qtbot.addWidget(panel)
    panel.resize(600, 700)
    panel.show()
    return panel, document, session


def node_named(document: Document, name: str) -> str:
    return document.graph.node_by_name(name).id


def test_empty_state_then_starting_weights_of_the_selected_layer(qtbot):
    panel, document, session = make(qtbot, iris())
    assert "Select a Dense or Output layer" in panel.findChild(QLabel, "weightsTitle").text()
    document.select([node_named(document, "measurements")])  # an Input has no weights
    assert panel.shown_weight is None
    hidden = node_named(document, "hidden")
    document.select([hidden])
    assert session.model is None  # before training: the starting weights, built with the project's seed
    expected = build_model(document.project, session.data.context).layers["hidden"].weight.detach().numpy()
    assert panel.heatmap.image.shape == (16, 4)
    assert np.array_equal(panel.heatmap.image, expected)
    levels = panel.heatmap.getLevels()
    assert levels[0] == pytest.approx(-levels[1])  # symmetric: zero is white
    assert "starting weights" in panel.findChild(QLabel, "weightsTitle").text()
    x, counts = panel.weights_curve.getData()
    assert counts.sum() == 16 * 4
    assert panel.unit_tiles == 0 and not panel.units_plot.isVisible()  # iris is not an image


def test_snapshots_update_the_same_items(qtbot):
    panel, document, session = make(qtbot, iris())
    output = node_named(document, "species")
    document.select([output])
    heatmap, curve = panel.heatmap, panel.weights_curve
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(3, 16)).astype(np.float32)
    grad = rng.normal(scale=0.01, size=(3, 16)).astype(np.float32)
    session.weights_snapshot.emit({output: {"weight": weight, "bias": np.zeros(3, np.float32), "grad": grad}})
    assert panel.heatmap is heatmap and panel.weights_curve is curve
    assert np.array_equal(panel.heatmap.image, weight)
    _, gradient_counts = panel.gradients_curve.getData()
    assert gradient_counts.sum() == grad.size


def test_trained_model_weights_after_a_real_run(qtbot):
    project = iris()
    project.training.epochs = 2
    panel, document, session = make(qtbot, project)
    hidden = node_named(document, "hidden")
    document.select([hidden])
    with qtbot.waitSignal(session.training_finished, timeout=60_000):
        assert session.start()
    trained = session.model.layers["hidden"].weight.detach().numpy()
    assert np.array_equal(panel.heatmap.image, trained)
    assert "trained" in panel.findChild(QLabel, "weightsTitle").text()
    # The gradients of the last training batch stay on show (the diagnostics' own measurement puts them back).
    _, gradient_counts = panel.gradients_curve.getData()
    assert gradient_counts.sum() == trained.size


def test_first_layer_after_an_image_input_shows_one_tile_per_unit(qtbot):
    panel, document, session = make(qtbot, digits())
    hidden1 = node_named(document, "hidden1")  # Input 8×8 → Flatten → Dense(300)
    document.select([hidden1])
    assert panel.heatmap.image.shape == (300, 64)
    assert panel.unit_tiles == MAX_UNIT_IMAGES  # only the first 64 of 300 units
    assert panel.units_plot.isVisible()
    assert "first 64 of 300" in panel.findChild(QLabel, "unitImagesTitle").text()
    # The tiles are the units' incoming weights drawn as 8×8 pictures, 8 across with one-pixel gaps.
    image = panel.units_image.image
    assert image.shape == (8 * 9 - 1, 8 * 9 - 1)
    assert np.array_equal(image[9:17, 0:8], panel.shown_weight[8].reshape(8, 8))
    document.select([node_named(document, "hidden2")])  # fed by hidden units, not pixels
    assert panel.unit_tiles == 0


def test_mosaic_counts_tiles():
    weights = np.arange(5 * 4, dtype=np.float32).reshape(5, 4)
    image, tiles = mosaic(weights, (2, 2))
    assert tiles == 5 and image.shape == (2 * 3 - 1, 3 * 3 - 1)
    assert np.isnan(image[2]).all()  # the gap between rows of tiles


def test_weight_sizes_on_the_canvas(qtbot):
    panel, document, session = make(qtbot, iris())
    canvas = FakeCanvas()
    panel.edge_weights_changed.connect(canvas.set_edge_weights)  # as the window wires it
    assert canvas.calls == []  # off until asked
    panel.findChild(QCheckBox, "showEdgeWeights").setChecked(True)
    sizes = canvas.calls[-1]
    model = build_model(document.project, session.data.context)
    graph = document.graph
    assert set(sizes) == {e.id for e in graph.edges.values()}  # both wires feed a layer with weights
    for edge in graph.edges.values():
        layer = model.layers[graph.node(edge.target).name]
        assert sizes[edge.id] == pytest.approx(float(layer.weight.detach().abs().mean()), rel=1e-5)
    panel.findChild(QCheckBox, "showEdgeWeights").setChecked(False)
    assert canvas.calls[-1] is None


def test_the_weights_dock_draws_weight_sizes_on_the_windows_canvas(qtbot):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtWidgets import QWidget

    from nnstudio.gui.canvas.items import style
    from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
    from nnstudio.gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert window.file_actions.open_path(EXAMPLES_DIR / "iris.nnstudio")
        window.weights_dock.show()
        window.weights_dock.raise_()
        qtbot.waitUntil(lambda: window.findChild(QWidget, "weightsPanel") is not None, timeout=5000)
        qtbot.waitUntil(lambda: window.session.data is not None, timeout=5000)
        edges = list(window.document.graph.edges)
        widths = lambda: {window.canvas.edge_item(e).pen_width() for e in edges}  # noqa: E731
        assert widths() == {style.EDGE_WIDTH}
        box = window.findChild(QCheckBox, "showEdgeWeights")
        # On its box, as a student clicks it: the check box runs the dock's whole width, and only its box and
        # words take a click.
        on_the_box = QPoint(8, box.height() // 2)
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=on_the_box)
        assert box.isChecked() and widths() != {style.EDGE_WIDTH}  # the wires now show their weights' sizes
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=on_the_box)
        assert widths() == {style.EDGE_WIDTH}
    finally:
        window.session.shutdown()


def test_a_weight_typed_in_the_teaching_views_shows_in_the_weights_panel_and_undo_takes_it_back(qtbot):
    """One owner for the numbers: a hand edit goes into the session's weight store, which the panel reads."""
    from nnstudio.gui.teaching.edits import set_one_weight

    panel, document, session = make(qtbot, iris())
    hidden = node_named(document, "hidden")
    document.select([hidden])
    before = panel.shown_weight.copy()
    assert set_one_weight(document, session, hidden, neuron=2, source=1, value=4.25)
    qtbot.waitUntil(lambda: panel.shown_weight is not None and panel.shown_weight[2, 1] == np.float32(4.25),
                    timeout=3000)
    assert session.weights.get(hidden).weights[2, 1] == 4.25
    assert np.array_equal(np.delete(panel.shown_weight.ravel(), 2 * 4 + 1), np.delete(before.ravel(), 2 * 4 + 1))
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: np.array_equal(panel.shown_weight, before), timeout=3000)
