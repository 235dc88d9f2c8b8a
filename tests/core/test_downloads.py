"""Course datasets are downloaded once, from mirrors in order, through a partial file, and used only when their
size and checksum match: every failure a learner meets (wrong file, cut transfer, 404, silent server, cancel,
offline) is tested against a web server on 127.0.0.1 — no test touches the internet."""

import threading
from pathlib import Path

import pytest

from nnstudio.core.data import downloads
from nnstudio.core.data.downloads import (DATASETS, DownloadCancelled, DownloadError, data_dir, dataset_folder,
                                          download, file_url, is_downloaded, mirrors_for)
from tests.core.dataset_server import fake_dataset, fake_mnist_files, refused_mirror, serving


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("NNSTUDIO_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NNSTUDIO_DATASET_MIRRORS", raising=False)
    return tmp_path / "cache"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_good_download_is_verified_kept_and_not_fetched_again(cache):
    files = fake_mnist_files()
    with serving(files) as server:
        dataset = fake_dataset("mnist", files, (server.mirror("a"),))
        seen = []
        folder = download("mnist", progress=lambda done, total: seen.append((done, total)),
                          datasets={"mnist": dataset})
        assert folder == cache / "mnist" == dataset_folder("mnist")
        for name, data in files.items():
            assert (folder / name).read_bytes() == data
        assert is_downloaded("mnist", datasets={"mnist": dataset})
        assert seen[-1] == (dataset.size_bytes, dataset.size_bytes)
        assert [done for done, _ in seen] == sorted(done for done, _ in seen)
        assert not any(name.endswith(".part") for name in leftovers(folder))
        hits = dict(server.hits)
        download("mnist", datasets={"mnist": dataset})  # already verified: nothing is fetched
        assert server.hits == hits


def test_a_file_changed_after_the_download_counts_as_missing(cache):
    files = fake_mnist_files()
    with serving(files) as server:
        dataset = fake_dataset("mnist", files, (server.mirror("a"),))
        folder = download("mnist", datasets={"mnist": dataset})
        (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(b"short")
        assert not is_downloaded("mnist", datasets={"mnist": dataset})
        download("mnist", datasets={"mnist": dataset})  # only that file comes again
        assert server.hits["/a/t10k-labels-idx1-ubyte.gz"] == 2
        assert server.hits["/a/train-images-idx3-ubyte.gz"] == 1
        assert is_downloaded("mnist", datasets={"mnist": dataset})


def test_a_wrong_checksum_tries_the_next_mirror(cache):
    files = fake_mnist_files()
    with serving(files) as server:
        server.behaviour["bad"] = "corrupt"
        dataset = fake_dataset("mnist", files, (server.mirror("bad"), server.mirror("good")))
        folder = download("mnist", datasets={"mnist": dataset})
        assert (folder / "train-images-idx3-ubyte.gz").read_bytes() == files["train-images-idx3-ubyte.gz"]
        assert server.hits["/bad/train-images-idx3-ubyte.gz"] == 1


def test_a_wrong_checksum_everywhere_leaves_no_file_and_says_why(cache):
    files = fake_mnist_files()
    with serving(files) as server:
        server.behaviour["one"] = server.behaviour["two"] = "corrupt"
        dataset = fake_dataset("mnist", files, (server.mirror("one"), server.mirror("two")), title="MNIST")
        with pytest.raises(DownloadError) as caught:
            download("mnist", datasets={"mnist": dataset})
    message = str(caught.value)
    assert not caught.value.offline
    assert "MNIST" in message and "checksum" in message
    assert server.mirror("one") in message and server.mirror("two") in message
    assert leftovers(cache / "mnist") == []  # no corrupt file, no partial file
    assert not is_downloaded("mnist", datasets={"mnist": dataset})


def test_a_truncated_transfer_is_refused(cache):
    files = fake_mnist_files()
    with serving(files) as server:
        server.behaviour["cut"] = "truncate"
        dataset = fake_dataset("mnist", files, (server.mirror("cut"),))
        with pytest.raises(DownloadError) as caught:
            download("mnist", datasets={"mnist": dataset})
        assert "truncated" in str(caught.value) or "bytes" in str(caught.value)
        assert leftovers(cache / "mnist") == []
        # With a good mirror after it, the download succeeds from there.
        dataset = fake_dataset("mnist", files, (server.mirror("cut"), server.mirror("good")))
        download("mnist", datasets={"mnist": dataset})
        assert is_downloaded("mnist", datasets={"mnist": dataset})


def test_a_truncated_transfer_of_a_file_with_an_estimated_size_is_refused(cache):
    files = {"cal_housing.tgz": b"x" * 5000}
    with serving(files) as server:
        server.behaviour["cut"] = "truncate"
        dataset = fake_dataset("one", files, (server.mirror("cut") + "{name}",), use_sha256=True,
                               exact_size=False)
        with pytest.raises(DownloadError, match="truncated"):
            download("one", datasets={"one": dataset})
        assert leftovers(cache / "one") == []


def test_a_404_on_the_first_mirror_then_the_second_one_works(cache):
    files = fake_mnist_files()
    with serving(files) as server:
        server.behaviour["gone"] = "404"
        dataset = fake_dataset("mnist", files, (server.mirror("gone"), server.mirror("good")))
        download("mnist", datasets={"mnist": dataset})
        assert is_downloaded("mnist", datasets={"mnist": dataset})
        assert server.hits["/gone/train-labels-idx1-ubyte.gz"] == 1
        assert server.hits["/good/train-labels-idx1-ubyte.gz"] == 1


def test_403_and_404_everywhere_is_not_offline(cache):
    files = fake_mnist_files()
    with serving(files) as server:
        server.behaviour["old"] = "403"
        server.behaviour["gone"] = "404"
        dataset = fake_dataset("mnist", files, (server.mirror("old"), server.mirror("gone")))
        with pytest.raises(DownloadError) as caught:
            download("mnist", datasets={"mnist": dataset})
    assert not caught.value.offline
    assert "403" in str(caught.value) and "404" in str(caught.value)


def test_a_server_that_stalls_fails_that_mirror_after_the_timeout(cache):
    files = fake_mnist_files()
    with serving(files) as server:
        server.behaviour["slow"] = "stall"
        dataset = fake_dataset("mnist", files, (server.mirror("slow"),))
        with pytest.raises(DownloadError) as caught:
            download("mnist", timeout=0.5, datasets={"mnist": dataset})
        assert not caught.value.offline
        assert "stopped sending" in str(caught.value)
        assert leftovers(cache / "mnist") == []
        dataset = fake_dataset("mnist", files, (server.mirror("slow"), server.mirror("good")))
        download("mnist", timeout=0.5, datasets={"mnist": dataset})
        assert is_downloaded("mnist", datasets={"mnist": dataset})


def test_cancel_mid_download_removes_the_partial_file(cache):
    files = fake_mnist_files(train=400, size=28, big=True)  # ~300 kB of noise: many chunks
    assert len(files["train-images-idx3-ubyte.gz"]) > 4 * downloads.CHUNK_BYTES
    with serving(files) as server:
        server.behaviour["slow"] = "stall"  # half the file, then silence: the cancel comes mid-file
        dataset = fake_dataset("mnist", {"train-images-idx3-ubyte.gz": files["train-images-idx3-ubyte.gz"]},
                               (server.mirror("slow"),))
        cancel = threading.Event()
        seen = []

        def progress(done, total):
            seen.append(done)
            if done > 0:
                cancel.set()

        with pytest.raises(DownloadCancelled):
            download("mnist", progress=progress, cancel=cancel, timeout=5.0, datasets={"mnist": dataset})
        assert 0 < max(seen) < dataset.size_bytes
        assert leftovers(cache / "mnist") == []
        assert not is_downloaded("mnist", datasets={"mnist": dataset})


def test_no_server_reachable_means_offline(cache):
    files = fake_mnist_files()
    dataset = fake_dataset("mnist", files, (refused_mirror(), refused_mirror()), title="MNIST")
    with pytest.raises(DownloadError) as caught:
        download("mnist", datasets={"mnist": dataset})
    assert caught.value.offline
    assert "offline" in str(caught.value) and "refused" in str(caught.value)
    assert leftovers(cache / "mnist") == []


def test_the_mirrors_variable_overrides_the_built_in_list(cache, monkeypatch):
    files = fake_mnist_files()
    with serving(files) as server:
        dataset = fake_dataset("mnist", files, (refused_mirror(),))
        monkeypatch.setenv("NNSTUDIO_DATASET_MIRRORS", f"{refused_mirror()}, {server.base}/{{key}}")
        assert mirrors_for("mnist", {"mnist": dataset})[1] == f"{server.base}/mnist"
        download("mnist", datasets={"mnist": dataset})
        assert server.hits["/mnist/t10k-images-idx3-ubyte.gz"] == 1


def test_file_urls():
    assert file_url("http://h/a/", "x.gz") == "http://h/a/x.gz"
    assert file_url("http://h/a", "x.gz") == "http://h/a/x.gz"
    assert file_url("http://h/files/123", "cal.tgz", single_file=True) == "http://h/files/123"
    assert file_url("http://h/{name}?dl=1", "x.gz") == "http://h/x.gz?dl=1"


def test_data_dir_follows_the_variable_and_the_platform(monkeypatch, tmp_path):
    monkeypatch.setenv("NNSTUDIO_DATA_DIR", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"
    monkeypatch.delenv("NNSTUDIO_DATA_DIR")
    monkeypatch.setattr(downloads.sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "nnstudio" / "datasets"
    monkeypatch.setattr(downloads.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert data_dir() == tmp_path / "local" / "nnstudio" / "datasets"
    monkeypatch.setattr(downloads.sys, "platform", "darwin")
    monkeypatch.setattr(downloads.Path, "home", classmethod(lambda cls: tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / "Library" / "Application Support" / "nnstudio" / "datasets"


def test_the_published_datasets_are_complete():
    assert set(DATASETS) == {"fashion-mnist", "mnist", "california-housing"}
    for dataset in DATASETS.values():
        assert dataset.mirrors and dataset.files and dataset.size_bytes > 0
        for file in dataset.files:
            assert file.md5 or file.sha256
    assert round(DATASETS["fashion-mnist"].size_bytes / 1e6) == 31
    assert "yann.lecun.com" in DATASETS["mnist"].mirrors[-1]  # it answers 403 today: tried last


def test_a_failed_secure_connection_is_not_called_offline(cache):
    files = fake_mnist_files()
    with serving(files) as server:  # https:// to a plain-http server: the handshake fails, the server is there
        dataset = fake_dataset("mnist", files, (server.mirror("a").replace("http://", "https://"),))
        with pytest.raises(DownloadError) as caught:
            download("mnist", timeout=5.0, datasets={"mnist": dataset})
    assert not caught.value.offline
    assert "secure connection failed" in str(caught.value)
    assert leftovers(cache / "mnist") == []
