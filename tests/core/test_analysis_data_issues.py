"""When the network does not fit its data, the analysis says so on the Input/Output nodes, in plain words."""

from pathlib import Path

import pytest

from nnstudio.core.analysis import ERROR, DataContext, analyze
from nnstudio.core.data import DataError, bind_columns, data_context, load_builtin, prepare
from nnstudio.core.layers import layer_spec
from nnstudio.core.project import load_project
from nnstudio.core.settings import DataSettings

XOR_FILE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "xor.nnstudio"


def node(node_id, layer_type, name=None, **params):
    """A node as a saved project holds it: every parameter present, the given ones changed."""
    return {"id": node_id, "type": layer_type, "name": name or node_id,
            "params": {**layer_spec(layer_type).defaults(), **params}, "position": [0, 0]}


def simple(input_params=None, output_params=None):
    """Input -> Dense -> Output, the shape most student networks have."""
    nodes = [node("in1", "Input", "features", **(input_params or {"shape": [4], "columns": []})),
             node("d1", "Dense", "hidden", units=8, activation="relu"),
             node("out1", "Output", "prediction", **(output_params or {"task": "auto", "targets": []}))]
    edges = [{"source": s, "source_port": "out", "target": t, "target_port": "in"}
             for s, t in (("in1", "d1"), ("d1", "out1"))]
    return {"nodes": nodes, "edges": edges}


def errors_on(graph, table, node_id):
    analysis = analyze(graph, data_context(table, graph))
    return [issue.message for issue in analysis.errors if issue.node_id == node_id]


def test_xor_network_on_iris_shows_both_mismatches_on_their_nodes():
    graph = load_project(XOR_FILE).graph.to_dict()
    iris = load_builtin("iris")
    with pytest.raises(DataError):
        prepare(iris, graph, DataSettings())  # training refuses it...
    analysis = analyze(graph, data_context(iris, graph))  # ...and the analysis says why, node by node
    by_node = {issue.node_id: issue.message for issue in analysis.errors}
    input_id = next(n["id"] for n in graph["nodes"] if n["type"] == "Input")
    output_id = next(n["id"] for n in graph["nodes"] if n["type"] == "Output")
    assert set(by_node) == {input_id, output_id}
    assert "yes/no" in by_node[output_id] and "3 classes" in by_node[output_id]
    assert "set its task to multiclass or automatic" in by_node[output_id]
    assert "2 values" in by_node[input_id] and "give 4" in by_node[input_id]
    assert "set its shape to 4" in by_node[input_id]


def test_the_issue_uses_the_words_training_would_refuse_with():
    graph = simple(output_params={"task": "regression", "targets": []})
    iris = load_builtin("iris")
    with pytest.raises(DataError) as refused:
        prepare(iris, graph, DataSettings())
    assert errors_on(graph, iris, "out1") == [str(refused.value)]
    assert "holds categories" in str(refused.value)


def test_a_fitting_network_has_no_data_problems_and_units_follow_the_classes():
    graph = simple()
    context = data_context(load_builtin("iris"), graph)
    assert context.problems == {}
    analysis = analyze(graph, context)
    assert analysis.ok
    assert analysis.shapes["out1"] == (3,)  # automatic units: one per species
    wine = simple({"shape": [13], "columns": []})
    assert analyze(wine, data_context(load_builtin("wine"), wine)).shapes["out1"] == (3,)
    xor = simple({"shape": [2], "columns": []})
    assert analyze(xor, data_context(load_builtin("xor"), xor)).shapes["out1"] == (1,)


def test_an_unknown_target_column_is_shown_on_the_output_and_chosen_input_columns_are_still_checked():
    graph = simple({"shape": [2], "columns": ["sepal_length", "sepal_width", "petal_length"]},
                   {"task": "auto", "targets": ["colour"]})
    iris = load_builtin("iris")
    context = data_context(iris, graph)  # does not raise: the problem is the Output's
    output_errors = errors_on(graph, iris, "out1")
    assert len(output_errors) == 1
    assert "'colour'" in output_errors[0] and "does not have" in output_errors[0]
    assert "Data panel" in output_errors[0]
    assert context.input_shapes == {"in1": (3,)}
    assert any("give 3" in message for message in errors_on(graph, iris, "in1"))


def test_an_automatic_input_waits_for_its_outputs_targets():
    # "Every column but the targets" is unknown while the target is: no made-up size error on the Input.
    graph = simple({"shape": [2], "columns": []}, {"task": "auto", "targets": ["colour"]})
    iris = load_builtin("iris")
    assert data_context(iris, graph).input_shapes == {}
    assert errors_on(graph, iris, "in1") == []
    assert len(errors_on(graph, iris, "out1")) == 1


def test_an_input_that_takes_the_answer_is_shown_on_the_input():
    graph = simple({"shape": [2], "columns": ["petal_length", "species"]})
    messages = errors_on(graph, load_builtin("iris"), "in1")
    assert len(messages) == 1 and "must not see the answer" in messages[0]


def test_a_classifier_with_two_targets_gets_one_clear_issue():
    graph = simple({"shape": [3], "columns": []}, {"task": "multiclass", "targets": ["species", "sepal_length"]})
    messages = errors_on(graph, load_builtin("iris"), "out1")
    # One message that says what to do, not a second one about "measurements" for the same mistake.
    assert len(messages) == 1
    assert "exactly one target column" in messages[0] and "set its task to regression" in messages[0]


def test_classifying_a_measurement_gets_one_issue():
    graph = simple({"shape": [10], "columns": []}, {"task": "multiclass", "targets": []})
    messages = errors_on(graph, load_builtin("diabetes"), "out1")
    assert len(messages) == 1 and "holds measurements" in messages[0]
    assert "set its task to regression" in messages[0]


def test_every_problem_is_reported_not_only_the_first():
    graph = simple({"shape": [4], "columns": ["petal_colour"]}, {"task": "auto", "targets": ["kind"]})
    binding, problems = bind_columns(load_builtin("iris"), graph)
    assert set(problems) == {"in1", "out1"} and not binding.inputs and not binding.outputs
    analysis = analyze(graph, data_context(load_builtin("iris"), graph))
    assert {issue.node_id for issue in analysis.errors} == {"in1", "out1"}


def test_problems_of_nodes_that_are_gone_are_ignored():
    graph = simple()
    context = DataContext({"in1": (4,)}, {}, {"deleted": "Output 'old' is broken", "out1": "Output 'prediction' "
                                                                                             "does not fit"})
    analysis = analyze(graph, context)
    assert [(issue.node_id, issue.severity) for issue in analysis.issues
            if "broken" in issue.message or "fit" in issue.message] == [("out1", ERROR)]
