"""`nnstudio data list` and `nnstudio data download NAME`, run in-process against a web server on 127.0.0.1."""

import json

import pytest

from nnstudio.cli import main
from nnstudio.core.data import downloads
from nnstudio.core.data.downloads import DATASETS, is_downloaded
from tests.core.dataset_server import fake_dataset, fake_mnist_files, refused_mirror, serving


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSTUDIO_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NNSTUDIO_DATASET_MIRRORS", raising=False)
    return tmp_path / "cache"


def fake_fashion(monkeypatch, mirrors):
    files = fake_mnist_files()
    real = DATASETS["fashion-mnist"]
    fake = fake_dataset("fashion-mnist", files, mirrors)
    monkeypatch.setitem(DATASETS, "fashion-mnist", real.__class__(real.key, real.title, real.description, fake.files,
                                                                  fake.mirrors, real.short_title))
    return files


def test_list_names_every_dataset_with_its_size_state_and_folder(cache, capsys):
    assert main(["data", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.splitlines()[-1])["datasets"]
    assert [row["key"] for row in listed] == ["fashion-mnist", "mnist", "california-housing"]
    fashion = listed[0]
    assert fashion["size_bytes"] == 30878645 and fashion["downloaded"] is False
    assert fashion["folder"] == str(cache / "fashion-mnist")
    assert main(["data", "list"]) == 0
    text = capsys.readouterr().out
    assert "fashion-mnist: Fashion-MNIST (clothing images), 31 MB, not downloaded" in text
    assert str(cache / "mnist") in text


def test_download_shows_progress_and_then_the_dataset_is_listed_as_downloaded(cache, capsys, monkeypatch):
    with serving({}) as server:
        server.files.update(fake_fashion(monkeypatch, (server.mirror("a"),)))
        assert main(["data", "download", "fashion-mnist"]) == 0
    out, err = capsys.readouterr()
    assert "Fashion-MNIST (clothing images) is downloaded and checked" in out
    assert "Fashion-MNIST:" in err and "(100%)" in err
    assert is_downloaded("fashion-mnist")
    assert main(["data", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["datasets"][0]["downloaded"] is True
    assert main(["data", "download", "fashion-mnist", "--json"]) == 0  # a second time: nothing to do
    assert json.loads(capsys.readouterr().out) == {"key": "fashion-mnist", "downloaded": True,
                                                   "folder": str(cache / "fashion-mnist")}


def test_offline_says_so_and_where_to_put_the_files(cache, capsys, monkeypatch):
    fake_fashion(monkeypatch, (refused_mirror(),))
    assert main(["data", "download", "fashion-mnist", "--json"]) == 1
    out, err = capsys.readouterr()
    report = json.loads(out.splitlines()[-1])
    assert report["downloaded"] is False and report["offline"] is True
    assert "offline" in err and str(cache / "fashion-mnist") in err
    assert "train-images-idx3-ubyte.gz" in err and "Import MNIST (IDX)" in err
    assert not (cache / "fashion-mnist" / "train-images-idx3-ubyte.gz").exists()


def test_a_failing_mirror_is_named_with_its_reason(cache, capsys, monkeypatch):
    with serving({}) as server:
        server.behaviour["bad"] = "corrupt"
        server.files.update(fake_fashion(monkeypatch, (server.mirror("bad"),)))
        assert main(["data", "download", "fashion-mnist"]) == 1
    err = capsys.readouterr().err
    assert server.mirror("bad") in err and "checksum" in err and "offline" not in err


def test_the_mirrors_variable_is_used(cache, capsys, monkeypatch):
    with serving({}) as server:
        server.files.update(fake_fashion(monkeypatch, (refused_mirror(),)))
        monkeypatch.setenv("NNSTUDIO_DATASET_MIRRORS", server.base + "/{key}/")
        assert main(["data", "download", "fashion-mnist"]) == 0
        assert server.hits["/fashion-mnist/train-images-idx3-ubyte.gz"] == 1


def test_ctrl_c_cancels_cleanly(cache, capsys, monkeypatch):
    with serving({}) as server:
        server.files.update(fake_fashion(monkeypatch, (server.mirror("a"),)))

        real_fetch = downloads._fetch
        parts = []

        def ctrl_c_mid_file(url, file, part, on_bytes, cancel, timeout):
            def then_ctrl_c(count):
                on_bytes(count)
                parts.append(part.exists())  # the partial file is there when the user presses Ctrl+C
                raise KeyboardInterrupt
            real_fetch(url, file, part, then_ctrl_c, cancel, timeout)

        monkeypatch.setattr(downloads, "_fetch", ctrl_c_mid_file)
        assert main(["data", "download", "fashion-mnist"]) == 1
    err = capsys.readouterr().err
    assert "cancelled" in err
    assert parts == [True]
    assert [p.name for p in (cache / "fashion-mnist").iterdir()] == []


def test_an_unknown_name_is_a_command_line_error(cache, capsys):
    assert main(["data", "download", "cifar"]) == 2
    assert "no course dataset called 'cifar'" in capsys.readouterr().err
    assert main(["data"]) == 2
