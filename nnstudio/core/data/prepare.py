"""Bind table columns to a network's Inputs and Outputs, split the rows, scale features and shape arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from ..analysis import DataContext
from ..i18n import ntr, tr
from ..layers import OutputTarget, canonical_type
from ..settings import DataSettings
from .encoding import InputEncoding, category_problem, encode_rows, encoded_width, input_encoding
from .table import DataError, Table

CLASSIFICATION = ("multiclass", "binary")
# Rows per block when computing the spread of features, so a big table needs no float64 copy of itself.
_STATISTICS_BLOCK = 8192


@dataclass
class Binding:
    """Which columns feed each Input node and which columns each Output node learns to predict."""

    inputs: dict[str, list[str]]
    outputs: dict[str, list[str]]


@dataclass
class Part:
    """One part of the data (train, validation or test), as arrays keyed by node id."""

    inputs: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]

    def __len__(self) -> int:
        for array in list(self.inputs.values()) + list(self.targets.values()):
            return int(array.shape[0])
        return 0


@dataclass
class PreparedData:
    """Everything the trainer needs from the data, plus what is needed to treat new rows the same way."""

    train: Part
    validation: Optional[Part]
    test: Optional[Part]
    class_names: dict[str, tuple[str, ...]]
    tasks: dict[str, str]
    scalers: dict[str, tuple[np.ndarray, np.ndarray]]
    binding: Binding
    input_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # Input id -> shape of one sample
    encodings: dict[str, InputEncoding] = field(default_factory=dict)  # Input id -> its columns, text one-hot

    def scale_inputs(self, raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Encode and scale new raw rows exactly as the training data was, shaped for each Input.

        A row is either one value per column in the table's units (a text column holds its category number, as
        the try-it fields give it) or, when the Input has text columns, already one-hot (as a decision map
        gives back the training rows)."""
        scaled: dict[str, np.ndarray] = {}
        for node_id, (offset, scale) in self.scalers.items():
            if node_id not in raw:
                raise DataError(tr("No values were given for the input '{input}'", input=node_id))
            values = np.asarray(raw[node_id], dtype=np.float32)
            encoding = self.encodings.get(node_id)
            per_row = len(encoding.columns) if encoding is not None else offset.size
            single = values.ndim == 1 and values.size in (per_row, offset.size)
            rows = values.reshape(1, -1) if single else values.reshape(len(values), -1)
            if encoding is not None and rows.shape[1] == per_row:
                rows = encoding.encode(rows)
            if rows.shape[1] != offset.size:
                raise DataError(ntr("The input '{input}' takes {n} value per row, but {given} were given",
                                    "The input '{input}' takes {n} values per row, but {given} were given",
                                    offset.size, input=node_id, given=rows.shape[1]))
            rows = (rows - offset) / scale
            shape = self.input_shapes.get(node_id, (offset.size,))
            scaled[node_id] = np.ascontiguousarray(rows.reshape((len(rows),) + tuple(shape)), dtype=np.float32)
        return scaled

    def raw_columns(self, node_id: str, scaled: np.ndarray) -> np.ndarray:
        """Rows of a part's Input (scaled, encoded) back in the table's units, one value per column (a text
        column gives its category number): what the data file says, for try-it to show."""
        offset, scale = self.scalers[node_id]
        rows = np.asarray(scaled, dtype=np.float64).reshape(-1, offset.size) * scale + offset
        encoding = self.encodings.get(node_id)
        return encoding.decode(rows) if encoding is not None else rows


# ---------------------------------------------------------------- binding

def _nodes_of(graph: dict, layer_type: str) -> list[dict]:
    return [node for node in graph.get("nodes", []) if canonical_type(node.get("type", "")) == layer_type]


def _node_label(node: dict) -> str:
    return f"{canonical_type(node.get('type', '')) or tr('Layer')} '{node.get('name', node.get('id'))}'"


def _columns_param(node: dict, key: str) -> list[str]:
    value = (node.get("params") or {}).get(key) or []
    if isinstance(value, str):
        value = [value]
    return [str(column) for column in value]


def _column_problem(table: Table, node: dict, columns: list[str]) -> Optional[str]:
    """Why a node's chosen columns cannot be used with this table, or None when they can."""
    for column in columns:
        if not table.has_column(column):
            shown = ", ".join(table.columns[:10]) + (" …" if len(table.columns) > 10 else "")
            return tr("{node} uses the column '{column}', which the data '{data}' does not have (its columns are "
                      "{columns}): choose its columns again in the Data panel", node=_node_label(node), column=column,
                      data=table.name, columns=shown)
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        return tr("{node} lists the column '{column}' twice: untick one", node=_node_label(node),
                  column=duplicates[0])
    return _text_problem(table, node, columns)


def _text_problem(table: Table, node: dict, columns: list[str]) -> Optional[str]:
    """Why a text column among an Input's columns cannot be one-hot encoded (names, ids), or None."""
    for column in columns:
        problem = category_problem(table, column)
        if problem:
            if _columns_param(node, "columns"):
                return tr("{node}: {problem}", node=_node_label(node), problem=problem)
            return tr("{node}: {problem} (turn off 'automatic' to choose the columns)", node=_node_label(node),
                      problem=problem)
    return None


def bind_columns(table: Table, graph: dict) -> tuple[Binding, dict[str, str]]:
    """Each Input's and Output's columns, plus a plain-words problem for each node that cannot be bound.

    A node with a problem is left out of the binding; the others are still bound, so the analysis can
    show every node's facts and problems at once instead of only the first problem. An automatic Input is
    left out too (without a problem of its own) while some Output cannot be bound."""
    problems: dict[str, str] = {}
    outputs: dict[str, list[str]] = {}
    wanted_targets: set[str] = set()  # an Output's known targets are no Input's features
    for node in _nodes_of(graph, "Output"):
        targets = _columns_param(node, "targets") or list(table.default_targets)
        wanted_targets.update(c for c in targets if table.has_column(c))
        problem = _column_problem(table, node, targets) if targets else tr(
            "{node} has no target column and the data '{data}' has no usual target: choose the column(s) it should "
            "learn to predict in the Data panel", node=_node_label(node), data=table.name)
        if problem:
            problems[node["id"]] = problem
        else:
            outputs[node["id"]] = targets
    inputs: dict[str, list[str]] = {}
    for node in _nodes_of(graph, "Input"):
        columns = _columns_param(node, "columns")
        if columns:
            problem = _column_problem(table, node, columns)
            clash = [c for c in columns if c in wanted_targets]
            if not problem and clash:
                problem = tr("{node} takes the column '{column}' as a feature, but an Output learns to predict it: a "
                             "network must not see the answer. Remove it from one of them", node=_node_label(node),
                             column=clash[0])
        elif len(outputs) < len(_nodes_of(graph, "Output")):
            continue  # "every column that is not a target" is unknown while an Output's targets are
        else:
            # Before any Output is drawn the usual targets are still the answers: an Input never takes them.
            columns = table.feature_columns(sorted(wanted_targets) if _nodes_of(graph, "Output")
                                            else table.default_targets)
            problem = _text_problem(table, node, columns) if columns else tr(
                "{node} has no columns left: every column of '{data}' is a target. Choose fewer targets",
                node=_node_label(node), data=table.name)
        if problem:
            problems[node["id"]] = problem
        else:
            inputs[node["id"]] = columns
    return Binding(inputs, outputs), problems


def resolve_binding(table: Table, graph: dict) -> Binding:
    """Work out each Input's and Output's columns; empty choices follow the automatic rule.

    Raises DataError with the first node's problem (Outputs first: the Inputs' automatic columns depend on
    them)."""
    binding, problems = bind_columns(table, graph)
    if problems:
        raise DataError(next(iter(problems.values())))
    return binding


def _output_task(table: Table, node: dict, targets: list[str]) -> str:
    declared = (node.get("params") or {}).get("task", "auto")
    if declared in ("multiclass", "binary", "regression"):
        return declared
    if len(targets) > 1:
        return "regression"  # only numbers to predict can come several to one Output
    return table.task_of(targets[0])


def _input_shape(table: Table, node: dict, columns: list[str]) -> tuple[int, ...]:
    """The sample shape the data gives this Input: the image shape when it takes exactly the pixels."""
    shape_param = tuple((node.get("params") or {}).get("shape") or ())
    if table.image_shape is not None and columns == table.feature_columns(table.default_targets) \
            and shape_param and math.prod(shape_param) == math.prod(table.image_shape):
        return tuple(table.image_shape)
    return (encoded_width(table, columns),)


def _task_problem(table: Table, node: dict, targets: list[str], task: str) -> Optional[str]:
    """Why an Output's task cannot learn its target column(s), in plain words with what to do; else None."""
    if task in CLASSIFICATION:
        if len(targets) != 1:
            return tr("{node} sorts rows into classes, so it takes exactly one target column, but it has {count}: "
                      "{columns}. Untick all but one, or set its task to regression", node=_node_label(node),
                      count=len(targets), columns=", ".join(targets))
        column = targets[0]
        names = table.classes_of(column)
        if task == "binary" and len(names) > 2:
            return tr("{node} is a yes/no (binary) output, but its target '{column}' has {count} classes: set its "
                      "task to multiclass or automatic", node=_node_label(node), column=column, count=len(names))
        if not table.is_categorical(column) and table.task_of(column) == "regression" \
                and len(names) > 2 * max(1, table.n_rows ** 0.5):
            return tr("{node} sorts rows into classes, but its target '{column}' holds measurements ({count} "
                      "different values): set its task to regression", node=_node_label(node), column=column,
                      count=len(names))
        return None
    categorical = [c for c in targets if table.is_categorical(c)]
    if categorical:
        return tr("{node} predicts numbers (regression), but its target '{column}' holds categories: set its task "
                  "to multiclass or automatic", node=_node_label(node), column=categorical[0])
    return None


def data_context(table: Table, graph: dict) -> DataContext:
    """What the data says about each Input's shape and each Output's task and units, for analysis.

    The OutputTarget's task is what the data holds (the table's rule), so analysis can point out an Output
    whose chosen task does not fit its column; its units follow the Output's chosen task. It does not raise
    when the network does not fit the data: each node's problem goes into `problems`, the very message
    prepare() would raise, so the Issues list shows it on the node."""
    binding, problems = bind_columns(table, graph)
    nodes = {node["id"]: node for node in graph.get("nodes", [])}
    input_shapes = {node_id: _input_shape(table, nodes[node_id], columns)
                    for node_id, columns in binding.inputs.items()}
    output_targets: dict[str, OutputTarget] = {}
    for node_id, targets in binding.outputs.items():
        task = _output_task(table, nodes[node_id], targets)
        problem = _task_problem(table, nodes[node_id], targets, task)
        if problem:
            problems[node_id] = problem
        data_task = "regression" if len(targets) > 1 else table.task_of(targets[0])
        if task == "multiclass" and len(targets) == 1:
            units, names = table.num_classes(targets[0]), table.classes_of(targets[0])
        elif task == "binary" and len(targets) == 1:
            units, names = 1, table.classes_of(targets[0])
        else:
            units, names = len(targets), ()
        output_targets[node_id] = OutputTarget(data_task, units, tuple(names))
    return DataContext(input_shapes, output_targets, problems)


# ---------------------------------------------------------------- splitting

def _part_sizes(n: int, settings: DataSettings) -> tuple[int, int, int]:
    def size(fraction: float) -> int:
        count = int(round(n * fraction))
        return max(count, 1) if fraction > 0 and n >= 3 else count  # a part that was asked for gets a row
    n_validation, n_test = size(settings.validation_fraction), size(settings.test_fraction)
    while n - n_validation - n_test < 1 and (n_validation or n_test):
        if n_test >= n_validation:
            n_test -= 1
        else:
            n_validation -= 1
    return n - n_validation - n_test, n_validation, n_test


def split_indices(n: int, settings: DataSettings, classes: Optional[np.ndarray] = None, fixed_test: int = 0
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices of train, validation and test (each sorted), shuffled with the split seed.

    With class codes, the split is stratified: rows are ordered so that every class is spread evenly over the
    order, with each class's first row at the very front, so every class reaches train and the parts keep the
    class proportions. With `fixed_test`, the last rows are the test part and validation comes from the rest."""
    if fixed_test:
        first = n - fixed_test
        train, validation, _ = split_indices(first, replace(settings, test_fraction=0.0),
                                             None if classes is None else classes[:first])
        return train, validation, np.arange(first, n)
    n_train, n_validation, _ = _part_sizes(n, settings)
    rng = np.random.default_rng(settings.split_seed)
    order = rng.permutation(n)
    if classes is not None and n:
        shuffled = classes[order]
        ranks = np.empty(n, dtype=np.float64)
        counts = np.bincount(shuffled)
        by_class = np.argsort(shuffled, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        position_in_class = np.arange(n) - np.repeat(starts, counts)
        ranks[by_class] = position_in_class / np.repeat(counts, counts)
        order = order[np.lexsort((rng.random(n), ranks))]
    train = np.sort(order[:n_train])
    validation = np.sort(order[n_train:n_train + n_validation])
    test = np.sort(order[n_train + n_validation:])
    return train, validation, test


# ---------------------------------------------------------------- scaling

def _fit_scaler(train_features: np.ndarray, scaling: str, one_hot: Optional[np.ndarray] = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Offset and scale per input; one-hot flags stay 0/1 (a category is there or not, in every scaling)."""
    offset, scale = _fit_numbers(train_features, scaling)
    if one_hot is not None and one_hot.any():
        offset[one_hot], scale[one_hot] = 0.0, 1.0
    return offset, scale


def _fit_numbers(train_features: np.ndarray, scaling: str) -> tuple[np.ndarray, np.ndarray]:
    width = train_features.shape[1]
    if scaling == "pixels":
        return np.zeros(width, np.float32), np.full(width, 255.0, np.float32)
    if scaling != "standardize" or len(train_features) == 0:
        return np.zeros(width, np.float32), np.ones(width, np.float32)
    mean = train_features.mean(axis=0, dtype=np.float64)
    # Two passes in row blocks: accurate (no sum-of-squares cancellation) and no full float64 copy.
    squares = np.zeros(width, np.float64)
    for start in range(0, len(train_features), _STATISTICS_BLOCK):
        block = train_features[start:start + _STATISTICS_BLOCK].astype(np.float64) - mean
        squares += np.einsum("ij,ij->j", block, block)
    std = np.sqrt(squares / len(train_features))
    std[std < 1e-12] = 1.0  # a constant feature: nothing to divide, and no division by zero
    return mean.astype(np.float32), std.astype(np.float32)


def _features(table: Table, rows: np.ndarray, columns: list[int]) -> np.ndarray:
    """One float32 copy of the chosen rows and columns."""
    if columns == list(range(table.values.shape[1])):
        return table.values[rows]
    return table.values[np.ix_(rows, np.asarray(columns, dtype=np.intp))]


# ---------------------------------------------------------------- prepare

def prepare(table: Table, graph: dict, settings: DataSettings) -> PreparedData:
    """Turn a table and a network into split, scaled, shaped arrays ready for training."""
    binding = resolve_binding(table, graph)
    if not binding.inputs:
        raise DataError(tr("The network has no Input layer, so no data can go in"))
    if not binding.outputs:
        raise DataError(tr("The network has no Output layer, so there is nothing to learn"))
    if table.n_rows == 0:
        raise DataError(tr("The data '{data}' has no rows", data=table.name))
    nodes = {node["id"]: node for node in graph.get("nodes", [])}

    tasks: dict[str, str] = {}
    class_names: dict[str, tuple[str, ...]] = {}
    for node_id, targets in binding.outputs.items():
        node = nodes[node_id]
        task = _output_task(table, node, targets)
        problem = _task_problem(table, node, targets, task)
        if problem:
            raise DataError(problem)
        class_names[node_id] = table.classes_of(targets[0]) if task in CLASSIFICATION else ()
        tasks[node_id] = task

    # Stratify by the first classification Output's classes, so small classes reach every part.
    classes = None
    if settings.stratify:
        for node_id, targets in binding.outputs.items():
            if tasks[node_id] in CLASSIFICATION:
                classes = table.class_codes(targets[0])
                break
    if table.whole_is_every_split:
        everything = np.arange(table.n_rows)
        split = (everything, everything, everything)
    else:
        split = split_indices(table.n_rows, settings, classes, table.test_rows)

    encodings = {node_id: input_encoding(table, columns) for node_id, columns in binding.inputs.items()}
    input_shapes: dict[str, tuple[int, ...]] = {}
    for node_id, encoding in encodings.items():
        shape_param = tuple((nodes[node_id].get("params") or {}).get("shape") or ())
        fits = bool(shape_param) and math.prod(shape_param) == encoding.width
        input_shapes[node_id] = shape_param if fits else (encoding.width,)

    scalers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    parts: list[Optional[Part]] = []
    for part_number, rows in enumerate(split):
        if part_number > 0 and table.whole_is_every_split:
            parts.append(parts[0])  # the same arrays serve as validation and test: no copies
            continue
        if part_number > 0 and len(rows) == 0:
            parts.append(None)
            continue
        inputs: dict[str, np.ndarray] = {}
        for node_id, columns in binding.inputs.items():
            features = encode_rows(table, rows, columns)  # a copy: text columns one-hot, the same in every part
            if part_number == 0:
                scalers[node_id] = _fit_scaler(features, settings.scaling, encodings[node_id].one_hot_slots())
            offset, scale = scalers[node_id]
            features -= offset  # in place: the slice above is already this part's own copy
            features /= scale
            inputs[node_id] = np.ascontiguousarray(features.reshape((len(rows),) + input_shapes[node_id]))
        targets: dict[str, np.ndarray] = {}
        for node_id, target_columns in binding.outputs.items():
            if tasks[node_id] in CLASSIFICATION:
                targets[node_id] = table.class_codes(target_columns[0], rows)
            else:
                targets[node_id] = _features(table, rows, [table.column_index(c) for c in target_columns])
        parts.append(Part(inputs, targets))

    return PreparedData(parts[0], parts[1], parts[2], class_names, tasks, scalers, binding, input_shapes,
                        encodings)


__all__ = ["Binding", "Part", "PreparedData", "bind_columns", "data_context", "prepare", "resolve_binding",
           "split_indices"]
