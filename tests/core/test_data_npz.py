"""NumPy .npz loading: x/y archives and column archives load; pickles, NaN and bad shapes are DataErrors."""

import numpy as np
import pytest

from nnstudio.core.data import DataError, load_npz


def test_x_and_y_images(tmp_path):
    path = tmp_path / "images.npz"
    x = np.arange(5 * 4 * 3, dtype=np.uint8).reshape(5, 4, 3)
    np.savez(path, x=x, y=np.array([0, 1, 2, 1, 0]))
    table = load_npz(path)
    assert table.values.shape == (5, 13)
    assert table.columns[:2] == ["f_0", "f_1"] and table.columns[-1] == "label"
    assert table.image_shape == (4, 3)
    assert table.default_targets == ("label",)
    assert np.array_equal(table.values[:, :12], x.reshape(5, 12))
    assert table.task_of("label") == "binary" or table.num_classes("label") == 3


def test_capital_x_flat_features_and_float_target(tmp_path):
    path = tmp_path / "flat.npz"
    np.savez_compressed(path, X=np.ones((4, 3), np.float64), Y=np.array([0.5, 1.5, 2.25, 3.0]))
    table = load_npz(path)
    assert table.columns == ["f_0", "f_1", "f_2", "target"]
    assert table.image_shape is None
    assert table.task_of("target") == "regression"


def test_x_without_y_has_no_default_target(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, x=np.zeros((3, 2)))
    table = load_npz(path)
    assert table.default_targets == () and table.columns == ["f_0", "f_1"]


def test_several_targets(tmp_path):
    path = tmp_path / "multi.npz"
    np.savez(path, x=np.zeros((3, 2)), y=np.array([[0.1, 2], [0.2, 3], [0.3, 4]]))
    assert load_npz(path).default_targets == ("target_0", "target_1")


def test_one_array_per_column(tmp_path):
    path = tmp_path / "columns.npz"
    np.savez(path, height=np.array([1.5, 1.7, 1.8]), weight=np.array([50, 70, 80]), adult=np.array([0, 1, 1]))
    table = load_npz(path)
    assert table.columns == ["height", "weight", "adult"]
    assert table.default_targets == ("adult",)
    assert table.values.dtype == np.float32


@pytest.mark.parametrize("arrays,words", [
    ({"x": np.zeros((3, 2)), "y": np.zeros(4)}, ["3 samples", "4 values"]),
    ({"a": np.zeros(3), "b": np.zeros(4)}, ["same number"]),
    ({"a": np.zeros((3, 2))}, ["1-D", "'a'"]),
    ({"x": np.array([[1.0, np.nan]])}, ["NaN", "sample 1"]),
    ({"x": np.array([[1.0], [np.inf]])}, ["infinite", "sample 2"]),
    ({"x": np.array([[1e300]])}, ["too large"]),
    ({"x": np.array([["a", "b"]])}, ["not numbers"]),
    ({"x": np.zeros((0, 3))}, ["no samples"]),
    ({"a": np.zeros(0)}, ["no values"]),
    ({}, ["no arrays"]),
    ({"x": np.array(3.0)}, ["no samples"]),
    ({"x": np.zeros((2, 2)), "y": np.zeros((2, 1, 1))}, ["shape"]),
    ({"x": np.zeros((2, 2)), "y": np.array([1 + 2j, 3j])}, ["complex"]),
])
def test_bad_archives_are_data_errors(tmp_path, arrays, words):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError) as error:
        load_npz(path)
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_pickled_object_array_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, x=np.array([{"a": 1}, None], dtype=object))  # savez pickles object arrays
    with pytest.raises(DataError, match="Python objects"):
        load_npz(path)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken", b"\x93NUMPY broken"])
def test_files_that_are_not_archives(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(DataError, match="bad.npz"):
        load_npz(path)


def test_single_npy_file_is_explained(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.zeros((3, 2)))
    with pytest.raises(DataError, match="single .npy"):
        load_npz(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_npz(tmp_path / "nothing.npz")


# --- fuzzing: whatever the archive, a sound Table or a short, clean DataError --------------------------------

import io  # noqa: E402 - the fuzzing section keeps its own imports
import zipfile  # noqa: E402

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
HEADER_TEXTS = ["'''", "((((" * 100, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,", "1e999", "[]",
                "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }",
                "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }",
                "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }",
                "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }",
                "{'descr': '<f8', 'fortran_order': 1, 'shape': (2,), }"]


def load_or_clean_error(path) -> None:
    try:
        table = load_npz(path)
    except DataError as error:
        message = str(error)
        assert message and len(message) < 300 and message.isprintable(), message
        assert "Errno" not in message and "object at 0x" not in message and "allow_pickle" not in message
        return
    assert table.values.dtype == np.float32 and table.n_rows > 0 and np.isfinite(table.values).all()


def archive(compressed: bool, x_shape: tuple, fortran: bool) -> bytes:
    buffer = io.BytesIO()
    x = np.arange(int(np.prod(x_shape)), dtype=np.float64).reshape(x_shape)
    (np.savez_compressed if compressed else np.savez)(buffer, x=np.asfortranarray(x) if fortran else x,
                                                      y=np.arange(x_shape[0]) % 2)
    return buffer.getvalue()


@FUZZ
@given(st.booleans(), st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)), st.booleans(),
       st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=4)), min_size=1, max_size=4),
       st.integers(0, 10_000))
def test_mutated_archives(tmp_path, compressed, x_shape, fortran, patches, cut):
    data = bytearray(archive(compressed, x_shape, fortran))
    for position, piece in patches:
        position %= len(data)
        data[position:position + len(piece)] = piece
    if cut % 5 == 0:
        del data[cut % len(data):]
    path = tmp_path / "fuzz.npz"
    path.write_bytes(bytes(data))
    load_or_clean_error(path)


@FUZZ
@given(st.sampled_from([0, 1, 8, 9, 12, 14, 98, 99]), st.sampled_from([0, 1, 8, 9]),
       st.one_of(st.none(), st.sampled_from(HEADER_TEXTS)), st.binary(max_size=64))
def test_hand_made_members(tmp_path, method, flags, header_text, tail):
    # A stored member whose zip headers then claim another method or flags (encrypted, data descriptor, ...).
    if header_text is None:
        member = io.BytesIO()
        np.save(member, np.zeros((2, 3)))
        payload = member.getvalue()
    else:
        text = header_text + " " * (-(len(header_text) + 11) % 64) + "\n"
        payload = b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode() + tail
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("x.npy", payload)
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[6:8] = data[central + 8:central + 10] = flags.to_bytes(2, "little")
    data[8:10] = data[central + 10:central + 12] = method.to_bytes(2, "little")
    path = tmp_path / "made.npz"
    path.write_bytes(bytes(data))
    load_or_clean_error(path)
