"""Every built-in dataset loads offline with the right size, columns and task."""

import sys

import numpy as np
import pytest

from nnstudio.core.data import BUILTINS, DataError, load_builtin

EXPECTED = {  # name: (rows, columns, target, task)
    "xor": (4, 3, "y", "binary"), "and": (4, 3, "y", "binary"), "or": (4, 3, "y", "binary"),
    "nand": (4, 3, "y", "binary"), "moons": (500, 3, "label", "binary"),
    "circles": (500, 3, "label", "binary"), "spirals": (600, 3, "label", "multiclass"),
    "blobs": (450, 3, "label", "multiclass"), "sine": (400, 2, "y", "regression"),
    "iris": (150, 5, "species", "multiclass"), "wine": (178, 14, "cultivar", "multiclass"),
    "breast_cancer": (569, 31, "diagnosis", "binary"), "digits": (1797, 65, "digit", "multiclass"),
    "diabetes": (442, 11, "progression", "regression"),
}


def test_every_builtin_is_listed_and_tested():
    assert set(BUILTINS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_loads_with_right_shape_and_task(name):
    rows, columns, target, task = EXPECTED[name]
    table = load_builtin(name)
    info = BUILTINS[name]
    assert table.values.shape == (rows, columns) == (info.rows, len(table.columns))
    assert table.values.dtype == np.float32 and table.values.flags.c_contiguous
    assert np.isfinite(table.values).all()
    assert len(set(table.columns)) == len(table.columns)
    assert table.default_targets == (target,)
    assert table.task_of(target) == task == info.task
    assert info.description and "\n" not in info.description
    assert table.feature_columns([target]) == [c for c in table.columns if c != target]


def test_logic_gates_are_truth_tables_used_whole():
    truth = {"xor": [0, 1, 1, 0], "and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0]}
    for name, outputs in truth.items():
        table = load_builtin(name)
        assert table.columns == ["x1", "x2", "y"]
        assert table.whole_is_every_split
        assert table.column("x1").tolist() == [0, 0, 1, 1]
        assert table.column("x2").tolist() == [0, 1, 0, 1]
        assert table.column("y").tolist() == outputs
        assert table.classes_of("y") == ("0", "1")


def test_iris_species_are_named_categories():
    table = load_builtin("iris")
    assert table.class_names["species"] == ("setosa", "versicolor", "virginica")
    assert table.num_classes("species") == 3
    assert np.bincount(table.column("species").astype(int)).tolist() == [50, 50, 50]
    assert table.columns[:4] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def test_digits_are_8x8_pixel_images():
    table = load_builtin("digits")
    assert table.image_shape == (8, 8)
    pixels = table.feature_columns(["digit"])
    assert pixels == [f"px_{i}" for i in range(64)]
    assert table.values[:, :64].min() == 0 and table.values[:, :64].max() == 16
    assert table.num_classes("digit") == 10
    assert table.classes_of("digit") == tuple(str(d) for d in range(10))


def test_diabetes_target_is_a_measurement():
    table = load_builtin("diabetes")
    target = table.column("progression")
    assert target.min() == 25 and target.max() == 346
    assert table.task_of("progression") == "regression"


def test_breast_cancer_is_yes_no():
    table = load_builtin("breast_cancer")
    assert table.class_names["diagnosis"] == ("malignant", "benign")
    assert table.num_classes("diagnosis") == 2


def test_generated_sets_are_deterministic():
    for name in ("moons", "circles", "spirals", "blobs", "sine"):
        assert np.array_equal(load_builtin(name).values, load_builtin(name).values)


def test_unknown_builtin_is_a_data_error():
    with pytest.raises(DataError, match="no built-in dataset called 'mnist'"):
        load_builtin("mnist")
    with pytest.raises(DataError):
        load_builtin(None)  # type: ignore[arg-type]


def test_data_layer_imports_neither_torch_nor_qt():
    import subprocess
    code = ("import sys, nnstudio.core.data as d; d.load_builtin('xor'); d.prepare; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'PySide6')]; "
            "sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
