"""CSV loading: good files of many shapes load; every bad file is a DataError naming the row and column."""

from pathlib import Path

import numpy as np
import pytest

from nnstudio.core.data import DataError, load_csv


def write(tmp_path: Path, content: bytes | str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_plain_numeric_csv(tmp_path):
    table = load_csv(write(tmp_path, "x1,x2,y\n1,2.5,0\n-3,4e2,1\n"))
    assert table.columns == ["x1", "x2", "y"]
    assert table.values.dtype == np.float32
    assert table.values.tolist() == [[1, 2.5, 0], [-3, 400, 1]]
    assert table.default_targets == ("y",)
    assert table.name == "data"
    assert table.task_of("y") == "binary"


@pytest.mark.parametrize("content", [
    "a;b;c\n1;2;3\n4;5;6\n",
    "a\tb\tc\n1\t2\t3\n4\t5\t6\n",
    "a,b,c\r\n1,2,3\r\n4,5,6\r\n",
    "\ufeffa,b,c\n1,2,3\n4,5,6\n",
    '"a","b","c"\n"1","2","3"\n4,5,"6"\n',
    "a , b , c\n 1 , 2 , 3 \n4,5,6\n\n\n",
    "\n\na,b,c\n1,2,3\n\n4,5,6",
    "a;b;c\n1,0;2;3\n4;5;6,0\n",  # decimal commas, as European spreadsheets write them
])
def test_delimiters_quotes_bom_crlf_and_blank_lines(tmp_path, content):
    table = load_csv(write(tmp_path, content))
    assert table.columns == ["a", "b", "c"]
    assert table.values.tolist() == [[1, 2, 3], [4, 5, 6]]


def test_quoted_fields_with_delimiters_inside(tmp_path):
    table = load_csv(write(tmp_path, 'name,size\n"big, red",1\n"small ""blue""",2\n'))
    assert table.class_names["name"] == ('big, red', 'small "blue"')
    assert table.values.tolist() == [[0, 1], [1, 2]]


def test_text_target_becomes_sorted_categories(tmp_path):
    table = load_csv(write(tmp_path, "w,h,kind\n1,2,dog\n3,4,cat\n5,6,bird\n7,8,cat\n"))
    assert table.class_names == {"kind": ("bird", "cat", "dog")}
    assert table.column("kind").tolist() == [2, 1, 0, 1]
    assert table.task_of("kind") == "multiclass"
    assert table.num_classes("kind") == 3


def test_two_text_values_make_a_binary_target(tmp_path):
    table = load_csv(write(tmp_path, "x,ok\n1,yes\n2,no\n3,yes\n"))
    assert table.task_of("ok") == "binary"


def test_single_column_file(tmp_path):
    table = load_csv(write(tmp_path, "x\n1\n2\n3\n"))
    assert table.values.shape == (3, 1)


BAD = [  # content, words the message must contain
    ("age,y\n1,0\n2,1\n3,1\n4,0\n5,1\nabc,0\n", ["data.csv", "row 7", "column 'age'", "'abc' is not a number"]),
    ("a,b\n1,2\n3,\n", ["row 3", "column 'b'", "empty"]),
    ("a,b\n1,2\nNA,4\n", ["row 3", "column 'a'", "'NA'", "missing"]),
    ("a,b\n1,2\n3,NaN\n", ["row 3", "column 'b'", "'NaN'", "missing"]),
    ("a,b\n1,2\n3,inf\n", ["row 3", "column 'b'", "infinite"]),
    ("a,b\n1,2\n3,-Infinity\n", ["row 3", "column 'b'", "infinite"]),
    ("a,b\n1,2\n3,1e39\n", ["row 3", "column 'b'", "too large"]),
    ("a,b,c\n1,2,3\n4,5\n", ["row 3", "column 'c'", "2 values", "3 columns"]),
    ("a,b\n1,2\n3,4,5\n", ["row 3", "3 values", "2 columns"]),
    ("", ["empty"]),
    ("\n\n  \n", ["empty"]),
    ("a,b,c\n", ["no rows of data"]),
    ("a,b,c\n\n\n", ["no rows of data"]),
    ("a,b,a\n1,2,3\n", ["row 1", "two columns are called 'a'"]),
    ("a,,c\n1,2,3\n", ["row 1", "column 2 has no name"]),
    ("1,2,3\n4,5,6\n", ["row 1", "column names"]),
    ('a,b\n1,"2\n3,4\n', ["row 2", "never closed", "quotes"]),
    ('a,b\n1,2\n3,"4"x\n', ["row 3", "quotes"]),
    ('a,b\n1,"x\ny",\n', ["row 2", "3 values"]),
    ("kind,y\ncat,1\ndog,2\n3,3\n", ["row 4", "column 'kind'", "'3' is a number", "text"]),
    ("x,y\n1,2\n2,3\n3,b\n", ["row 4", "column 'y'", "'b' is not a number"]),
]


@pytest.mark.parametrize("content,words", BAD)
def test_bad_csv_is_a_data_error_naming_the_place(tmp_path, content, words):
    with pytest.raises(DataError) as error:
        load_csv(write(tmp_path, content))
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_first_problem_in_reading_order_is_reported(tmp_path):
    with pytest.raises(DataError, match=r"row 3, column 'b'"):
        load_csv(write(tmp_path, "a,b\n1,2\n3,x\ny,4\n5,6\n7,8\n"))


@pytest.mark.parametrize("content,words", [
    (b"\x00\x01\x02PK\x03\x04binary", ["not a text file"]),
    (b"a,b\n1,2\n\xff\xfe,3\n", ["row 3", "UTF-8"]),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["not a text file"]),
    (b"a,b\n1,\x07\n", ["row 2", "control character"]),
])
def test_binary_and_non_utf8_files_are_refused(tmp_path, content, words):
    with pytest.raises(DataError) as error:
        load_csv(write(tmp_path, content))
    for word in words:
        assert word in str(error.value)


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_csv(tmp_path / "nothing.csv")


def test_a_folder_is_a_data_error(tmp_path):
    with pytest.raises(DataError):
        load_csv(tmp_path)


def test_large_numeric_file_takes_the_fast_path(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.integers(0, 256, size=(3000, 50))
    lines = [",".join(f"c{i}" for i in range(50))] + [",".join(map(str, row)) for row in values.tolist()]
    table = load_csv(write(tmp_path, "\n".join(lines) + "\n"))
    assert np.array_equal(table.values, values.astype(np.float32))
