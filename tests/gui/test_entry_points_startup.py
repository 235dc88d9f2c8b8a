"""`python main.py model.nnzip` (a double-click) opens the bundle as File → Open does: project, trained model, curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtWidgets import QMessageBox

from nnstudio.core.examples import build_example
from nnstudio.engine.bundle_io import save_bundle
from nnstudio.engine.pipeline import effective_settings, load_project_data, train_project
from nnstudio.gui import app as app_module
from nnstudio.gui.editing.file_actions import FileActions
from nnstudio.gui.sharing.bundle_actions import BundleActions

OPEN_TIMEOUT_MS = 60_000
XOR_ROWS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)


@pytest.fixture(scope="module")
def xor_bundle(tmp_path_factory) -> tuple[Path, object]:
    """XOR trained for a few epochs and saved as a bundle whose title differs from the example's."""
    project = build_example("xor")
    project.title = "XOR, trained and shared"
    trainer, result = train_project(project, effective_settings(project, epochs=20), load_project_data(project))
    path = tmp_path_factory.mktemp("bundle") / "shared_xor.nnzip"
    save_bundle(path, project, trainer.model, result.history)
    return path, trainer.model


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    """Every error dialog the start would show, recorded instead (the bundle's actions are made during the start)."""
    shown: list[str] = []
    monkeypatch.setattr(FileActions, "show_error", lambda self, title, text: shown.append(text))
    monkeypatch.setattr(BundleActions, "show_error", lambda self, title, text: shown.append(text))
    monkeypatch.setattr(FileActions, "ask_unsaved_changes", lambda self: QMessageBox.StandardButton.Discard)
    return shown


def started(qtbot, argv: list[str]):
    window = app_module.open_window(argv)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: getattr(window, "teaching", None) is not None, timeout=OPEN_TIMEOUT_MS)
    return window


def test_a_bundle_named_at_start_opens_with_its_trained_weights(qtbot, xor_bundle, errors, one_thread):
    path, trained_model = xor_bundle
    window = started(qtbot, ["main.py", str(path)])
    try:
        qtbot.waitUntil(lambda: window.session.model is not None, timeout=OPEN_TIMEOUT_MS)
        assert not errors
        assert window.document.project.title == "XOR, trained and shared"
        assert window.windowTitle().startswith("shared_xor.nnstudio")  # Save asks where, suggesting this name
        # The session holds the bundle's trained network, so Evaluate and Try it answer with it.
        opened, saved = window.session.model.state_dict(), trained_model.state_dict()
        assert opened.keys() == saved.keys() and all(torch.equal(opened[k], saved[k]) for k in saved)
        qtbot.waitUntil(lambda: window.session.data is not None, timeout=OPEN_TIMEOUT_MS)
        input_id = window.document.graph.nodes_of_type("Input")[0].id
        predicted = next(iter(window.session.predict({input_id: XOR_ROWS}).values()))
        assert predicted.shape == (4, 1) and np.all((predicted >= 0) & (predicted <= 1))
        assert window.session.last_result is not None and len(window.session.last_result.history.epochs) == 20
    finally:
        window.session.shutdown()


def test_a_damaged_bundle_at_start_says_why_and_keeps_the_example(qtbot, tmp_path, errors):
    broken = tmp_path / "broken.nnzip"
    broken.write_bytes(b"PK\x03\x04 not a bundle at all")
    window = started(qtbot, ["main.py", str(broken)])
    try:
        qtbot.waitUntil(lambda: bool(errors), timeout=OPEN_TIMEOUT_MS)
        assert len(errors) == 1 and "broken.nnzip" in errors[0] and "JSON" not in errors[0]
        assert window.windowTitle().startswith("xor.nnstudio") and window.session.model is None
    finally:
        window.session.shutdown()


def test_a_project_named_at_start_still_opens_at_once(qtbot, tmp_path, errors):
    from nnstudio.core.project import save_project
    project = build_example("iris")
    path = tmp_path / "mine.nnstudio"
    save_project(project, path)
    window = started(qtbot, ["main.py", str(path)])
    try:
        assert window.document.path == path.resolve() and window.document.project.title == project.title
        assert not errors
    finally:
        window.session.shutdown()


def test_the_data_panel_of_a_bundle_named_at_start_shows_its_data(qtbot, xor_bundle, errors, one_thread):
    """A student walk-through found it blank: the bundle released the data loading before the first paint, and the
    lazily built panels then waited for a moment that had already passed."""
    from nnstudio.gui.panels.data_panel import DataPanel
    path, _ = xor_bundle
    window = started(qtbot, ["main.py", str(path)])
    try:
        qtbot.waitUntil(lambda: window.session.model is not None, timeout=OPEN_TIMEOUT_MS)
        window.data_dock.raise_()   # the student clicks the Data tab
        qtbot.waitUntil(lambda: window.findChild(DataPanel) is not None and window.findChild(DataPanel).isVisible(),
                        timeout=10_000)
        assert window.session.data is not None
    finally:
        window.session.shutdown()
