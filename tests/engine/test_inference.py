"""Using a model without training it: predictions match the trainer's, weights go in and out by node id."""

from __future__ import annotations

import numpy as np
import pytest

from engine_helpers import settings, wide_and_deep, wide_and_deep_part, xor_net, xor_part
from nnstudio.core.analysis import analyze
from nnstudio.core.weight_store import LayerWeights
from nnstudio.engine import Trainer, compile_graph
from nnstudio.engine.inference import (evaluate, layer_weights, load_state, model_fits_graph, model_weights, predict,
                                       read_layer, test_predictions, write_layers)


def test_predict_and_evaluate_give_the_trainers_numbers_for_two_outputs():
    net = wide_and_deep()
    model = compile_graph(net.snapshot(), net.context, seed=3)
    part = wide_and_deep_part(net, rows=40)
    trainer = Trainer(model, settings())
    expected = trainer.predict(part.inputs)
    got = predict(model, part.inputs)
    assert sorted(got) == sorted(expected)
    for output_id in expected:
        np.testing.assert_allclose(got[output_id], expected[output_id], rtol=1e-6, atol=1e-7)
    assert evaluate(model, settings(), part) == trainer.evaluate(part)
    pairs = test_predictions(model, part)
    for output_id, (targets, outputs) in pairs.items():
        np.testing.assert_array_equal(targets, np.asarray(part.targets[output_id]))
        np.testing.assert_allclose(outputs, expected[output_id], rtol=1e-6, atol=1e-7)
    assert evaluate(model, settings(), None) == {} and test_predictions(model, None) == {}


def test_weights_read_and_written_by_node_id():
    net = xor_net(hidden=3)
    model = compile_graph(net.snapshot(), net.context, seed=0)
    hidden = next(n.id for n in net.graph.nodes.values() if n.type == "Dense")
    layers = layer_weights(model)
    assert sorted(layers) == sorted([hidden, net.output_ids[0]])   # the Dense and Output layers, nothing else
    assert layers[hidden].weights.shape == (3, 2) and layers[hidden].weights.dtype == np.float64
    new = LayerWeights(np.arange(6, dtype=np.float64).reshape(3, 2), np.array([1.0, 2.0, 3.0]))
    wrong = LayerWeights(np.zeros((4, 2)), None)   # a shape the model does not have: left out
    assert write_layers(model, {hidden: new, net.output_ids[0]: wrong, "no such node": new}) == [hidden]
    back = read_layer(model, hidden)
    np.testing.assert_array_equal(back.weights, new.weights)
    np.testing.assert_array_equal(back.bias, new.bias)
    name = model.node_names[hidden]
    np.testing.assert_array_equal(model_weights(model)[f"layers.{name}.weight"], new.weights)
    assert read_layer(model, net.input_ids[0]) is None and read_layer(None, hidden) is None


def test_a_state_copy_loads_into_a_model_of_the_same_drawing():
    net = xor_net(hidden=4)
    trained = compile_graph(net.snapshot(), net.context, seed=1)
    Trainer(trained, settings(epochs=20, batch_size=4)).fit(xor_part(net))
    fresh = compile_graph(net.snapshot(), net.context, seed=2)
    load_state(fresh, {name: tensor.detach().numpy().copy() for name, tensor in trained.state_dict().items()})
    part = xor_part(net)
    np.testing.assert_allclose(predict(fresh, part.inputs)[net.output_ids[0]],
                               predict(trained, part.inputs)[net.output_ids[0]], rtol=1e-6)


@pytest.mark.parametrize("change, fits", [(None, True), (("units", 5), False), (("activation", "relu"), False)])
def test_model_fits_graph_notices_sizes_and_activations(change, fits):
    net = xor_net(hidden=3, activation="tanh")
    model = compile_graph(net.snapshot(), net.context, seed=0)
    if change is not None:
        hidden = next(n.id for n in net.graph.nodes.values() if n.type == "Dense")
        net.graph.set_param(hidden, *change)
    analysis = analyze(net.graph, net.context)
    assert model_fits_graph(model, net.graph, analysis, net.context.output_targets) is fits
