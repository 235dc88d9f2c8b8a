"""Compiling graphs: builders for every layer, shapes and parameter counts as analysis says, seeded weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine_helpers import chain, classifier, wide_and_deep
from nnstudio.core.analysis import DataContext, analyze
from nnstudio.core.graph import Graph
from nnstudio.core.layers import LAYERS, OutputTarget
from nnstudio.engine import BUILDERS, CompileError, compile_graph
from nnstudio.engine.activations import make_activation
from nnstudio.engine.builders import initialize_weight


def test_every_layer_type_has_a_builder():
    assert set(BUILDERS) == set(LAYERS)


def test_mnist_mlp_parameter_count_matches_analysis():
    net = chain((28, 28), [("Flatten", {}), ("Dense", {"units": 300}), ("Dense", {"units": 100})], {},
                OutputTarget("multiclass", 10), names=["flatten", "hidden1", "hidden2"])
    model = compile_graph(net.snapshot(), net.context)
    assert model.parameter_count() == analyze(net.snapshot(), net.context).total_params == 266_610
    assert "layers.hidden1.weight" in model.state_dict()
    probabilities, = model(torch.rand(3, 28, 28))
    assert probabilities.shape == (3, 10)
    torch.testing.assert_close(probabilities.sum(dim=1), torch.ones(3))
    logits, = model.forward_logits(torch.rand(3, 784))  # flat data is given the drawn 28×28 shape
    assert logits.shape == (3, 10)


def _every_layer_graph() -> tuple[Graph, DataContext]:
    """Two Inputs and one of each layer type: Dense, BatchNorm, Dropout, Activation, Add, Flatten, Concatenate."""
    graph = Graph()
    features = graph.add_node("Input", "features", {"shape": [4]})
    image = graph.add_node("Input", "image", {"shape": [2, 3]})
    dense = graph.add_node("Dense", "dense", {"units": 6, "activation": "relu"})
    norm = graph.add_node("BatchNormalization", "norm")
    drop = graph.add_node("Dropout", "drop", {"rate": 0.5})
    act = graph.add_node("Activation", "act", {"activation": "tanh"})
    side = graph.add_node("Dense", "side", {"units": 6, "activation": "elu", "use_bias": False})
    add = graph.add_node("Add", "add")
    flat = graph.add_node("Flatten", "flat")
    join = graph.add_node("Concatenate", "join")
    out = graph.add_node("Output", "out", {"task": "multiclass"})
    for source, target, port in [(features, dense, "in"), (dense, norm, "in"), (norm, drop, "in"),
                                 (drop, act, "in"), (features, side, "in"), (act, add, "in1"),
                                 (side, add, "in2"), (image, flat, "in"), (add, join, "in1"),
                                 (flat, join, "in2"), (join, out, "in")]:
        graph.connect(source.id, "out", target.id, port)
    context = DataContext({}, {out.id: OutputTarget("multiclass", 3)})
    return graph, context


def test_every_layer_type_shapes_and_counts_agree_with_analysis():
    graph, context = _every_layer_graph()
    snapshot = graph.to_dict()
    analysis = analyze(snapshot, context)
    model = compile_graph(snapshot, context)
    assert model.parameter_count() == analysis.total_params
    assert model.trainable_parameter_count() == analysis.trainable_params
    seen: dict[str, tuple] = {}
    for name, module in model.layers.items():
        module.register_forward_hook(lambda m, args, result, name=name: seen.__setitem__(name, result.shape[1:]))
    model.eval()
    model(torch.rand(5, 4), torch.rand(5, 2, 3))
    types = {nd["name"]: nd["type"] for nd in snapshot["nodes"]}
    for node_id, shape in analysis.shapes.items():
        name = analysis.names[node_id]
        if types[name] != "Input":  # Inputs are reshaped inline, not called as modules
            assert tuple(seen[name]) == tuple(shape), name
    counts = {analysis.names[i]: c for i, c in analysis.params.items()}
    for name, module in model.layers.items():
        own = sum(p.numel() for p in module.parameters())
        if isinstance(module, torch.nn.BatchNorm1d):
            own += module.running_mean.numel() + module.running_var.numel()
        assert own == counts[name], name


def test_batch_normalization_uses_keras_momentum_and_epsilon():
    net = classifier(extra=[("BatchNormalization", {"momentum": 0.9, "epsilon": 0.01})])
    model = compile_graph(net.snapshot(), net.context)
    norm = next(m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d))
    assert norm.momentum == pytest.approx(0.1) and norm.eps == pytest.approx(0.01)


def test_wide_and_deep_two_inputs_two_outputs():
    net = wide_and_deep()
    analysis = analyze(net.snapshot(), net.context)
    model = compile_graph(net.snapshot(), net.context)
    assert model.parameter_count() == analysis.total_params
    assert model.input_ids == net.input_ids and model.output_ids == net.output_ids
    assert [model.output_configs[i].loss_weight for i in model.output_ids] == [0.9, 0.1]
    main, aux = model(torch.rand(7, 5), torch.rand(7, 6))
    assert main.shape == (7, 1) and aux.shape == (7, 1)


def test_errors_become_compile_error_with_analysis_words():
    net = chain((28, 28), [("Dense", {"units": 10})], {}, OutputTarget("multiclass", 10))
    messages = [i.message for i in analyze(net.snapshot(), net.context).errors]
    assert messages
    with pytest.raises(CompileError) as caught:
        compile_graph(net.snapshot(), net.context)
    assert isinstance(caught.value, ValueError)
    for message in messages:
        assert message in str(caught.value)
    assert "add a Flatten node" in str(caught.value)


def test_same_seed_same_weights_other_seed_other_weights():
    net = classifier()
    first = compile_graph(net.snapshot(), net.context, seed=3).state_dict()
    again = compile_graph(net.snapshot(), net.context, seed=3).state_dict()
    other = compile_graph(net.snapshot(), net.context, seed=4).state_dict()
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)


def test_adding_a_layer_elsewhere_keeps_other_initial_weights():
    net = classifier()
    before = compile_graph(net.snapshot(), net.context, seed=0).state_dict()
    extra = net.graph.add_node("Dense", "unused", {"units": 3})
    net.graph.connect(net.input_ids[0], "out", extra.id, "in")
    after = compile_graph(net.snapshot(), net.context, seed=0).state_dict()
    assert "layers.unused.weight" in after
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_layer_names_that_shadow_module_attributes_still_work():
    net = classifier()
    dense = next(n for n in net.graph.nodes.values() if n.type == "Dense")
    net.graph.rename(dense.id, "train")
    model = compile_graph(net.snapshot(), net.context)
    assert "layers.train.weight" in model.state_dict()
    assert model(torch.rand(2, 4))[0].shape == (2, 3)


@pytest.mark.parametrize("name", ["glorot_uniform", "he_uniform", "lecun_uniform"])
def test_uniform_initializers_stay_within_keras_limits(name):
    weight = torch.empty(50, 200)
    initialize_weight(weight, name, torch.Generator().manual_seed(0))
    scale = {"glorot_uniform": 2 / 250, "he_uniform": 2 / 200, "lecun_uniform": 1 / 200}[name]
    limit = (3 * scale) ** 0.5
    assert weight.abs().max() <= limit and weight.abs().max() > 0.9 * limit


@pytest.mark.parametrize("name", ["glorot_normal", "he_normal", "lecun_normal", "random_normal"])
def test_normal_initializers_have_the_asked_spread(name):
    weight = torch.empty(200, 400)
    initialize_weight(weight, name, torch.Generator().manual_seed(0))
    expected = {"glorot_normal": (2 / 600) ** 0.5, "he_normal": (2 / 400) ** 0.5, "lecun_normal": (1 / 400) ** 0.5,
                "random_normal": 0.05}[name]
    assert float(weight.std()) == pytest.approx(expected, rel=0.05)


def test_zeros_and_ones_initializers_and_zero_bias():
    net = chain((3,), [("Dense", {"units": 2, "initializer": "ones"})], {"initializer": "zeros"},
                OutputTarget("regression", 1), names=["hidden"])
    state = compile_graph(net.snapshot(), net.context).state_dict()
    assert torch.equal(state["layers.hidden.weight"], torch.ones(2, 3))
    assert torch.equal(state["layers.target.weight"], torch.zeros(1, 2))
    assert torch.equal(state["layers.hidden.bias"], torch.zeros(2))


def test_activations():
    z = torch.tensor([-2.0, 0.0, 3.0])
    assert make_activation("step")(z).tolist() == [0.0, 1.0, 1.0]
    assert make_activation("sign")(z).tolist() == [-1.0, 0.0, 1.0]
    assert make_activation("leaky_relu")(z).tolist() == pytest.approx([-0.02, 0.0, 3.0])
    assert float(make_activation("softmax")(z).sum()) == pytest.approx(1.0)
    assert make_activation("linear")(z) is z
    with pytest.raises(ValueError):
        make_activation("swish")


def test_forward_and_forward_logits_differ_by_the_output_activation():
    net = classifier()
    model = compile_graph(net.snapshot(), net.context)
    x = torch.from_numpy(np.random.default_rng(0).normal(size=(4, 4)).astype(np.float32))
    torch.testing.assert_close(model(x)[0], torch.softmax(model.forward_logits(x)[0], dim=-1))
