"""A neuron's weighted sum written out, and small networks read from a drawn graph."""

import numpy as np
import pytest

from nnstudio.core.graph import Graph
from nnstudio.core.teaching.neuron_math import (NetworkError, SmallNetwork, activate, activation_range,
                                                format_number, parse_number, parse_numbers, weighted_sum,
                                                weighted_sum_text)


def test_weighted_sum_text_for_and():
    assert weighted_sum_text([0.5, 0.5], -0.7, [1, 1]) == "z = 0.5·x1 + 0.5·x2 − 0.7 = 0.3\nstep(0.3) = 1"
    assert weighted_sum_text([0.5, 0.5], -0.7, [0, 1]) == "z = 0.5·x1 + 0.5·x2 − 0.7 = −0.2\nstep(−0.2) = 0"


def test_weighted_sum_with_numbers_names_and_negative_weights():
    result = weighted_sum([-0.5, 0.25], 0.7, [1, -2], names=["rain", "sun"], activation="sigmoid")
    assert result.formula == "z = −0.5·rain + 0.25·sun + 0.7 = −0.3"
    assert result.substituted == "z = −0.5·1 + 0.25·(−2) + 0.7 = −0.3"
    assert result.activation_line == f"sigmoid(−0.3) = {format_number(1 / (1 + np.exp(0.3)))}"
    assert weighted_sum([1.0], None, [2.0], activation=None).text == "z = 1·x1 = 2"
    with pytest.raises(ValueError):
        weighted_sum([1.0, 2.0], 0.0, [1.0])


def test_activations_agree_with_their_definitions():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(activate("sigmoid", z), 1 / (1 + np.exp(-z)))
    np.testing.assert_array_equal(activate("step", z), [0, 1, 1])
    np.testing.assert_array_equal(activate("sign", z), [-1, 0, 1])
    assert activate("softmax", z).sum() == pytest.approx(1.0)
    assert np.isfinite(activate("sigmoid", np.array([-1000.0, 1000.0]))).all()


def two_two_two() -> Graph:
    graph = Graph()
    x = graph.add_node("Input", "inputs", {"shape": [2], "columns": ["i1", "i2"]})
    h = graph.add_node("Dense", "hidden", {"units": 2, "activation": "sigmoid"})
    d = graph.add_node("Dropout")
    o = graph.add_node("Output", "out", {"task": "regression", "units": 2, "activation": "sigmoid"})
    graph.connect(x.id, "out", h.id, "in")
    graph.connect(h.id, "out", d.id, "in")
    graph.connect(d.id, "out", o.id, "in")
    return graph


def test_network_from_graph_with_given_weights():
    weights = {"layers.hidden.weight": [[0.15, 0.20], [0.25, 0.30]], "layers.hidden.bias": [0.35, 0.35],
               "out.weight": [[0.40, 0.45], [0.50, 0.55]], "out.bias": [0.60, 0.60]}
    network = SmallNetwork.from_graph(two_two_two(), weights)
    assert [layer.name for layer in network.layers] == ["hidden", "out"]
    assert network.loss == "squared_error" and network.input_names == ["i1", "i2"]
    np.testing.assert_allclose(network.predict([0.05, 0.10]), [[0.75136507, 0.772928465]], atol=1e-8)
    assert set(network.state_dict()) == {"layers.hidden.weight", "layers.hidden.bias", "layers.out.weight",
                                         "layers.out.bias"}
    seeded = SmallNetwork.from_graph(two_two_two(), seed=3)
    np.testing.assert_array_equal(seeded.layers[0].weights, SmallNetwork.from_graph(two_two_two(), seed=3)
                                  .layers[0].weights)


def test_network_from_graph_refuses_what_it_cannot_show():
    graph = two_two_two()
    graph.add_node("Input", "second", {"shape": [3]})
    with pytest.raises(NetworkError):
        SmallNetwork.from_graph(graph)
    with pytest.raises(NetworkError, match="shape"):
        SmallNetwork.from_graph(two_two_two(), {"hidden.weight": np.zeros((3, 2))})


def test_numbers_typed_by_a_learner_with_a_real_minus_or_a_decimal_comma():
    assert parse_number(" −0,7 ") == -0.7 and parse_number("1 000.5") == 1000.5 and parse_number("2e-3") == 0.002
    assert parse_number("abc") is None and parse_number("inf") is None and parse_number("") is None
    assert parse_numbers("0.05, 0.1") == [0.05, 0.1] and parse_numbers("1; −2  3") == [1.0, -2.0, 3.0]
    assert parse_numbers("0.5, x") is None and parse_numbers(" ") is None


def test_an_activation_map_is_coloured_on_the_functions_own_range():
    assert activation_range("sigmoid", np.array([0.2, 0.3])) == (0.0, 1.0)
    assert activation_range("sign", np.array([1.0])) == (-1.0, 1.0)
    # Unbounded functions (relu, linear…) are shown on ± their largest value, never on a zero-width range.
    assert activation_range("relu", np.array([0.0, 2.5, -0.5])) == (-2.5, 2.5)
    assert activation_range("linear", np.zeros(3)) == (-1e-6, 1e-6)
