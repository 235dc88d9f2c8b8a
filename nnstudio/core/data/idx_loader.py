"""Read MNIST-style IDX files (images and labels, raw or .gz) into a Table, streaming with declared-size caps."""

from __future__ import annotations

import gzip
import math
import re
import zlib
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Optional

import numpy as np

from ..i18n import tr
from .limits import amount, check_columns, check_values, fill, read_exactly, shown, CHUNK_BYTES, SHOWN_FILE_CHARS
from .table import DataError, Table

# The third byte of an IDX file says how each value is stored (all multi-byte values are big-endian).
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
# What a damaged .gz stream raises while it is decompressed.
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


@dataclass
class _Idx:
    """An open IDX file positioned at its first value; `read` decompresses .gz files as it goes."""

    name: str
    stream: BinaryIO
    dtype: np.dtype
    dims: tuple[int, ...]

    @property
    def size(self) -> int:
        return math.prod(self.dims)

    def read(self, size: int) -> bytes:
        try:
            return self.stream.read(size)
        except _GZIP_ERRORS:
            raise DataError(tr("{file} is a damaged or incomplete .gz file; download it again",
                               file=self.name)) from None

    def check_end(self, values_read: int) -> None:
        """After the declared values: the file must end exactly there (nothing more is decompressed)."""
        if values_read < self.size:
            raise DataError(tr("{file} is cut short (truncated): its header promises {dims} values ({bytes} bytes) "
                               "but fewer follow; download it again", file=self.name, dims=_dims(self.dims),
                               bytes=amount(self.size * self.dtype.itemsize)))
        if self.read(1):
            raise DataError(tr("{file} has more bytes than its header describes; it is not a valid IDX file",
                               file=self.name))


@contextmanager
def _open_idx(path: str | Path) -> Iterator[_Idx]:
    """Open an IDX file (raw or gzip, told apart by its bytes), read its header and check the declared size."""
    path = Path(path)
    name = shown(path.name, SHOWN_FILE_CHARS)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise DataError(tr("The file '{file}' was not found", file=shown(path, SHOWN_FILE_CHARS))) from None
    except OSError as exc:
        raise DataError(tr("{file} could not be read ({reason})", file=name,
                           reason=shown(exc.strerror or tr("unknown reason")))) from None
    with handle:
        stream: BinaryIO = handle
        if handle.read(2) == _GZIP_MAGIC:  # look at the bytes, not the name: people rename files
            # Decompressed as it is read, and only as far as the header's declared size: a gzip bomb that
            # expands to gigabytes costs no more than the values it honestly declares.
            stream = gzip.GzipFile(fileobj=handle, mode="rb")
        handle.seek(0)
        with stream:
            idx = _Idx(name, stream, np.dtype(np.uint8), ())
            magic = read_exactly(idx.read, 4)
            if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in IDX_TYPES or magic[3] == 0:
                raise DataError(tr("{file} is not an IDX file (MNIST format): it does not start with the IDX magic "
                                   "number", file=name))
            ndim = magic[3]
            sizes = read_exactly(idx.read, 4 * ndim)
            if len(sizes) < 4 * ndim:
                raise DataError(tr("{file} is cut short: its header promises {count} sizes but the file ends first",
                                   file=name, count=ndim))
            idx.dtype = IDX_TYPES[magic[2]]
            idx.dims = tuple(int(d) for d in np.frombuffer(sizes, dtype=">u4"))
            if stream is handle:  # a raw file's length is known without reading it
                actual = path.stat().st_size - 4 - 4 * ndim
                expected = idx.size * idx.dtype.itemsize
                if actual < expected:
                    raise DataError(tr("{file} is cut short (truncated): its header promises {dims} values ({bytes} "
                                       "bytes) but only {actual} bytes follow; download it again", file=name,
                                       dims=_dims(idx.dims), bytes=amount(expected), actual=f"{actual:,}"))
                if actual > expected:
                    raise DataError(tr("{file} has {extra} more bytes than its header describes; it is not a valid "
                                       "IDX file", file=name, extra=amount(actual - expected)))
            check_values(name, idx.size)
            yield idx


def _dims(dims: tuple[int, ...]) -> str:
    return shown("×".join(map(str, dims)))  # a header may declare up to 255 sizes


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX file as an array of its own shape and value type."""
    with _open_idx(path) as idx:
        data = np.empty(idx.size * idx.dtype.itemsize, dtype=np.uint8)
        done = 0
        while done < len(data):  # chunks: GzipFile.read(n) of the whole would briefly hold two copies
            chunk = idx.read(min(CHUNK_BYTES, len(data) - done))
            if not chunk:
                break
            data[done:done + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
            done += len(chunk)
        idx.check_end(done // idx.dtype.itemsize)
    return data.view(idx.dtype).reshape(idx.dims)


def load_idx(images_path: str | Path, labels_path: Optional[str | Path] = None,
             test_images_path: Optional[str | Path] = None, test_labels_path: Optional[str | Path] = None) -> Table:
    """Images (n, h, w) become h·w pixel columns px_0.. with image_shape (h, w); labels become column 'label'.

    With the standard test files (t10k-...), their rows follow the training rows in the same table and
    `test_rows` says how many there are: those rows are the test set, never split from the training files."""
    with ExitStack() as stack:
        images = stack.enter_context(_open_idx(images_path))
        labels = stack.enter_context(_open_idx(labels_path)) if labels_path is not None else None
        n, pixels, image_shape = _check_pair(images, labels)
        test_images = test_labels = None
        n_test = 0
        if test_images_path is not None:
            test_images = stack.enter_context(_open_idx(test_images_path))
            if (labels is None) != (test_labels_path is None):
                raise DataError(tr("The training and test files must both come with labels, or both without: "
                                   "choose the labels files for both (train-labels and t10k-labels)"))
            test_labels = stack.enter_context(_open_idx(test_labels_path)) if test_labels_path is not None else None
            n_test, test_pixels, test_shape = _check_pair(test_images, test_labels)
            if test_shape != image_shape or test_pixels != pixels:
                raise DataError(tr("{file} holds images of size {size} but {test_file} holds images of size "
                                   "{test_size}; the test images must be the same size as the training images",
                                   file=images.name, size=_dims(images.dims[1:]), test_file=test_images.name,
                                   test_size=_dims(test_images.dims[1:])))
        extra = 1 if labels is not None else 0
        check_columns(images.name, pixels + extra)
        check_values(images.name, (n + n_test) * (pixels + extra))
        # One float32 block filled straight from the files, so 70,000 images cost one copy, not three.
        values = np.empty((n + n_test, pixels + extra), dtype=np.float32)
        _fill_rows(values[:n], images, labels, pixels)
        if test_images is not None:
            _fill_rows(values[n:], test_images, test_labels, pixels)
    table = _table(images.name, values, pixels, labels.name if labels is not None else None, image_shape)
    if test_images is not None:
        table.test_rows = n_test
        table.description = tr("{description}; the last {rows} rows are the standard test set ({file})",
                               description=table.description, rows=f"{n_test:,}", file=test_images.name)
    return table


def _check_pair(images: _Idx, labels: Optional[_Idx]) -> tuple[int, int, Optional[tuple[int, ...]]]:
    """The number of images, pixels per image and image shape; refuses files that do not make a pair."""
    if len(images.dims) < 2:
        raise DataError(tr("{file} holds a list of single values, not images; is it the labels file?",
                           file=images.name))
    n = images.dims[0]
    if n == 0:
        raise DataError(tr("{file} holds no images", file=images.name))
    pixels = math.prod(images.dims[1:])
    if pixels == 0:
        raise DataError(tr("{file} holds images of size {size}", file=images.name, size=_dims(images.dims[1:])))
    image_shape = tuple(images.dims[1:]) if len(images.dims) >= 3 else None
    if labels is not None:
        if len(labels.dims) != 1:
            raise DataError(tr("{file} should hold one label per image, but it holds an array of shape {shape}; are "
                               "the images and labels files swapped?", file=labels.name, shape=_dims(labels.dims)))
        if labels.dims[0] != n:
            raise DataError(tr("{file} has {images} images but {labels_file} has {labels} labels; they must come in "
                               "pairs (e.g. train-images with train-labels)", file=images.name, images=f"{n:,}",
                               labels_file=labels.name, labels=f"{labels.dims[0]:,}"))
    return n, pixels, image_shape


def _fill_rows(values: np.ndarray, images: _Idx, labels: Optional[_Idx], pixels: int) -> None:
    """Fill `values` (rows × pixels, plus a label column) from an images file and its labels file."""
    done, first_bad = fill(images.read, values[:, :pixels], images.dtype)
    images.check_end(done)
    if first_bad >= 0:
        raise DataError(tr("{file} holds a missing (NaN) or infinite value (image {image})", file=images.name,
                           image=first_bad // pixels + 1))
    if labels is not None:
        done, first_bad = fill(labels.read, values[:, pixels:], labels.dtype)
        labels.check_end(done)
        if first_bad >= 0:
            raise DataError(tr("{file} holds a missing (NaN) or infinite label (label {label}); every image needs a "
                               "real label", file=labels.name, label=first_bad + 1))


# ---------------------------------------------------------------- the four standard files

# The names the MNIST and Fashion-MNIST distributions use, by the data-source key each one fills.
STANDARD_FILES = {
    "images": "train-images-idx3-ubyte",
    "labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
# Some copies write a dot before "idx" (train-images.idx3-ubyte, as unpacked on Windows) or end in .gz.
_STANDARD_NAME = re.compile(r"^(train|t10k)-(images|labels)[-.]idx([13])-ubyte(\.gz)?$", re.IGNORECASE)


def standard_role(path: str | Path) -> Optional[str]:
    """Which of the four standard files a file name is ('images', 'labels', 'test_images', 'test_labels')."""
    match = _STANDARD_NAME.match(Path(path).name)
    if match is None or (match.group(2).lower() == "images") != (match.group(3) == "3"):
        return None
    return ("test_" if match.group(1).lower() == "t10k" else "") + match.group(2).lower()


def idx_rank(path: str | Path) -> Optional[int]:
    """How many sizes an IDX file's header declares (1 for labels, 3 for images); None if it is no IDX file."""
    try:
        with _open_idx(path) as idx:
            return len(idx.dims)
    except DataError:
        return None


def find_standard_files(paths: Iterable[str | Path]) -> dict[str, Path]:
    """Sort chosen files into the four roles: by their standard names first, then (other names) by what their
    headers hold, images before labels. A raw file wins over its .gz copy when both are there."""
    found: dict[str, Path] = {}
    others: list[Path] = []
    for path in sorted(Path(p) for p in paths):
        role = standard_role(path)
        if role is None:
            others.append(path)
        elif role not in found or found[role].suffix.lower() == ".gz":
            found[role] = path
    for path in others:
        rank = idx_rank(path)
        role = "images" if rank is not None and rank >= 2 else "labels" if rank == 1 else None
        if role is not None and role not in found:
            found[role] = path
    return found


def standard_files_in(folder: str | Path) -> dict[str, Path]:
    """The standard files in a folder (by their standard names only: a folder may hold anything else)."""
    try:
        files = [p for p in Path(folder).iterdir() if p.is_file()]
    except OSError:
        return {}
    return find_standard_files(p for p in files if standard_role(p) is not None)


def _table(images_name: str, values: np.ndarray, pixels: int, labels_name: Optional[str],
           image_shape: Optional[tuple[int, ...]]) -> Table:
    columns = [f"px_{i}" for i in range(pixels)] + (["label"] if labels_name else [])
    description = (tr("IDX images {images} with labels {labels}", images=images_name, labels=labels_name)
                   if labels_name else tr("IDX images {images}", images=images_name))
    return Table(images_name.split(".")[0], values, columns, {}, description, ("label",) if labels_name else (),
                 image_shape)


__all__ = ["load_idx", "read_idx", "IDX_TYPES", "STANDARD_FILES", "find_standard_files", "standard_files_in",
           "standard_role"]
