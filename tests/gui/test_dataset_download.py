"""Downloading a course dataset from the Data panel as a student does: pick "Fashion-MNIST — download" in the list,
watch the progress, get the data (one undo step); Cancel, offline and "not downloaded yet" from an example.

Nothing leaves this computer: the files are tiny fake IDX files served by http.server on 127.0.0.1, and the
dataset's published checksums are replaced by theirs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

from nnstudio.core.data import downloads
from nnstudio.core.examples import iris
from nnstudio.core.i18n import tr
from nnstudio.gui.panels.download_dialog import DownloadDialog
from tests.core.dataset_server import (
    fake_california_tgz,
    fake_dataset,
    fake_mnist_files,
    refused_mirror,
    serving,
)
from tests.core.test_mnist_test_files import write_mnist
from tests.gui.test_data_panel import make_panel, project_state, reloaded

FASHION = downloads.DATASETS["fashion-mnist"]
ENTRY = "dataset:fashion-mnist"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of downloaded datasets for this test only."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(downloads.DATA_DIR_VARIABLE, str(folder))
    monkeypatch.delenv(downloads.MIRRORS_VARIABLE, raising=False)
    return folder


def serve_as(monkeypatch, key: str, files: dict, mirrors: tuple) -> None:
    """The dataset `key` keeps its title and words but is downloaded from `mirrors` with `files`' checksums."""
    real = downloads.DATASETS[key]
    fake = fake_dataset(key, files, mirrors)
    monkeypatch.setitem(downloads.DATASETS, key, downloads.RemoteDataset(key, real.title, real.description,
                                                                        fake.files, mirrors))


def combo_entry(panel) -> tuple[QComboBox, int]:
    combo = panel.findChild(QComboBox, "datasetCombo")
    index = combo.findData(ENTRY)
    assert index > 0
    return combo, index


def pick_in_list(panel) -> None:
    """Choose Fashion-MNIST in the Data panel's list, as a click on the entry does (the `activated` signal)."""
    combo, index = combo_entry(panel)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def when_dialog_open(panel, act) -> None:
    """Call act(dialog) once the download dialog is open (the list's choice runs it modally)."""
    dialog = panel.findChild(DownloadDialog)
    if dialog is None or not dialog.isVisible():
        QTimer.singleShot(10, lambda: when_dialog_open(panel, act))
        return
    act(dialog)


def test_choosing_fashion_mnist_downloads_it_with_progress_binds_it_and_undo_goes_back(qtbot, cache, monkeypatch):
    files = fake_mnist_files(train=40, test=10, size=28, big=True)
    progress: list[tuple[int, str]] = []
    shown = DownloadDialog.show_progress

    def watched(dialog, done, total):   # what the student sees after each progress report
        shown(dialog, done, total)
        progress.append((dialog.bar.value(), dialog.status.text(), dialog.isVisible()))

    monkeypatch.setattr(DownloadDialog, "show_progress", watched)
    with serving(files) as server:
        serve_as(monkeypatch, "fashion-mnist", files, (server.mirror("gone"), server.mirror("good")))
        server.behaviour["gone"] = "404"   # the first mirror lacks the files: the second one is used
        panel, document, session = make_panel(qtbot, iris())
        combo, index = combo_entry(panel)
        assert combo.itemText(index) == tr("{title} — download ({size})", title=tr(FASHION.title),
                                           size=downloads.size_text(sum(len(d) for d in files.values())))
        before = project_state(document)
        with reloaded(qtbot, session):
            pick_in_list(panel)

    assert document.project.data.source == {"kind": "dataset", "name": "fashion-mnist"}
    assert downloads.is_downloaded("fashion-mnist")
    assert progress and progress[-1][0] == 1000 and all(visible for _, _, visible in progress)
    size = downloads.size_text(sum(len(data) for data in files.values())).split()[0]
    assert progress[-1][1] == tr("{done} MB of {total} MB", done=size, total=size)
    assert session.data is not None and session.data.table.n_rows == 50    # 40 training and 10 test images
    assert panel.error_text() == "" and not panel.findChild(QLabel, "downloadNote").isVisible()
    assert combo.currentIndex() == index and combo.itemText(index) == tr("{title} (downloaded)",
                                                                       title=tr(FASHION.title))
    assert panel.preview_model.rowCount() > 0
    assert panel.findChild(DownloadDialog) is None or not panel.findChild(DownloadDialog).isVisible()

    with reloaded(qtbot, session):
        document.undo_stack.undo()   # one Ctrl+Z: Iris again, with the sizes that fitted it
    assert project_state(document) == before
    assert combo.currentData() == "iris"


def test_an_already_downloaded_dataset_is_used_without_a_dialog(qtbot, cache, monkeypatch):
    files = fake_mnist_files(size=28)
    with serving(files) as server:
        serve_as(monkeypatch, "fashion-mnist", files, (server.mirror("good"),))
        downloads.download("fashion-mnist")
        panel, document, session = make_panel(qtbot, iris())
        monkeypatch.setattr(DownloadDialog, "exec", lambda self: pytest.fail("no download dialog was expected"))
        with reloaded(qtbot, session):
            pick_in_list(panel)
        assert server.hits.get("/good/train-images-idx3-ubyte.gz") == 1   # nothing fetched a second time
    assert document.project.data.source == {"kind": "dataset", "name": "fashion-mnist"}


def test_cancel_while_the_server_stalls_leaves_the_project_unchanged(qtbot, cache, monkeypatch):
    files = fake_mnist_files(train=400, size=28, big=True)
    monkeypatch.setattr(DownloadDialog, "timeout_s", 2.0)   # the stalled server is given up on quickly
    seen: dict = {}

    def cancel_once_bytes_arrived(dialog) -> None:
        if dialog.bar.value() == 0:
            QTimer.singleShot(10, lambda: cancel_once_bytes_arrived(dialog))
            return
        seen["progress"] = dialog.status.text()
        qtbot.mouseClick(dialog.findChild(QPushButton, "downloadCancel"), Qt.MouseButton.LeftButton)
        seen["stopping"] = dialog.status.text()

    with serving(files) as server:
        serve_as(monkeypatch, "fashion-mnist", files, (server.mirror("slow"),))
        server.behaviour["slow"] = "stall"
        panel, document, _session = make_panel(qtbot, iris())
        before = project_state(document)
        when_dialog_open(panel, cancel_once_bytes_arrived)
        pick_in_list(panel)
        server.release.set()

    assert " MB of " in seen["progress"] and seen["stopping"] == tr("Stopping the download…")
    assert project_state(document) == before and document.undo_stack.count() == 0
    assert not downloads.is_downloaded("fashion-mnist")
    assert not list((cache / "fashion-mnist").glob("*.part"))   # no partial file stays behind
    note = panel.findChild(QLabel, "downloadNote")
    assert note.isVisible() and note.text() == tr("The download of {title} was cancelled; nothing changed.",
                                                  title=tr(FASHION.title))
    assert panel.error_text() == ""
    assert panel.findChild(QComboBox, "datasetCombo").currentData() == "iris"


def test_offline_says_so_and_files_from_a_folder_open_the_mnist_import(qtbot, cache, monkeypatch, tmp_path):
    files = fake_mnist_files()
    serve_as(monkeypatch, "fashion-mnist", files, (refused_mirror(),))   # nothing listens there: as offline
    folder_files = write_mnist(tmp_path / "from_a_friend", zipped=True)
    panel, document, session = make_panel(qtbot, iris())
    asked: list[str] = []

    def ask_idx_source():   # the MNIST-format import dialog, answered with the friend's folder
        asked.append("import dialog")
        return {"kind": "idx", **{role: str(path) for role, path in folder_files.items()}}

    monkeypatch.setattr(panel, "ask_idx_source", ask_idx_source)
    seen: dict = {}

    def read_and_use_folder(dialog) -> None:
        button = dialog.findChild(QPushButton, "useFilesFromFolder")
        if not button.isVisible():
            QTimer.singleShot(10, lambda: read_and_use_folder(dialog))
            return
        seen["message"], seen["details"] = dialog.status.text(), dialog.status.toolTip()
        # Every line of the wrapped texts is shown (a real window cut the offline advice off mid-sentence).
        seen["fits"] = all(label.height() >= label.heightForWidth(label.width())
                           for label in (dialog.status, dialog.findChild(QLabel, "downloadAbout")))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    when_dialog_open(panel, read_and_use_folder)
    with reloaded(qtbot, session):
        pick_in_list(panel)

    assert seen["message"].startswith(tr("You seem to be offline: {title} could not be downloaded.",
                                         title=tr(FASHION.title)))
    assert "127.0.0.1" in seen["details"]   # the addresses tried, for whoever helps the student
    assert seen["fits"]
    assert asked == ["import dialog"]
    assert document.project.data.source["kind"] == "idx"
    assert session.data is not None and session.data.table.n_rows == 40


def test_offline_california_housing_says_where_to_put_the_archive(qtbot, cache, monkeypatch):
    files = {"cal_housing.tgz": fake_california_tgz()}
    serve_as(monkeypatch, "california-housing", files, (refused_mirror(),))
    panel, document, _session = make_panel(qtbot, iris())
    before = project_state(document)
    seen: dict = {}

    def read_and_close(dialog) -> None:
        close = dialog.findChild(QPushButton, "downloadClose")
        if not close.isVisible():
            QTimer.singleShot(10, lambda: read_and_close(dialog))
            return
        seen["message"] = dialog.status.text()
        seen["folder button"] = dialog.findChild(QPushButton, "useFilesFromFolder").isVisible()
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)

    when_dialog_open(panel, read_and_close)
    combo = panel.findChild(QComboBox, "datasetCombo")
    index = combo.findData("dataset:california-housing")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)

    assert "cal_housing.tgz" in seen["message"] and str(cache / "california-housing") in seen["message"]
    assert seen["folder button"] is False
    assert project_state(document) == before
    assert panel.findChild(QLabel, "downloadNote").text() == seen["message"]


def test_a_damaged_download_says_why_and_changes_nothing(qtbot, cache, monkeypatch):
    files = fake_mnist_files(size=28)
    seen: dict = {}

    def read_and_close(dialog) -> None:
        close = dialog.findChild(QPushButton, "downloadClose")
        if not close.isVisible():
            QTimer.singleShot(10, lambda: read_and_close(dialog))
            return
        seen["message"] = dialog.status.text()
        seen["folder button"] = dialog.findChild(QPushButton, "useFilesFromFolder").isVisible()
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)

    with serving(files) as server:
        serve_as(monkeypatch, "fashion-mnist", files, (server.mirror("bad"),))
        server.behaviour["bad"] = "corrupt"   # right size, wrong bytes: the checksum refuses it
        panel, document, _session = make_panel(qtbot, iris())
        before = project_state(document)
        when_dialog_open(panel, read_and_close)
        pick_in_list(panel)

    assert seen["message"].startswith(tr("{title} could not be downloaded: {error}", title=tr(FASHION.title),
                                         error=""))
    assert "checksum" in seen["message"] and seen["folder button"] is False   # not offline: no folder offer
    assert project_state(document) == before and not downloads.is_downloaded("fashion-mnist")
    assert panel.findChild(QLabel, "downloadNote").text() == seen["message"]
    assert panel.findChild(QComboBox, "datasetCombo").currentData() == "iris"
