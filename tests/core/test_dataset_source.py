"""A project's data can be a course dataset by name ({"kind": "dataset", "name": "fashion-mnist"}): loaded from the
download cache (the t10k files are the test set, Fashion-MNIST's labels have their names, California housing is
the regression table scikit-learn gives), and a plain message when it is not downloaded yet."""

import os

import numpy as np
import pytest

from nnstudio.core.data import DataError, downloads
from nnstudio.core.data.california import FEATURES, TARGET, load_california
from nnstudio.core.data.downloads import DATASETS, DatasetNotDownloaded, dataset_folder, download, is_downloaded
from nnstudio.core.data.project_data import split_sizes
from nnstudio.core.data.sources import SOURCE_KINDS, describe_source, load_source
from nnstudio.core.project import Project, dumps_project, loads_project
from nnstudio.core.settings import DataSettings
from tests.core.dataset_server import CALIFORNIA_ROWS, fake_california_tgz, fake_dataset, fake_mnist_files, serving


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSTUDIO_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NNSTUDIO_DATASET_MIRRORS", raising=False)
    return tmp_path / "cache"


def served(monkeypatch, key, files, server, **options):
    """The real catalogue entry for `key`, with the fake files' sizes and checksums and the test server."""
    fake = fake_dataset(key, files, (server.mirror(key),), **options)
    monkeypatch.setitem(DATASETS, key, fake.__class__(key, DATASETS[key].title, DATASETS[key].description,
                                                      fake.files, fake.mirrors, DATASETS[key].short_title))
    return DATASETS[key]


def test_fashion_mnist_downloads_and_loads_with_its_class_names_and_test_set(cache, monkeypatch):
    files = fake_mnist_files(train=30, test=10)
    source = {"kind": "dataset", "name": "fashion-mnist"}
    with serving(files) as server:
        served(monkeypatch, "fashion-mnist", files, server)
        assert describe_source(source) == "Fashion-MNIST (not downloaded yet: 0.0 MB)"
        download("fashion-mnist")
    assert describe_source(source) == "Fashion-MNIST (downloaded)"
    table = load_source(source)
    assert table.n_rows == 40 and table.test_rows == 10
    assert table.image_shape == (4, 4)
    assert table.default_targets == ("label",)
    assert table.classes_of("label")[:3] == ("T-shirt/top", "Trouser", "Pullover")
    assert table.task_of("label") == "multiclass"
    assert np.all(table.values[30:, :16] == 200)  # the t10k rows come last: they are the test set
    sizes = split_sizes(table, DataSettings(source=source, validation_fraction=0.2, test_fraction=0.3))
    assert sizes[-1] == 10


def test_mnist_keeps_digit_labels(cache, monkeypatch):
    files = fake_mnist_files(train=20, test=5)
    with serving(files) as server:
        served(monkeypatch, "mnist", files, server)
        download("mnist")
    table = load_source({"kind": "dataset", "name": "mnist"})
    assert table.classes_of("label") == tuple(str(i) for i in range(10))
    assert table.test_rows == 5


def test_not_downloaded_says_which_dataset_its_size_and_how(cache):
    with pytest.raises(DatasetNotDownloaded) as caught:
        load_source({"kind": "dataset", "name": "fashion-mnist"})
    message = str(caught.value)
    assert caught.value.key == "fashion-mnist"
    assert "Fashion-MNIST" in message and "31 MB" in message
    assert "Data panel" in message and "nnstudio data download fashion-mnist" in message
    assert isinstance(caught.value, DataError)


def test_an_unknown_dataset_name_is_a_plain_error(cache):
    with pytest.raises(DataError, match="no course dataset called 'cifar'"):
        load_source({"kind": "dataset", "name": "cifar"})
    with pytest.raises(DataError, match="does not say its 'name'"):
        load_source({"kind": "dataset"})
    assert describe_source({"kind": "dataset", "name": "cifar"}) == "Course dataset 'cifar' (unknown)"


def test_california_housing_is_the_table_scikit_learn_gives(cache, monkeypatch):
    files = {"cal_housing.tgz": fake_california_tgz()}
    with serving(files) as server:
        served(monkeypatch, "california-housing", files, server, use_sha256=True, exact_size=False)
        download("california-housing")
    table = load_source({"kind": "dataset", "name": "california-housing"})
    assert table.columns == [*FEATURES, TARGET]
    assert table.default_targets == ("MedHouseVal",)
    assert table.task_of("MedHouseVal") == "regression"
    raw = CALIFORNIA_ROWS
    first = table.values[0]
    np.testing.assert_allclose(first, [raw[0, 7], raw[0, 2], raw[0, 3] / raw[0, 6], raw[0, 4] / raw[0, 6],
                                       raw[0, 5], raw[0, 5] / raw[0, 6], raw[0, 1], raw[0, 0], 4.526], rtol=1e-5)
    assert table.n_rows == len(raw)


def test_california_url_and_checksum_are_scikit_learns():
    from sklearn.datasets import _california_housing as sklearn_housing
    assert DATASETS["california-housing"].files[0].sha256 == sklearn_housing.ARCHIVE.checksum
    assert DATASETS["california-housing"].mirrors[0] == sklearn_housing.ARCHIVE.url


def test_california_reads_like_scikit_learns_own_loader(tmp_path, monkeypatch):
    from sklearn.datasets import _california_housing as sklearn_housing
    archive = tmp_path / "cal_housing.tgz"
    archive.write_bytes(fake_california_tgz())
    # scikit-learn's loader, given our archive instead of downloading its own (it deletes the archive after).
    monkeypatch.setattr(sklearn_housing, "_fetch_remote",
                        lambda *args, **kwargs: str(tmp_path / "copy.tgz"))
    (tmp_path / "copy.tgz").write_bytes(archive.read_bytes())
    bunch = sklearn_housing.fetch_california_housing(data_home=str(tmp_path / "sklearn"))
    table = load_california(archive)
    assert table.columns == [*bunch.feature_names, *bunch.target_names]
    np.testing.assert_allclose(table.values[:, :8], bunch.data, rtol=1e-6)
    np.testing.assert_allclose(table.values[:, 8], bunch.target, rtol=1e-6)


def test_a_damaged_or_wrong_archive_is_refused(tmp_path):
    (tmp_path / "a.tgz").write_bytes(b"not an archive")
    with pytest.raises(DataError, match="damaged"):
        load_california(tmp_path / "a.tgz")
    (tmp_path / "b.tgz").write_bytes(fake_california_tgz(member="other.data"))
    with pytest.raises(DataError, match="not the California housing archive"):
        load_california(tmp_path / "b.tgz")
    (tmp_path / "c.tgz").write_bytes(fake_california_tgz(rows=CALIFORNIA_ROWS[:, :5]))
    with pytest.raises(DataError, match="9 columns"):
        load_california(tmp_path / "c.tgz")


def test_files_placed_by_hand_are_checked_once_and_used(cache, monkeypatch):
    files = fake_mnist_files()
    fake = fake_dataset("mnist", files)
    monkeypatch.setitem(DATASETS, "mnist", fake)
    folder = dataset_folder("mnist")
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    assert is_downloaded("mnist")
    assert (folder / downloads.MARKER_FILE).is_file()
    assert load_source({"kind": "dataset", "name": "mnist"}).test_rows == 10
    labels = folder / "train-labels-idx1-ubyte.gz"
    written = labels.stat().st_mtime_ns
    labels.write_bytes(b"x" * len(files["train-labels-idx1-ubyte.gz"]))
    os.utime(labels, ns=(written + 10**9, written + 10**9))  # written over a second later
    assert not is_downloaded("mnist")  # same size, other bytes: the marker no longer vouches for it


def test_a_project_with_a_course_dataset_saves_and_loads():
    assert "dataset" in SOURCE_KINDS
    project = Project()
    project.data = DataSettings(source={"kind": "dataset", "name": "fashion-mnist"}, scaling="pixels")
    again = loads_project(dumps_project(project, None), None)
    assert again.data.source == {"kind": "dataset", "name": "fashion-mnist"}


def test_the_stand_in_before_a_download_has_the_loaded_datas_targets_and_classes(cache, monkeypatch):
    """What the drawing is told before the download (stand_in_table) matches what the download then gives."""
    from nnstudio.core.data.stand_in import stand_in_table
    files = {"fashion-mnist": fake_mnist_files(train=30, test=10, size=28),
             "california-housing": {"cal_housing.tgz": fake_california_tgz()}}
    for key, served_files in files.items():
        options = {"use_sha256": True, "exact_size": False} if key == "california-housing" else {}
        with serving(served_files) as server:
            served(monkeypatch, key, served_files, server, **options)
            download(key)
        loaded, stand_in = load_source({"kind": "dataset", "name": key}), stand_in_table(key)
        assert stand_in.columns == loaded.columns and stand_in.default_targets == loaded.default_targets
        assert stand_in.image_shape == loaded.image_shape
        target = loaded.default_targets[0]
        assert stand_in.task_of(target) == loaded.task_of(target)
        if loaded.task_of(target) == "multiclass":
            assert stand_in.classes_of(target) == loaded.classes_of(target)
    assert stand_in_table("mnist").classes_of("label") == tuple(str(i) for i in range(10))
    assert stand_in_table("no-such-set") is None
