"""Binding columns to nodes, splitting, stratifying and scaling: the bridge from a table to a network."""

import numpy as np
import pytest

from nnstudio.core.analysis import DataContext, analyze
from nnstudio.core.data import DataError, Table, data_context, load_builtin, prepare, resolve_binding
from nnstudio.core.data.prepare import split_indices
from nnstudio.core.layers import OutputTarget
from nnstudio.core.settings import DataSettings


def node(node_id, layer_type, name=None, **params):
    return {"id": node_id, "type": layer_type, "name": name or node_id, "params": params, "position": [0, 0]}


def network(*nodes, edges=()):
    return {"nodes": list(nodes), "edges": [{"source": s, "source_port": "out", "target": t, "target_port": "in"}
                                           for s, t in edges]}


def simple(input_params=None, output_params=None):
    return network(node("in1", "Input", "features", **(input_params or {"shape": [4], "columns": []})),
                   node("d1", "Dense", "hidden", units=8, activation="relu", use_bias=True, initializer="auto"),
                   node("out1", "Output", "prediction", **(output_params or {"task": "auto", "targets": []})),
                   edges=[("in1", "d1"), ("d1", "out1")])


# ---------------------------------------------------------------- binding

def test_automatic_binding_uses_default_target_and_all_other_columns():
    table = load_builtin("iris")
    binding = resolve_binding(table, simple())
    assert binding.outputs == {"out1": ["species"]}
    assert binding.inputs == {"in1": ["sepal_length", "sepal_width", "petal_length", "petal_width"]}


def test_explicit_binding():
    table = load_builtin("iris")
    graph = simple({"shape": [2], "columns": ["petal_length", "petal_width"]},
                   {"task": "auto", "targets": ["species"]})
    assert resolve_binding(table, graph).inputs == {"in1": ["petal_length", "petal_width"]}


def test_two_inputs_may_share_columns_and_two_outputs_share_the_default_target():
    table = load_builtin("iris")
    graph = network(node("wide", "Input", shape=[2], columns=["sepal_length", "petal_length"]),
                    node("deep", "Input", shape=[4], columns=[]),
                    node("main", "Output", task="auto", targets=[]),
                    node("aux", "Output", task="auto", targets=[]))
    binding = resolve_binding(table, graph)
    assert binding.inputs["wide"] == ["sepal_length", "petal_length"]
    assert binding.inputs["deep"] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert binding.outputs == {"main": ["species"], "aux": ["species"]}


def test_unknown_column_names_the_node_and_the_column():
    table = load_builtin("iris")
    with pytest.raises(DataError, match=r"Input 'features' uses the column 'petal_colour'"):
        resolve_binding(table, simple({"shape": [1], "columns": ["petal_colour"]}))
    with pytest.raises(DataError, match=r"Output 'prediction' uses the column 'kind'"):
        resolve_binding(table, simple(output_params={"task": "auto", "targets": ["kind"]}))


def test_a_column_cannot_be_feature_and_target():
    table = load_builtin("iris")
    with pytest.raises(DataError, match="'species' as a feature"):
        resolve_binding(table, simple({"shape": [2], "columns": ["sepal_length", "species"]}))


def test_output_without_targets_on_data_without_default():
    table = Table("plain", np.zeros((3, 2)), ["a", "b"])
    with pytest.raises(DataError, match="no target column"):
        resolve_binding(table, simple())


# ---------------------------------------------------------------- data context

def test_data_context_for_iris():
    context = data_context(load_builtin("iris"), simple())
    assert isinstance(context, DataContext)
    assert context.input_shapes == {"in1": (4,)}
    assert context.output_targets == {"out1": OutputTarget("multiclass", 3,
                                                           ("setosa", "versicolor", "virginica"))}


def test_data_context_gives_image_shape_for_pixel_inputs():
    table = load_builtin("digits")
    assert data_context(table, simple({"shape": [8, 8], "columns": []})).input_shapes == {"in1": (8, 8)}
    assert data_context(table, simple({"shape": [64], "columns": []})).input_shapes == {"in1": (8, 8)}
    assert data_context(table, simple({"shape": [10], "columns": []})).input_shapes == {"in1": (64,)}
    some = {"shape": [2], "columns": ["px_0", "px_1"]}
    assert data_context(table, simple(some)).input_shapes == {"in1": (2,)}


def test_data_context_units_follow_the_task():
    assert data_context(load_builtin("xor"), simple()).output_targets["out1"] == OutputTarget("binary", 1,
                                                                                              ("0", "1"))
    diabetes = data_context(load_builtin("diabetes"), simple())
    assert diabetes.output_targets["out1"] == OutputTarget("regression", 1, ())
    # A chosen task changes the units; the target's task stays what the data holds, so analysis can object.
    forced = data_context(load_builtin("diabetes"), simple(output_params={"task": "multiclass", "targets": []}))
    assert forced.output_targets["out1"].task == "regression"


def test_analysis_sees_the_data_mismatch():
    table = load_builtin("iris")
    graph = simple({"shape": [3], "columns": []})
    issues = analyze(graph, data_context(table, graph)).issues
    assert any("data columns give 4" in issue.message for issue in issues)


# ---------------------------------------------------------------- split

def test_split_sizes_and_disjoint_parts():
    table = load_builtin("iris")
    data = prepare(table, simple(), DataSettings(validation_fraction=0.2, test_fraction=0.2))
    assert (len(data.train), len(data.validation), len(data.test)) == (90, 30, 30)
    assert data.train.inputs["in1"].shape == (90, 4) and data.train.inputs["in1"].dtype == np.float32
    assert data.train.targets["out1"].dtype == np.int64
    assert data.tasks == {"out1": "multiclass"}
    assert data.class_names == {"out1": ("setosa", "versicolor", "virginica")}


def test_split_indices_cover_every_row_once():
    for stratify in (None, np.repeat([0, 1, 2], [5, 30, 65])):
        train, validation, test = split_indices(100, DataSettings(validation_fraction=0.15, test_fraction=0.25),
                                                stratify)
        assert (len(train), len(validation), len(test)) == (60, 15, 25)
        assert sorted(np.concatenate([train, validation, test]).tolist()) == list(range(100))


def test_no_validation_part_when_fraction_is_zero():
    data = prepare(load_builtin("iris"), simple(), DataSettings(validation_fraction=0.0, test_fraction=0.0))
    assert len(data.train) == 150 and data.validation is None and data.test is None


def test_stratified_split_keeps_class_proportions():
    data = prepare(load_builtin("iris"), simple(), DataSettings(split_seed=3))
    for part in (data.train, data.validation, data.test):
        counts = np.bincount(part.targets["out1"], minlength=3)
        assert counts.max() - counts.min() <= 1, counts


def test_every_class_reaches_train_even_when_rare():
    values = np.column_stack([np.arange(40), np.r_[np.zeros(37), [1, 2, 3]]]).astype(np.float32)
    table = Table("rare", values, ["x", "y"], default_targets=("y",))
    for seed in range(20):
        data = prepare(table, simple({"shape": [1], "columns": []}, {"task": "multiclass", "targets": []}),
                       DataSettings(validation_fraction=0.3, test_fraction=0.3, split_seed=seed))
        assert set(data.train.targets["out1"].tolist()) == {0, 1, 2, 3}


def test_split_is_deterministic_for_a_seed_and_changes_with_it():
    table = load_builtin("wine")
    first = prepare(table, simple(), DataSettings(split_seed=7))
    again = prepare(table, simple(), DataSettings(split_seed=7))
    other = prepare(table, simple(), DataSettings(split_seed=8))
    assert np.array_equal(first.test.inputs["in1"], again.test.inputs["in1"])
    assert not np.array_equal(first.test.inputs["in1"], other.test.inputs["in1"])


def test_logic_gates_use_all_four_rows_in_every_part():
    data = prepare(load_builtin("xor"), simple({"shape": [2], "columns": []}), DataSettings())
    for part in (data.train, data.validation, data.test):
        assert len(part) == 4
        assert part.targets["out1"].tolist() == [0, 1, 1, 0]
    assert data.tasks == {"out1": "binary"}


# ---------------------------------------------------------------- scaling and shapes

def test_standardize_is_fitted_on_train_only():
    table = load_builtin("wine")
    data = prepare(table, simple(), DataSettings(scaling="standardize"))
    train = data.train.inputs["in1"]
    assert np.allclose(train.mean(axis=0), 0, atol=1e-4)
    assert np.allclose(train.std(axis=0), 1, atol=1e-3)
    offset, scale = data.scalers["in1"]
    # The scaler equals the statistics of the raw training rows, recovered by undoing the scaling.
    raw_train = train.astype(np.float64) * scale + offset
    assert np.allclose(offset, raw_train.mean(axis=0), rtol=1e-4, atol=1e-3)
    assert np.allclose(scale, raw_train.std(axis=0), rtol=1e-3)
    whole = table.values[:, :13].astype(np.float64)
    assert not np.allclose(offset, whole.mean(axis=0), rtol=1e-6)  # not fitted on everything
    assert abs(data.test.inputs["in1"].mean()) > 1e-6


def test_scale_inputs_treats_new_rows_like_training_rows():
    table = load_builtin("iris")
    data = prepare(table, simple(), DataSettings())
    raw = {"in1": table.values[:5, :4]}
    scaled = data.scale_inputs(raw)["in1"]
    offset, scale = data.scalers["in1"]
    assert np.allclose(scaled, (table.values[:5, :4] - offset) / scale)
    assert data.scale_inputs({"in1": table.values[0, :4]})["in1"].shape == (1, 4)
    with pytest.raises(DataError, match="4 values"):
        data.scale_inputs({"in1": np.zeros((2, 3))})


def test_constant_feature_is_not_divided_by_zero():
    values = np.column_stack([np.ones(20), np.arange(20), np.arange(20) % 2]).astype(np.float32)
    table = Table("flat", values, ["c", "x", "y"], default_targets=("y",))
    data = prepare(table, simple({"shape": [2], "columns": []}), DataSettings())
    assert np.isfinite(data.train.inputs["in1"]).all()
    assert data.scalers["in1"][1][0] == 1.0


def test_pixels_scaling_and_image_shape():
    table = load_builtin("digits")
    data = prepare(table, simple({"shape": [8, 8], "columns": []}), DataSettings(scaling="pixels"))
    images = data.train.inputs["in1"]
    assert images.shape[1:] == (8, 8) and images.flags.c_contiguous
    assert images.max() <= 16 / 255 + 1e-6
    assert data.scalers["in1"][1].tolist() == [255.0] * 64
    assert data.class_names["out1"] == tuple(str(d) for d in range(10))


def test_no_scaling_keeps_values():
    table = load_builtin("iris")
    data = prepare(table, simple(), DataSettings(scaling="none", validation_fraction=0.0, test_fraction=0.0))
    assert np.array_equal(data.train.inputs["in1"], table.values[:, :4])


def test_regression_targets_are_float_columns():
    data = prepare(load_builtin("diabetes"), simple({"shape": [10], "columns": []}), DataSettings())
    target = data.train.targets["out1"]
    assert target.dtype == np.float32 and target.shape == (len(data.train), 1)
    assert data.tasks == {"out1": "regression"} and data.class_names == {"out1": ()}


def test_several_regression_targets():
    table = load_builtin("diabetes")
    graph = simple({"shape": [9], "columns": []}, {"task": "regression", "targets": ["bmi", "progression"]})
    data = prepare(table, graph, DataSettings(stratify=False))
    assert data.train.targets["out1"].shape == (len(data.train), 2)
    assert data.binding.inputs["in1"] == [c for c in table.columns if c not in ("bmi", "progression")]


def test_numeric_labels_map_to_codes_by_sorted_value():
    values = np.array([[0, 10], [1, 30], [2, 20], [3, 10], [4, 30], [5, 20]] * 5, dtype=np.float32)
    table = Table("codes", values, ["x", "grade"], default_targets=("grade",))
    data = prepare(table, simple({"shape": [1], "columns": []}), DataSettings(scaling="none",
                                                                           validation_fraction=0.0,
                                                                           test_fraction=0.0))
    assert data.class_names["out1"] == ("10", "20", "30")
    assert data.train.targets["out1"][:6].tolist() == [0, 2, 1, 0, 2, 1]


@pytest.mark.parametrize("output_params,words", [
    ({"task": "binary", "targets": []}, ["yes/no", "3 classes"]),
    ({"task": "regression", "targets": []}, ["holds categories"]),
    ({"task": "multiclass", "targets": ["species", "sepal_length"]}, ["exactly one target"]),
])
def test_task_that_does_not_fit_the_target(output_params, words):
    with pytest.raises(DataError) as error:
        prepare(load_builtin("iris"), simple({"shape": [3], "columns": ["sepal_width", "petal_length",
                                                                        "petal_width"]}, output_params),
                DataSettings())
    for word in words:
        assert word in str(error.value)


def test_classifying_a_measurement_is_refused():
    with pytest.raises(DataError, match="set its task to regression"):
        prepare(load_builtin("diabetes"), simple(output_params={"task": "multiclass", "targets": []}),
                DataSettings())


def test_memory_large_table_parts_are_single_copies():
    values = np.random.default_rng(0).integers(0, 256, size=(6000, 785)).astype(np.float32)
    values[:, 0] %= 10
    table = Table("big", values, ["label"] + [f"px_{i}" for i in range(784)], default_targets=("label",),
                  image_shape=(28, 28))
    data = prepare(table, simple({"shape": [28, 28], "columns": []}), DataSettings(scaling="pixels"))
    assert data.train.inputs["in1"].shape == (len(data.train), 28, 28)
    assert not np.shares_memory(data.train.inputs["in1"], table.values)
    assert len(data.train) + len(data.validation) + len(data.test) == 6000
