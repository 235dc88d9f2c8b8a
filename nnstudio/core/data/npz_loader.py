"""Read a NumPy .npz archive (x and y arrays, or one 1-D array per column) into a Table; never unpickles."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Optional

import numpy as np

from .table import DataError, Table

_FEATURE_KEYS = ("x", "X")
_TARGET_KEYS = ("y", "Y")


def load_npz(path: str | Path) -> Table:
    """Load x/X (samples first) with y/Y labels, or several equal-length 1-D arrays, one per column."""
    path = Path(path)
    file_name = path.name
    arrays = _read_arrays(path, file_name)
    if not arrays:
        raise DataError(f"{file_name} holds no arrays")
    feature_key = next((k for k in _FEATURE_KEYS if k in arrays), None)
    if feature_key is not None:
        target_key = next((k for k in _TARGET_KEYS if k in arrays), None)
        return _from_x_y(file_name, path.stem, arrays[feature_key],
                         arrays[target_key] if target_key else None, feature_key, target_key)
    return _from_columns(file_name, path.stem, arrays)


def _read_arrays(path: Path, file_name: str) -> dict[str, np.ndarray]:
    try:
        # allow_pickle=False: a pickled (object) array could run code hidden in the file, so it is refused.
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"The file '{path}' was not found") from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{file_name} is not a NumPy .npz archive; save one with "
                        f"numpy.savez(file, x=features, y=labels) ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataError(f"{file_name} is a single .npy array, not an .npz archive; save it with "
                        "numpy.savez(file, x=features, y=labels)")
    arrays: dict[str, np.ndarray] = {}
    with archive:
        for key in archive.files:
            try:
                arrays[key] = archive[key]
            except ValueError as exc:
                if "allow_pickle" in str(exc):
                    raise DataError(f"{file_name}: '{key}' holds Python objects (a pickled array), which NN "
                                    "Studio never opens because they could run hidden code; save plain number "
                                    "arrays") from None
                raise DataError(f"{file_name}: the array '{key}' cannot be read ({exc})") from None
            except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
                raise DataError(f"{file_name}: the array '{key}' cannot be read ({exc})") from None
    return arrays


def _as_numbers(array: np.ndarray, what: str, file_name: str) -> np.ndarray:
    """Check an array holds finite numbers and return it as float32."""
    if array.dtype == object:
        raise DataError(f"{file_name}: '{what}' holds Python objects; save plain number arrays")
    if array.dtype.kind not in "biuf":
        raise DataError(f"{file_name}: '{what}' holds {array.dtype} values, not numbers")
    with np.errstate(over="ignore"):  # values too large for float32 become inf, reported just below
        values = array.astype(np.float32)
    if array.dtype.kind == "f" and not np.isfinite(values).all():
        bad = int(np.flatnonzero((~np.isfinite(values.reshape(len(values), -1))).any(axis=1))[0])
        raise DataError(f"{file_name}: '{what}' has a missing (NaN) or infinite value in sample {bad + 1} "
                        "(or one too large for 32-bit floats)")
    return values


def _from_x_y(file_name: str, name: str, x: np.ndarray, y: Optional[np.ndarray], x_key: str,
              y_key: Optional[str]) -> Table:
    if x.ndim == 0 or len(x) == 0:
        raise DataError(f"{file_name}: '{x_key}' holds no samples")
    x_values = _as_numbers(x, x_key, file_name)
    n = len(x_values)
    sample_shape = x_values.shape[1:]
    features = x_values.reshape(n, -1)
    if features.shape[1] == 0:
        raise DataError(f"{file_name}: the samples in '{x_key}' have no values (shape {x.shape})")
    columns = [f"f_{i}" for i in range(features.shape[1])]
    image_shape = tuple(int(s) for s in sample_shape) if len(sample_shape) >= 2 else None
    blocks = [features]
    targets: tuple[str, ...] = ()
    if y is not None:
        if y.ndim == 0 or len(y) != n:
            raise DataError(f"{file_name}: '{x_key}' has {n} samples but '{y_key}' has "
                            f"{len(y) if y.ndim else 'no'} values; they must match")
        if y.ndim > 2:
            raise DataError(f"{file_name}: '{y_key}' must hold one value (or one row of values) per sample, "
                            f"but its shape is {y.shape}")
        y_values = _as_numbers(y, y_key, file_name).reshape(n, -1)
        whole = y.dtype.kind in "biu" or bool(np.all(np.floor(y_values) == y_values))
        base = "label" if whole else "target"
        targets = (base,) if y_values.shape[1] == 1 else tuple(f"{base}_{i}" for i in range(y_values.shape[1]))
        columns += list(targets)
        blocks.append(y_values)
    values = np.ascontiguousarray(np.hstack(blocks)) if len(blocks) > 1 else features
    return Table(name, values, columns, {}, f"NumPy archive {file_name}", targets, image_shape)


def _from_columns(file_name: str, name: str, arrays: dict[str, np.ndarray]) -> Table:
    lengths = {}
    for key, array in arrays.items():
        if array.ndim != 1:
            raise DataError(f"{file_name}: the archive has no 'x' array, so each array must be one column "
                            f"(1-D), but '{key}' has shape {array.shape}. Save numpy.savez(file, x=features, "
                            "y=labels) or one 1-D array per column")
        lengths[key] = len(array)
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"'{k}' has {n}" for k, n in lengths.items())
        raise DataError(f"{file_name}: every column must have the same number of values, but {described}")
    if next(iter(lengths.values())) == 0:
        raise DataError(f"{file_name}: the arrays hold no values")
    values = np.column_stack([_as_numbers(a, k, file_name) for k, a in arrays.items()])
    columns = list(arrays)
    return Table(name, values, columns, {}, f"NumPy archive {file_name}", (columns[-1],))


__all__ = ["load_npz"]
