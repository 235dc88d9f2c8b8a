"""Read a CSV file with a header row into a Table, with errors that name the row and column."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Optional

import numpy as np

from .table import DataError, Table

# Text that people (and spreadsheets, pandas, R) write for "no value here".
MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-", "missing", "#n/a"})
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_INFINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
_DELIMITERS = (",", ";", "\t")
# A text file of data has no control characters other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def load_csv(path: str | Path) -> Table:
    """Load a CSV file: the first row names the columns; numbers become features, text becomes categories."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"The file '{path}' was not found") from None
    except OSError as exc:
        raise DataError(f"The file '{path}' could not be read ({exc.strerror or exc})") from exc
    return parse_csv(raw, path.name, name=path.stem)


def parse_csv(raw: bytes, file_name: str = "data.csv", name: Optional[str] = None) -> Table:
    """Parse the bytes of a CSV file (file_name is only used in messages)."""
    text = _decode(raw, file_name)
    # One kind of line end from here on: Windows (CRLF) and old Mac (CR) files read like Unix ones.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first == len(lines):
        raise DataError(f"{file_name} is empty: a CSV file needs a first row of column names and rows of data")
    delimiter = _guess_delimiter(lines[first])
    header_row = first + 1  # rows are counted from 1, as a spreadsheet or text editor shows them
    header = _parse_header(lines[first], delimiter, file_name, header_row)
    if header is not None and '"' not in text[len(lines[first]):]:
        table = _fast_numeric(lines[first + 1:], header, delimiter, file_name, name)
        if table is not None:
            return table
    return _careful(text, delimiter, file_name, name, first)


def _decode(raw: bytes, file_name: str) -> str:
    if not raw.strip():
        raise DataError(f"{file_name} is empty: a CSV file needs a first row of column names and rows of data")
    if b"\x00" in raw:
        raise DataError(f"{file_name} is not a text file (it holds binary data): save your table as CSV text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[:exc.start].count(b"\n") + 1
        raise DataError(f"{file_name}, row {row}: the file is not UTF-8 text (byte {exc.start + 1} cannot be "
                        "read). Save it as 'CSV UTF-8' in your spreadsheet program") from None
    match = _CONTROL.search(text)
    if match:
        row = text.count("\n", 0, match.start()) + 1
        raise DataError(f"{file_name}, row {row}: the file holds a control character that text never holds; "
                        "it does not look like a CSV file")
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
    seen: dict[str, int] = {}
    for position, column in enumerate(names, start=1):
        if not column:
            raise DataError(f"{file_name}, row {row}: column {position} has no name; the first row must name "
                            "every column")
        if column in seen:
            raise DataError(f"{file_name}, row {row}: two columns are called '{column}' (columns {seen[column]} "
                            f"and {position}); give each column its own name")
        seen[column] = position
    if all(_NUMBER.fullmatch(column) for column in names):
        raise DataError(f"{file_name}, row {row}: the first row holds numbers, but it must hold the column names "
                        f"(for example {', '.join(f'x{i + 1}' for i in range(min(3, len(names))))})")


def _fast_numeric(body: list[str], header: list[str], delimiter: str, file_name: str,
                  name: Optional[str]) -> Optional[Table]:
    """numpy's C parser for the common all-numbers file; None means 'use the careful path'."""
    if not any(line.strip() for line in body):
        raise DataError(f"{file_name} has column names but no rows of data")
    try:
        values = np.loadtxt(body, delimiter=delimiter, dtype=np.float32, ndmin=2, comments=None)
    except ValueError:
        return None  # text, an empty cell or a ragged row: the careful path finds and names it
    if values.shape[1] != len(header) or not np.isfinite(values).all():
        return None
    return Table(name or Path(file_name).stem, values, header, {}, f"CSV file {file_name}", (header[-1],))


def _careful(text: str, delimiter: str, file_name: str, name: Optional[str], first: int) -> Table:
    """Read with the csv module, row by row, so any problem can be named precisely."""
    reader = csv.reader(text.split("\n")[first:], delimiter=delimiter, strict=True)
    header: Optional[list[str]] = None
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    previous_end = 0  # the reader's line count after the last record: the next record starts one row later
    try:
        for record in reader:
            row = first + previous_end + 1  # where this record starts (quoted text may span several rows)
            previous_end = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines are allowed anywhere
            if header is None:
                header = [cell.strip() for cell in record]
                _check_header(header, file_name, row)
                continue
            if len(record) != len(header):
                raise DataError(_ragged_message(file_name, row, record, header))
            rows.append(record)
            row_numbers.append(row)
    except csv.Error as exc:
        reason = "a quote (\") opens but is never closed" if "end of data" in str(exc) else str(exc)
        raise DataError(f"{file_name}, row {first + previous_end + 1}: this row cannot be read as CSV "
                        f"({reason}); check its quotes") from None
    if header is None:
        raise DataError(f"{file_name} is empty: a CSV file needs a first row of column names and rows of data")
    if not rows:
        raise DataError(f"{file_name} has column names but no rows of data")

    numbers = np.empty((len(rows), len(header)), dtype=np.float32)
    class_names: dict[str, tuple[str, ...]] = {}
    problems: list[tuple[int, int, str]] = []
    for index, column in enumerate(header):
        cells = [record[index].strip() for record in rows]
        problem = _fill_column(cells, numbers, index, class_names, column, delimiter)
        if problem is not None:
            position, message = problem
            problems.append((row_numbers[position], index, f"{file_name}, row {row_numbers[position]}, "
                                                           f"column '{column}': {message}"))
    if problems:
        raise DataError(min(problems)[2])  # the first problem reading top to bottom, left to right
    return Table(name or Path(file_name).stem, numbers, header, class_names, f"CSV file {file_name}",
                 (header[-1],))


def _ragged_message(file_name: str, row: int, record: list[str], header: list[str]) -> str:
    if len(record) < len(header):
        missing = header[len(record)]
        return (f"{file_name}, row {row}, column '{missing}': this row has {_values(len(record))} but the first "
                f"row names {len(header)} columns; the value for '{missing}' is missing")
    return (f"{file_name}, row {row}: this row has {_values(len(record))} but the first row names only "
            f"{len(header)} columns; remove the extra values or name the extra column")


def _values(count: int) -> str:
    return "1 value" if count == 1 else f"{count} values"


def _fill_column(cells: list[str], numbers: np.ndarray, index: int, class_names: dict[str, tuple[str, ...]],
                 column: str, delimiter: str) -> Optional[tuple[int, str]]:
    """Put one column's numbers (or category codes) into `numbers`; return (row position, problem) if any."""
    kinds = [_cell_kind(cell, delimiter) for cell in cells]
    for position, kind in enumerate(kinds):
        if kind == "missing":
            shown = f"'{cells[position]}' marks a missing value" if cells[position] else "the cell is empty"
            return position, f"{shown}; fill in every value or delete the row"
        if kind == "infinite":
            return position, f"'{cells[position]}' is infinite; use an ordinary number"
    text_count = kinds.count("text")
    if text_count == 0:
        converted = np.array([_to_float(cell, delimiter) for cell in cells], dtype=np.float64)
        with np.errstate(over="ignore"):  # too-large numbers become inf, reported just below
            as_float32 = converted.astype(np.float32)
        too_big = np.flatnonzero(~np.isfinite(as_float32))
        if len(too_big):
            position = int(too_big[0])
            return position, f"'{cells[position]}' is too large a number (at most about 3.4e38)"
        numbers[:, index] = as_float32
        return None
    if text_count == len(cells):
        names, codes = np.unique(np.array(cells, dtype=str), return_inverse=True)
        class_names[column] = tuple(str(n) for n in names)
        numbers[:, index] = codes
        return None
    # Mixed: the rarer kind is the odd one out. Mostly numbers means a typo in a number column.
    if text_count <= len(cells) - text_count:
        position = kinds.index("text")
        return position, f"'{cells[position]}' is not a number (a feature column must hold numbers)"
    position = kinds.index("number")
    return position, (f"'{cells[position]}' is a number, but the rest of this column is text (categories); "
                      "a column must hold only numbers or only names")


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
