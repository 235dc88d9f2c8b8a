"""How train.py reads the project's data: scikit-learn, data.csv (text columns as their names) or MNIST's files."""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from ...core.data.idx_loader import STANDARD_FILES
from ...core.data.sources import IDX_PATH_KEYS, dataset_idx_source, resolve_path, uses_test_files
from ...core.data.table import Table
from ...core.project import Project
from ...core.i18n import N_
from .code_literals import docstring_text, literal, python_list, whole
from .code_naming import SKLEARN_LOADERS

_HERE = "os.path.dirname(os.path.abspath(__file__))"
# The script's argument for each of the four MNIST files, by the data source's key.
_IDX_ARGUMENTS = {"images": "images", "labels": "labels", "test_images": "test-images", "test_labels": "test-labels"}


@dataclass
class DataCode:
    """load_table() and what goes with it: its extra import, argparse lines, what main passes, and the files
    the export writes next to train.py (data.csv's text, or MNIST files to copy: exported name -> source)."""

    load_table: str
    extra_import: str = ""  # after the third-party imports (scikit-learn's loader)
    std_import: str = ""  # among the standard library's imports (csv, gzip)
    arguments: str = ""
    load_arguments: str = ""
    data_csv: Optional[str] = None
    copied_files: dict[str, Path] = field(default_factory=dict)


def sklearn_name(project: Project) -> Optional[str]:
    source = project.data.source or {}
    name = source.get("name")
    # isinstance first: a list as the name (a source changed in memory) is not even hashable.
    if source.get("kind") == "builtin" and isinstance(name, str) and name in SKLEARN_LOADERS:
        return name
    return None


def categories_code(table: Table) -> str:
    """CATEGORIES: each text column's names in NN Studio's order (name k is category number k)."""
    if not table.class_names:
        return "{}"
    lines = [f"    {literal(column, N_('a column name'))}: {python_list(list(names), 4)},"
             for column, names in table.class_names.items()]
    return "{\n" + "\n".join(lines) + "\n}"


def data_code(project: Project, table: Table) -> DataCode:
    """The way train.py gets the same table the app trained on."""
    name = sklearn_name(project)
    if name is not None:
        return _sklearn_code(name, table)
    source = project.data.source or {}
    cached = dataset_idx_source(source)
    if cached is not None:  # MNIST / Fashion-MNIST from the download cache: read like imported files
        project, source = dataclasses.replace(project, data=dataclasses.replace(project.data, source=cached)), cached
    if source.get("kind") == "idx" and _idx_files(project) is not None:
        return _idx_code(project, table)
    return _csv_code(table)


def _sklearn_code(name: str, table: Table) -> DataCode:
    loader, arguments = SKLEARN_LOADERS[name]
    code = (f"COLUMNS = {python_list(list(table.columns), 4)}\n\n\n"
            f"def load_table():\n"
            f'    """The {docstring_text(name)} data from scikit-learn, as NN Studio shows it: the features, then the '
            f'target\n    (no rows of a test set of their own: 0)."""\n'
            f"    bunch = {loader}({arguments})\n"
            f"    values = np.column_stack([bunch.data, bunch.target]).astype(np.float32)\n"
            f"    return values, COLUMNS, 0")
    return DataCode(code, f"from sklearn.datasets import {loader}\n")


_CSV_ARGUMENT = (f'    parser.add_argument("--data", default=os.path.join({_HERE}, "data.csv"),\n'
                 '                        help="the data file (default: data.csv next to this script)")\n')

_NUMBERS_ONLY = '''def load_table(path):
    """Read the data: a header line with the column names, then one line of numbers per row
    (no rows of a test set of their own: 0)."""
    with open(path, encoding="utf-8", newline="") as handle:
        columns = next(csv.reader(handle))
    values = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return values.astype(np.float32), columns, 0'''

_WITH_TEXT = '''def load_table(path):
    """Read the data: a header line with the column names, then one line per row (no rows of a test set of
    their own: 0). A text column's cell is one of its CATEGORIES and becomes that category's number."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        columns = next(reader)
        numbered = [{name: code for code, name in enumerate(CATEGORIES[column])} if column in CATEGORIES else None
                    for column in columns]
        rows = []
        for cells in reader:
            row = []
            for column, codes, cell in zip(columns, numbered, cells):
                if codes is None:
                    row.append(float(cell))
                elif cell in codes:
                    row.append(codes[cell])
                else:
                    raise SystemExit(f"{os.path.basename(path)}, row {reader.line_num}, column {column!r}: "
                                     f"{cell!r} is not one of the {len(codes)} categories NN Studio trained with "
                                     f"({', '.join(map(repr, CATEGORIES[column]))}). Remove the row, or train "
                                     "again in NN Studio with this data and export again.")
            rows.append(row)
    return np.array(rows, dtype=np.float32).reshape(len(rows), len(columns)), columns, 0'''


def _csv_code(table: Table) -> DataCode:
    code = _WITH_TEXT if table.class_names else _NUMBERS_ONLY
    return DataCode(code, "", "import csv\n", _CSV_ARGUMENT, "args.data", table_csv(table))


def table_csv(table: Table) -> str:
    """The table with a header: numbers in float64 digits (every float32 value reads back exactly), a text
    column's cells as their category names (the csv module quotes commas, quotes and line breaks)."""
    buffer = io.StringIO()
    if not table.class_names:
        csv.writer(buffer, lineterminator="\n").writerow(table.columns)
        rows = [",".join(f"{value:.17g}" for value in row) for row in table.values.astype(np.float64)]
        return buffer.getvalue() + "\n".join(rows) + "\n"
    # Rows end in \r\n, as RFC 4180 has them: then the writer quotes a text holding a lone \r too (it quotes
    # the line end's characters), which the reader would otherwise take for the end of the row.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    names = [table.class_names.get(column) for column in table.columns]
    for row in table.values.astype(np.float64):
        writer.writerow([f"{value:.17g}" if text is None else text[int(value)] for value, text in zip(row, names)])
    return buffer.getvalue()


def _idx_files(project: Project) -> Optional[dict[str, Path]]:
    """The MNIST files the project's table was read from, by data source key (test files only when they are
    its test set); None when a path is not a file here (then data.csv carries the table)."""
    source = project.data.source
    keys = IDX_PATH_KEYS if uses_test_files(source) else IDX_PATH_KEYS[:2]
    files = {}
    for key in keys:
        value = source.get(key)
        if value:
            if not isinstance(value, str) or not resolve_path(value, project.base_dir).is_file():
                return None
            files[key] = resolve_path(value, project.base_dir)
    return files if "images" in files else None


def _exported_name(key: str, path: Path) -> str:
    """The standard name (train-images-idx3-ubyte...), with .gz when the file is compressed: never the
    source's own name, which could be anything."""
    with open(path, "rb") as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
    return STANDARD_FILES[key] + (".gz" if compressed else "")


_READ_IDX = '''def read_idx(path):
    """One MNIST-format (IDX) file, raw or .gz, as an array of the shape its header declares."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:2] == b"\\x1f\\x8b":
        data = gzip.decompress(data)
    dims = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(data[3])]
    return np.frombuffer(data, dtype=IDX_TYPES[data[2]], count=math.prod(dims), offset=4 + 4 * data[3]).reshape(dims)


def read_rows(images, labels):
    """Each image's pixels as one row, then its label (when there are labels)."""
    pixels = read_idx(images)
    values = pixels.reshape(len(pixels), -1).astype(np.float32)
    if labels is None:
        return values
    return np.column_stack([values, read_idx(labels).astype(np.float32)])


def load_table(images, labels, test_images, test_labels):
    """The training files' rows, then the test files' rows (the standard test set, never split off the training
    rows), as NN Studio reads them; and how many last rows are that test set."""
    values = read_rows(images, labels)
    if test_images is None:
        return values, COLUMNS, 0
    test = read_rows(test_images, test_labels)
    return np.concatenate([values, test]), COLUMNS, len(test)'''


def _idx_code(project: Project, table: Table) -> DataCode:
    files = _idx_files(project)
    copied = {_exported_name(key, path): path for key, path in files.items()}
    names = {key: _exported_name(key, path) for key, path in files.items()}
    pixels = table.values.shape[1] - (1 if "labels" in files else 0)
    label = ' + ["label"]' if "labels" in files else ""
    code = ("# How each value of an IDX file is stored (its header's third byte); all big-endian.\n"
            'IDX_TYPES = {8: ">u1", 9: ">i1", 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}\n'
            f"PIXELS = {whole(pixels, N_('the number of pixels'))}\n"
            f'COLUMNS = [f"px_{{k}}" for k in range(PIXELS)]{label}\n\n\n' + _READ_IDX)
    arguments = []
    for key, flag_name in _IDX_ARGUMENTS.items():
        default = f"os.path.join({_HERE}, {literal(names[key])})" if key in names else "None"
        arguments.append(f'    parser.add_argument("--{flag_name}", default={default},\n'
                         f'                        help="an MNIST-format file (default: the copy next to this '
                         'script)")\n')
    load = "args.images, args.labels, args.test_images, args.test_labels"
    return DataCode(code, "", "import gzip\n", "".join(arguments), load, None, copied)


__all__ = ["DataCode", "categories_code", "data_code", "sklearn_name", "table_csv"]
