"""How a table's columns become an Input's numbers: numbers as they are, each text column one-hot (원-핫 인코딩)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..i18n import ntr, tr
from .limits import shown
from .table import DataError, Table

# A category column holds a few names that repeat (red, blue, green). Past this many, one input per name makes a
# network too wide to learn from the rows a student has, and the column is almost surely names, ids or free text.
MAX_INPUT_CATEGORIES = 50
# "One different text in every row" marks a name or an id, but only once there are rows enough to tell: a
# four-row toy table with four colours is still a category column.
ROWS_TO_SPOT_AN_ID = 10


@dataclass(frozen=True)
class InputEncoding:
    """The columns one Input takes and, for each text column, its categories in the order of its inputs."""

    columns: tuple[str, ...]
    categories: tuple[Optional[tuple[str, ...]], ...]  # None for a number column

    @property
    def width(self) -> int:
        """How many numbers one row becomes: one per number column, one per category of each text column."""
        return sum(1 if names is None else len(names) for names in self.categories)

    @property
    def has_text(self) -> bool:
        return any(names is not None for names in self.categories)

    def one_hot_slots(self) -> np.ndarray:
        """True for each encoded number that is a 0/1 category flag (those are never rescaled)."""
        return np.concatenate([np.zeros(1, bool) if names is None else np.ones(len(names), bool)
                               for names in self.categories]) if self.categories else np.zeros(0, bool)

    def encode(self, values: np.ndarray) -> np.ndarray:
        """Rows in the table's own units (n, columns; a text column holds its category number) -> (n, width)."""
        values = np.asarray(values, dtype=np.float32).reshape(len(values), -1)
        if not self.has_text:
            return values
        out = np.zeros((len(values), self.width), dtype=np.float32)
        slot = 0
        for position, (column, names) in enumerate(zip(self.columns, self.categories)):
            if names is None:
                out[:, slot] = values[:, position]
                slot += 1
                continue
            codes = values[:, position]
            whole = codes.astype(np.int64)
            wrong = (codes != whole) | (whole < 0) | (whole >= len(names))
            if wrong.any():
                raise DataError(ntr("The column '{column}' has {n} category ({names}), but a row gives it the value "
                                    "{value}",
                                    "The column '{column}' has {n} categories ({names}), but a row gives it the "
                                    "value {value}", len(names), column=shown(column), names=_listed(names),
                                    value=f"{float(codes[wrong][0]):g}"))
            out[np.arange(len(values)), slot + whole] = 1.0
            slot += len(names)
        return out

    def decode(self, encoded: np.ndarray) -> np.ndarray:
        """Encoded rows (n, width) back to the table's units (n, columns): each one-hot group gives its category."""
        encoded = np.asarray(encoded, dtype=np.float64).reshape(len(encoded), -1)
        if not self.has_text:
            return encoded
        out = np.zeros((len(encoded), len(self.columns)), dtype=np.float64)
        slot = 0
        for position, names in enumerate(self.categories):
            if names is None:
                out[:, position] = encoded[:, slot]
                slot += 1
            else:
                out[:, position] = np.argmax(encoded[:, slot:slot + len(names)], axis=1)
                slot += len(names)
        return out


def input_encoding(table: Table, columns: list[str]) -> InputEncoding:
    """How these columns of `table` feed one Input: the category order is the table's (the one saved with the
    project when the data was chosen, see csv_loader), so training, evaluation and try-it agree."""
    return InputEncoding(tuple(columns), tuple(table.class_names[c] if table.is_categorical(c) else None
                                               for c in columns))


def encoded_width(table: Table, columns: list[str]) -> int:
    """The Input's width for these columns: what the canvas, the summary and the compiled model count."""
    return input_encoding(table, columns).width


def encode_rows(table: Table, rows: np.ndarray, columns: list[str]) -> np.ndarray:
    """The chosen rows of these columns as one float32 array (n, width), text columns one-hot."""
    indices = [table.column_index(c) for c in columns]
    if indices == list(range(table.values.shape[1])):
        values = table.values[rows]
    else:
        values = table.values[np.ix_(rows, np.asarray(indices, dtype=np.intp))]
    return input_encoding(table, columns).encode(values)


def category_problem(table: Table, column: str) -> Optional[str]:
    """Why a text column cannot be an input (too many different texts: names, ids, free text), or None."""
    if not table.is_categorical(column):
        return None
    count = len(table.class_names[column])
    one_per_row = count >= table.n_rows >= ROWS_TO_SPOT_AN_ID
    if count <= MAX_INPUT_CATEGORIES and not one_per_row:
        return None
    example = table.class_names[column][int(table.values[0, table.column_index(column)])] if table.n_rows else ""
    return tr("The column '{column}' has {count} different texts in {rows} rows (row {row}: '{example}'); it looks "
              "like a name or an id, not a category — untick it", column=shown(column), count=f"{count:,}",
              rows=f"{table.n_rows:,}", row=f"{table.file_row(0):,}", example=shown(example))


def describe_input_column(table: Table, column: str) -> str:
    """How the Data panel describes a column an Input may take: 'colour — text, 3 values (blue, green, red)
    → one-hot: 3 inputs', 'x1 — number', or why a text column cannot be an input."""
    if not table.is_categorical(column):
        return tr("{column} — number", column=column)
    names = table.class_names[column]
    if category_problem(table, column):
        return tr("{column} — text, {count} different values: a name or an id, not a category", column=column,
                  count=f"{len(names):,}")
    return ntr("{column} — text, {n} value ({names}) → one-hot: {n} input",
               "{column} — text, {n} values ({names}) → one-hot: {n} inputs", len(names), column=column,
               names=_listed(names))


def _listed(names: tuple[str, ...], limit: int = 6) -> str:
    text = ", ".join(shown(name, 20) for name in names[:limit])
    return tr("{names} and {n} more", names=text, n=len(names) - limit) if len(names) > limit else text


__all__ = ["InputEncoding", "MAX_INPUT_CATEGORIES", "category_problem", "describe_input_column", "encode_rows",
           "encoded_width", "input_encoding"]
