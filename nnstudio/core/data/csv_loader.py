"""Read a CSV file with a header row into a Table, with errors that name the row and column."""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path
from typing import Optional

import numpy as np

from ..i18n import ntr, tr
from .limits import (MAX_CSV_BYTES, MAX_TEXT_CHARS, SHOWN_FILE_CHARS, check_columns,
                     check_values, shown)
from .table import DataError, Table

# Text that people (and spreadsheets, pandas, R) write for "no value here".
MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-", "missing", "#n/a"})
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_INFINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
_DELIMITERS = (",", ";", "\t")
# A text file of data has no control characters other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Distinct category names in the whole file (each up to MAX_TEXT_CHARS): a million is about 250 MB at worst,
# far beyond any real category column, which holds a few names that repeat.
MAX_CATEGORIES = 1_000_000


def load_csv(path: str | Path, categories: Optional[dict[str, list[str]]] = None) -> Table:
    """Load a CSV file: the first row names the columns; numbers become features, text becomes categories.

    `categories` (saved with the project) fixes each text column's categories and their order, so the
    network's one-hot inputs and classes stay the same when rows are added to the file."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            _check_size(path.stat().st_size, path.name)  # before reading: a 20 GB file is refused at once
            raw = handle.read()
    except FileNotFoundError:
        raise DataError(tr("The file '{file}' was not found", file=shown(path, SHOWN_FILE_CHARS))) from None
    except OSError as exc:
        raise DataError(tr("The file '{file}' could not be read ({reason})", file=shown(path, SHOWN_FILE_CHARS),
                           reason=shown(exc.strerror or tr("unknown reason")))) from None
    return parse_csv(raw, path.name, name=path.stem, categories=categories)


def _check_size(size: int, file_name: str) -> None:
    if size > MAX_CSV_BYTES:
        raise DataError(tr("{file} is {size} MB; NN Studio reads CSV files of at most {most} MB. Use fewer rows, "
                           "or save the data as an .npz file", file=shown(file_name, SHOWN_FILE_CHARS),
                           size=f"{size / 2**20:,.0f}", most=MAX_CSV_BYTES // 2**20))


def parse_csv(raw: bytes, file_name: str = "data.csv", name: Optional[str] = None,
              categories: Optional[dict[str, list[str]]] = None) -> Table:
    """Parse the bytes of a CSV file (file_name is only used in messages); see load_csv for `categories`."""
    _check_size(len(raw), file_name)
    file_name = shown(file_name, SHOWN_FILE_CHARS)
    text = _decode(raw, file_name)
    # One kind of line end from here on: Windows (CRLF) and old Mac (CR) files read like Unix ones.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first == len(lines):
        raise DataError(_empty(file_name))
    delimiter = _guess_delimiter(lines[first])
    header_row = first + 1  # rows are counted from 1, as a spreadsheet or text editor shows them
    header = _parse_header(lines[first], delimiter, file_name, header_row)
    if header is not None and text.find('"', len(lines[first])) < 0:
        table = _fast_numeric(lines[first + 1:], header, delimiter, file_name, name)
        if table is not None:
            return table
    table = _careful(lines, delimiter, file_name, name, first)
    return _with_saved_categories(table, categories or {}, file_name)


def _decode(raw: bytes, file_name: str) -> str:
    if not raw.strip():
        raise DataError(_empty(file_name))
    if b"\x00" in raw:
        raise DataError(tr("{file} is not a text file (it holds binary data): save your table as CSV text",
                           file=file_name))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[:exc.start].count(b"\n") + 1
        raise DataError(tr("{file}, row {row}: the file is not UTF-8 text (byte {byte} cannot be read). Save it "
                           "as 'CSV UTF-8' in your spreadsheet program", file=file_name, row=row,
                           byte=exc.start + 1)) from None
    match = _CONTROL.search(text)
    if match:
        row = text.count("\n", 0, match.start()) + 1
        raise DataError(tr("{file}, row {row}: the file holds a control character that text never holds; it does "
                           "not look like a CSV file", file=file_name, row=row))
    return text


def _guess_delimiter(header_line: str) -> str:
    """The separator the header uses most (outside quotes); a one-column file has none, so comma."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties go to the earlier one: comma first
    return best if counts[best] else ","


def _parse_header(line: str, delimiter: str, file_name: str, row: int) -> Optional[list[str]]:
    """Check the column names; None when the header has quotes (the careful path reads it)."""
    if '"' in line:
        return None
    names = [cell.strip() for cell in line.split(delimiter)]
    _check_header(names, file_name, row)
    return names


def _check_header(names: list[str], file_name: str, row: int) -> None:
    check_columns(file_name, len(names))
    seen: dict[str, int] = {}
    for position, column in enumerate(names, start=1):
        if len(column) > MAX_TEXT_CHARS:
            raise DataError(tr("{file}, row {row}: the name of column {position} is {length} characters long "
                               "('{name}'); a column name has at most {most}", file=file_name, row=row,
                               position=position, length=f"{len(column):,}", name=shown(column),
                               most=MAX_TEXT_CHARS))
        if not column:
            raise DataError(tr("{file}, row {row}: column {position} has no name; the first row must name every "
                               "column", file=file_name, row=row, position=position))
        if column in seen:
            raise DataError(tr("{file}, row {row}: two columns are called '{name}' (columns {first} and {second}); "
                               "give each column its own name", file=file_name, row=row, name=shown(column),
                               first=seen[column], second=position))
        seen[column] = position
    if all(_NUMBER.fullmatch(column) for column in names):
        raise DataError(tr("{file}, row {row}: the first row holds numbers, but it must hold the column names "
                           "(for example {example})", file=file_name, row=row,
                           example=", ".join(f"x{i + 1}" for i in range(min(3, len(names))))))


def _fast_numeric(body: list[str], header: list[str], delimiter: str, file_name: str,
                  name: Optional[str]) -> Optional[Table]:
    """numpy's C parser for the common all-numbers file; None means 'use the careful path'."""
    if not any(line.strip() for line in body):
        raise DataError(tr("{file} has column names but no rows of data", file=file_name))
    check_values(file_name, len(body) * len(header), rows=len(body), columns=len(header))
    try:
        values = np.loadtxt(body, delimiter=delimiter, dtype=np.float32, ndmin=2, comments=None)
    except ValueError:
        return None  # text, an empty cell or a ragged row: the careful path finds and names it
    if values.shape[1] != len(header) or not np.isfinite(values).all():
        return None
    return Table(name or Path(file_name).stem, values, header, {}, _description(file_name), (header[-1],))


class _Column:
    """What streaming through one column has found so far (its values go straight into the table)."""

    __slots__ = ("name", "problem", "numbers", "texts", "first_number", "first_text", "too_big", "categories")

    def __init__(self, name: str) -> None:
        self.name = name
        self.problem: Optional[tuple[int, str]] = None  # the first missing, infinite or over-long cell
        self.numbers = self.texts = 0
        self.first_number: Optional[tuple[int, str]] = None
        self.first_text: Optional[tuple[int, str]] = None
        self.too_big: Optional[tuple[int, str]] = None  # the first number float32 cannot hold
        self.categories: dict[str, int] = {}  # name -> code in order of first appearance

    def take(self, cell: str, row: int, delimiter: str) -> float:
        """The number (or first-seen category code) to store for one cell; problems are remembered."""
        kind = _cell_kind(cell, delimiter)
        if kind == "number":
            self.numbers += 1
            self.first_number = self.first_number or (row, cell)
            value = _to_float(cell, delimiter)
            if abs(value) > 3.4e38 and self.too_big is None and not np.isfinite(np.float32(value)):
                self.too_big = row, cell
            return value
        if kind == "text" and len(cell) <= MAX_TEXT_CHARS:
            self.texts += 1
            self.first_text = self.first_text or (row, cell)
            return self.categories.setdefault(cell, len(self.categories))
        if self.problem is None:
            if kind == "missing":
                self.problem = row, (tr("'{cell}' marks a missing value; fill in every value or delete the row",
                                        cell=shown(cell)) if cell else
                                     tr("the cell is empty; fill in every value or delete the row"))
            elif kind == "infinite":
                self.problem = row, tr("'{cell}' is infinite; use an ordinary number", cell=shown(cell))
            else:
                self.problem = row, tr("the text '{cell}' is {length} characters long; a category name has at most "
                                       "{most}. Is this the right file?", cell=shown(cell),
                                       length=f"{len(cell):,}", most=MAX_TEXT_CHARS)
        return 0.0


def _careful(lines: list[str], delimiter: str, file_name: str, name: Optional[str], first: int) -> Table:
    """Read with the csv module, row by row, so any problem can be named precisely.

    Each row goes straight into one float32 table (text as category codes), so memory stays about four bytes
    a cell: holding the rows as Python strings first would cost some sixty.
    """
    reader = csv.reader(itertools.islice(lines, first, None), delimiter=delimiter, strict=True)
    columns: Optional[list[_Column]] = None
    values = np.empty((0, 0), dtype=np.float32)
    row_numbers: list[int] = []
    previous_end = 0  # the reader's line count after the last record: the next record starts one row later
    try:
        with np.errstate(over="ignore"):  # too-large numbers become inf, reported below
            for record in reader:
                row = first + previous_end + 1  # where this record starts (quoted text may span several rows)
                previous_end = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue  # blank lines are allowed anywhere
                if columns is None:
                    header = [cell.strip() for cell in record]
                    _check_header(header, file_name, row)
                    columns = [_Column(column) for column in header]
                    capacity = len(lines) - first - previous_end  # at least as many lines as rows remain
                    check_values(file_name, capacity * len(header), rows=capacity, columns=len(header))
                    values = np.empty((capacity, len(header)), dtype=np.float32)
                    continue
                if len(record) != len(columns):
                    raise DataError(_ragged_message(file_name, row, record, [c.name for c in columns]))
                values[len(row_numbers)] = [column.take(cell.strip(), row, delimiter)
                                            for column, cell in zip(columns, record)]
                row_numbers.append(row)
                if len(row_numbers) % 4096 == 0:  # often enough to stop long before memory runs short
                    _check_categories(columns, file_name, row)
    except csv.Error as exc:
        reason = tr("a quote (\") opens but is never closed") if "end of data" in str(exc) else shown(exc, 80)
        raise DataError(tr("{file}, row {row}: this row cannot be read as CSV ({reason}); check its quotes",
                           file=file_name, row=first + previous_end + 1, reason=reason)) from None
    if columns is None:
        raise DataError(_empty(file_name))
    if not row_numbers:
        raise DataError(tr("{file} has column names but no rows of data", file=file_name))
    _check_categories(columns, file_name, row_numbers[-1])
    values = values[:len(row_numbers)]
    problems = []
    for index, column in enumerate(columns):
        problem = _finish_column(column, values[:, index])
        if problem is not None:
            problems.append((problem[0], index, tr("{file}, row {row}, column '{column}': {problem}",
                                                   file=file_name, row=problem[0], column=shown(column.name),
                                                   problem=problem[1])))
    if problems:
        raise DataError(min(problems)[2])  # the first problem reading top to bottom, left to right
    class_names = {c.name: tuple(sorted(c.categories)) for c in columns if c.texts}
    header = [column.name for column in columns]
    return Table(name or Path(file_name).stem, np.ascontiguousarray(values), header, class_names,
                 _description(file_name), (header[-1],), file_rows=np.asarray(row_numbers, dtype=np.int32))


def _with_saved_categories(table: Table, saved: dict[str, list[str]], file_name: str) -> Table:
    """The table with each text column's categories in the saved order; a text the project was not built for
    is refused with its row (an all-zeros input would quietly stand for 'none of the categories')."""
    if not isinstance(saved, dict):
        return table
    for column, names in saved.items():
        if not table.has_column(column) or not table.is_categorical(column) or not isinstance(names, list):
            continue  # the file changed shape: binding reports the missing column in its own words
        names = [str(n) for n in names]
        if len(set(names)) != len(names):
            raise DataError(tr("The project's saved categories of column '{column}' name one text twice; choose "
                               "the data file again in the Data panel", column=shown(column)))
        current = table.class_names[column]
        if list(current) == names:
            continue
        position = {text: index for index, text in enumerate(names)}
        unknown = [text for text in current if text not in position]
        cells = table.column(column)
        if unknown:
            code = current.index(unknown[0])
            row = table.file_row(int(np.argmax(cells == code)))
            raise DataError(ntr("{file}, row {row}, column '{column}': '{text}' is not the {n} category this "
                                "project was built with ({names}). Remove the row, or choose the data file again in "
                                "the Data panel to start over with its categories (and train again)",
                                "{file}, row {row}, column '{column}': '{text}' is not one of the {n} categories "
                                "this project was built with ({names}). Remove the row, or choose the data file "
                                "again in the Data panel to start over with its categories (and train again)",
                                len(names), file=file_name, row=row, column=shown(column), text=shown(unknown[0]),
                                names=shown(", ".join(names), 120)))
        new_code = np.asarray([position[text] for text in current], dtype=np.float32)
        cells[:] = new_code[cells.astype(np.int64)]
        table.class_names[column] = tuple(names)
        table._distinct.pop(column, None)
    return table


def _check_categories(columns: list[_Column], file_name: str, row: int) -> None:
    """Distinct texts cost memory (up to MAX_TEXT_CHARS each): refuse files whose text never repeats."""
    total = sum(len(column.categories) for column in columns)
    if total > MAX_CATEGORIES:
        worst = max(columns, key=lambda column: len(column.categories))
        raise DataError(tr("{file}, row {row}, column '{column}': there are more than {most} different texts; a "
                           "category column holds a few names that repeat (like 'cat' and 'dog'). Remove ID or "
                           "free-text columns", file=file_name, row=row, column=shown(worst.name),
                           most=f"{MAX_CATEGORIES:,}"))


def _finish_column(column: _Column, cells: np.ndarray) -> Optional[tuple[int, str]]:
    """The column's first problem (row, words), or None after turning category codes into sorted order."""
    if column.problem is not None:
        return column.problem
    if column.texts and column.numbers:
        # Mixed: the rarer kind is the odd one out. Mostly numbers means a typo in a number column.
        if column.texts <= column.numbers:
            row, cell = column.first_text
            return row, tr("'{cell}' is not a number (a feature column must hold numbers)", cell=shown(cell))
        row, cell = column.first_number
        return row, tr("'{cell}' is a number, but the rest of this column is text (categories); a column must "
                       "hold only numbers or only names", cell=shown(cell))
    if column.texts:
        # Codes were given in order of appearance; the table's classes are the sorted names.
        names = sorted(column.categories)
        sorted_code = np.empty(len(names), dtype=np.float32)
        for position, text in enumerate(names):
            sorted_code[column.categories[text]] = position
        cells[:] = sorted_code[cells.astype(np.int64)]
        return None
    if column.too_big is not None:
        row, cell = column.too_big
        return row, tr("'{cell}' is too large a number (at most about 3.4e38)", cell=shown(cell))
    return None


def _ragged_message(file_name: str, row: int, record: list[str], header: list[str]) -> str:
    if len(record) < len(header):
        missing = shown(header[len(record)])
        return ntr("{file}, row {row}, column '{column}': this row has {n} value but the first row names {columns} "
                   "columns; the value for '{column}' is missing",
                   "{file}, row {row}, column '{column}': this row has {n} values but the first row names "
                   "{columns} columns; the value for '{column}' is missing",
                   len(record), file=file_name, row=row, column=missing, columns=len(header))
    return ntr("{file}, row {row}: this row has {n} value but the first row names only {columns} columns; remove "
               "the extra values or name the extra column",
               "{file}, row {row}: this row has {n} values but the first row names only {columns} columns; remove "
               "the extra values or name the extra column",
               len(record), file=file_name, row=row, columns=len(header))


def _empty(file_name: str) -> str:
    return tr("{file} is empty: a CSV file needs a first row of column names and rows of data", file=file_name)


def _description(file_name: str) -> str:
    return tr("CSV file {file}", file=file_name)


def _cell_kind(cell: str, delimiter: str) -> str:
    if cell.lower() in MISSING_MARKERS:
        return "missing"
    if _NUMBER.fullmatch(cell) or (delimiter != "," and _DECIMAL_COMMA.fullmatch(cell)):
        return "number"
    if cell.lower() in _INFINITE:
        return "infinite"
    return "text"


def _to_float(cell: str, delimiter: str) -> float:
    # Files separated by ';' often come from spreadsheets that write 3,5 for 3.5.
    if delimiter != "," and "," in cell:
        cell = cell.replace(",", ".")
    return float(cell)


__all__ = ["load_csv", "parse_csv", "MISSING_MARKERS"]
