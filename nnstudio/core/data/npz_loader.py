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

from . import limits
from .limits import check_columns, check_values, fill, read_exactly, shown, SHOWN_FILE_CHARS
from .table import DataError, Table

_FEATURE_KEYS = ("x", "X")
_TARGET_KEYS = ("y", "Y")
_SAVE_HINT = "save your arrays with numpy.savez(file, x=features, y=labels)"
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
        raise DataError(f"The file '{shown(path, SHOWN_FILE_CHARS)}' was not found") from None
    except OSError as exc:
        raise DataError(f"{file_name} could not be opened ({shown(exc.strerror or 'unknown reason')})") from None
    with handle:
        start = handle.read(6)
        if start == b"\x93NUMPY":
            raise DataError(f"{file_name} is a single .npy array, not an .npz archive; {_SAVE_HINT}")
        handle.seek(0)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, *_READ_ERRORS):
            raise DataError(f"{file_name} is not a NumPy .npz archive (or it is damaged); {_SAVE_HINT}") from None
        with archive:
            return _load(archive, file_name, path.stem)


def _load(archive: zipfile.ZipFile, file_name: str, name: str) -> Table:
    infos = {info.filename[:-4]: info for info in archive.infolist() if info.filename.endswith(".npy")}
    if not infos:
        raise DataError(f"{file_name} holds no arrays; {_SAVE_HINT}")
    feature_key = next((k for k in _FEATURE_KEYS if k in infos), None)
    if feature_key is None:
        if len(infos) > limits.MAX_ARRAYS:
            raise DataError(f"{file_name} holds {len(infos):,} arrays; NN Studio reads at most {limits.MAX_ARRAYS:,} "
                            f"column arrays. {_SAVE_HINT[0].upper()}{_SAVE_HINT[1:]}")
        return _from_columns(archive, file_name, name, [_inspect(archive, k, i, file_name) for k, i in infos.items()])
    target_key = next((k for k in _TARGET_KEYS if k in infos), None)
    x = _inspect(archive, feature_key, infos[feature_key], file_name)
    y = _inspect(archive, target_key, infos[target_key], file_name) if target_key else None
    return _from_x_y(archive, file_name, name, x, y)


def _inspect(archive: zipfile.ZipFile, key: str, info: zipfile.ZipInfo, file_name: str) -> _Member:
    """Read one member's .npy header and check what it declares, before any of its data is read."""
    what = f"{file_name}: the array '{shown(key)}'"
    if info.flag_bits & 0x1:
        raise DataError(f"{what} is password-protected (encrypted), so NN Studio cannot read it; {_SAVE_HINT} "
                        "and do not encrypt the file")
    if info.compress_type not in _METHODS:
        method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        raise DataError(f"{what} is compressed with {method}, which NumPy archives never use; save it with "
                        "numpy.savez or numpy.savez_compressed")
    try:
        with archive.open(info) as stream:
            shape, fortran, dtype, offset = _read_header(stream)
    except DataError:
        raise
    except _HEADER_ERRORS:
        raise DataError(f"{what} is damaged: its header is not a valid NumPy array header; {_SAVE_HINT}") from None
    member = _Member(key, info, shape, dtype, fortran, offset)
    if dtype.hasobject:
        raise DataError(f"{file_name}: '{shown(key)}' holds Python objects, not numbers. NN Studio will not load "
                        "them, because opening them could run code hidden in the file. Save plain number arrays "
                        "with numpy.savez(file, x=features, y=labels)")
    if dtype.kind not in "biuf":
        raise DataError(f"{file_name}: '{shown(key)}' holds {shown(dtype)} values, not numbers")
    if any(size < 0 for size in shape):
        raise DataError(f"{what} is damaged: its header declares a negative size")
    check_values(file_name, member.size, f"values in '{shown(key)}'")
    if info.file_size != offset + member.size * dtype.itemsize:
        expected = offset + member.size * dtype.itemsize
        raise DataError(f"{what} is damaged: its header declares {expected:,} bytes but the archive holds "
                        f"{info.file_size:,}; {_SAVE_HINT}")
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
    what = f"{file_name}: the array '{shown(member.key)}'"
    if member.fortran and len(member.shape) > 1:
        # Column-major data is the C-order data of the transposed array: fill the transposed view.
        target = np.reshape(target, member.shape, copy=False).T
    try:
        with archive.open(member.info) as stream:
            read_exactly(stream.read, member.offset)  # the header, parsed once already by _inspect
            done, first_bad = fill(stream.read, target, member.dtype)
            extra = stream.read(1)  # reaching the end makes zipfile check the member's CRC
    except _READ_ERRORS:
        raise DataError(f"{what} is damaged (its compressed data cannot be read); {_SAVE_HINT}") from None
    if done < member.size or extra:
        raise DataError(f"{what} is damaged: it holds a different number of values than its header says")
    if first_bad >= 0:
        sample = first_bad % member.shape[0] if member.fortran and len(member.shape) > 1 else \
            first_bad // max(1, member.size // max(1, member.shape[0]))
        raise DataError(f"{file_name}: '{shown(member.key)}' has a missing (NaN) or infinite value in sample "
                        f"{sample + 1} (or one too large for 32-bit floats)")


def _from_x_y(archive: zipfile.ZipFile, file_name: str, name: str, x: _Member, y: Optional[_Member]) -> Table:
    if len(x.shape) == 0 or x.shape[0] == 0:
        raise DataError(f"{file_name}: '{shown(x.key)}' holds no samples")
    n = x.shape[0]
    width = math.prod(x.shape[1:])
    if width == 0:
        raise DataError(f"{file_name}: the samples in '{shown(x.key)}' have no values (shape {x.shape})")
    y_width = 0
    if y is not None:
        if len(y.shape) == 0 or y.shape[0] != n:
            raise DataError(f"{file_name}: '{shown(x.key)}' has {n:,} samples but '{shown(y.key)}' has "
                            f"{f'{y.shape[0]:,}' if y.shape else 'no'} values; they must match")
        if len(y.shape) > 2:
            raise DataError(f"{file_name}: '{shown(y.key)}' must hold one value (or one row of values) per "
                            f"sample, but its shape is {y.shape}")
        y_width = math.prod(y.shape[1:])
        if y_width == 0:
            raise DataError(f"{file_name}: '{shown(y.key)}' holds no values")
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
    return Table(name, values, columns, {}, f"NumPy archive {file_name}", targets, image_shape)


def _from_columns(archive: zipfile.ZipFile, file_name: str, name: str, members: list[_Member]) -> Table:
    for member in members:
        if len(member.shape) != 1:
            raise DataError(f"{file_name}: the archive has no 'x' array, so each array must be one column "
                            f"(1-D), but '{shown(member.key)}' has shape {member.shape}. Save "
                            "numpy.savez(file, x=features, y=labels) or one 1-D array per column")
    lengths = [member.shape[0] for member in members]
    if len(set(lengths)) > 1:
        described = ", ".join(f"'{shown(m.key, 20)}' has {m.shape[0]:,}" for m in members[:4])
        raise DataError(f"{file_name}: every column must have the same number of values, but {described}"
                        + (" …" if len(members) > 4 else ""))
    if lengths[0] == 0:
        raise DataError(f"{file_name}: the arrays hold no values")
    check_values(file_name, lengths[0] * len(members))
    values = np.empty((lengths[0], len(members)), dtype=np.float32)
    for index, member in enumerate(members):
        _read_into(archive, member, values[:, index:index + 1], file_name)
    columns = [member.key for member in members]
    return Table(name, values, columns, {}, f"NumPy archive {file_name}", (columns[-1],))


__all__ = ["load_npz"]
