"""Truth tables of hand-built logic gates, and of a small network solving XOR."""

import numpy as np
import pytest

from nnstudio.core.teaching.neuron_math import DenseLayer, SmallNetwork
from nnstudio.core.teaching.truth_table import network_truth_table, truth_table


@pytest.mark.parametrize("gate, weights, bias, outputs", [
    ("and", (0.5, 0.5), -0.7, (0, 0, 0, 1)),
    ("or", (0.5, 0.5), -0.2, (0, 1, 1, 1)),
    ("nand", (-0.5, -0.5), 0.7, (1, 1, 1, 0)),
])
def test_hand_built_gates(gate, weights, bias, outputs):
    table = truth_table(weights, bias, "step", gate)
    assert [row.inputs for row in table.rows] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert tuple(row.output for row in table.rows) == outputs
    assert tuple(row.target for row in table.rows) == outputs
    assert table.all_right and table.correct == 4
    np.testing.assert_allclose([row.z for row in table.rows],
                               [bias, weights[1] + bias, weights[0] + bias, sum(weights) + bias])


def test_wrong_weights_show_wrong_rows():
    table = truth_table((0.5, 0.5), -0.2, "step", "and")   # the OR weights on AND data
    assert [row.right for row in table.rows] == [True, False, False, True]
    assert table.correct == 2 and "✗" in table.text()


def test_sigmoid_is_read_at_one_half_and_tanh_at_zero():
    assert truth_table((5, 5), -7.5, "sigmoid", "and").all_right
    assert truth_table((5, 5), -2.5, "tanh", "or").all_right


def test_network_solves_xor():
    # Hidden neurons compute OR and NAND; the output ANDs them: that is XOR.
    network = SmallNetwork([DenseLayer([[0.5, 0.5], [-0.5, -0.5]], [-0.2, 0.7], "step", "hidden"),
                            DenseLayer([[0.5, 0.5]], [-0.7], "step", "output")])
    table = network_truth_table(network, "xor")
    assert table.all_right
    assert [row.hidden for row in table.rows] == [(0, 1), (1, 1), (1, 1), (1, 0)]
