"""Save with trained weights (.nnzip) and open it again: the same predictions, bit for bit, and the same curves."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from nnstudio.core.settings import TrainingSettings
from nnstudio.gui.editing.commands import SetProjectSettings
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from nnstudio.gui.sharing import install_sharing

TRAINING_TIMEOUT_MS = 60_000
XOR_ROWS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    """Windows with sharing installed and every dialog replaced; each records the error messages it showed."""
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny networks train faster on one thread, and the machine is shared
    windows = []

    def make() -> MainWindow:
        window = MainWindow()
        install_sharing(window)
        window.file_actions.ask_unsaved_changes = lambda: QMessageBox.StandardButton.Discard
        window.errors = []
        record = lambda title, text: window.errors.append(text)  # noqa: E731
        window.file_actions.show_error = record
        window.sharing.bundles.show_error = record
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.session.shutdown()
    torch.set_num_threads(threads)


def trained_xor(qtbot, window: MainWindow, epochs: int = 30) -> None:
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    settings = TrainingSettings.from_dict(window.document.project.training.to_dict())
    settings.epochs = epochs
    assert window.document.push(SetProjectSettings(window.document, "training", settings))
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        assert window.session.start()


def predict(window: MainWindow) -> np.ndarray:
    window.session.reload_data()
    input_id = window.document.graph.nodes_of_type("Input")[0].id
    return next(iter(window.session.predict({input_id: XOR_ROWS}).values()))


def test_bundle_reopens_with_the_same_predictions_runs_and_curves(qtbot, make_window, tmp_path):
    first = make_window()
    trained_xor(qtbot, first)
    expected = predict(first)
    first.sharing.bundles.ask_bundle_save_path = lambda: tmp_path / "xor_trained.nnzip"
    first.sharing.bundles.save_bundle_action.trigger()
    assert (tmp_path / "xor_trained.nnzip").is_file() and not first.errors
    first_curve = first.curves_panel.loss_curve.getData()

    second = make_window()
    # File → Open offers bundles next to projects, and opens them.
    assert "*.nnzip" in second.file_actions.open_filter() and "*.nnstudio" in second.file_actions.open_filter()
    second.file_actions.ask_open_path = lambda: tmp_path / "xor_trained.nnzip"
    second.file_actions.open_action.trigger()
    assert not second.errors
    assert second.windowTitle().startswith("xor_trained.nnstudio") and not second.isWindowModified()
    assert second.document.project.runs == first.document.project.runs
    assert np.array_equal(predict(second), expected)  # bit for bit

    # The run history and the learning curves show the same run.
    assert second.runs_panel.table.rowCount() == first.runs_panel.table.rowCount() == 1
    x, y = second.curves_panel.loss_curve.getData()
    assert len(x) == len(first_curve[0]) == 30
    assert np.array_equal(y, first_curve[1])
    assert second.curves_panel.stack.currentWidget() is second.curves_panel.plots

    # Exporting from the reopened bundle exports trained weights, without training again.
    dialog = second.sharing.show_export_dialog()
    dialog.set_format("safetensors")
    dialog.path_edit.setText(str(tmp_path / "again.safetensors"))
    assert dialog.export()
    assert dialog.message_label.text().startswith("Exported the trained weights")


def test_a_bundle_dropped_on_the_window_opens(qtbot, make_window, tmp_path):
    first = make_window()
    trained_xor(qtbot, first, epochs=5)
    assert first.sharing.bundles.save_bundle_to(tmp_path / "dropped.nnzip")
    expected = predict(first)

    second = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped.nnzip"))])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(20, 20), *args)
    QApplication.sendEvent(second, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(second, QDropEvent(QPointF(20, 20), *args))
    assert not second.errors
    assert np.array_equal(predict(second), expected)


def test_a_damaged_bundle_says_why_and_keeps_the_open_project(qtbot, make_window, tmp_path):
    first = make_window()
    trained_xor(qtbot, first, epochs=5)
    assert first.sharing.bundles.save_bundle_to(tmp_path / "good.nnzip")
    data = (tmp_path / "good.nnzip").read_bytes()
    (tmp_path / "damaged.nnzip").write_bytes(data[: len(data) // 2])

    before = first.document.graph.to_dict()
    title, model, runs = first.windowTitle(), first.session.model, len(first.document.project.runs)
    assert not first.file_actions.open_path(tmp_path / "damaged.nnzip")
    assert len(first.errors) == 1 and "damaged.nnzip" in first.errors[0] and "Traceback" not in first.errors[0]
    assert first.document.graph.to_dict() == before and first.windowTitle() == title
    assert first.session.model is model and len(first.document.project.runs) == runs


def test_an_untrained_project_saves_as_a_bundle_of_starting_weights(qtbot, make_window, tmp_path):
    window = make_window()
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio")
    window.session.reload_data()
    assert window.sharing.bundles.save_bundle_to(tmp_path / "untrained.nnzip")
    from nnstudio.engine.bundle_io import load_bundle
    assert load_bundle(tmp_path / "untrained.nnzip").trained is False


def test_saving_a_bundle_makes_it_the_windows_file(qtbot, make_window, tmp_path):
    """After Save with Trained Weights the title names the .nnzip, nothing is unsaved and Open Recent lists it."""
    window = make_window()
    trained_xor(qtbot, window, epochs=5)
    assert window.isWindowModified()  # the finished run is an unsaved change
    bundle = tmp_path / "my_xor.nnzip"
    window.sharing.bundles.ask_bundle_save_path = lambda: bundle
    window.sharing.bundles.save_bundle_action.trigger()
    assert bundle.is_file() and not window.errors
    assert window.windowTitle().startswith("my_xor.nnzip") and not window.isWindowModified()
    assert window.file_actions.recent_files()[0] == bundle.resolve()
    window.file_actions.recent_menu.aboutToShow.emit()
    assert "my_xor.nnzip" in [a.text() for a in window.file_actions.recent_menu.actions()]

    # Nothing is unsaved, so opening another project asks nothing.
    asked = []
    window.file_actions.ask_unsaved_changes = lambda: asked.append(True) or QMessageBox.StandardButton.Cancel
    assert window.file_actions.open_path(EXAMPLES_DIR / "xor.nnstudio") and not asked

    # Back to the bundle through Open Recent; a later plain Save writes it again as a bundle, not project JSON.
    next(a for a in window.file_actions.recent_menu.actions() if a.text() == "my_xor.nnzip").trigger()
    settings = TrainingSettings.from_dict(window.document.project.training.to_dict())
    settings.epochs = 7
    assert window.document.push(SetProjectSettings(window.document, "training", settings))
    window.sharing.bundles.save_bundle_action.trigger()
    assert window.windowTitle().startswith("my_xor.nnzip") and not window.isWindowModified()
    settings.epochs = 9
    assert window.document.push(SetProjectSettings(window.document, "training", settings))
    window.file_actions.save_action.trigger()
    assert not window.isWindowModified() and not window.errors
    again = make_window()
    assert again.file_actions.open_path(bundle) and not again.errors
    assert again.document.project.training.epochs == 9
