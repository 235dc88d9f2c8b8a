"""Fuzz load_csv: whatever the bytes, it either loads a sound Table or raises DataError, nothing else."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nnstudio.core.data import DataError, Table
from nnstudio.core.data.csv_loader import parse_csv

VALID = [
    b"x1,x2,y\n1,2,0\n3,4,1\n5,6,0\n",
    b"a;b;kind\n1,5;2;cat\n3;4;dog\n",
    b'\xef\xbb\xbf"name","v"\r\n"a, b",1\r\n"c",2\r\n',
    b"p\tq\n0.5\t-1e3\n.25\t+7\n",
    b"size,label\nS,yes\nM,no\nL,yes\n",
]
PIECES = [b",", b";", b"\t", b'"', b"\n", b"\r\n", b"\r", b"", b"NA", b"nan", b"inf", b"-", b"1e999", b"abc",
          b"\x00", b"\xff", b"\xef\xbb\xbf", b"  ", b"1", b"0.5", b"x", b"\xc3\xa9", b'""']


def check(raw: bytes) -> None:
    try:
        table = parse_csv(raw)
    except DataError as error:
        message = str(error)  # a message for the student: never empty, short, printable, no internals
        assert message and len(message) < 300 and message.isprintable(), repr(message)
        assert "Errno" not in message and "object at 0x" not in message
        return
    assert isinstance(table, Table)
    assert table.values.dtype == np.float32 and table.values.ndim == 2
    assert table.values.shape == (table.n_rows, len(table.columns)) and table.n_rows > 0
    assert np.isfinite(table.values).all()
    assert len(set(table.columns)) == len(table.columns) and all(table.columns)
    for column in table.columns:  # every column has a task, so the app can always show one
        assert table.task_of(column) in ("multiclass", "binary", "regression")


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_load_or_raise_data_error(raw):
    check(raw)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list(',;\t"\n\r 0123456789.-+eEaAnNiIfx\ufeff\u00e9')), max_size=200))
def test_random_csv_like_text_loads_or_raises_data_error(text):
    check(text.encode("utf-8"))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3),
                                                  st.sampled_from(PIECES)), max_size=6))
def test_mutated_valid_csv_loads_or_raises_data_error(base, mutations):
    raw = bytearray(base)
    for position, length, piece in mutations:
        position %= len(raw) + 1
        raw[position:position + length] = piece  # replace, delete or insert a piece
    check(bytes(raw))


def test_the_valid_seeds_load():
    for raw in VALID:
        assert parse_csv(raw).n_rows >= 2


# Text a file can hold that a message must never echo raw: unprintable Unicode and long junk.
UNPRINTABLE = ["\u2028", "\u202e", "\x85", "\u200b", "\ufeff", "\xa0", "\U000e0001", "\ud7ff"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID), st.integers(0, 10_000), st.sampled_from(UNPRINTABLE), st.integers(0, 600),
       st.sampled_from(["J", "é", ",", '"', "1"]))
def test_junk_and_unprintable_cells_give_clean_messages(base, position, odd, length, filler):
    text = base.decode("utf-8-sig")
    position %= len(text) + 1
    check((text[:position] + odd + filler * length + text[position:]).encode("utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 300), st.integers(150, 5_000), st.integers(0, 299))
def test_long_categories_are_refused_or_loaded_cleanly(rows, length, where):
    cells = [f"kind{i % 7}" for i in range(rows)]
    cells[where % rows] = "z" * length
    raw = ("x,kind\n" + "".join(f"{i},{cell}\n" for i, cell in enumerate(cells))).encode()
    check(raw)
    if length > 200:
        with pytest.raises(DataError, match="at most 200"):
            parse_csv(raw)
