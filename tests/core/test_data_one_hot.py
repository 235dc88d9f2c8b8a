"""Text input columns are one-hot encoded (원-핫 인코딩) in one place; names and ids are refused; the order is saved."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.core.data import DataError, data_context, load_source, prepare
from nnstudio.core.data.binding import input_size_changes, plan_binding, settings_for_new_data
from nnstudio.core.data.csv_loader import parse_csv
from nnstudio.core.data.encoding import describe_input_column, encoded_width
from nnstudio.core.data.project_data import load_project_data
from nnstudio.core.graph import Graph
from nnstudio.core.project import Project, load_project, save_project
from nnstudio.core.settings import DataSettings

COLOURS = ["red", "blue", "green", "blue", "red", "green", "green", "red", "blue", "red", "blue", "green"]


def shapes_csv() -> bytes:
    rows = [f"{colour},{size},{'big' if size > 5 else 'small'}" for size, colour in enumerate(COLOURS)]
    return ("colour,size,label\n" + "\n".join(rows) + "\n").encode()


def graph(columns: list[str] | None = None, shape: int = 2) -> dict:
    return {"nodes": [{"id": "in", "type": "Input", "name": "features", "params": {"shape": [shape],
                                                                                    "columns": columns or []}},
                      {"id": "out", "type": "Output", "name": "answer", "params": {"task": "auto"}}], "edges": []}


def test_a_text_column_becomes_one_input_per_category_in_the_tables_order():
    table = parse_csv(shapes_csv())
    assert table.class_names["colour"] == ("blue", "green", "red")
    assert encoded_width(table, ["colour", "size"]) == 4
    assert describe_input_column(table, "colour") == "colour — text, 3 values (blue, green, red) → one-hot: 3 inputs"
    # The canvas and the summary read the width from the data context; the Data panel resizes the Input to it.
    assert tuple(data_context(table, graph()).input_shapes["in"]) == (4,)
    assert input_size_changes(table, graph())[0] == {"in": (4,)}
    prepared = prepare(table, graph(shape=4), DataSettings(validation_fraction=0, test_fraction=0))
    rows = prepared.train.inputs["in"]
    assert rows.shape == (12, 4)
    # Each row has exactly one category flag set, in the column of its colour, and the flags stay 0/1 when
    # the numbers are standardized.
    np.testing.assert_array_equal(rows[:, :3], np.eye(3)[[("blue", "green", "red").index(c) for c in COLOURS]])
    assert abs(float(rows[:, 3].mean())) < 1e-6  # the number column is still standardized


def test_try_it_values_are_encoded_the_same_way_as_the_training_rows():
    table = parse_csv(shapes_csv())
    prepared = prepare(table, graph(shape=4), DataSettings(validation_fraction=0, test_fraction=0))
    first = prepared.train.inputs["in"][0]
    # One value per column, the text column as its category number (what the try-it fields hold) ...
    raw = prepared.raw_columns("in", first)
    np.testing.assert_allclose(raw, [[2, 0]], atol=1e-5)  # red is category 2, size 0
    # ... gives the very numbers the network was trained on.
    np.testing.assert_allclose(prepared.scale_inputs({"in": raw[0]})["in"][0], first, atol=1e-5)
    with pytest.raises(DataError, match="'colour' has 3 categories"):
        prepared.scale_inputs({"in": np.array([[7, 0]])})


def test_a_text_target_is_still_a_class_label():
    table = parse_csv(shapes_csv())
    prepared = prepare(table, graph(["size"], shape=1), DataSettings(validation_fraction=0, test_fraction=0))
    assert prepared.class_names["out"] == ("big", "small") and prepared.tasks["out"] == "binary"
    assert prepared.train.inputs["in"].shape == (12, 1)


def test_a_column_of_names_is_refused_with_its_column_and_an_example_row():
    names = ["Alice", "Bob", "Chen", "Dana", "Eun", "Femi", "Gil", "Hana", "Ivo", "Jun", "Kai", "Lea"]
    text = "name,height,label\n\n" + "\n".join(f"{n},{i},{'a' if i % 2 else 'b'}" for i, n in enumerate(names))
    table = parse_csv(text.encode())
    expected = ("column 'name' has 12 different texts in 12 rows (row 3: 'Alice'); it looks like a name or an "
                "id, not a category — untick it")
    assert expected in plan_binding(table, graph(["name", "height"])).note
    with pytest.raises(DataError, match="looks like a name or an id"):
        prepare(table, graph(["name", "height"]), DataSettings())
    # An automatic Input would take it too: refused the same way, never silently used.
    assert expected in plan_binding(table, graph()).note
    # Without it the same data trains on the number column.
    assert prepare(table, graph(["height"], shape=1), DataSettings()).train.inputs["in"].shape[1] == 1


def test_more_than_fifty_categories_is_refused():
    rows = "\n".join(f"c{i % 60},{i}" for i in range(600))
    table = parse_csv(f"code,y\n{rows}\n".encode())
    assert "has 60 different texts in 600 rows (row 2: 'c0')" in plan_binding(table, graph(["code"])).note


def test_the_category_order_is_saved_with_the_project_and_read_back(tmp_path):
    csv = tmp_path / "shapes.csv"
    csv.write_bytes(shapes_csv())
    source = {"kind": "csv", "path": str(csv)}
    project = Project()
    project.graph = Graph.from_dict(graph(shape=4))
    project.data = settings_for_new_data(project.data, source, load_source(source))
    assert project.data.source["categories"] == {"colour": ["blue", "green", "red"], "label": ["big", "small"]}
    save_project(project, tmp_path / "p.nnproj")
    # The file changes: no blue rows any more. The network was built for three colours and still gets three
    # inputs, each colour in its own place.
    csv.write_text("colour,size,label\nred,1,small\ngreen,9,big\nred,2,small\ngreen,8,big\n")
    reopened = load_project(tmp_path / "p.nnproj")
    table = load_source(reopened.data.source, reopened.base_dir)
    assert table.class_names["colour"] == ("blue", "green", "red")
    assert encoded_width(table, ["colour", "size"]) == 4
    data = load_project_data(reopened)
    np.testing.assert_array_equal(data.prepared.raw_columns("in", data.prepared.train.inputs["in"])[:, 0] % 1, 0)
    # A colour the network never saw is a plain message with its row, not a silent all-zeros input.
    csv.write_text("colour,size,label\nred,1,small\n\npurple,9,big\n")
    with pytest.raises(DataError, match=r"shapes.csv, row 4, column 'colour': 'purple' is not one of the 3 "
                                        r"categories this project was built with \(blue, green, red\)"):
        load_project_data(load_project(tmp_path / "p.nnproj"))


def test_saved_categories_that_name_a_text_twice_are_refused():
    with pytest.raises(DataError, match="saved categories of column 'colour' name one text twice"):
        parse_csv(shapes_csv(), categories={"colour": ["red", "red", "blue", "green"]})
