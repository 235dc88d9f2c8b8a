"""Importing MNIST-format data as a student does: the Import button opens one dialog, the student picks the folder
(or the files), reads what was found, imports; the Data panel shows the rows, the image shape and the split, and
the standard t10k files are the test set. Also: the Data panel fits its dock in a 1280×720 window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLabel, QPushButton, QScrollArea

from nnstudio.core.examples import iris
from nnstudio.gui.panels.data_panel import DataPanel
from nnstudio.gui.panels.mnist_import import MnistImportDialog
from tests.core.test_mnist_test_files import write_mnist
from tests.gui.test_data_panel import make_panel, reloaded

ROLES = ("images", "labels", "test_images", "test_labels")


def answer_dialog(qtbot, panel: DataPanel, click: str, seen: dict) -> None:
    """Answer the import dialog once it is open: click `click` (folder or files), note what it shows, then press
    Import. Whatever happens, the dialog is closed, so the test never waits on a modal dialog."""
    dialog = panel.findChild(MnistImportDialog)
    if dialog is None or not dialog.isVisible():
        QTimer.singleShot(10, lambda: answer_dialog(qtbot, panel, click, seen))
        return
    try:
        qtbot.mouseClick(dialog.findChild(QPushButton, click), Qt.MouseButton.LeftButton)
        seen["rows"] = [dialog.findChild(QLabel, f"mnistFile_{role}").text() for role in ROLES]
        seen["summary"] = dialog.findChild(QLabel, "mnistSummary").text()
        check = dialog.findChild(QCheckBox, "useTestFiles")
        seen["test_check"] = (check.isEnabled(), check.isChecked())
        qtbot.mouseClick(dialog.findChild(QPushButton, "mnistImport"), Qt.MouseButton.LeftButton)
    finally:
        if dialog.isVisible():
            dialog.reject()


def import_by_clicking(qtbot, panel: DataPanel, session, click: str) -> dict:
    seen: dict = {}
    QTimer.singleShot(0, lambda: answer_dialog(qtbot, panel, click, seen))
    with reloaded(qtbot, session):
        qtbot.mouseClick(panel.import_idx_button, Qt.MouseButton.LeftButton)
    return seen


def test_the_student_picks_the_mnist_folder_and_the_t10k_files_are_the_test_set(qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "mnist"
    paths = write_mnist(folder, train=40, test=10, zipped=True)
    (folder / "README.txt").write_text("not data")
    monkeypatch.setattr(MnistImportDialog, "ask_folder", lambda self: folder)
    panel, document, session = make_panel(qtbot, iris())

    seen = import_by_clicking(qtbot, panel, session, "chooseMnistFolder")

    assert seen["rows"] == ["✓ Training images: train-images-idx3-ubyte.gz",
                            "✓ Training labels: train-labels-idx1-ubyte.gz",
                            "✓ Test images: t10k-images-idx3-ubyte.gz", "✓ Test labels: t10k-labels-idx1-ubyte.gz"]
    assert seen["summary"] == "All four files are here." and seen["test_check"] == (True, True)
    source = document.project.data.source
    assert {key: source[key] for key in ROLES} == {role: str(path.resolve()) for role, path in paths.items()}
    assert source["test_from_files"] is True
    # What the student reads: the rows, the image shape, and the split with the t10k rows as the test.
    text = panel.findChild(QLabel, "dataSource").text()
    assert "50 rows · 17 columns · images 4×4" in text and "the last 10 rows are the standard test set" in text
    split = panel.findChild(QLabel, "splitSizes")
    validation = round(40 * document.project.data.validation_fraction)
    assert split.isVisible() and split.text() == (
        f"Rows: {40 - validation} for training, {validation} for validation, 10 for the test: the standard test "
        "files are the test set, so the Test share is not used.")
    assert not panel.findChild(QDoubleSpinBox, "testFraction").isEnabled()
    # The test part the Evaluate tab scores is exactly the t10k rows (their pixels are all 2).
    prepared = session.data.prepared
    assert len(prepared.test) == 10
    assert all(np.allclose(part, 2 / 255) for part in prepared.test.inputs.values())


def test_the_student_picks_only_the_training_files_and_reads_what_is_missing(qtbot, tmp_path, monkeypatch):
    paths = write_mnist(tmp_path, train=40, test=10)
    monkeypatch.setattr(MnistImportDialog, "ask_files", lambda self: [paths["labels"], paths["images"]])
    panel, document, session = make_panel(qtbot, iris())

    seen = import_by_clicking(qtbot, panel, session, "chooseMnistFiles")

    assert seen["rows"][2:] == ["✗ Test images: not found (usually named t10k-images-idx3-ubyte)",
                                "✗ Test labels: not found (usually named t10k-labels-idx1-ubyte)"]
    assert "test set will be split from the training files" in seen["summary"]
    assert seen["test_check"] == (False, False)
    assert "test_images" not in document.project.data.source
    split = panel.findChild(QLabel, "splitSizes").text()
    assert split.startswith("Rows: ") and split.endswith(" for the test.")
    assert panel.findChild(QDoubleSpinBox, "testFraction").isEnabled()
    assert len(session.data.prepared.test) == round(40 * document.project.data.test_fraction)


def test_the_data_panel_asks_for_files_in_the_last_data_folder(qtbot, tmp_path, monkeypatch):
    from nnstudio.gui.widgets import file_dialogs

    file_dialogs.remember_folder(file_dialogs.DATA, tmp_path)
    asked = []
    monkeypatch.setattr(file_dialogs.QFileDialog, "getOpenFileName",
                        lambda parent, title, folder, file_filter: (asked.append(folder), ("", ""))[1])
    panel, document, session = make_panel(qtbot, iris())
    qtbot.mouseClick(panel.import_csv_button, Qt.MouseButton.LeftButton)
    assert asked == [str(tmp_path)]
