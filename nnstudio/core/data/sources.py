"""Turn a project's data-source entry ({"kind": "csv", "path": ...}) into a Table, and describe it in words."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from .builtin import BUILTINS, load_builtin
from .csv_loader import load_csv
from .idx_loader import load_idx
from .npz_loader import load_npz
from .table import DataError, Table

SOURCE_KINDS = ("builtin", "csv", "npz", "idx")


def _text_field(source: dict, key: str, kind: str) -> str:
    value = source.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"The {kind} data source does not say its '{key}'; choose the data again")
    return value


def resolve_path(path: str, base_dir: Optional[Path]) -> Path:
    """Where a stored path points: relative paths are relative to the project file's folder."""
    candidate = Path(path).expanduser()
    if not candidate.is_absolute():
        candidate = (Path(base_dir) if base_dir is not None else Path.cwd()) / candidate
    return candidate.resolve()


def _existing_file(path: str, base_dir: Optional[Path]) -> Path:
    resolved = resolve_path(path, base_dir)
    if not resolved.is_file():
        where = "next to the project" if base_dir is not None and not Path(path).is_absolute() else "on this computer"
        raise DataError(f"The data file '{Path(path).name}' was not found {where} (looked in {resolved})")
    return resolved


def load_source(source: dict, base_dir: Optional[Path] = None) -> Table:
    """Load the data a project points at; every problem is a DataError with a plain message."""
    if not isinstance(source, dict):
        raise DataError("No data is chosen yet: pick a built-in dataset or open a data file")
    kind = source.get("kind")
    if kind == "builtin":
        return load_builtin(_text_field(source, "name", "built-in"))
    if kind == "csv":
        return load_csv(_existing_file(_text_field(source, "path", "CSV"), base_dir))
    if kind == "npz":
        return load_npz(_existing_file(_text_field(source, "path", "NumPy"), base_dir))
    if kind == "idx":
        images = _existing_file(_text_field(source, "images", "IDX"), base_dir)
        labels_path = source.get("labels")
        if labels_path is not None and not isinstance(labels_path, str):
            raise DataError("The IDX data source's 'labels' must be a file path")
        labels = _existing_file(labels_path, base_dir) if labels_path else None
        return load_idx(images, labels)
    raise DataError(f"Unknown kind of data source {kind!r}; it must be one of {', '.join(SOURCE_KINDS)}")


def describe_source(source: Optional[dict]) -> str:
    """One line for the window: 'Built-in: Iris flowers', 'CSV file data.csv', ..."""
    if not isinstance(source, dict):
        return "No data chosen"
    kind = source.get("kind")
    if kind == "builtin":
        info = BUILTINS.get(source.get("name")) if isinstance(source.get("name"), str) else None
        return f"Built-in: {info.title}" if info else f"Built-in: {source.get('name')!r} (unknown)"
    if kind in ("csv", "npz"):
        label = "CSV file" if kind == "csv" else "NumPy archive"
        return f"{label} {Path(str(source.get('path', '?'))).name}"
    if kind == "idx":
        text = f"IDX images {Path(str(source.get('images', '?'))).name}"
        if source.get("labels"):
            text += f" with labels {Path(str(source['labels'])).name}"
        return text
    return f"Unknown data source {kind!r}"


__all__ = ["load_source", "describe_source", "resolve_path", "SOURCE_KINDS"]
