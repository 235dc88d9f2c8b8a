"""Hostile data files: every reader raises a short, clean DataError in bounded memory, never anything else."""

import io
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

from nnstudio.core.data import DataError, load_idx, load_npz
from nnstudio.core.data import limits
from nnstudio.core.data.csv_loader import parse_csv

MB = 1 << 20


def clean(error: DataError) -> str:
    """The message a student reads: short, printable, no Python internals."""
    message = str(error)
    assert message and len(message) < 300, message
    assert message.isprintable(), repr(message)
    for leak in ("Errno", "object at 0x", "Traceback", "allow_pickle", "pickle.load"):
        assert leak not in message, message
    return message


def peak_mb(function) -> tuple[object, float]:
    """Run function(); return (its DataError or result, the peak of Python/numpy allocations in MB)."""
    tracemalloc.start()
    try:
        try:
            outcome = function()
        except DataError as error:
            outcome = error
        return outcome, tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


# --- building blocks: zeros deflate in a few milliseconds, whatever their size ---------------------------

def deflated(prefix: bytes, zeros: int) -> tuple[bytes, int]:
    """Raw deflate data of `prefix` then `zeros` zero bytes, and its CRC-32: one fully flushed 1 MB block of
    zeros repeated, so 300 MB cost milliseconds and the test stays small."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(zeros, MB)
    tail = compressor.compress(bytes(rest)) + compressor.flush()
    crc, zero_block = zlib.crc32(prefix), bytes(MB)
    for _ in range(whole):
        crc = zlib.crc32(zero_block, crc)
    return head + block * whole + tail, zlib.crc32(bytes(rest), crc)


def gzip_with_zeros(prefix: bytes, zeros: int) -> bytes:
    """A gzip file of `prefix` followed by `zeros` zero bytes (a bomb when `zeros` is large)."""
    data, crc = deflated(prefix, zeros)
    size = (len(prefix) + zeros) & 0xFFFFFFFF
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + data + struct.pack("<II", crc, size)


def zip_bytes(members: list[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip file written byte by byte: (name, stored data, CRC, uncompressed size, method, flag bits) each."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size, method, flags in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0, crc, len(data), size,
                              len(encoded), 0) + encoded + data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0, 0, crc,
                                  len(data), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    directory = central.getvalue()
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), out.tell(), 0)
    return out.getvalue() + directory + end


def npy_header(shape: tuple, descr: str = "<f8", text: str = "") -> bytes:
    """A version 1.0 .npy header declaring `shape` (or carrying `text` verbatim)."""
    text = text or f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    text += " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def stored(name: str, data: bytes, method: int = zipfile.ZIP_STORED, flags: int = 0) -> tuple:
    return name, data, zlib.crc32(data), len(data), method, flags


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


GOOD_X = npy_header((3, 2)) + np.arange(6, dtype="<f8").tobytes()


# --- .npz -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("member,words", [
    (stored("x.npy", GOOD_X, flags=0x1), ["password", "encrypted"]),
    (stored("x.npy", GOOD_X, method=zipfile.ZIP_LZMA), ["LZMA", "numpy.savez"]),
    (stored("x.npy", GOOD_X, method=zipfile.ZIP_BZIP2), ["bzip2"]),
    (stored("x.npy", GOOD_X, method=99), ["method 99"]),
    (stored("x.npy", GOOD_X, method=zipfile.ZIP_DEFLATED), ["damaged"]),  # stored bytes read as deflate
    (stored("x.npy", npy_header((), text="{'descr': '<f8', 'fortran_order': False, 'shape': (3,2), '''}")
            + GOOD_X[128:]), ["header"]),  # an unterminated string: tokenize.TokenError inside numpy
    (stored("x.npy", npy_header((), text="{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }")),
     ["negative"]),
    (stored("x.npy", npy_header((10 ** 6, 10 ** 6))), ["1,000,000,000,000 values", "at most 200,000,000"]),
    (stored("x.npy", npy_header((2 ** 40,), "|u1")), ["1,099,511,627,776", "at most"]),
    (stored("x.npy", npy_header((10,))), ["damaged", "208 bytes"]),  # 128 of header + 80 of data; holds none
    (stored("x.npy", GOOD_X + bytes(1000)), ["damaged"]),  # 1,000 bytes more than declared
    (stored("x.npy", npy_header((3,), "|O") + bytes(24)), ["Python objects", "numpy.savez(file, x=features"]),
    (stored("x.npy", npy_header((3,), "<M8[s]") + bytes(24)), ["not numbers"]),
    (stored("x.npy", b"\x93NUMPY\x07\x00garbage"), ["header"]),
    (stored("x.npy", GOOD_X[:-3]), ["damaged"]),
])
def test_hostile_npz_members_are_clean_data_errors(tmp_path, member, words):
    path = write(tmp_path, "hostile.npz", zip_bytes([member]))
    with pytest.raises(DataError) as error:
        load_npz(path)
    message = clean(error.value)
    for word in words:
        assert word in message, (word, message)


def test_corrupt_crc_is_a_data_error(tmp_path):
    name, data, crc, size, method, flags = stored("x.npy", GOOD_X)
    path = write(tmp_path, "crc.npz", zip_bytes([(name, data, crc ^ 1, size, method, flags)]))
    with pytest.raises(DataError) as error:
        load_npz(path)
    assert "damaged" in clean(error.value)


def test_pickled_archive_explains_in_plain_words(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, x=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(DataError) as error:
        load_npz(path)
    message = clean(error.value)
    assert "Python objects" in message and "will not load" in message and "numpy.savez(file, x=features" in message


def test_npz_decompression_bomb_is_refused_before_reading(tmp_path):
    # 300 MB of zeros behind an honest header: 300 million values, over the cap, in a file of 300 KB.
    zeros = 300 * MB
    header = npy_header((zeros,), "|u1")
    data, crc = deflated(header, zeros)
    path = write(tmp_path, "bomb.npz", zip_bytes([("x.npy", data, crc, len(header) + zeros, zipfile.ZIP_DEFLATED,
                                                   0)]))
    assert path.stat().st_size < MB
    outcome, peak = peak_mb(lambda: load_npz(path))
    assert isinstance(outcome, DataError) and "at most" in clean(outcome)
    assert peak < 20, peak


def test_npz_under_the_caps_streams_in_chunks(tmp_path):
    # float64 data becomes float32 a chunk at a time: the peak is the table plus a chunk, not three tables.
    path = tmp_path / "wide.npz"
    np.savez_compressed(path, x=np.zeros((8_000, 1_000)), y=np.arange(8_000) % 3)
    table, peak = peak_mb(lambda: load_npz(path))
    assert table.values.shape == (8_000, 1_001) and table.default_targets == ("label",)
    table_mb = table.values.nbytes / MB  # 32 MB; reading x whole in float64 first would add 64 MB more
    assert peak < table_mb + 8 * limits.CHUNK_BYTES / MB, (peak, table_mb)


def test_npz_fortran_order_arrays_load_in_order(tmp_path):
    path = tmp_path / "fortran.npz"
    x = np.asfortranarray(np.arange(2 * 3 * 4, dtype=np.float64).reshape(2, 3, 4))
    y = np.asfortranarray(np.arange(4, dtype=np.int16).reshape(2, 2))
    np.savez(path, x=x, y=y)
    table = load_npz(path)
    assert np.array_equal(table.values[:, :12], x.reshape(2, 12))
    assert np.array_equal(table.values[:, 12:], y)


def test_member_names_are_quoted_shortened_and_escaped(tmp_path):
    name = "\x1b[31m" + "n" * 300 + ".npy"
    path = write(tmp_path, "names.npz", zip_bytes([stored(name, npy_header((2, 2)) + bytes(32))]))
    with pytest.raises(DataError) as error:
        load_npz(path)
    assert "\\x1b" in clean(error.value)


# --- IDX --------------------------------------------------------------------------------------------------

def idx_header(type_code: int, *dims: int) -> bytes:
    return struct.pack(">BBBB", 0, 0, type_code, len(dims)) + struct.pack(f">{len(dims)}I", *dims)


def test_idx_gzip_bomb_is_read_only_as_far_as_its_header(tmp_path):
    # The header declares 10×10×10 pixels; 300 MB of zeros follow (the old reader decompressed them all).
    path = write(tmp_path, "bomb-images.gz", gzip_with_zeros(idx_header(0x08, 10, 10, 10), 300 * MB))
    assert path.stat().st_size < MB
    outcome, peak = peak_mb(lambda: load_idx(path))
    assert isinstance(outcome, DataError) and "more bytes" in clean(outcome)
    assert peak < 20, peak


def test_idx_gzip_declaring_too_many_values_is_refused(tmp_path):
    # 1,000 images of 1,000×1,000: 10^9 pixels, 4 GB as a float32 table, in a file of 1 MB.
    path = write(tmp_path, "huge-images.gz", gzip_with_zeros(idx_header(0x08, 1000, 1000, 1000), 256 * MB))
    outcome, peak = peak_mb(lambda: load_idx(path))
    assert isinstance(outcome, DataError)
    assert "1,000,000,000 values" in clean(outcome) and "at most 200,000,000" in str(outcome)
    assert peak < 5, peak


def test_idx_raw_header_with_astronomic_sizes(tmp_path):
    path = write(tmp_path, "huge.idx", idx_header(0x0E, *([0xFFFFFFFF] * 200)) + bytes(16))
    with pytest.raises(DataError) as error:
        load_idx(path)
    assert "truncated" in clean(error.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_float_labels_must_be_finite(tmp_path, bad):
    images = write(tmp_path, "images.idx", idx_header(0x08, 3, 2, 2) + bytes(12))
    labels = write(tmp_path, "labels.idx", idx_header(0x0D, 3) + np.array([0, bad, 1], ">f4").tobytes())
    with pytest.raises(DataError) as error:
        load_idx(images, labels)
    assert "label 2" in clean(error.value) and "labels.idx" in str(error.value)


def test_float_images_must_be_finite(tmp_path):
    pixels = np.zeros((2, 2, 2), ">f8")
    pixels[1, 0, 1] = np.nan
    images = write(tmp_path, "images.idx", idx_header(0x0E, 2, 2, 2) + pixels.tobytes())
    with pytest.raises(DataError) as error:
        load_idx(images)
    assert "image 2" in clean(error.value)


def test_idx_too_many_pixel_columns(tmp_path):
    # One "image" of 300,000 pixels would need 300,000 column names.
    path = write(tmp_path, "wide.idx", idx_header(0x08, 1, 300_000) + bytes(300_000))
    with pytest.raises(DataError) as error:
        load_idx(path)
    assert "300,000 columns" in clean(error.value)


# --- CSV --------------------------------------------------------------------------------------------------

def test_csv_long_categories_do_not_amplify_memory():
    # 5,000 distinct categories, one of them 100,000 characters: a fixed-width text array of them all would
    # be 5,000 × 100,000 × 4 bytes = 2 GB (the old reader's peak); the file is 200 KB.
    cells = [f"category-{i}" for i in range(5_000)]
    cells[2_500] = "z" * 100_000
    raw = ("x,kind\n" + "".join(f"{i},{cell}\n" for i, cell in enumerate(cells))).encode()
    outcome, peak = peak_mb(lambda: parse_csv(raw))
    assert isinstance(outcome, DataError)
    message = clean(outcome)
    assert "row 2502" in message and "100,000 characters" in message and "at most 200" in message
    assert peak < 20, peak


def test_csv_many_short_categories_load_in_bounded_memory():
    raw = ("x,kind\n" + "".join(f"{i},{'c' * 150}{i}\n" for i in range(5_000))).encode()
    table, peak = peak_mb(lambda: parse_csv(raw))
    assert len(table.class_names["kind"]) == 5_000
    assert peak < 30, peak


@pytest.mark.parametrize("junk", [
    "\u2028\u202e" + "J" * 500,  # unprintable Unicode (line separator, right-to-left override), then junk
    "\x85" + "é" * 499,
    "A" * 500,
], ids=["unicode-controls", "next-line", "plain"])
def test_csv_junk_cells_are_quoted_short_and_printable(junk):
    raw = f"a,b\n1,2\n3,4\n5,{junk}\n".encode()
    with pytest.raises(DataError) as error:
        parse_csv(raw)
    message = clean(error.value)
    assert "row 4" in message and "'b'" in message and "…" in message


def test_csv_control_characters_are_not_echoed():
    raw = b"a,b\n1,2\n3,\x07\x1b[2J" + b"x" * 500 + b"\n"
    with pytest.raises(DataError) as error:
        parse_csv(raw)
    assert "control character" in clean(error.value)


def test_csv_column_names_are_quoted_short():
    raw = ("a," + "\u202e" + "n" * 500 + ",c\n1,2,3\n").encode()
    with pytest.raises(DataError) as error:
        parse_csv(raw)
    assert "501 characters" in clean(error.value)


def test_csv_duplicate_long_names_are_shortened():
    name = "\u200b" + "d" * 150
    raw = f"{name},{name}\n1,2\n".encode()
    with pytest.raises(DataError) as error:
        parse_csv(raw)
    assert "two columns" in clean(error.value)


def test_csv_too_many_columns():
    raw = (",".join(f"c{i}" for i in range(300_000)) + "\n" + ",".join(["1"] * 300_000) + "\n").encode()
    with pytest.raises(DataError) as error:
        parse_csv(raw)
    assert "300,000 columns" in clean(error.value)


@pytest.mark.parametrize("quoted", [False, True])
def test_csv_rows_times_columns_over_the_cap_is_refused_before_parsing(monkeypatch, quoted):
    monkeypatch.setattr(limits, "MAX_VALUES", 1_000)
    header = '"a",b,c,d' if quoted else "a,b,c,d"
    raw = (header + "\n" + "1,2,3,4\n" * 300).encode()
    with pytest.raises(DataError) as error:
        parse_csv(raw)
    message = clean(error.value)
    assert "4 columns" in message and "at most 1,000" in message


def test_csv_file_over_the_size_cap(monkeypatch, tmp_path):
    import nnstudio.core.data.csv_loader as csv_loader

    monkeypatch.setattr(csv_loader, "MAX_CSV_BYTES", 100)
    path = write(tmp_path, "big.csv", b"a,b\n" + b"1,2\n" * 100)
    with pytest.raises(DataError) as error:
        csv_loader.load_csv(path)
    assert "at most" in clean(error.value)


def test_caps_leave_real_datasets_room():
    assert 60_000 * 785 <= limits.MAX_VALUES  # MNIST with its labels
    assert 50_000 * 3_073 <= limits.MAX_VALUES  # CIFAR-10 with its labels
    assert 28 * 28 <= 32 * 32 * 3 <= limits.MAX_COLUMNS
