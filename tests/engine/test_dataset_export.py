"""The exported train.py of a project on a downloaded course dataset (MNIST, Fashion-MNIST) reads the cached
MNIST files as it reads imported ones (copied next to it, t10k as the test set), not a 70,000-row data.csv."""

import pytest

from nnstudio.core.data.downloads import DATASETS, dataset_folder
from nnstudio.core.data.sources import load_source
from nnstudio.core.project import Project
from nnstudio.core.settings import DataSettings
from nnstudio.engine.export.data_code import data_code
from tests.core.dataset_server import fake_dataset, fake_mnist_files


@pytest.fixture
def fashion_in_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSTUDIO_DATA_DIR", str(tmp_path / "cache"))
    files = fake_mnist_files()
    monkeypatch.setitem(DATASETS, "fashion-mnist", fake_dataset("fashion-mnist", files))
    folder = dataset_folder("fashion-mnist")
    folder.mkdir(parents=True)
    for name, data in files.items():  # placed by hand, as a learner without internet would
        (folder / name).write_bytes(data)
    return folder


def test_the_exported_script_reads_the_cached_files(fashion_in_cache):
    source = {"kind": "dataset", "name": "fashion-mnist"}
    project = Project(data=DataSettings(source=source, scaling="pixels"))
    code = data_code(project, load_source(source))
    assert code.data_csv is None
    assert code.copied_files == {name: fashion_in_cache / name for name in
                                 ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                  "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
    assert "def read_idx(path)" in code.load_table
    assert project.data.source == source  # the project itself is unchanged
