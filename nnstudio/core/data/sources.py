"""Turn a project's data-source entry ({"kind": "csv", "path": ...}) into a Table, and describe it in words."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Optional

from ..i18n import tr
from .builtin import BUILTINS, load_builtin
from .california import load_california
from .csv_loader import load_csv
from .downloads import DATASETS, dataset_folder, is_downloaded, not_downloaded_error, remote_dataset, size_text
from .idx_loader import STANDARD_FILES, load_idx
from .npz_loader import load_npz
from .table import DataError, Table

SOURCE_KINDS = ("builtin", "csv", "npz", "idx", "dataset")
# Fashion-MNIST's labels 0..9 by name, as its publishers (and Keras' and torchvision's docs) write them.
IDX_DATASETS = ("mnist", "fashion-mnist")  # the course datasets that come as the four MNIST-format files
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot")


def _text_field(source: dict, key: str, kind: str) -> str:
    """`kind`: 'builtin', 'csv', 'npz', 'idx' or 'dataset'."""
    value = source.get(key)
    if not isinstance(value, str) or not value.strip():
        messages = {
            "builtin": tr("The built-in data source does not say its '{key}'; choose the data again", key=key),
            "csv": tr("The CSV data source does not say its '{key}'; choose the data again", key=key),
            "npz": tr("The NumPy data source does not say its '{key}'; choose the data again", key=key),
            "dataset": tr("The course dataset source does not say its '{key}'; choose the data again", key=key),
        }
        raise DataError(messages.get(kind) or tr("The IDX data source does not say its '{key}'; choose the data "
                                                 "again", key=key))
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
        if base_dir is not None and not Path(path).is_absolute():
            raise DataError(tr("The data file '{file}' was not found next to the project (looked in {place})",
                               file=Path(path).name, place=resolved))
        raise DataError(tr("The data file '{file}' was not found on this computer (looked in {place})",
                           file=Path(path).name, place=resolved))
    return resolved


IDX_PATH_KEYS = ("images", "labels", "test_images", "test_labels")


def uses_test_files(source: dict) -> bool:
    """Whether an IDX source's own test files (t10k-...) are its test set: when it names them, unless it says
    `"test_from_files": false` (then they are only remembered, and the test set is split from the training rows)."""
    return bool(source.get("test_images")) and source.get("test_from_files", True) is not False


def _load_idx_source(source: dict, base_dir: Optional[Path]) -> Table:
    for key in IDX_PATH_KEYS:
        if source.get(key) is not None and not isinstance(source.get(key), str):
            raise DataError(tr("The IDX data source's '{key}' must be a file path", key=key))
    if not isinstance(source.get("test_from_files", True), bool):
        raise DataError(tr("The IDX data source's 'test_from_files' must be true or false"))
    images = _existing_file(_text_field(source, "images", "idx"), base_dir)
    labels = _existing_file(source["labels"], base_dir) if source.get("labels") else None
    if not uses_test_files(source):
        return load_idx(images, labels)
    test_images = _existing_file(source["test_images"], base_dir)
    test_labels = _existing_file(source["test_labels"], base_dir) if source.get("test_labels") else None
    return load_idx(images, labels, test_images, test_labels)


def dataset_idx_source(source: dict) -> Optional[dict]:
    """MNIST or Fashion-MNIST from the download cache as the same data in an 'idx' source (the four files' full
    paths, t10k as the test set), so what reads imported MNIST files (the exported train.py) reads these too."""
    name = source.get("name") if isinstance(source, dict) and source.get("kind") == "dataset" else None
    if name not in IDX_DATASETS:
        return None
    folder = dataset_folder(name)
    return {"kind": "idx", **{role: str(folder / f"{file}.gz") for role, file in STANDARD_FILES.items()}}


def _load_dataset_source(source: dict) -> Table:
    """A course dataset from the download cache: MNIST-style sets with their t10k files as the test set,
    California housing as a regression table. DatasetNotDownloaded when it is not there yet."""
    key = _text_field(source, "name", "dataset")
    dataset = remote_dataset(key)
    if not is_downloaded(key):
        raise not_downloaded_error(key)
    if key == "california-housing":
        return load_california(dataset_folder(key) / dataset.files[0].name)
    paths = dataset_idx_source(source)
    table = load_idx(paths["images"], paths["labels"], paths["test_images"], paths["test_labels"])
    train_rows = table.n_rows - table.test_rows
    description = tr("{dataset}: {train} training images and the standard {test} test images",
                     dataset=tr(dataset.title), train=f"{train_rows:,}", test=f"{table.test_rows:,}")
    class_names = {"label": FASHION_CLASSES} if key == "fashion-mnist" else {}
    return dataclasses.replace(table, name=key, description=description, class_names=class_names)


def _file_name(source: dict, key: str) -> str:
    value = source.get(key)
    return Path(value).name if isinstance(value, str) and value else ""


def load_source(source: dict, base_dir: Optional[Path] = None) -> Table:
    """Load the data a project points at; every problem is a DataError with a plain message."""
    if not isinstance(source, dict):
        raise DataError(tr("No data is chosen yet: pick a built-in dataset or open a data file"))
    kind = source.get("kind")
    if kind == "builtin":
        return load_builtin(_text_field(source, "name", "builtin"))
    if kind == "csv":
        return load_csv(_existing_file(_text_field(source, "path", "csv"), base_dir), source.get("categories"))
    if kind == "npz":
        return load_npz(_existing_file(_text_field(source, "path", "npz"), base_dir))
    if kind == "idx":
        return _load_idx_source(source, base_dir)
    if kind == "dataset":
        return _load_dataset_source(source)
    raise DataError(tr("Unknown kind of data source {kind}; it must be one of {kinds}", kind=repr(kind),
                       kinds=", ".join(SOURCE_KINDS)))


def describe_source(source: Optional[dict]) -> str:
    """One line for the window: 'Built-in: Iris flowers', 'CSV file data.csv', ..."""
    if not isinstance(source, dict):
        return tr("No data chosen")
    kind = source.get("kind")
    if kind == "builtin":
        info = BUILTINS.get(source.get("name")) if isinstance(source.get("name"), str) else None
        return (tr("Built-in: {title}", title=tr(info.title)) if info else
                tr("Built-in: {name} (unknown)", name=repr(source.get("name"))))
    if kind in ("csv", "npz"):
        file = Path(str(source.get("path", "?"))).name
        return tr("CSV file {file}", file=file) if kind == "csv" else tr("NumPy archive {file}", file=file)
    if kind == "idx":
        images, labels = _file_name(source, "images") or "?", _file_name(source, "labels")
        text = (tr("IDX images {images} with labels {labels}", images=images, labels=labels) if labels else
                tr("IDX images {images}", images=images))
        if uses_test_files(source):
            return tr("{source}; test set: {file}", source=text, file=_file_name(source, "test_images"))
        return text
    if kind == "dataset":
        name = source.get("name")
        dataset = DATASETS.get(name) if isinstance(name, str) else None
        if dataset is None:
            return tr("Course dataset {name} (unknown)", name=repr(name))
        if is_downloaded(name):
            return tr("{dataset} (downloaded)", dataset=tr(dataset.name))
        return tr("{dataset} (not downloaded yet: {size})", dataset=tr(dataset.name),
                  size=size_text(dataset.size_bytes))
    return tr("Unknown data source {kind}", kind=repr(kind))


__all__ = ["load_source", "describe_source", "dataset_idx_source", "resolve_path", "uses_test_files",
           "FASHION_CLASSES", "IDX_PATH_KEYS", "SOURCE_KINDS"]
