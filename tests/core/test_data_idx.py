"""MNIST-format IDX loading: tiny image/label pairs written here, raw and gzipped, good and broken."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from nnstudio.core.data import DataError, load_idx
from nnstudio.core.data.idx_loader import read_idx


def idx_bytes(array: np.ndarray, type_code: int = 0x08, dtype: str = ">u1") -> bytes:
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes()


def write(path: Path, data: bytes, zipped: bool = False) -> Path:
    path.write_bytes(gzip.compress(data) if zipped else data)
    return path


@pytest.fixture
def images() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(6, 4, 5), dtype=np.uint8)


@pytest.mark.parametrize("zipped", [False, True])
def test_image_and_label_pair(tmp_path, images, zipped):
    labels = np.array([0, 1, 2, 9, 1, 0], dtype=np.uint8)
    suffix = ".gz" if zipped else ""
    table = load_idx(write(tmp_path / f"train-images-idx3-ubyte{suffix}", idx_bytes(images), zipped),
                     write(tmp_path / f"train-labels-idx1-ubyte{suffix}", idx_bytes(labels), zipped))
    assert table.values.shape == (6, 21)
    assert table.columns[0] == "px_0" and table.columns[19] == "px_19" and table.columns[-1] == "label"
    assert table.image_shape == (4, 5)
    assert table.default_targets == ("label",)
    assert np.array_equal(table.values[:, :20], images.reshape(6, 20).astype(np.float32))
    assert table.column("label").tolist() == labels.tolist()
    assert table.classes_of("label") == ("0", "1", "2", "9")
    assert table.name == "train-images-idx3-ubyte"


def test_images_without_labels(tmp_path, images):
    table = load_idx(write(tmp_path / "images.idx", idx_bytes(images)))
    assert table.default_targets == () and table.values.shape == (6, 20)


def test_other_value_types(tmp_path):
    values = np.array([[[1.5, -2.0]], [[3.25, 4.0]]])
    path = write(tmp_path / "floats.idx", idx_bytes(values, 0x0D, ">f4"))
    assert np.array_equal(read_idx(path), values.astype(np.float32))
    shorts = np.array([[1, -300], [2, 400]])
    assert read_idx(write(tmp_path / "shorts.idx", idx_bytes(shorts, 0x0B, ">i2"))).tolist() == shorts.tolist()


@pytest.mark.parametrize("data,words", [
    (b"\x00\x00\x08", ["not an IDX file"]),
    (b"PK\x03\x04 a zip file instead", ["not an IDX file"]),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", ["not an IDX file"]),  # 7 is not a value type
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", ["cut short", "header"]),
    (b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", ["truncated", "5 values"]),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02", ["more bytes"]),
    (b"\x00\x00\x08\x02\xff\xff\xff\xff\xff\xff\xff\xff\x00", ["truncated"]),
])
def test_broken_files(tmp_path, data, words):
    with pytest.raises(DataError) as error:
        read_idx(write(tmp_path / "broken.idx", data))
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_truncated_gzip_file(tmp_path, images):
    zipped = gzip.compress(idx_bytes(images))
    path = write(tmp_path / "images.gz", zipped[: len(zipped) // 2])
    with pytest.raises(DataError, match="damaged or incomplete"):
        load_idx(path)


def test_truncated_images(tmp_path, images):
    data = idx_bytes(images)
    with pytest.raises(DataError, match="truncated"):
        load_idx(write(tmp_path / "images.idx", data[:-7]))


def test_label_count_must_match_image_count(tmp_path, images):
    with pytest.raises(DataError, match="6 images but labels.idx has 5 labels"):
        load_idx(write(tmp_path / "images.idx", idx_bytes(images)),
                 write(tmp_path / "labels.idx", idx_bytes(np.arange(5))))


def test_swapped_files_are_explained(tmp_path, images):
    labels = write(tmp_path / "labels.idx", idx_bytes(np.arange(6)))
    image_file = write(tmp_path / "images.idx", idx_bytes(images))
    with pytest.raises(DataError, match="labels file"):
        load_idx(labels, image_file)
    with pytest.raises(DataError, match="swapped"):
        load_idx(image_file, image_file)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_idx(tmp_path / "nothing.idx")


# --- fuzzing: odd headers, sizes, value types and floats never escape as anything but a clean DataError ----

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
SPECIAL = st.sampled_from([0.0, 1.0, 7.0, np.nan, np.inf, -np.inf, 1e300, -0.0])


def load_or_clean_error(images: Path, labels=None) -> None:
    try:
        table = load_idx(images, labels)
    except DataError as error:
        message = str(error)
        assert message and len(message) < 300 and message.isprintable(), message
        return
    assert table.values.dtype == np.float32 and np.isfinite(table.values).all()


@FUZZ
@given(st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x07]),
       st.lists(st.one_of(st.integers(0, 6), st.just(2**32 - 1), st.just(100_000)), min_size=1, max_size=5),
       st.integers(-8, 8), st.booleans(), st.binary(max_size=8))
def test_odd_headers_and_lengths(tmp_path, type_code, dims, extra, zipped, filler):
    size = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}.get(type_code, 1)
    count = int(np.prod(dims, dtype=object))
    body_length = max(0, min(count * size, 4096) + extra)
    body = (filler or b"\x00") * (body_length // max(1, len(filler or b"\x00")) + 1)
    data = struct.pack(">BBBB", 0, 0, type_code, len(dims)) + struct.pack(f">{len(dims)}I", *dims) + body[:body_length]
    load_or_clean_error(write(tmp_path / "fuzz.idx", data, zipped))


@FUZZ
@given(st.sampled_from([(0x0D, ">f4"), (0x0E, ">f8")]), st.lists(SPECIAL, min_size=3, max_size=3),
       st.lists(SPECIAL, min_size=3, max_size=3), st.booleans())
def test_float_labels_and_pixels(tmp_path, kind, labels, pixels, zipped):
    code, dtype = kind
    with np.errstate(over="ignore"):  # 1e300 as float32 is infinite: one more value the reader must refuse
        images = write(tmp_path / "images.idx", idx_bytes(np.array(pixels).reshape(3, 1, 1), code, dtype), zipped)
        label_file = write(tmp_path / "labels.idx", idx_bytes(np.array(labels), code, dtype), zipped)
    load_or_clean_error(images, label_file)
