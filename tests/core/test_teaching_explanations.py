"""Explanations exist for everything the app offers, and speak about this network's real sizes."""

import numpy as np
import pytest

from nnstudio.core.graph import Graph
from nnstudio.core.layers import ACTIVATIONS, LAYERS, LOSSES, METRICS, layer_spec
from nnstudio.core.settings import OPTIMIZERS
from nnstudio.core.teaching.explanations import activation_curve, explain, explain_node


def test_everything_is_explained():
    for kind, names in (("layer", LAYERS), ("activation", ACTIVATIONS), ("optimizer", OPTIMIZERS),
                        ("metric", METRICS), ("loss", [n for n in LOSSES if n != "auto"])):
        for name in names:
            item = explain(kind, name)
            assert item.sentence.endswith(".") and item.formula
    assert explain("activation", "sigmoid").formula == "σ(z) = 1 / (1 + e^−z)"
    assert explain("layer", "BatchNorm").name == "BatchNormalization"  # aliases are followed


@pytest.mark.parametrize("type_name", sorted(LAYERS))
def test_a_layer_is_explained_by_its_own_spec(type_name):
    """One text per layer type: the explain panel shows the spec's help (the palette's tooltip) and formula."""
    spec = layer_spec(type_name)
    item = explain("layer", type_name)
    assert (item.name, item.sentence, item.formula) == (type_name, spec.help, spec.formula)
    assert spec.formula, type_name


@pytest.mark.parametrize("name", [a for a in ACTIVATIONS if a not in ("step", "sign")])
def test_activation_slopes_match_finite_differences(name):
    z = np.linspace(-3, 3, 61) + 0.013  # stay off the kinks at 0
    _, values, slopes = activation_curve(name, z)
    _, up, _ = activation_curve(name, z + 1e-6)
    _, down, _ = activation_curve(name, z - 1e-6)
    np.testing.assert_allclose(slopes, (up - down) / 2e-6, atol=1e-5)
    assert values.shape == z.shape


def test_what_it_means_for_this_network():
    graph = Graph()
    image = graph.add_node("Input", "image", {"shape": [28, 28]})
    flat = graph.add_node("Flatten")
    hidden = graph.add_node("Dense", "hidden1", {"units": 300})
    drop = graph.add_node("Dropout", params={"rate": 0.3})
    out = graph.add_node("Output", "digit", {"units": 10, "use_bias": False})
    for a, b in ((image, flat), (flat, hidden), (hidden, drop), (drop, out)):
        graph.connect(a.id, "out", b.id, "in")
    assert explain_node(graph, hidden.id) == (
        "This Dense layer has 300 neurons; each sums 784 inputs plus a bias, so it has 784·300 + 300 = 235,500 "
        "parameters. Each neuron then applies relu.")
    assert "300·10 = 3,000 parameters" in explain_node(graph, out.id)
    assert "softmax" in explain_node(graph, out.id)
    assert "28×28" in explain_node(graph, flat.id) and "784" in explain_node(graph, flat.id)
    assert "30%" in explain_node(graph, drop.id)
    assert "784" in explain_node(graph, image.id)
    lonely = graph.add_node("Dense", "lonely")
    assert "not fully connected" in explain_node(graph, lonely.id)
