"""Shape rules of every layer, parameter counts equal to Keras', and each analysis message."""

import pytest

from nnstudio.core.analysis import ERROR, WARNING, DataContext, analyze
from nnstudio.core.graph import Graph
from nnstudio.core.layers import LAYERS, OutputTarget, format_shape, layer_spec, parameter_problems


def build(*layers, context=None):
    """Chain layers given as (type, params) and analyse the result."""
    graph = Graph()
    ids = []
    for type_name, params in layers:
        node = graph.add_node(type_name, params=params)
        if ids:
            graph.connect(ids[-1], "out", node.id, "in")
        ids.append(node.id)
    return graph, ids, analyze(graph, context)


def messages(analysis, severity=None):
    return [i.message for i in analysis.issues if severity is None or i.severity == severity]


def classes(output_id, n):
    return DataContext(output_targets={output_id: OutputTarget("multiclass", n)})


def test_mlp_from_the_lecture_has_266610_parameters():
    graph, ids, _ = build(("Input", {"shape": [28, 28]}), ("Flatten", {}), ("Dense", {"units": 300}),
                          ("Dense", {"units": 100}), ("Output", {}))
    result = analyze(graph, classes(ids[-1], 10))
    assert result.ok, result.issues
    assert [result.params[i] for i in ids] == [0, 0, 235_500, 30_100, 1_010]
    assert result.total_params == result.trainable_params == 266_610
    assert result.shapes[ids[1]] == (784,)
    text = result.summary_text()
    assert "266,610" in text and "(None, 28, 28)" in text
    summary = result.summary_dict()
    assert summary["layers"][2] == {"name": "dense", "type": "Dense", "output_shape": "(None, 300)",
                                    "params": 235_500}


@pytest.mark.parametrize("layer, params, in_shape, out_shape, count", [
    ("Dense", {"units": 5}, (3,), (5,), 20),
    ("Dense", {"units": 5, "use_bias": False}, (3,), (5,), 15),
    ("Dropout", {"rate": 0.5}, (7,), (7,), 0),
    ("Flatten", {}, (4, 5), (20,), 0),
    ("Flatten", {}, (2, 3, 4), (24,), 0),
    ("Activation", {"activation": "tanh"}, (6,), (6,), 0),
    ("BatchNormalization", {}, (6,), (6,), 24),
])
def test_each_single_input_layer_shape_rule(layer, params, in_shape, out_shape, count):
    graph = Graph()
    inp = graph.add_node("Input", params={"shape": list(in_shape)})
    node = graph.add_node(layer, params=params)
    graph.connect(inp.id, "out", node.id, "in")
    result = analyze(graph)
    assert result.shapes[node.id] == out_shape
    assert result.params[node.id] == count


def test_batchnorm_counts_like_keras():
    graph, ids, result = build(("Input", {"shape": [10]}), ("BatchNormalization", {}))
    assert result.params[ids[1]] == 40 and result.trainable[ids[1]] == 20


def test_output_units_follow_the_task():
    for task, target, units, params in [("multiclass", OutputTarget("multiclass", 3), 3, 3 * 4 + 3),
                                        ("binary", OutputTarget("binary", 1), 1, 5),
                                        ("regression", OutputTarget("regression", 2), 2, 10)]:
        graph, ids, _ = build(("Input", {"shape": [4]}), ("Output", {"task": "auto"}))
        result = analyze(graph, DataContext(output_targets={ids[1]: target}))
        assert result.shapes[ids[1]] == (units,), task
        assert result.params[ids[1]] == params


def test_concatenate_and_add():
    graph = Graph()
    a = graph.add_node("Input", params={"shape": [5]})
    b = graph.add_node("Input", params={"shape": [6]})
    cat = graph.add_node("Concatenate")
    add = graph.add_node("Add")
    graph.connect(a.id, "out", cat.id, "in1")
    graph.connect(b.id, "out", cat.id, "in2")
    graph.connect(a.id, "out", add.id, "in1")
    graph.connect(b.id, "out", add.id, "in2")
    result = analyze(graph)
    assert result.shapes[cat.id] == (11,)
    add_issue = [i for i in result.issues_for(add.id) if i.severity == ERROR]
    assert add_issue and "same shape" in add_issue[0].message


def test_concatenate_of_mismatched_grids_is_explained():
    graph = Graph()
    a = graph.add_node("Input", params={"shape": [4, 5]})
    b = graph.add_node("Input", params={"shape": [3, 5]})
    cat = graph.add_node("Concatenate")
    graph.connect(a.id, "out", cat.id, "in1")
    graph.connect(b.id, "out", cat.id, "in2")
    assert "Flatten" in analyze(graph).issues_for(cat.id)[0].message


def test_dense_on_an_image_says_add_flatten():
    graph, ids, result = build(("Input", {"shape": [28, 28]}), ("Dense", {"units": 10}), ("Output", {}))
    errors = [i for i in result.issues if i.severity == ERROR]
    assert errors[0].node_id == ids[1]
    assert "add a Flatten node" in errors[0].message and "28×28" in errors[0].message
    # the error does not cascade into the next layer
    assert result.shapes[ids[2]] is None and not result.issues_for(ids[2])


def test_missing_input_and_output():
    result = analyze(Graph())
    text = " ".join(messages(result, ERROR))
    assert "no Input" in text and "no Output" in text


def test_unconnected_port_and_dead_end():
    graph = Graph()
    inp = graph.add_node("Input", params={"shape": [3]})
    out = graph.add_node("Output", params={"task": "binary"})
    graph.connect(inp.id, "out", out.id, "in")
    lonely = graph.add_node("Dense")
    result = analyze(graph)
    lonely_msgs = [i for i in result.issues_for(lonely.id)]
    assert any(i.severity == ERROR and "nothing connected" in i.message for i in lonely_msgs)
    assert any(i.severity == WARNING and "does not lead to any Output" in i.message for i in lonely_msgs)


def test_a_loop_is_reported_not_raised():
    snapshot = {"nodes": [{"id": "a", "type": "Dense", "name": "a", "params": {}, "position": [0, 0]},
                          {"id": "b", "type": "Dense", "name": "b", "params": {}, "position": [0, 0]}],
                "edges": [{"source": "a", "source_port": "out", "target": "b", "target_port": "in"},
                          {"source": "b", "source_port": "out", "target": "a", "target_port": "in"}]}
    result = analyze(snapshot)
    assert sum("part of a loop" in m for m in messages(result)) == 2


def test_bad_parameter_values_are_errors():
    graph, ids, _ = build(("Input", {"shape": [3]}), ("Dropout", {}), ("Output", {"task": "binary"}))
    graph.nodes[ids[1]].params["rate"] = 1.0  # as a hand-edited file could hold
    result = analyze(graph)
    assert any("Rate must be below 1" in m for m in messages(result, ERROR))
    assert parameter_problems("Dense", {"units": 0, "activation": "relu", "use_bias": True,
                                        "initializer": "zeros"}) == {"units": "Units must be at least 1 (it is 0)"}


def test_step_and_sign_warn_that_backprop_cannot_train():
    for activation in ("step", "sign"):
        graph, ids, result = build(("Input", {"shape": [2]}), ("Dense", {"activation": activation}),
                                   ("Output", {"task": "binary"}))
        assert any("backpropagation cannot train" in i.message for i in result.issues_for(ids[1]))


def test_data_shape_mismatch_shows_on_the_input():
    graph, ids, _ = build(("Input", {"shape": [8]}), ("Output", {"task": "binary"}))
    result = analyze(graph, DataContext(input_shapes={ids[0]: (4,)}))
    assert "data columns give 4" in messages(result, ERROR)[0]


def test_analysis_never_raises_on_garbage():
    for garbage in ({"nodes": [{"id": "x", "type": "Nope", "name": "x"}]}, {"nodes": "zzz"}, None, 42):
        result = analyze(garbage)
        assert result.issues


def test_every_layer_has_help_and_valid_defaults():
    for name, spec in LAYERS.items():
        assert spec.help.endswith(".") and len(spec.help) > 30, name
        assert parameter_problems(name, spec.defaults()) == {}, name
        for p in spec.params:
            assert p.help, (name, p.name)
    assert layer_spec("InputLayer").type == "Input"
    assert format_shape((28, 28)) == "(None, 28, 28)"


def test_wide_and_deep_analysis():
    from nnstudio.core.examples import build_example
    project = build_example("wide_deep")
    graph = project.graph
    outs = [n.id for n in graph.nodes_of_type("Output")]
    ctx = DataContext(output_targets={o: OutputTarget("regression", 1) for o in outs})
    result = analyze(graph, ctx)
    assert result.ok, result.issues
    concat = graph.node_by_name("concat").id
    assert result.shapes[concat] == (35,)


def test_issue_wording_is_decided_once_in_core():
    from nnstudio.core.analysis import ERROR, WARNING, Issue, errors_first, issue_counts_text, worst_severity

    warning = Issue("n1", WARNING, "Dense 'hidden1' has no bias")
    error = Issue("n2", ERROR, "nothing feeds this layer")
    assert worst_severity([]) is None
    assert worst_severity([warning]) == WARNING
    assert worst_severity([warning, error]) == ERROR
    assert errors_first([warning, error]) == [error, warning]
    assert error.labelled() == "Error: nothing feeds this layer"
    assert warning.labelled() == "Warning: Dense 'hidden1' has no bias"
    assert error.with_layer_name("out") == "out: nothing feeds this layer"
    assert warning.with_layer_name("hidden1") == warning.message  # it already says which layer
    assert issue_counts_text([]) == ""
    assert issue_counts_text([error, warning, warning]) == "1 error, 2 warnings"
