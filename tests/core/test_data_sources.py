"""Project data sources: built-in names and files relative to the project, with plain missing-file messages."""

import gzip
import struct

import numpy as np
import pytest

from nnstudio.core.data import DataError, describe_source, load_source


def test_builtin_source():
    assert load_source({"kind": "builtin", "name": "iris"}, None).n_rows == 150


def test_csv_relative_to_project_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "points.csv").write_text("x,y\n1,0\n2,1\n")
    table = load_source({"kind": "csv", "path": "data/points.csv"}, tmp_path)
    assert table.columns == ["x", "y"]
    absolute = load_source({"kind": "csv", "path": str(tmp_path / "data" / "points.csv")}, None)
    assert absolute.n_rows == 2


def test_npz_and_idx_sources(tmp_path):
    np.savez(tmp_path / "arrays.npz", x=np.zeros((3, 2)), y=np.array([0, 1, 0]))
    assert load_source({"kind": "npz", "path": "arrays.npz"}, tmp_path).n_rows == 3
    images = np.zeros((2, 3, 3), np.uint8)
    header = struct.pack(">BBBBIII", 0, 0, 8, 3, 2, 3, 3)
    (tmp_path / "img.gz").write_bytes(gzip.compress(header + images.tobytes()))
    (tmp_path / "lab").write_bytes(struct.pack(">BBBBI", 0, 0, 8, 1, 2) + bytes([3, 4]))
    table = load_source({"kind": "idx", "images": "img.gz", "labels": "lab"}, tmp_path)
    assert table.image_shape == (3, 3) and table.column("label").tolist() == [3, 4]
    assert load_source({"kind": "idx", "images": "img.gz"}, tmp_path).default_targets == ()


def test_missing_file_message_names_the_file_and_where_it_looked(tmp_path):
    with pytest.raises(DataError) as error:
        load_source({"kind": "csv", "path": "x.csv"}, tmp_path)
    message = str(error.value)
    assert "The data file 'x.csv' was not found next to the project" in message
    assert str((tmp_path / "x.csv").resolve()) in message


@pytest.mark.parametrize("source", [None, "iris", {}, {"kind": "excel", "path": "a.xlsx"}, {"kind": "csv"},
                                    {"kind": "builtin", "name": "nope"}, {"kind": "idx", "images": ""},
                                    {"kind": "builtin", "name": 3}])
def test_bad_sources_are_data_errors(tmp_path, source):
    with pytest.raises(DataError):
        load_source(source, tmp_path)


def test_describe_source():
    assert describe_source({"kind": "builtin", "name": "iris"}) == "Built-in: Iris flowers"
    assert describe_source({"kind": "csv", "path": "folder/data.csv"}) == "CSV file data.csv"
    assert describe_source({"kind": "npz", "path": "a.npz"}) == "NumPy archive a.npz"
    assert describe_source({"kind": "idx", "images": "i.gz", "labels": "l.gz"}) == "IDX images i.gz with labels l.gz"
    assert describe_source(None) == "No data chosen"
    assert "unknown" in describe_source({"kind": "builtin", "name": "zzz"})
