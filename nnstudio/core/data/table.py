"""The in-memory dataset every loader returns: a float32 table with column names and category names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..i18n import tr

TASKS = ("multiclass", "binary", "regression")

# A numeric column counts as class labels only when it looks like one: whole numbers, few distinct values,
# and many rows per value. Diabetes' target (integers 25..346) must stay a measurement to predict.
MAX_NUMERIC_CLASSES = 20
MIN_ROWS_PER_CLASS = 5


class DataError(Exception):
    """A data file or data choice cannot be used; the message says why in plain words for a student."""


def value_name(value: float) -> str:
    """How a numeric class value is named: 3.0 -> '3', 0.5 -> '0.5'."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}"


@dataclass
class Table:
    """A dataset as numbers: one row per sample, one float32 column per feature or target."""

    name: str
    values: np.ndarray
    columns: list[str]
    class_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""
    default_targets: tuple[str, ...] = ()
    image_shape: Optional[tuple[int, ...]] = None
    whole_is_every_split: bool = False
    # How many last rows are a test set of their own (MNIST's t10k files): the test part, never split off.
    test_rows: int = 0
    # The row of the source file each table row came from (a text file may have blank lines); None: row i + 1.
    file_rows: Optional[np.ndarray] = field(default=None, repr=False, compare=False)
    # Cached facts about columns; they are not part of the table's identity.
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _distinct: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.values.dtype != np.float32:
            self.values = np.ascontiguousarray(self.values, dtype=np.float32)
        if self.values.ndim != 2 or self.values.shape[1] != len(self.columns):
            raise DataError(tr("The data '{name}' has {count} column names but its values have shape {shape}",
                               name=self.name, count=len(self.columns), shape=self.values.shape))
        self.columns = list(self.columns)
        self._index = {name: i for i, name in enumerate(self.columns)}
        if len(self._index) != len(self.columns):
            raise DataError(tr("The data '{name}' has two columns with the same name", name=self.name))
        for name in list(self.class_names) + list(self.default_targets):
            if name not in self._index:
                raise DataError(tr("The data '{name}' names a column '{column}' that it does not have",
                                   name=self.name, column=name))
        self.class_names = {k: tuple(v) for k, v in self.class_names.items()}
        self.default_targets = tuple(self.default_targets)

    @property
    def n_rows(self) -> int:
        return int(self.values.shape[0])

    def file_row(self, index: int) -> int:
        """The row number a student sees in the source file for table row `index` (counted from 0)."""
        return int(self.file_rows[index]) if self.file_rows is not None else index + 1

    def has_column(self, name: str) -> bool:
        return name in self._index

    def column_index(self, name: str) -> int:
        try:
            return self._index[name]
        except KeyError:
            raise DataError(tr("The data '{name}' has no column '{column}' (its columns are {columns})",
                               name=self.name, column=name, columns=_short_list(self.columns))) from None

    def column(self, name: str) -> np.ndarray:
        """The values of one column (a view, not a copy)."""
        return self.values[:, self.column_index(name)]

    def is_categorical(self, name: str) -> bool:
        """True for a column that held text (names of categories) in the source."""
        self.column_index(name)
        return name in self.class_names

    def distinct_values(self, name: str) -> np.ndarray:
        """The sorted distinct values of a column (cached: the task rule and the class mapping both need it)."""
        if name not in self._distinct:
            self._distinct[name] = np.unique(self.column(name))
        return self._distinct[name]

    def task_of(self, name: str) -> str:
        """What predicting this column means: multiclass, binary (yes/no) or regression (a number)."""
        if self.is_categorical(name):
            return "binary" if len(self.class_names[name]) <= 2 else "multiclass"
        distinct = self.distinct_values(name)
        whole = bool(np.all(np.floor(distinct) == distinct))
        if not whole or len(distinct) == 0:
            return "regression"
        if len(distinct) <= 2:
            return "binary"
        if len(distinct) <= MAX_NUMERIC_CLASSES and len(distinct) * MIN_ROWS_PER_CLASS <= self.n_rows:
            return "multiclass"
        return "regression"

    def classes_of(self, name: str) -> tuple[str, ...]:
        """The class names of a column: the category names, or the distinct values written as text."""
        if self.is_categorical(name):
            return self.class_names[name]
        return tuple(value_name(v) for v in self.distinct_values(name))

    def num_classes(self, name: str) -> int:
        return len(self.classes_of(name))

    def class_codes(self, name: str, rows: Optional[np.ndarray] = None) -> np.ndarray:
        """Class codes 0..k-1 (int64) of a column, for all rows or the given row indices."""
        column = self.column(name)
        if rows is not None:
            column = column[rows]
        if self.is_categorical(name):
            return column.astype(np.int64)
        # Numeric labels: sorted distinct values of the whole table map to 0..k-1, so all parts agree.
        return np.searchsorted(self.distinct_values(name), column).astype(np.int64)

    def feature_columns(self, targets: tuple[str, ...] | list[str] = ()) -> list[str]:
        """Every column that is not one of the targets, in table order."""
        excluded = set(targets)
        return [c for c in self.columns if c not in excluded]


def _short_list(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    if len(names) <= limit:
        return shown
    return tr("{names} and {n} more", names=shown, n=len(names) - limit)


__all__ = ["DataError", "Table", "TASKS", "value_name"]
