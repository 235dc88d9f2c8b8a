"""The binding rules the Data panel shows and applies, without any window: plans, stale choices, Input sizes."""

from __future__ import annotations

import numpy as np

from nnstudio.core.data import Table
from nnstudio.core.data.binding import (
    binding_state,
    class_counts_text,
    column_kind,
    graph_after_reset,
    input_size_changes,
    input_size_for,
    plan_binding,
    settings_for_new_data,
    stale_bindings,
)
from nnstudio.core.settings import DataSettings


def flowers() -> Table:
    """Six rows: two number columns and a three-class target (codes 0, 0, 1, 1, 1, 2)."""
    values = np.array([[1, 10, 0], [2, 20, 0], [3, 30, 1], [4, 40, 1], [5, 50, 1], [6, 60, 2]], dtype=np.float32)
    return Table("flowers", values, ["length", "width", "kind"], class_names={"kind": ("a", "b", "c")},
                 default_targets=("kind",))


def pictures(pixel_max: float = 255.0) -> Table:
    """Four 2×2 images and a yes/no label."""
    pixels = np.linspace(0, pixel_max, 16, dtype=np.float32).reshape(4, 4)
    values = np.hstack([pixels, np.array([[0], [1], [0], [1]], dtype=np.float32)])
    return Table("pictures", values, ["p0", "p1", "p2", "p3", "label"], class_names={"label": ("no", "yes")},
                 default_targets=("label",), image_shape=(2, 2))


def graph(input_params: dict | None = None, output_params: dict | None = None, *more: dict) -> dict:
    """One Input (shape 2) and one Output (task automatic) with these parameters on top, and more nodes."""
    features = {"id": "in", "type": "Input", "name": "features", "params": {"shape": [2], **(input_params or {})}}
    answer = {"id": "out", "type": "Output", "name": "answer", "params": {"task": "auto", **(output_params or {})}}
    return {"nodes": [features, answer, *more], "edges": []}


def test_column_kinds_and_class_counts_as_the_preview_shows_them():
    table = flowers()
    assert column_kind(table, "length") == "number"
    assert column_kind(table, "kind") == "category (3 classes)"
    assert class_counts_text(table, "kind") == "a 2 · b 3 · c 1"


def test_an_input_takes_the_image_shape_only_when_it_takes_exactly_the_pixels():
    table = pictures()
    assert input_size_for(table, ["p0", "p1", "p2", "p3"]) == (2, 2)
    assert input_size_for(table, ["p0", "p1"]) == (2,)
    assert input_size_for(flowers(), ["length", "width"]) == (2,)


def test_the_automatic_plan_says_what_goes_where_and_counts_the_classes():
    plan = plan_binding(flowers(), graph())
    assert plan.note.startswith("Automatic: one Input and one Output, so 'answer' learns to predict kind and "
                                "'features' takes the other 2 columns.")
    assert [(c.node_id, c.key, c.chosen, c.automatic) for c in plan.choices] == [
        ("out", "targets", ["kind"], True), ("in", "columns", ["length", "width"], True)]
    assert plan.choices[1].taken_elsewhere == {"kind"}  # an Input may not take what an Output predicts
    assert plan.class_counts == [("kind", "a 2 · b 3 · c 1")] and plan.can_size_inputs


def test_a_plan_with_chosen_columns_and_one_with_a_missing_column():
    chosen = plan_binding(flowers(), graph({"columns": ["width"]}, {"targets": ["length"], "task": "regression"}))
    assert chosen.note == ("Each Input takes the ticked columns; each Output learns to predict its ticked "
                           "target(s).")
    assert [c.chosen for c in chosen.choices] == [["length"], ["width"]] and not chosen.class_counts
    broken = plan_binding(flowers(), graph({"columns": ["height"]}))
    assert "height" in broken.note and not broken.can_size_inputs
    assert broken.choices[1].chosen == ["height"] and not broken.choices[1].automatic  # shown as named


def test_without_an_output_the_plan_asks_for_one():
    lonely = {"nodes": [{"id": "in", "type": "Input", "name": "features", "params": {"shape": [2]}}], "edges": []}
    assert plan_binding(flowers(), lonely).note == ("Add an Input and an Output layer to the network to bind the "
                                                    "data to it.")


def test_new_data_resets_choices_naming_missing_columns_then_sizes_inputs_for_the_graph_after_reset():
    drawing = graph({"columns": ["length", "width"]}, {"targets": ["kind"]})
    table = pictures()
    stale = stale_bindings(table, drawing)
    assert stale == [("in", "columns"), ("out", "targets")]
    after = graph_after_reset(drawing, stale)
    assert drawing["nodes"][0]["params"]["columns"] == ["length", "width"]  # the snapshot itself is untouched
    assert after["nodes"][0]["params"]["columns"] == [] and after["nodes"][1]["params"]["targets"] == []
    changes, problems = input_size_changes(table, after)
    assert changes == {"in": (2, 2)} and problems == []
    assert stale_bindings(flowers(), drawing) == []


def test_input_sizes_leave_fitting_inputs_alone_and_say_why_others_cannot_be_sized():
    assert input_size_changes(flowers(), graph()) == ({}, [])  # shape [2] already fits length and width
    changes, problems = input_size_changes(flowers(), graph({"columns": ["nowhere"]}))
    assert changes == {} and len(problems) == 1 and "nowhere" in problems[0]


def test_binding_state_changes_with_bindings_not_with_other_edits():
    before = binding_state(graph())
    dense = {"id": "d", "type": "Dense", "name": "hidden", "params": {"units": 4}}
    assert binding_state(graph({}, {}, dense)) == before
    assert binding_state(graph({"columns": ["length"]})) != before
    assert binding_state(graph({"shape": [3]})) != before


def test_new_pixel_images_get_pixel_scaling_and_keep_the_split():
    current = DataSettings(validation_fraction=0.25, scaling="standardize")
    images = settings_for_new_data(current, {"kind": "npz", "path": "p.npz"}, pictures(255.0))
    assert images.scaling == "pixels" and images.validation_fraction == 0.25
    assert images.source == {"kind": "npz", "path": "p.npz"} and current.source != images.source
    assert settings_for_new_data(current, {"kind": "npz", "path": "p.npz"}, pictures(1.0)).scaling == "standardize"
    assert settings_for_new_data(current, {"kind": "builtin", "name": "iris"}, flowers()).scaling == "standardize"


def test_each_new_dataset_brings_its_own_scaling_instead_of_keeping_the_last_ones():
    after_idx = DataSettings(validation_fraction=0.25, scaling="pixels")
    table = settings_for_new_data(after_idx, {"kind": "builtin", "name": "iris"}, flowers())
    assert table.scaling == "standardize" and table.validation_fraction == 0.25
    small_images = settings_for_new_data(after_idx, {"kind": "builtin", "name": "digits"}, pictures(16.0))
    assert small_images.scaling == "standardize"
    raw = DataSettings(scaling="none")
    assert settings_for_new_data(raw, {"kind": "idx", "images": "i.idx"}, pictures(1.0)).scaling == "pixels"


def test_without_an_output_the_usual_target_is_neither_fed_nor_offered_to_an_input():
    no_output = {"nodes": [{"id": "in", "type": "Input", "name": "features", "params": {"shape": [3]}}], "edges": []}
    plan = plan_binding(flowers(), no_output)
    (choice,) = plan.choices
    assert choice.chosen == ["length", "width"] and choice.taken_elsewhere == {"kind"}
    assert input_size_changes(flowers(), no_output)[0] == {"in": (2,)}
