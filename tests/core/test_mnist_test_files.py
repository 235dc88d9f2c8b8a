"""The standard MNIST test files (t10k-...) are the test set: found by name, loaded after the training rows,
never split from the training files, kept through project save/load and used by load_project_data (the CLI)."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from nnstudio.core.data import DataError, load_idx
from nnstudio.core.data.idx_loader import find_standard_files, standard_files_in, standard_role
from nnstudio.core.data.project_data import load_project_data, split_sizes
from nnstudio.core.data.sources import describe_source, load_source
from nnstudio.core.examples import digits
from nnstudio.core.project import load_project, save_project


def idx_bytes(array: np.ndarray) -> bytes:
    return struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + \
        array.astype(np.uint8).tobytes()


def write_mnist(folder: Path, train: int = 30, test: int = 10, zipped: bool = False, size: int = 4) -> dict:
    """The four standard files: training images are all 1s and test images all 2s, so rows tell where they
    came from; labels cycle 0..9."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"train-images-idx3-ubyte": np.ones((train, size, size)), "train-labels-idx1-ubyte": np.arange(train) % 10,
              "t10k-images-idx3-ubyte": np.full((test, size, size), 2), "t10k-labels-idx1-ubyte": np.arange(test) % 10}
    paths = {}
    for name, array in arrays.items():
        path = folder / (name + (".gz" if zipped else ""))
        data = idx_bytes(np.asarray(array))
        path.write_bytes(gzip.compress(data) if zipped else data)
        paths[standard_role(name)] = path
    return paths


@pytest.mark.parametrize("name, role", [
    ("train-images-idx3-ubyte", "images"), ("train-labels-idx1-ubyte.gz", "labels"),
    ("t10k-images-idx3-ubyte.gz", "test_images"), ("t10k-labels.idx1-ubyte", "test_labels"),
    ("T10K-IMAGES-IDX3-UBYTE", "test_images"), ("train-images-idx1-ubyte", None), ("notes.txt", None),
    ("my-train-images-idx3-ubyte", None)])
def test_standard_names(name, role):
    assert standard_role(name) == role


def test_a_folder_gives_the_four_files_and_ignores_the_rest(tmp_path):
    paths = write_mnist(tmp_path, zipped=True)
    (tmp_path / "README.txt").write_text("hello")
    assert standard_files_in(tmp_path) == paths
    assert standard_files_in(tmp_path / "nowhere") == {}


def test_chosen_files_with_other_names_are_sorted_by_their_headers(tmp_path):
    images = tmp_path / "digits.idx"
    labels = tmp_path / "answers.idx"
    images.write_bytes(idx_bytes(np.zeros((3, 2, 2))))
    labels.write_bytes(idx_bytes(np.zeros(3)))
    assert find_standard_files([labels, images]) == {"images": images, "labels": labels}


@pytest.mark.parametrize("zipped", [False, True])
def test_test_files_follow_the_training_rows_and_are_the_test_set(tmp_path, zipped):
    paths = write_mnist(tmp_path, zipped=zipped)
    table = load_idx(paths["images"], paths["labels"], paths["test_images"], paths["test_labels"])
    assert table.n_rows == 40 and table.test_rows == 10 and table.image_shape == (4, 4)
    assert np.all(table.values[:30, :16] == 1) and np.all(table.values[30:, :16] == 2)
    assert table.column("label").tolist() == list(np.arange(30) % 10) + list(np.arange(10) % 10)


def test_test_images_of_another_size_or_without_labels_are_refused(tmp_path):
    paths = write_mnist(tmp_path / "a")
    other = write_mnist(tmp_path / "b", size=5)
    with pytest.raises(DataError, match="same size"):
        load_idx(paths["images"], paths["labels"], other["test_images"], other["test_labels"])
    with pytest.raises(DataError, match="both come with labels"):
        load_idx(paths["images"], paths["labels"], paths["test_images"], None)


def test_source_keys_choose_the_test_set(tmp_path):
    paths = write_mnist(tmp_path)
    source = {"kind": "idx", **{key: str(path) for key, path in paths.items()}}
    assert load_source(source).test_rows == 10
    assert describe_source(source) == ("IDX images train-images-idx3-ubyte with labels train-labels-idx1-ubyte; "
                                       "test set: t10k-images-idx3-ubyte")
    off = dict(source, test_from_files=False)  # remembered, but the test set is split from the training rows
    assert load_source(off).test_rows == 0 and load_source(off).n_rows == 30
    old = {"kind": "idx", "images": str(paths["images"]), "labels": str(paths["labels"])}  # an older project
    assert load_source(old).n_rows == 30 and load_source(old).test_rows == 0
    with pytest.raises(DataError, match="test_from_files"):
        load_source(dict(source, test_from_files="yes"))


def test_project_keeps_the_test_files_and_load_project_data_tests_on_them(tmp_path):
    paths = write_mnist(tmp_path / "data")
    project = digits()  # the lecture's MLP, its Input made 4×4 for these small images
    next(node for node in project.graph.nodes.values() if node.type == "Input").params["shape"] = [4, 4]
    project.data.source = {"kind": "idx", **{key: str(path) for key, path in paths.items()}}
    project.data.scaling = "pixels"
    project.data.validation_fraction, project.data.test_fraction = 0.2, 0.3
    saved = tmp_path / "digits.nnstudio"
    save_project(project, saved)
    stored = saved.read_text()
    assert '"test_images": "data/t10k-images-idx3-ubyte"' in stored  # relative to the project, as the others
    reopened = load_project(saved)
    assert reopened.data.source["test_labels"] == str(paths["test_labels"].resolve())
    data = load_project_data(reopened)
    prepared = data.prepared
    # The 10 t10k rows are the test set (all pixels 2/255); validation is 20% of the 30 training rows.
    assert len(prepared.test) == 10 and len(prepared.validation) == 6 and len(prepared.train) == 24
    input_id = next(iter(prepared.test.inputs))
    assert np.allclose(prepared.test.inputs[input_id], 2 / 255)
    assert np.allclose(prepared.train.inputs[input_id], 1 / 255)
    assert split_sizes(data.table, reopened.data) == (24, 6, 10)
