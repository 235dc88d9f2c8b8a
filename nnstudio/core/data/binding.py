"""Rules for tying a table to a drawing: what the Data panel shows about a binding and what changing the data resets."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..i18n import ntr, tr
from ..settings import DataSettings
from .encoding import describe_input_column, encoded_width
from .prepare import CLASSIFICATION, _columns_param, _nodes_of, bind_columns
from .table import Table

# A class-count line for a column with more classes than this would be a wall of numbers, not a help.
MOST_CLASSES_COUNTED = 100
# Pixel values above this mean 0..255 images (0..1 or 0..16 images, like sklearn's digits, are kept as they are).
PIXEL_VALUES_ABOVE = 16


@dataclass
class ColumnChoice:
    """One Output's targets (key 'targets') or one Input's feature columns (key 'columns'), as shown."""

    node_id: str
    node_name: str
    key: str
    chosen: list[str]          # the columns ticked: the bound ones, else the ones the node names
    automatic: bool            # the node names no columns, so the automatic rule chooses
    taken_elsewhere: set[str]  # columns an Output learns to predict, so no Input may take them
    notes: dict[str, str] = field(default_factory=dict)  # an Input's column -> what it becomes ('… one-hot: 3 inputs')


@dataclass
class BindingPlan:
    """What the Data panel shows about how a table's columns feed the network."""

    note: str
    choices: list[ColumnChoice] = field(default_factory=list)   # Outputs first, then Inputs
    class_counts: list[tuple[str, str]] = field(default_factory=list)  # (target column, its class counts)
    can_size_inputs: bool = False


def column_kind(table: Table, column: str) -> str:
    """How the preview header describes a column: 'number' or 'category (3 classes)'."""
    if table.is_categorical(column):
        return ntr("category ({n} class)", "category ({n} classes)", table.num_classes(column))
    return tr("number")


def class_counts_text(table: Table, column: str) -> str:
    """'setosa 50 · versicolor 50 · virginica 50': how many rows each class has."""
    counts = np.bincount(table.class_codes(column), minlength=table.num_classes(column))
    return " · ".join(f"{name} {int(count)}" for name, count in zip(table.classes_of(column), counts))


def input_size_for(table: Table, columns: list[str]) -> tuple[int, ...]:
    """The Input shape that fits these columns: the image shape when they are exactly the image's pixels."""
    if table.image_shape is not None and columns == table.feature_columns(table.default_targets) \
            and math.prod(table.image_shape) == len(columns):
        return tuple(table.image_shape)
    return (encoded_width(table, columns),)


def binding_state(graph: dict) -> str:
    """The parts of a drawing a binding depends on (Inputs' and Outputs' names and chosen columns, Input
    shapes, Output tasks): when this text is unchanged, an edit (a move, a Dense's units) changes no binding."""
    parts = [(n.get("id"), n.get("name"), _columns_param(n, "columns"), list((n.get("params") or {}).get("shape")
                                                                            or ()))
             for n in _nodes_of(graph, "Input")]
    parts += [(n.get("id"), n.get("name"), _columns_param(n, "targets"), (n.get("params") or {}).get("task"))
              for n in _nodes_of(graph, "Output")]
    return json.dumps(parts, default=str)


def plan_binding(table: Table, graph: dict) -> BindingPlan:
    """How the table's columns feed this drawing: a note in plain words, the columns each node takes and the
    class counts of the targets. The nodes that can be bound show their columns even when another cannot be."""
    inputs, outputs = _nodes_of(graph, "Input"), _nodes_of(graph, "Output")
    binding, problems = bind_columns(table, graph)
    plan = BindingPlan(tr("Add an Input and an Output layer to the network to bind the data to it.")
                       if not inputs or not outputs else "")
    if problems:
        plan.note = next(iter(problems.values()))
    elif len(inputs) == 1 and len(outputs) == 1 and not _columns_param(inputs[0], "columns") \
            and not _columns_param(outputs[0], "targets"):
        targets = binding.outputs.get(outputs[0]["id"], [])
        plan.note = ntr("Automatic: one Input and one Output, so '{output}' learns to predict {targets} and "
                        "'{input}' takes the other {n} column. Untick 'automatic' to choose.",
                        "Automatic: one Input and one Output, so '{output}' learns to predict {targets} and "
                        "'{input}' takes the other {n} columns. Untick 'automatic' to choose.",
                        len(binding.inputs.get(inputs[0]["id"], [])), output=outputs[0].get("name"),
                        targets=", ".join(targets), input=inputs[0].get("name"))
    elif inputs and outputs:
        plan.note = tr("Each Input takes the ticked columns; each Output learns to predict its ticked target(s).")
    all_targets = {c for targets in binding.outputs.values() for c in targets}
    if not outputs:  # no Output yet: the usual targets are still answers, not features to offer
        all_targets = {c for c in table.default_targets if table.has_column(c)}
    for nodes, key, bound, taken in ((outputs, "targets", binding.outputs, set()),
                                     (inputs, "columns", binding.inputs, all_targets)):
        for node in nodes:
            named = _columns_param(node, key)
            notes = {c: describe_input_column(table, c) for c in table.class_names} if key == "columns" else {}
            plan.choices.append(ColumnChoice(node["id"], str(node.get("name", node["id"])), key,
                                             list(bound.get(node["id"], named)), not named, set(taken), notes))
    plan.can_size_inputs = bool(binding.inputs)
    for node in outputs:
        declared = (node.get("params") or {}).get("task", "auto")
        for column in binding.outputs.get(node["id"], []):
            task = table.task_of(column) if declared == "auto" else declared
            if task in CLASSIFICATION and table.num_classes(column) <= MOST_CLASSES_COUNTED:
                plan.class_counts.append((column, class_counts_text(table, column)))
    return plan


def input_size_changes(table: Table, graph: dict) -> tuple[dict[str, tuple[int, ...]], list[str]]:
    """The new shape of each Input whose shape does not fit the columns it takes from `table`, and why the
    Inputs that cannot be bound are left as they are."""
    binding, problems = bind_columns(table, graph)
    shapes = {n["id"]: tuple((n.get("params") or {}).get("shape") or ()) for n in _nodes_of(graph, "Input")}
    changes = {}
    for node_id, columns in binding.inputs.items():
        wanted = input_size_for(table, columns)
        if math.prod(shapes.get(node_id, ())) != math.prod(wanted):
            changes[node_id] = wanted
    return changes, list(problems.values())


def stale_bindings(table: Table, graph: dict) -> list[tuple[str, str]]:
    """(node id, 'columns' or 'targets') of every Input or Output naming a column the new table lacks: those
    go back to automatic when the data changes."""
    stale = []
    for nodes, key in ((_nodes_of(graph, "Input"), "columns"), (_nodes_of(graph, "Output"), "targets")):
        for node in nodes:
            chosen = _columns_param(node, key)
            if chosen and not all(table.has_column(c) for c in chosen):
                stale.append((node["id"], key))
    return stale


def graph_after_reset(graph: dict, stale: list[tuple[str, str]]) -> dict:
    """A copy of the graph's snapshot as it will be once the stale columns/targets are back to automatic."""
    graph = copy.deepcopy(graph)
    for node in graph.get("nodes", []):
        for node_id, key in stale:
            if node.get("id") == node_id:
                node.setdefault("params", {})[key] = []
    return graph


def default_scaling(source: dict[str, Any], table: Table) -> str:
    """The scaling a dataset brings with it: 'pixels' for 0..255 images (IDX files always are), else
    'standardize' (the project default; right for measurements and for 0..16 images like sklearn's digits)."""
    if source.get("kind") == "idx" or (table.image_shape and float(table.values.max(initial=0)) > PIXEL_VALUES_ABOVE):
        return "pixels"
    return "standardize"


def settings_for_new_data(current: DataSettings, source: dict[str, Any], table: Table) -> DataSettings:
    """The project's data settings once `source` (already read as `table`) becomes its data: the split stays,
    the scaling is the new dataset's own default (a scaling chosen for other data, such as pixels ÷ 255 after
    an IDX import, would quietly ruin this one)."""
    return dataclasses.replace(current, source=source_with_categories(source, table),
                               scaling=default_scaling(source, table))


def source_with_categories(source: dict[str, Any], table: Table) -> dict[str, Any]:
    """The source entry to save: a CSV file's text columns keep their categories in order (the one-hot inputs
    and the classes), so reopening the project reads the same columns even after rows are added to the file."""
    source = {key: value for key, value in source.items() if key != "categories"}
    if source.get("kind") == "csv" and table.class_names:
        source["categories"] = {column: list(names) for column, names in table.class_names.items()}
    return source
