"""The size caps every data reader enforces before reading, and plain-words helpers to quote file content."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ..i18n import tr
from .table import DataError

# Why these numbers: a loaded table is float32, so MAX_VALUES = 2·10^8 values is an 800 MB table, the most a
# student's laptop can train on without swapping. Real datasets fit with room to spare: MNIST (60,000 × 784)
# is 4.7·10^7 values and CIFAR-10 (50,000 × 3,072) is 1.5·10^8. A file that declares more is refused before
# anything is allocated, so a 2 KB file that claims 10^12 values cannot take the computer down.
MAX_VALUES = 200_000_000
# Column names are Python strings (about 60 bytes each): 250,000 covers 256×256 colour images (196,608 pixels).
MAX_COLUMNS = 250_000
# An .npz with no 'x' holds one array per column; each costs a header parse (about 0.1 ms), and real column
# archives hold tens of them, so 1,000 bounds the time without refusing any.
MAX_ARRAYS = 1_000
# A CSV file is held as bytes, text and lines while it is read (about four copies), so 512 MB of text costs
# about 2 GB at the peak. MNIST written as CSV is 110 MB.
MAX_CSV_BYTES = 512 * 1024 * 1024
# A category name ("cat", "Setosa", "New York") is short; a 100,000-character cell is a mistake or an attack,
# and thousands of them would cost gigabytes.
MAX_TEXT_CHARS = 200
# Files are read and converted a chunk at a time, so the peak is the table plus one chunk, never a second
# whole copy in the file's own type (float64 data would otherwise cost three times the table).
CHUNK_BYTES = 4 * 1024 * 1024
# How much of a cell, a name or a file name a message quotes back.
SHOWN_CHARS = 40
SHOWN_FILE_CHARS = 60


def shown(text: object, limit: int = SHOWN_CHARS) -> str:
    """Text from a file made safe to show: unprintable characters escaped, at most `limit` characters (…)."""
    text = str(text)
    safe = "".join(c if c.isprintable() else _escaped(c) for c in text[:limit + 1])
    return safe if len(safe) <= limit and len(text) <= limit else safe[:limit - 1] + "…"


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def amount(count: int) -> str:
    """A count for a message: 1,234,567 or, for astronomic declared sizes, 'about 10^38'."""
    return f"{count:,}" if count < 10 ** 15 else tr("about 10^{power}", power=int(math.log10(count)))


def check_values(file_name: str, count: int, rows: int | None = None, columns: int | None = None,
                 key: str | None = None) -> None:
    """Refuse a file whose declared size is over the cap, before anything is allocated. `rows` and `columns`
    (a table's declared shape) or `key` (the archive member) say where the values are."""
    if count <= MAX_VALUES:
        return
    values = {"file": file_name, "count": amount(count), "most": f"{MAX_VALUES:,}",
              "mb": f"{MAX_VALUES * 4 // 10**6:,}"}
    if rows is not None and columns is not None:
        message = tr("{file} declares {count} values ({rows} rows × {columns} columns); NN Studio reads at most "
                     "{most} values (about {mb} MB), so this file is too large or damaged",
                     rows=amount(rows), columns=amount(columns), **values)
    elif key is not None:
        message = tr("{file} declares {count} values in '{key}'; NN Studio reads at most {most} values "
                     "(about {mb} MB), so this file is too large or damaged", key=key, **values)
    else:
        message = tr("{file} declares {count} values; NN Studio reads at most {most} values (about {mb} MB), "
                     "so this file is too large or damaged", **values)
    raise DataError(message)


def check_columns(file_name: str, count: int) -> None:
    if count > MAX_COLUMNS:
        raise DataError(tr("{file} has {count} columns (values per sample); NN Studio reads at most {most}, so "
                           "this file is too large or damaged", file=file_name, count=amount(count),
                           most=f"{MAX_COLUMNS:,}"))


def read_exactly(read: Callable[[int], bytes], size: int) -> bytes:
    """Up to `size` bytes from a stream whose read may return less than asked; fewer only at its end."""
    parts = []
    while size > 0:
        part = read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)  # one part: no second copy


def fill(read: Callable[[int], bytes], target: np.ndarray, dtype: np.dtype) -> tuple[int, int]:
    """Stream target.size values of `dtype` into the float32 view `target` (filled in C order), a chunk at a time.

    Returns (values read, flat index of the first NaN/infinite value or -1). Fewer values than target.size
    means the stream ended early. Values too large for float32 become infinite and count as non-finite.
    """
    total = target.size
    per_chunk = max(1, CHUNK_BYTES // dtype.itemsize)
    done, first_bad = 0, -1
    while done < total:
        want = min(per_chunk, total - done)
        data = read_exactly(read, want * dtype.itemsize)
        got = len(data) // dtype.itemsize
        if got:
            with np.errstate(over="ignore", invalid="ignore"):
                values = np.frombuffer(data, dtype, count=got).astype(np.float32)
            if first_bad < 0 and dtype.kind == "f":
                finite = np.isfinite(values)
                if not finite.all():
                    first_bad = done + int(np.argmin(finite))
            _place(target, done, values)
            done += got
        if got < want:
            break
    return done, first_bad


def _place(target: np.ndarray, start: int, values: np.ndarray) -> None:
    """Write `values` at flat (C-order) position `start` of target; fast for 2-D views, general otherwise."""
    if target.ndim != 2:
        target.flat[start:start + len(values)] = values  # element by element: only Fortran-order arrays
        return
    width = target.shape[1]
    row, column = divmod(start, width)
    used = 0
    if column:  # finish a row begun by the previous chunk
        used = min(width - column, len(values))
        target[row, column:column + used] = values[:used]
        row += 1
    whole_rows = (len(values) - used) // width
    if whole_rows:
        target[row:row + whole_rows] = values[used:used + whole_rows * width].reshape(whole_rows, width)
        used += whole_rows * width
        row += whole_rows
    if used < len(values):
        target[row, :len(values) - used] = values[used:]


__all__ = ["MAX_ARRAYS", "MAX_VALUES", "MAX_COLUMNS", "MAX_CSV_BYTES", "MAX_TEXT_CHARS", "shown", "amount",
           "check_values",
           "check_columns", "fill", "read_exactly"]
