"""The session's weights have one owner (its WeightStore), and a run trains a copy of the project, not the live one."""

from __future__ import annotations

import numpy as np
import pytest
from test_training_studio import TRAINING_TIMEOUT_MS, click, open_example, set_training, start_long_run, window  # noqa: F401

from nnstudio.engine.inference import read_layer
from nnstudio.gui.teaching.edits import set_one_weight


def open_data_example(qtbot, window, name: str) -> None:
    """Open an example and wait for its data, as the panels do before they show a model."""
    open_example(window, name)
    qtbot.waitUntil(lambda: window.session.data is not None, timeout=10_000)


def test_the_run_trains_a_copy_of_the_project_that_later_edits_cannot_reach(qtbot, window):
    start_long_run(qtbot, window)
    live = window.document.project
    runs_before = len(live.runs)
    worker = window.session._worker
    trained = worker.project
    assert trained is not live and trained.graph is not live.graph and trained.training is not live.training
    assert trained.graph.to_dict() == live.graph.to_dict() and trained.path == live.path
    # Whatever changes the live drawing now (nothing in the app may, but a slip must not reach the thread):
    hidden = next(node for node in live.graph.nodes.values() if node.type == "Dense")
    units = hidden.params["units"]
    live.graph.set_param(hidden.id, "units", units + 7)
    live.graph.rename(hidden.id, "renamed_while_training")
    copy = trained.graph.node(hidden.id)
    assert copy.params["units"] == units and copy.name != "renamed_while_training"
    live.graph.set_param(hidden.id, "units", units)
    with qtbot.waitSignal(window.session.training_finished, timeout=5000):
        click(qtbot, window, "stopButton")
    assert len(live.runs) == runs_before + 1 and trained.runs == []   # the run is recorded in the live project only


def test_a_finished_run_fills_the_store_with_its_model_weights(qtbot, window):
    open_example(window, "xor")
    set_training(window, epochs=3)
    store = window.session.weights
    assert len(store) == 0   # no model adopted or trained yet
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        click(qtbot, window, "trainButton")
    model = window.session.model
    weighted = [n.id for n in window.document.graph.nodes.values() if n.type in ("Dense", "Output")]
    assert sorted(store.node_ids()) == sorted(weighted)
    for node_id in weighted:
        np.testing.assert_array_equal(store.get(node_id).weights, read_layer(model, node_id).weights)


def test_a_weight_edit_goes_through_the_store_into_the_model_and_undo_restores_it(qtbot, window):
    open_data_example(qtbot, window, "xor_single_layer")
    document, session = window.document, window.session
    output = document.graph.node_by_name("xor").id
    inputs = document.graph.node_by_name("inputs").id
    before = session.predict({inputs: np.array([[1.0, 1.0]])})[output].item()
    heard_store, heard_panels = [], []
    session.weights.changed.connect(heard_store.append)
    session.model_changed.connect(lambda: heard_panels.append(True))

    assert set_one_weight(document, session, output, 0, 1, 3.0)   # weight from input 2 to the neuron
    assert heard_store[-1] == frozenset({output}) and len(heard_panels) == 1   # one change, one announcement
    assert session.weights.get(output).weights[0, 1] == 3.0
    assert read_layer(session.model, output).weights[0, 1] == 3.0   # the model the panels predict with took it
    assert session.predict({inputs: np.array([[1.0, 1.0]])})[output].item() != pytest.approx(before, abs=1e-6)

    document.undo_stack.undo()
    assert session.weights.get(output).weights[0, 1] != 3.0
    assert session.predict({inputs: np.array([[1.0, 1.0]])})[output].item() == pytest.approx(before, abs=1e-7)
    assert heard_store[-1] == frozenset({output}) and len(heard_panels) == 2


def test_an_edit_for_a_layer_shape_the_model_no_longer_has_changes_nothing(qtbot, window):
    open_data_example(qtbot, window, "xor")
    document, session = window.document, window.session
    hidden = document.graph.node_by_name("hidden").id
    assert set_one_weight(document, session, hidden, 0, 0, 0.5)   # adopts the starting model: the store holds it
    held = session.weights.get(hidden)
    stale = held.copy()
    stale.weights = np.zeros((held.weights.shape[0] + 1, held.weights.shape[1]))   # an older drawing's shape
    heard = []
    session.weights.changed.connect(heard.append)
    assert session.weights.write({hidden: stale}) == frozenset() and heard == []
    np.testing.assert_array_equal(session.weights.get(hidden).weights, held.weights)
    np.testing.assert_array_equal(read_layer(session.model, hidden).weights, held.weights)
