"""Read MNIST-style IDX files (images and labels, raw or .gz) into a Table without per-pixel Python loops."""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path
from typing import Optional

import numpy as np

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


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX file as an array of its own shape (a read-only view of the file's bytes)."""
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"The file '{path}' was not found") from None
    except OSError as exc:
        raise DataError(f"The file '{path}' could not be read ({exc.strerror or exc})") from exc
    if data[:2] == _GZIP_MAGIC:  # look at the bytes, not the name: people rename files
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{name} is a damaged or incomplete .gz file ({exc})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES or data[3] == 0:
        raise DataError(f"{name} is not an IDX file (MNIST format): it does not start with the IDX magic number")
    dtype = IDX_TYPES[data[2]]
    ndim = data[3]
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise DataError(f"{name} is cut short: its header promises {ndim} sizes but the file ends first")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = math.prod(dims) * dtype.itemsize
    actual = len(data) - header_size
    if actual < expected:
        raise DataError(f"{name} is cut short (truncated): its header promises {'×'.join(map(str, dims))} "
                        f"values ({expected:,} bytes) but only {actual:,} bytes follow; download it again")
    if actual > expected:
        raise DataError(f"{name} has {actual - expected:,} more bytes than its header describes; it is not a "
                        "valid IDX file")
    return np.frombuffer(data, dtype=dtype, count=math.prod(dims), offset=header_size).reshape(dims)


def load_idx(images_path: str | Path, labels_path: Optional[str | Path] = None) -> Table:
    """Images (n, h, w) become h·w pixel columns px_0.. with image_shape (h, w); labels become column 'label'."""
    images_path = Path(images_path)
    images = read_idx(images_path)
    if images.ndim < 2:
        raise DataError(f"{images_path.name} holds a list of single values, not images; is it the labels file?")
    n = images.shape[0]
    if n == 0:
        raise DataError(f"{images_path.name} holds no images")
    pixels = math.prod(images.shape[1:])
    if pixels == 0:
        raise DataError(f"{images_path.name} holds images of size {'×'.join(map(str, images.shape[1:]))}")
    image_shape = tuple(int(s) for s in images.shape[1:]) if images.ndim >= 3 else None
    columns = [f"px_{i}" for i in range(pixels)]
    targets: tuple[str, ...] = ()
    extra = 0
    labels = None
    if labels_path is not None:
        labels_path = Path(labels_path)
        labels = read_idx(labels_path)
        if labels.ndim != 1:
            raise DataError(f"{labels_path.name} should hold one label per image, but it holds an array of shape "
                            f"{'×'.join(map(str, labels.shape))}; are the images and labels files swapped?")
        if len(labels) != n:
            raise DataError(f"{images_path.name} has {n:,} images but {labels_path.name} has {len(labels):,} "
                            "labels; they must come in pairs (e.g. train-images with train-labels)")
        columns.append("label")
        targets = ("label",)
        extra = 1
    # Fill one float32 block directly, so 60,000 images cost one copy, not three.
    values = np.empty((n, pixels + extra), dtype=np.float32)
    values[:, :pixels] = images.reshape(n, pixels)
    if labels is not None:
        values[:, pixels] = labels
    if images.dtype.kind == "f" and not np.isfinite(values).all():  # whole-number types are always finite
        raise DataError(f"{images_path.name} holds missing (NaN) or infinite values")
    description = f"IDX images {images_path.name}" + (f" with labels {labels_path.name}" if labels_path else "")
    return Table(images_path.name.split(".")[0], values, columns, {}, description, targets, image_shape)


__all__ = ["load_idx", "read_idx", "IDX_TYPES"]
