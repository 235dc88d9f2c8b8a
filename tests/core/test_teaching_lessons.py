"""Every lesson step's check is False on an empty project and True on a state built to satisfy it."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.core.examples import wide_deep
from nnstudio.core.graph import Graph
from nnstudio.core.teaching.lessons import LESSONS, lesson, run_record


def chain(*layers: tuple[str, dict]) -> Graph:
    graph = Graph()
    previous = None
    for type_name, params in layers:
        node = graph.add_node(type_name, params=params)
        if previous is not None:
            graph.connect(previous.id, "out", node.id, "in")
        previous = node
    return graph


def gate_neuron() -> Graph:
    return chain(("Input", {"shape": [2]}), ("Output", {"task": "binary", "activation": "step"}))


def gate_weights(bias: float) -> dict:
    return {"layers.output.weight": np.array([[0.5, 0.5]]), "layers.output.bias": np.array([bias])}


def xor_graph(hidden: bool) -> Graph:
    middle = [("Dense", {"units": 8, "activation": "tanh"})] if hidden else []
    return chain(("Input", {"shape": [2]}), *middle, ("Output", {"task": "binary"}))


def mlp(output_units: int = 10) -> Graph:
    return chain(("Input", {"shape": [28, 28]}), ("Flatten", {}), ("Dense", {"units": 300}),
                 ("Dense", {"units": 100}), ("Output", {"task": "multiclass", "units": output_units}))


def tiny() -> Graph:
    return chain(("Input", {"shape": [2]}), ("Dense", {"units": 2, "activation": "sigmoid"}),
                 ("Output", {"task": "regression", "units": 2, "activation": "sigmoid"}))


def digits_graph(dropout: bool) -> Graph:
    middle = [("Dropout", {"rate": 0.3})] if dropout else []
    return chain(("Input", {"shape": [8, 8]}), ("Flatten", {}), ("Dense", {"units": 300}), *middle,
                 ("Output", {"task": "multiclass"}))


def run(graph: Graph, dataset: str, method: str = "gradient_descent", diagnoses=(), **logs) -> dict:
    return run_record(graph, dataset, method, {k: [0.5, v] for k, v in logs.items()}, diagnoses)


def wide_deep_parts(step: int) -> Graph:
    """The Wide & Deep example cut back to what step `step` asks for."""
    graph = wide_deep().graph
    if step <= 3:
        for name in ("main_output", "aux_output"):
            graph.remove_node(graph.node_by_name(name).id)
    if step <= 2:
        graph.remove_node(graph.node_by_name("concat").id)
    return graph


SATISFYING = {
    ("neuron", 0): lambda: {"dataset": "and"},
    ("neuron", 1): lambda: {"graph": gate_neuron()},
    ("neuron", 2): lambda: {"dataset": "and", "graph": gate_neuron(), "weights": gate_weights(-0.7)},
    ("neuron", 3): lambda: {"dataset": "or", "graph": gate_neuron(), "weights": gate_weights(-0.2)},
    ("neuron", 4): lambda: {"runs": [run(gate_neuron(), "nand", "perceptron", accuracy=1.0)]},
    ("xor", 0): lambda: {"dataset": "xor"},
    ("xor", 1): lambda: {"runs": [run(xor_graph(False), "xor", accuracy=0.5)]},
    ("xor", 2): lambda: {"graph": xor_graph(True)},
    ("xor", 3): lambda: {"runs": [run(xor_graph(True), "xor", accuracy=1.0)]},
    ("mlp", 0): lambda: {"graph": mlp()},
    ("mlp", 1): lambda: {"graph": mlp()},
    ("backprop", 0): lambda: {"graph": tiny()},
    ("backprop", 1): lambda: {"graph": tiny(), "stepper": {"phases_seen": ["forward", "error"]}},
    ("backprop", 2): lambda: {"graph": tiny(), "stepper": {"phases_seen": ["forward", "error", "backward"]}},
    ("backprop", 3): lambda: {"graph": tiny(), "stepper": {"phases_seen": ["update"]}},
    ("digits", 0): lambda: {"dataset": "digits"},
    ("digits", 1): lambda: {"graph": digits_graph(False)},
    ("digits", 2): lambda: {"runs": [run(digits_graph(False), "digits", diagnoses=["overfitting"], accuracy=1.0)]},
    ("digits", 3): lambda: {"graph": digits_graph(True)},
    ("digits", 4): lambda: {"runs": [run(digits_graph(True), "digits", val_accuracy=0.95)]},
    ("digits", 5): lambda: {"training": {"early_stopping": {"enabled": True}}},
    ("wide_deep", 0): lambda: {"dataset": "diabetes"},
    ("wide_deep", 1): lambda: {"graph": wide_deep_parts(1)},
    ("wide_deep", 2): lambda: {"graph": wide_deep_parts(3)},
    ("wide_deep", 3): lambda: {"graph": wide_deep_parts(4)},
    ("wide_deep", 4): lambda: {"dataset": "diabetes", "runs": [run(wide_deep_parts(4), "diabetes", loss=1.0)]},
    ("saving", 0): lambda: {"runs": [run(xor_graph(True), "xor", accuracy=1.0)]},
    ("saving", 1): lambda: {"saved": True},
    ("saving", 2): lambda: {"exported": ["safetensors"]},
    ("saving", 3): lambda: {"exported": ["safetensors", "code"]},
}
ALL_STEPS = [(item.id, position) for item in LESSONS for position in range(len(item.steps))]


def test_six_to_eight_lessons_following_the_curriculum():
    assert 6 <= len(LESSONS) <= 8
    assert set(SATISFYING) == set(ALL_STEPS)
    for item in LESSONS:
        assert item.title and item.summary and all(step.instruction for step in item.steps)


@pytest.mark.parametrize("lesson_id, position", ALL_STEPS)
def test_step_is_false_on_an_empty_project(lesson_id, position):
    assert lesson(lesson_id).steps[position].check({}) is False
    assert lesson(lesson_id).steps[position].check({"graph": Graph(), "runs": [], "exported": []}) is False


@pytest.mark.parametrize("lesson_id, position", ALL_STEPS)
def test_step_is_true_on_a_state_that_does_it(lesson_id, position):
    assert lesson(lesson_id).steps[position].check(SATISFYING[(lesson_id, position)]()) is True


def test_checks_are_not_fooled():
    neuron, mlp_lesson, xor_lesson = lesson("neuron"), lesson("mlp"), lesson("xor")
    # The OR weights do not make AND's truth table right.
    assert not neuron.steps[2].check({"dataset": "and", "graph": gate_neuron(), "weights": gate_weights(-0.2)})
    # 100 output units give another parameter count.
    assert not mlp_lesson.steps[1].check({"graph": mlp(100)})
    # A single-layer XOR run that somehow reached 100% is not the "stays at chance" run.
    assert not xor_lesson.steps[1].check({"runs": [run(xor_graph(False), "xor", accuracy=1.0)]})
    assert neuron.progress({"dataset": "and", "graph": gate_neuron()}) == 2
