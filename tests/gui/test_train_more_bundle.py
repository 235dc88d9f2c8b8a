"""Train More after reopening a trained model (.nnzip): the run goes on from epoch 11, curves and counter too."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from nnstudio.core.settings import TrainingSettings
from nnstudio.engine.bundle_io import load_bundle, save_bundle
from nnstudio.gui.editing.commands import SetProjectSettings
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.main_window import MainWindow
from tests.gui.test_sharing_bundle import make_window  # noqa: F401 - the same windows as the bundle tests

TRAINING_TIMEOUT_MS = 60_000


def set_epochs(window: MainWindow, epochs: int) -> None:
    settings = TrainingSettings.from_dict(window.document.project.training.to_dict())
    settings.epochs = epochs
    assert window.document.push(SetProjectSettings(window.document, "training", settings))


def click_and_wait(qtbot, window: MainWindow, button) -> None:
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def saved_iris(qtbot, make_window, path) -> None:
    """A student trains iris for 10 epochs and saves it with its trained weights."""
    first = make_window()
    assert first.file_actions.open_path(EXAMPLES_DIR / "iris.nnstudio")
    set_epochs(first, 10)
    click_and_wait(qtbot, first, first.training_panel.train_button)
    first.sharing.bundles.ask_bundle_save_path = lambda: path
    first.sharing.bundles.save_bundle_action.trigger()
    assert path.is_file() and not first.errors
    assert load_bundle(path).resume.position.epochs_done == 10


def test_train_more_after_reopening_goes_on_from_epoch_eleven(qtbot, make_window, tmp_path):
    saved_iris(qtbot, make_window, tmp_path / "iris.nnzip")

    window = make_window()
    panel, curves = window.training_panel, window.curves_panel
    assert panel.train_more_button.isHidden()   # nothing trained yet in this window: nothing to go on with
    assert window.file_actions.open_path(tmp_path / "iris.nnzip") and not window.errors
    assert curves.epochs == list(range(1, 11))
    assert panel.train_more_button.isEnabled() and not panel.train_more_button.isHidden()
    counters = []
    window.session.progress.connect(lambda info: counters.append(panel.progress_bar.format()))
    set_epochs(window, 10)

    click_and_wait(qtbot, window, panel.train_more_button)

    assert not window.errors
    assert curves.epochs == list(range(1, 21))   # the curve goes on: epochs 11..20 after the saved 1..10
    # The counter counts on: "epoch 13/20 · batch 2/6 · …", never "epoch 3/10".
    shown = [re.match(r"epoch (\d+)/(\d+) ", text) for text in counters]
    assert shown and all(m is not None and 11 <= int(m[1]) <= 20 and m[2] == "20" for m in shown), counters
    # The time beside it is this part's, and so are the epochs said with it: "10 more epochs in 0:01 (20 in all)".
    assert re.fullmatch(r"Finished · 10 more epochs in \d+:\d\d \(20 in all\)", panel.progress_bar.format())
    assert panel.train_more_button.isEnabled()   # and once more, from epoch 21


def test_an_older_bundle_goes_on_with_a_fresh_optimizer_and_says_so(qtbot, make_window, tmp_path):
    """A bundle saved before the training state existed: Train More goes on from its weights, said plainly."""
    first = make_window()
    assert first.file_actions.open_path(EXAMPLES_DIR / "iris.nnstudio")
    set_epochs(first, 4)
    click_and_wait(qtbot, first, first.training_panel.train_button)
    result = first.session.last_result
    save_bundle(tmp_path / "old.nnzip", first.document.project, first.session.model, result.history)

    window = make_window()
    assert window.file_actions.open_path(tmp_path / "old.nnzip") and not window.errors
    set_epochs(window, 2)
    click_and_wait(qtbot, window, window.training_panel.train_more_button)
    assert window.curves_panel.epochs == [1, 2, 3, 4, 5, 6]
    assert "fresh optimizer" in window.training_panel.status_label.text()


def test_train_more_is_off_once_the_network_changes(qtbot, make_window, tmp_path):
    saved_iris(qtbot, make_window, tmp_path / "iris.nnzip")
    window = make_window()
    assert window.file_actions.open_path(tmp_path / "iris.nnzip")
    assert window.training_panel.train_more_button.isEnabled()
    hidden = next(n for n in window.document.graph.nodes.values() if n.type == "Dense")
    from nnstudio.gui.editing.commands import SetParam
    assert window.document.push(SetParam(window.document.graph, hidden.id, "units", 5))
    qtbot.mouseClick(window.training_panel.train_more_button, Qt.MouseButton.LeftButton)
    assert not window.session.is_training
    assert "changed since it was trained" in window.training_panel.status_label.text()
    assert not window.training_panel.train_more_button.isEnabled()


def test_train_more_goes_on_after_a_run_here_and_the_saved_file_keeps_the_whole_run(qtbot, make_window, tmp_path):
    window = make_window()
    panel = window.training_panel
    assert window.file_actions.open_path(EXAMPLES_DIR / "iris.nnstudio")
    set_epochs(window, 3)
    click_and_wait(qtbot, window, panel.train_button)
    set_epochs(window, 2)
    click_and_wait(qtbot, window, panel.train_more_button)
    assert window.curves_panel.epochs == [1, 2, 3, 4, 5]
    window.sharing.bundles.ask_bundle_save_path = lambda: tmp_path / "five.nnzip"
    window.sharing.bundles.save_bundle_action.trigger()
    reopened = load_bundle(tmp_path / "five.nnzip")
    assert reopened.resume.position.epochs_done == 5 and reopened.history.epochs == [1, 2, 3, 4, 5]
    assert reopened.resume.optimizer_class == "Adam"
    # Train starts afresh as before: a new run of its own, from epoch 1.
    click_and_wait(qtbot, window, panel.train_button)
    assert window.curves_panel.epochs == [1, 2]
