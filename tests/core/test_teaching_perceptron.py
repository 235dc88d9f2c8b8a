"""The perceptron rule learns AND, OR and NAND in a few epochs and never settles on XOR."""

import numpy as np
import pytest

from nnstudio.core.teaching.perceptron import PerceptronTrainer, rule_targets
from nnstudio.core.teaching.truth_table import logic_data, truth_table


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
def test_learns_linearly_separable_gates(gate):
    X, Y = logic_data(gate)
    rule = PerceptronTrainer([0.0, 0.0], 0.0, learning_rate=0.1)
    result = rule.train(X, Y, max_epochs=20)
    assert result.converged and len(result.epochs) <= 10
    assert "Converged" in result.message
    np.testing.assert_array_equal(rule.predict(X).reshape(-1), Y)
    assert truth_table(rule.weights[0], rule.bias[0], "step", gate).all_right


def test_never_converges_on_xor():
    X, Y = logic_data("xor")
    rule = PerceptronTrainer([0.0, 0.0], 0.0, learning_rate=0.1)
    result = rule.train(X, Y, max_epochs=100)
    assert not result.converged and len(result.epochs) == 100
    assert all(epoch.mistakes > 0 for epoch in result.epochs)
    assert "Did not converge in 100 epochs" in result.message and "XOR" in result.message


def test_one_update_by_hand():
    rule = PerceptronTrainer([0.5, 0.5], 0.0, learning_rate=0.1)
    update = rule.step([1, 0], 0)           # z = 0.5 → step says 1, target 0: error −1
    assert update.prediction[0] == 1 and update.error[0] == -1
    np.testing.assert_allclose(update.delta_w, [-0.1, 0.0])
    np.testing.assert_allclose(update.new_w, [0.4, 0.5])
    np.testing.assert_allclose(update.new_b, [-0.1])
    assert "w ← (0.5, 0.5) + 0.1·−1·(1, 0) = (0.4, 0.5)" in update.text
    same = rule.step([0, 0], 0)             # z = −0.1 → 0: right, nothing changes
    assert not same.changed and "nothing changes" in same.text
    np.testing.assert_allclose(same.new_w, [0.4, 0.5])


def test_sign_neurons_and_several_outputs():
    X, Y = logic_data("or")
    rule = PerceptronTrainer([0.0, 0.0], 0.0, learning_rate=0.5, activation="sign")
    assert rule.train(X, 2.0 * Y - 1.0, max_epochs=20).converged
    # Two step neurons trained at once: one learns AND, the other OR.
    targets = np.column_stack([logic_data("and")[1], Y])
    layer = PerceptronTrainer(np.zeros((2, 2)), np.zeros(2), learning_rate=0.1)
    assert layer.train(X, targets, max_epochs=30).converged
    np.testing.assert_array_equal(layer.predict(X), targets)


def test_refuses_a_sigmoid_neuron():
    with pytest.raises(ValueError, match="step or sign"):
        PerceptronTrainer([0.0], 0.0, activation="sigmoid")


def test_class_codes_become_what_each_step_or_sign_neuron_should_answer():
    assert rule_targets(np.array([0, 1, 1]), 1, "step").tolist() == [[0.0], [1.0], [1.0]]
    assert rule_targets(np.array([[0.0], [1.0]]), 1, "sign").tolist() == [[-1.0], [1.0]]   # a yes/no column
    assert rule_targets(np.array([2, 0]), 3, "step").tolist() == [[0, 0, 1], [1, 0, 0]]
    # One-hot rows are read as their class; with sign every neuron that is not the class answers −1.
    assert rule_targets(np.array([[0, 1, 0]]), 3, "sign").tolist() == [[-1, 1, -1]]
