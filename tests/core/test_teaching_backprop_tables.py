"""The backpropagation stepper's names, tables and diagram labels, checked on Mazur's worked example."""

import numpy as np

from nnstudio.core.teaching.backprop import (CLASSIC_INPUTS, CLASSIC_RATE, CLASSIC_TARGETS, BackpropStep,
                                             classic_network)
from nnstudio.core.teaching.backprop_tables import (belongs_to, diagram_labels, link_text, neuron_name,
                                                    phase_table, sample_target, weight_names, worked_lines)
from nnstudio.core.teaching.neuron_math import DenseLayer, SmallNetwork


def classic_step() -> BackpropStep:
    return BackpropStep(classic_network(), [CLASSIC_INPUTS], [CLASSIC_TARGETS], "squared_error", CLASSIC_RATE)


def test_weights_are_numbered_as_in_the_worked_example_then_the_biases():
    network = classic_network()
    names = weight_names(network)
    assert [w.name for w in names] == ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8",
                                       "b h1", "b h2", "b o1", "b o2"]
    w5 = names[4]
    assert (w5.layer, w5.neuron, w5.source) == (1, 0, 0) and link_text(network, 1, 0, 0) == "h1 → o1"
    assert link_text(network, 0, 1, None) == "bias → h2" and neuron_name(network, -1, 1) == "i2"


def test_deeper_networks_number_their_hidden_layers():
    layer = DenseLayer([[1.0]], [0.0], "relu", "a")
    network = SmallNetwork([layer, layer.copy(), layer.copy()], [], "mse")
    assert [neuron_name(network, i, 0) for i in (-1, 0, 1, 2)] == ["x1", "h1.1", "h2.1", "o1"]


def test_each_phase_table_has_the_worked_examples_numbers():
    step = classic_step()
    kinds = [phase.kind for phase in step.phases]
    headers, rows = phase_table(step, step.phases[0])
    assert headers == ["neuron", "net input z", "output a"] and rows[0] == ["h1", "0.3775", "0.593269992"]
    headers, rows = phase_table(step, step.phases[kinds.index("error")])
    assert rows[-1] == ["E (error)", "0.298371109", ""]
    backward = step.phases[kinds.index("backward")]
    headers, rows = phase_table(step, backward)
    assert rows[0][:2] == ["o1", "0.138498562"] and "δ = " in rows[0][2]
    assert worked_lines(step, backward).splitlines()[1].startswith("o1: δ = ∂E/∂a")
    update = step.phases[-1]   # the output layer's update
    headers, rows = phase_table(step, update)
    assert headers == ["weight", "old", "new", "update"]
    assert rows[0] == ["w5", "0.4", "0.35891648", "w ← w − α·∂E/∂w = 0.4 − 0.5·0.08217 = 0.3589"]
    assert len(worked_lines(step, update).strip().splitlines()) == 6   # 4 weights and 2 biases


def test_the_diagram_keeps_what_earlier_phases_wrote_and_colours_the_current_layer():
    step = classic_step()
    first_neurons, first_lines = diagram_labels(step, 0)
    assert first_neurons[(0, 0)] == "x = 0.05" and first_neurons[(1, 0)].startswith("z = 0.3775\na = 0.5933")
    assert (2, 0) not in first_neurons and not first_lines
    last = len(step.phases) - 1
    neurons, lines = diagram_labels(step, last)
    assert neurons[(2, 0)].split("\n")[2:] == ["t = 0.01", "δ = 0.1385"]
    assert lines[(1, 0, 0)] == "0.4 → 0.3589"      # the update replaced the gradient on the line
    assert lines[(0, 0, 0)].startswith("0.15 → ")
    phase = step.phases[last]
    assert belongs_to(phase, (2, 0)) and belongs_to(phase, (1, 0, 0))
    assert not belongs_to(phase, (1, 0)) and not belongs_to(phase, (0, 0, 0))


def test_a_class_code_becomes_the_one_hot_row_the_outputs_should_give():
    assert sample_target(np.array([2.0]), 3).tolist() == [0.0, 0.0, 1.0]
    assert sample_target(np.array([0.25, 0.75]), 2).tolist() == [0.25, 0.75]
    assert sample_target(np.array(1.0), 1).tolist() == [1.0]


def test_without_biases_copies_the_network_and_the_tables_drop_the_bias_rows():
    from nnstudio.core.teaching.backprop_tables import without_biases
    network = classic_network()
    plain = without_biases(network)
    assert all(layer.bias is None for layer in plain.layers) and network.layers[0].bias is not None
    assert [w.name for w in weight_names(plain)] == [f"w{n}" for n in range(1, 9)]
    step = BackpropStep(plain, [CLASSIC_INPUTS], [CLASSIC_TARGETS], "squared_error", CLASSIC_RATE)
    assert "no bias" in step.phases[0].description and "bias" not in step.phases[5].description
    _, rows = phase_table(step, step.phases[0])
    assert rows[0][1] == "0.0275"           # 0.15·0.05 + 0.20·0.10, nothing added
    assert len(worked_lines(step, step.phases[-1]).strip().splitlines()) == 4   # four weights, no biases
