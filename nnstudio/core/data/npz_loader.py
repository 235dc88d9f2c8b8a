"""Read a NumPy .npz archive (x and y arrays, or one 1-D array per column) into a Table; never unpickles."""

from __future__ import annotations

import lzma
import math
import struct
import tokenize
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Optional

import numpy as np
from numpy.lib import format as npy_format

from ..i18n import N_, tr
from . import limits
from .limits import check_columns, check_values, fill, read_exactly, shown, SHOWN_FILE_CHARS
from .table import DataError, Table

_FEATURE_KEYS = ("x", "X")
_TARGET_KEYS = ("y", "Y")
_SAVE_HINT = N_("save your arrays with numpy.savez(file, x=features, y=labels)")
_SAVE_HINT_SENTENCE = N_("Save your arrays with numpy.savez(file, x=features, y=labels)")
# What a damaged zip member can raise while it is decompressed: a bad deflate/bzip2/LZMA stream, a CRC
# mismatch, a stream that ends early, or numpy's header parser choking on garbage.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, ValueError, struct.error,
                OverflowError, NotImplementedError, RuntimeError)
# numpy's .npy header is a Python literal parsed by ast/tokenize: hostile text raises any of these.
_HEADER_ERRORS = _READ_ERRORS + (SyntaxError, tokenize.TokenError, TypeError, KeyError, RecursionError,
                                 MemoryError, IndexError, AttributeError)
# numpy.savez writes stored members and savez_compressed deflated ones; other methods are refused by name.
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}


@dataclass
class _Member:
    """One array of the archive as its header describes it; nothing of its data is read yet."""

    key: str
    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran: bool
    offset: int  # bytes of .npy header before the data

    @property
    def size(self) -> int:
        return math.prod(self.shape)


def load_npz(path: str | Path) -> Table:
    """Load x/X (samples first) with y/Y labels, or several equal-length 1-D arrays, one per column."""
    path = Path(path)
    file_name = shown(path.name, SHOWN_FILE_CHARS)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise DataError(tr("The file '{file}' was not found", file=shown(path, SHOWN_FILE_CHARS))) from None
    except OSError as exc:
        raise DataError(tr("{file} could not be opened ({reason})", file=file_name,
                           reason=shown(exc.strerror or tr("unknown reason")))) from None
    with handle:
        start = handle.read(6)
        if start == b"\x93NUMPY":
            raise DataError(tr("{file} is a single .npy array, not an .npz archive; {hint}", file=file_name,
                               hint=tr(_SAVE_HINT)))
        handle.seek(0)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, *_READ_ERRORS):
            raise DataError(tr("{file} is not a NumPy .npz archive (or it is damaged); {hint}", file=file_name,
                               hint=tr(_SAVE_HINT))) from None
        with archive:
            return _load(archive, file_name, path.stem)


def _load(archive: zipfile.ZipFile, file_name: str, name: str) -> Table:
    infos = {info.filename[:-4]: info for info in archive.infolist() if info.filename.endswith(".npy")}
    if not infos:
        raise DataError(tr("{file} holds no arrays; {hint}", file=file_name, hint=tr(_SAVE_HINT)))
    feature_key = next((k for k in _FEATURE_KEYS if k in infos), None)
    if feature_key is None:
        if len(infos) > limits.MAX_ARRAYS:
            raise DataError(tr("{file} holds {count} arrays; NN Studio reads at most {most} column arrays. {hint}",
                               file=file_name, count=f"{len(infos):,}", most=f"{limits.MAX_ARRAYS:,}",
                               hint=tr(_SAVE_HINT_SENTENCE)))
        return _from_columns(archive, file_name, name, [_inspect(archive, k, i, file_name) for k, i in infos.items()])
    target_key = next((k for k in _TARGET_KEYS if k in infos), None)
    x = _inspect(archive, feature_key, infos[feature_key], file_name)
    y = _inspect(archive, target_key, infos[target_key], file_name) if target_key else None
    return _from_x_y(archive, file_name, name, x, y)


def _inspect(archive: zipfile.ZipFile, key: str, info: zipfile.ZipInfo, file_name: str) -> _Member:
    """Read one member's .npy header and check what it declares, before any of its data is read."""
    where = {"file": file_name, "key": shown(key)}
    if info.flag_bits & 0x1:
        raise DataError(tr("{file}: the array '{key}' is password-protected (encrypted), so NN Studio cannot read "
                           "it; {hint} and do not encrypt the file", hint=tr(_SAVE_HINT), **where))
    if info.compress_type not in _METHODS:
        method = _METHOD_NAMES.get(info.compress_type) or tr("method {number}", number=info.compress_type)
        raise DataError(tr("{file}: the array '{key}' is compressed with {method}, which NumPy archives never use; "
                           "save it with numpy.savez or numpy.savez_compressed", method=method, **where))
    try:
        with archive.open(info) as stream:
            shape, fortran, dtype, offset = _read_header(stream)
    except DataError:
        raise
    except _HEADER_ERRORS:
        raise DataError(tr("{file}: the array '{key}' is damaged: its header is not a valid NumPy array header; "
                           "{hint}", hint=tr(_SAVE_HINT), **where)) from None
    member = _Member(key, info, shape, dtype, fortran, offset)
    if dtype.hasobject:
        raise DataError(tr("{file}: '{key}' holds Python objects, not numbers. NN Studio will not load them, "
                           "because opening them could run code hidden in the file. Save plain number arrays with "
                           "numpy.savez(file, x=features, y=labels)", **where))
    if dtype.kind not in "biuf":
        raise DataError(tr("{file}: '{key}' holds {dtype} values, not numbers", dtype=shown(dtype), **where))
    if any(size < 0 for size in shape):
        raise DataError(tr("{file}: the array '{key}' is damaged: its header declares a negative size", **where))
    check_values(file_name, member.size, key=shown(key))
    if info.file_size != offset + member.size * dtype.itemsize:
        expected = offset + member.size * dtype.itemsize
        raise DataError(tr("{file}: the array '{key}' is damaged: its header declares {expected} bytes but the "
                           "archive holds {actual}; {hint}", expected=f"{expected:,}",
                           actual=f"{info.file_size:,}", hint=tr(_SAVE_HINT), **where))
    return member


def _read_header(stream: BinaryIO) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """(shape, fortran order, dtype, bytes before the data) of a .npy stream, read with numpy's own parser."""
    magic = read_exactly(stream.read, 6)
    if magic != b"\x93NUMPY":
        raise ValueError("no .npy magic")
    stream_with_magic = _Prefixed(magic, stream)
    with warnings.catch_warnings():  # Python-2 era headers and odd escapes only warn; the header is checked anyway
        warnings.simplefilter("ignore")
        version = npy_format.read_magic(stream_with_magic)
        if version == (1, 0):
            shape, fortran, dtype = npy_format.read_array_header_1_0(stream_with_magic)
        elif version == (2, 0):
            shape, fortran, dtype = npy_format.read_array_header_2_0(stream_with_magic)
        else:
            raise ValueError("unknown .npy version")
    return tuple(shape), bool(fortran), np.dtype(dtype), stream_with_magic.position


class _Prefixed:
    """A read-only stream that counts bytes read, so the data's offset within the member is known."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self.prefix, self.stream, self.position = prefix, stream, 0

    def read(self, size: int) -> bytes:
        if self.prefix:
            data, self.prefix = self.prefix[:size], self.prefix[size:]
        else:
            data = read_exactly(self.stream.read, size)
        self.position += len(data)
        return data


def _read_into(archive: zipfile.ZipFile, member: _Member, target: np.ndarray, file_name: str) -> None:
    """Stream one member's values into the float32 view `target` (shaped like the member's samples)."""
    where = {"file": file_name, "key": shown(member.key)}
    if member.fortran and len(member.shape) > 1:
        # Column-major data is the C-order data of the transposed array: fill the transposed view.
        target = np.reshape(target, member.shape, copy=False).T
    try:
        with archive.open(member.info) as stream:
            read_exactly(stream.read, member.offset)  # the header, parsed once already by _inspect
            done, first_bad = fill(stream.read, target, member.dtype)
            extra = stream.read(1)  # reaching the end makes zipfile check the member's CRC
    except _READ_ERRORS:
        raise DataError(tr("{file}: the array '{key}' is damaged (its compressed data cannot be read); {hint}",
                           hint=tr(_SAVE_HINT), **where)) from None
    if done < member.size or extra:
        raise DataError(tr("{file}: the array '{key}' is damaged: it holds a different number of values than its "
                           "header says", **where))
    if first_bad >= 0:
        sample = first_bad % member.shape[0] if member.fortran and len(member.shape) > 1 else \
            first_bad // max(1, member.size // max(1, member.shape[0]))
        raise DataError(tr("{file}: '{key}' has a missing (NaN) or infinite value in sample {sample} (or one too "
                           "large for 32-bit floats)", sample=sample + 1, **where))


def _from_x_y(archive: zipfile.ZipFile, file_name: str, name: str, x: _Member, y: Optional[_Member]) -> Table:
    if len(x.shape) == 0 or x.shape[0] == 0:
        raise DataError(tr("{file}: '{key}' holds no samples", file=file_name, key=shown(x.key)))
    n = x.shape[0]
    width = math.prod(x.shape[1:])
    if width == 0:
        raise DataError(tr("{file}: the samples in '{key}' have no values (shape {shape})", file=file_name,
                           key=shown(x.key), shape=x.shape))
    y_width = 0
    if y is not None:
        if len(y.shape) == 0 or y.shape[0] != n:
            keys = {"file": file_name, "x": shown(x.key), "y": shown(y.key), "samples": f"{n:,}"}
            raise DataError(tr("{file}: '{x}' has {samples} samples but '{y}' has {values} values; they must match",
                               values=f"{y.shape[0]:,}", **keys) if y.shape else
                            tr("{file}: '{x}' has {samples} samples but '{y}' has no values; they must match", **keys))
        if len(y.shape) > 2:
            raise DataError(tr("{file}: '{key}' must hold one value (or one row of values) per sample, but its shape "
                               "is {shape}", file=file_name, key=shown(y.key), shape=y.shape))
        y_width = math.prod(y.shape[1:])
        if y_width == 0:
            raise DataError(tr("{file}: '{key}' holds no values", file=file_name, key=shown(y.key)))
    check_columns(file_name, width + y_width)
    check_values(file_name, n * (width + y_width))
    values = np.empty((n, width + y_width), dtype=np.float32)
    _read_into(archive, x, values[:, :width], file_name)
    columns = [f"f_{i}" for i in range(width)]
    image_shape = tuple(int(s) for s in x.shape[1:]) if len(x.shape) >= 3 else None
    targets: tuple[str, ...] = ()
    if y is not None:
        y_values = values[:, width:]
        _read_into(archive, y, y_values, file_name)
        whole = y.dtype.kind in "biu" or bool(np.all(np.floor(y_values) == y_values))
        base = "label" if whole else "target"
        targets = (base,) if y_width == 1 else tuple(f"{base}_{i}" for i in range(y_width))
        columns += list(targets)
    return Table(name, values, columns, {}, tr("NumPy archive {file}", file=file_name), targets, image_shape)


def _from_columns(archive: zipfile.ZipFile, file_name: str, name: str, members: list[_Member]) -> Table:
    for member in members:
        if len(member.shape) != 1:
            raise DataError(tr("{file}: the archive has no 'x' array, so each array must be one column (1-D), but "
                               "'{key}' has shape {shape}. Save numpy.savez(file, x=features, y=labels) or one 1-D "
                               "array per column", file=file_name, key=shown(member.key), shape=member.shape))
    lengths = [member.shape[0] for member in members]
    if len(set(lengths)) > 1:
        described = ", ".join(tr("'{key}' has {count}", key=shown(m.key, 20), count=f"{m.shape[0]:,}")
                              for m in members[:4]) + (" …" if len(members) > 4 else "")
        raise DataError(tr("{file}: every column must have the same number of values, but {lengths}",
                           file=file_name, lengths=described))
    if lengths[0] == 0:
        raise DataError(tr("{file}: the arrays hold no values", file=file_name))
    check_values(file_name, lengths[0] * len(members))
    values = np.empty((lengths[0], len(members)), dtype=np.float32)
    for index, member in enumerate(members):
        _read_into(archive, member, values[:, index:index + 1], file_name)
    columns = [member.key for member in members]
    return Table(name, values, columns, {}, tr("NumPy archive {file}", file=file_name), (columns[-1],))


__all__ = ["load_npz"]
