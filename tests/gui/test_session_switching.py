"""A run meets another project (File > Open, File > New) and the Try it panel during training, as a student does."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QLabel
from test_training_studio import TRAINING_TIMEOUT_MS, click, set_training, start_long_run, type_into, window  # noqa: F401

from nnstudio.engine.inference import predict
from nnstudio.engine.pipeline import build_model
from nnstudio.gui.editing.file_actions import EXAMPLES_DIR
from nnstudio.gui.evaluation.tryit_panel import TryItPanel
from nnstudio.gui.training.worker import Mailbox


def show_evaluate_tab(qtbot, window) -> TryItPanel:
    window.tabs.setCurrentWidget(window.evaluate_view)  # the tab builds its panels once it is shown
    qtbot.waitUntil(lambda: window.findChild(TryItPanel) is not None and window.findChild(TryItPanel).isVisible())
    return window.findChild(TryItPanel)


def training_threads(window) -> list:
    return [t for t in window.session.findChildren(QThread) if t.isRunning()]


def record_live_news(session) -> list:
    """Everything the session hands the panels about a run, from now on."""
    heard: list = []
    for signal in (session.progress, session.batch_losses, session.epoch_finished, session.weights_snapshot,
                   session.training_finished):
        signal.connect(lambda *args, name=signal: heard.append(args))
    return heard


def forward(session, model, tryit: TryItPanel) -> dict:
    """What the network `model` answers for the values in the Try it panel."""
    rows = {input_id: values.reshape(1, -1) for input_id, values in tryit.raw.items()}
    outputs = predict(model, session.data.prepared.scale_inputs(rows))
    return {output_id: values[0] for output_id, values in outputs.items()}


def assert_old_run_gone(qtbot, window, heard: list) -> None:
    """The old run's thread ended, edits are allowed, and nothing of it shows in the panels."""
    session = window.session
    qtbot.waitUntil(lambda: not training_threads(window), timeout=5000)
    qtbot.wait(300)  # time for any late signal of the old run to arrive, were it still sent
    assert not session.is_training and window.document.edit_lock_reason is None
    assert heard == []
    assert session.model is None and session.last_result is None
    panel = window.training_panel
    assert panel.findChild(object, "trainButton").isEnabled() and not panel.stop_button.isEnabled()
    assert panel.editor("epochs").isEnabled()
    status = panel.status_label.text()
    assert "epoch" not in status.lower() and "accuracy" not in status.lower(), status
    assert panel.progress_bar.format() == "Not trained"
    assert panel.progress_bar.value() == 0  # no fill left over from the dropped run
    curves = window.curves_panel
    assert curves.batch_series.count == 0 and curves.epochs == []
    assert window.document.project.runs == []


# ---------------------------------------------------------------- another project while a run goes on

def test_opening_a_project_during_training_leaves_the_old_run_behind(qtbot, window, monkeypatch, one_thread):
    start_long_run(qtbot, window)  # digits: 8×8 images, 10 classes
    digits = window.document.project
    tryit = show_evaluate_tab(qtbot, window)
    heard = record_live_news(window.session)

    # File > Open, the dialog answered with the XOR example (the fixture discards the unsaved digits changes).
    monkeypatch.setattr(window.file_actions, "ask_open_path", lambda: EXAMPLES_DIR / "xor.nnstudio")
    window.file_actions.open_action.trigger()
    assert window.document.graph.node_by_name("hidden") is not None  # XOR's drawing is shown
    assert_old_run_gone(qtbot, window, heard)
    assert digits.runs == []  # the run is dropped, not recorded into the project the window no longer shows

    # Evaluate and Try it speak about XOR's untrained network, with no trace of the digits model.
    qtbot.waitUntil(lambda: window.session.data is not None)
    evaluation_empty = window.findChild(QLabel, "evaluationEmpty")
    assert evaluation_empty.isVisible() and "could not be scored" not in evaluation_empty.text()
    qtbot.waitUntil(lambda: "untrained" in tryit.status_label.text())
    type_into(qtbot, tryit.sample_spin, "2")
    assert tryit.message_label.text() == ""
    assert set(tryit.last_outputs) == set(window.session.data.prepared.binding.outputs)

    # XOR trains as if the digits run never was.
    set_training(window, epochs=80)
    with qtbot.waitSignal(window.session.training_finished, timeout=TRAINING_TIMEOUT_MS) as finished:
        click(qtbot, window, "trainButton")
    result = finished.args[0]
    assert result.history.stop_reason == "completed" and len(result.history.epochs) == 80
    assert result.test["xor"]["accuracy"] == 1.0
    assert len(window.document.project.runs) == 1 and window.curves_panel.batch_series.count == 80
    assert "accuracy 1" in window.training_panel.status_label.text()
    show_evaluate_tab(qtbot, window)
    assert tryit.message_label.text() == "" and tryit.status_label.text() == "The trained network answers."
    qtbot.waitUntil(lambda: not evaluation_empty.isVisible())


def test_a_new_project_during_training_starts_clean(qtbot, window):
    start_long_run(qtbot, window)
    heard = record_live_news(window.session)
    window.file_actions.new_action.trigger()
    assert window.document.graph.nodes == {}
    assert_old_run_gone(qtbot, window, heard)


# ---------------------------------------------------------------- Try it while the network learns

def test_try_it_during_training_answers_from_a_copy_not_the_trainers_model(qtbot, window, monkeypatch):
    copies: list[dict] = []  # every copy of the model's weights the training thread hands over
    put_model = Mailbox.put_model
    monkeypatch.setattr(Mailbox, "put_model", lambda mailbox, state: (copies.append(state), put_model(mailbox, state)))
    started = time.perf_counter()
    start_long_run(qtbot, window)
    session = window.session
    starting = build_model(window.document.project, session.data.context, session.last_settings.seed).state_dict()
    tryit = show_evaluate_tab(qtbot, window)
    assert tryit.status_label.text() == "Training is running: the answer uses the weights learned so far."

    type_into(qtbot, tryit.sample_spin, "3")
    preview, trainers = session._preview_model, session._worker._trainer.model
    assert preview is not None and preview is not trainers and session.model is preview
    weights = {name: values.numpy() for name, values in preview.state_dict().items()}
    # Its weights are one of the copies the worker made between batches, and already learned (not the start).
    assert copies and any(all(np.array_equal(weights[name], copy[name]) for name in weights) for copy in copies)
    assert not all(torch.equal(torch.from_numpy(weights[name]), starting[name]) for name in weights)
    shown = tryit.last_outputs
    for output_id, values in forward(session, preview, tryit).items():
        np.testing.assert_allclose(shown[output_id], values, rtol=1e-5, atol=1e-6)
    # Copied when asked, a few times a second at most (Try it follows the epochs), not after every batch.
    assert len(copies) <= 2 + 5 * (time.perf_counter() - started)

    with qtbot.waitSignal(session.training_finished, timeout=5000):
        click(qtbot, window, "stopButton")
    # After the run the panel answers with the final model itself: no copy is left over.
    final = session.model
    assert final is not preview and session._preview_model is None
    type_into(qtbot, tryit.sample_spin, "4")
    assert tryit.status_label.text() == "The trained network answers."
    for output_id, values in forward(session, final, tryit).items():
        np.testing.assert_allclose(tryit.last_outputs[output_id], values, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pause_first", [False, True])
def test_try_it_while_paused_answers_without_waiting_for_a_batch(qtbot, window, pause_first):
    start_long_run(qtbot, window)
    session = window.session
    tryit = show_evaluate_tab(qtbot, window)
    if pause_first:
        click(qtbot, window, "pauseButton")
        qtbot.wait(300)  # the trainer stops after its current batch
    type_into(qtbot, tryit.sample_spin, "2")
    assert tryit.message_label.text() == "" and tryit.last_outputs
    assert session._preview_model is not session._worker._trainer.model
    with qtbot.waitSignal(session.training_finished, timeout=5000):
        click(qtbot, window, "stopButton")
