"""Training: optimizers, XOR, determinism, callbacks, stop/pause from another thread, NaN guard, evaluate/predict."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest
import torch

from engine_helpers import (Part, blobs, chain, classifier, settings, wide_and_deep, wide_and_deep_part, xor_net,
                            xor_part)
from nnstudio.core.layers import OutputTarget
from nnstudio.core.settings import OPTIMIZERS, EarlyStopping as EarlyStoppingSettings
from nnstudio.engine import Callback, EarlyStopping, Trainer, compile_graph
from nnstudio.engine.callbacks import cpu_state_copy


def _blob_run(net=None, rows: int = 120, **changes):
    net = net or classifier()
    x, y = blobs(rows)
    model = compile_graph(net.snapshot(), net.context, seed=changes.get("seed", 0))
    trainer = Trainer(model, settings(**changes))
    part = Part({net.input_ids[0]: x}, {net.output_ids[0]: y})
    return trainer, part


class Recorder(Callback):
    """Keeps every epoch's logs and a copy of the weights at the end of each epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.logs: list[dict] = []
        self.states: list[dict] = []

    def on_epoch_end(self, epoch, logs):
        self.logs.append(dict(logs))
        self.states.append(cpu_state_copy(self.model))


def _same_state(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer_reduces_the_loss(optimizer):
    learning_rate = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.1}.get(optimizer, 0.01)
    trainer, part = _blob_run(optimizer=optimizer, learning_rate=learning_rate, epochs=8)
    history = trainer.fit(part)
    assert history.stop_reason == "completed"
    assert history.logs["loss"][-1] < 0.7 * history.logs["loss"][0]


def test_xor_with_a_hidden_layer_is_learned():
    net = xor_net(hidden=8, activation="tanh")
    trainer = Trainer(compile_graph(net.snapshot(), net.context, seed=1),
                      settings(learning_rate=0.05, batch_size=4, epochs=300))
    history = trainer.fit(xor_part(net))
    assert history.logs["accuracy"][-1] == 1.0
    probabilities = trainer.predict([xor_part(net).inputs[net.input_ids[0]]])[net.output_ids[0]]
    assert (probabilities.reshape(-1) > 0.5).tolist() == [False, True, True, False]


def test_single_layer_sigmoid_cannot_learn_xor():
    net = xor_net(hidden=None)
    trainer = Trainer(compile_graph(net.snapshot(), net.context),
                      settings(optimizer="sgd", learning_rate=1.0, batch_size=4, epochs=1000))
    history = trainer.fit(xor_part(net))
    assert history.logs["loss"][-1] == pytest.approx(math.log(2), abs=0.01)
    assert history.logs["accuracy"][-1] == 0.5


def test_same_seed_same_history_bit_for_bit_even_with_dropout():
    net = classifier(extra=[("Dropout", {"rate": 0.3}), ("Dense", {"units": 8, "activation": "relu"})])

    def run(seed):
        trainer, part = _blob_run(net, seed=seed, epochs=3, validation_split=0.25)
        return trainer.fit(part), trainer.model.state_dict()

    first, first_state = run(0)
    again, again_state = run(0)
    other, _ = run(1)
    assert first.logs == again.logs and first.batch_losses == again.batch_losses
    assert _same_state(first_state, again_state)
    assert first.batch_losses != other.batch_losses


def test_validation_split_adds_val_logs():
    trainer, part = _blob_run(epochs=2, validation_split=0.25)
    history = trainer.fit(part)
    assert set(history.logs) == {"loss", "accuracy", "precision", "recall", "f1", "val_loss", "val_accuracy",
                                 "val_precision", "val_recall", "val_f1"}
    assert len(history.batch_losses) == 2 * math.ceil(90 / 16)  # 120 rows, the last 30 for validation
    assert history.epochs == [1, 2] and history.samples_per_second > 0


def test_wide_and_deep_logs_each_output_and_weights_the_total():
    net = wide_and_deep()
    trainer = Trainer(compile_graph(net.snapshot(), net.context), settings(epochs=3, validation_split=0.2))
    history = trainer.fit(wide_and_deep_part(net))
    for key in ("loss", "main_loss", "aux_loss", "main_mse", "main_r2", "aux_mae", "val_loss", "val_main_loss",
                "val_aux_r2"):
        assert key in history.logs, key
    for prefix in ("", "val_"):
        total = [0.9 * m + 0.1 * a for m, a in zip(history.logs[prefix + "main_loss"],
                                                   history.logs[prefix + "aux_loss"])]
        assert history.logs[prefix + "loss"] == pytest.approx(total, rel=1e-5)
    assert history.logs["loss"][-1] < history.logs["loss"][0]
    predictions = trainer.predict({"wide": np.zeros((3, 5), np.float32), "deep": np.zeros((3, 6), np.float32)})
    assert set(predictions) == set(net.output_ids) and predictions[net.output_ids[1]].shape == (3, 1)


def test_early_stopping_stops_and_restores_the_best_weights():
    recorder = Recorder()
    # A huge min_delta means no epoch after the first counts as progress.
    trainer, part = _blob_run(epochs=20, validation_split=0.25, early_stopping=EarlyStoppingSettings(
        enabled=True, monitor="val_loss", patience=2, min_delta=1e9, restore_best=True))
    history = trainer.fit(part, callbacks=[recorder])
    assert history.stop_reason == "early_stopping"
    assert history.epochs == [1, 2, 3] and history.best_epoch == 1
    assert _same_state(cpu_state_copy(trainer.model), recorder.states[0])
    assert not _same_state(recorder.states[0], recorder.states[-1])
    assert "restored" in history.message


def test_early_stopping_callback_rules():
    class FakeTrainer:
        def __init__(self):
            self.model = torch.nn.Linear(1, 1)
            self.reasons = []

        def request_stop(self, reason):
            self.reasons.append(reason)

    stopping = EarlyStopping("val_accuracy", patience=1, restore_best_weights=False)
    trainer = FakeTrainer()
    stopping.set_trainer(trainer)
    stopping.on_train_begin({})
    for epoch, value in enumerate([0.5, 0.7, 0.6], start=1):
        stopping.on_epoch_end(epoch, {"val_accuracy": value})
    assert trainer.reasons == ["early_stopping"] and stopping.best_epoch == 2  # accuracy: larger is better
    fallback = EarlyStopping("val_loss", patience=5)
    fallback.set_trainer(trainer)
    fallback.on_train_begin({})
    fallback.on_epoch_end(1, {"loss": 1.0})  # no validation data: watch the training loss instead
    assert fallback.monitor_used == "loss" and fallback.best_epoch == 1


def test_checkpoint_keeps_the_best_epoch():
    recorder = Recorder()
    trainer, part = _blob_run(epochs=6, learning_rate=0.3, validation_split=0.25, checkpoint_best=True)
    history = trainer.fit(part, callbacks=[recorder])
    losses = history.logs["val_loss"]
    best = min(range(len(losses)), key=losses.__getitem__)
    assert trainer.checkpoint.best_epoch == best + 1 == history.best_epoch
    assert _same_state(trainer.checkpoint.best_state, recorder.states[best])


class Gate(Callback):
    """At one batch, lets another thread act and waits until it has."""

    def __init__(self, at_batch: int) -> None:
        super().__init__()
        self.at_batch = at_batch
        self.reached = threading.Event()
        self.acted = threading.Event()
        self.batches = 0

    def on_batch_end(self, batch, logs):
        self.batches += 1
        if self.batches == self.at_batch:
            self.reached.set()
            assert self.acted.wait(5)


def test_stop_from_another_thread_ends_fit_within_one_batch():
    trainer, part = _blob_run(rows=400, epochs=50, batch_size=8)
    gate = Gate(at_batch=5)

    def stopper():
        gate.reached.wait(5)
        trainer.stop()
        gate.acted.set()

    thread = threading.Thread(target=stopper)
    thread.start()
    history = trainer.fit(part, callbacks=[gate])
    thread.join(5)
    assert history.stop_reason == "stopped"
    assert gate.batches == 5 and len(history.batch_losses) == 5 and history.epochs == []
    # The trainer can train again afterwards.
    trainer.settings.epochs = 1
    assert trainer.fit(part).stop_reason == "completed"


def test_pause_resume_and_external_stop_event():
    trainer, part = _blob_run(rows=200, epochs=3, batch_size=8)
    counter = Gate(at_batch=0)  # only counts
    stop_event = threading.Event()
    result = {}

    def train():
        result["history"] = trainer.fit(part, callbacks=[counter], stop_event=stop_event)

    trainer.pause()
    worker = threading.Thread(target=train)
    worker.start()
    time.sleep(0.3)
    assert trainer.paused and counter.batches == 0  # held before the first batch
    trainer.resume()
    worker.join(10)
    assert result["history"].stop_reason == "completed" and counter.batches == 3 * math.ceil(200 / 8)

    # An event set while paused also ends the run.
    trainer.pause()
    worker = threading.Thread(target=train)
    worker.start()
    stop_event.set()
    worker.join(5)
    trainer.resume()
    assert not worker.is_alive() and result["history"].stop_reason == "stopped"


def test_nan_guard_stops_with_a_plain_message():
    net = chain((4,), [("Dense", {"units": 16, "activation": "relu"})], {}, OutputTarget("regression", 1))
    rng = np.random.default_rng(0)
    x = rng.normal(0, 10, (256, 4)).astype(np.float32)
    y = (x.sum(axis=1, keepdims=True) * 100).astype(np.float32)
    trainer = Trainer(compile_graph(net.snapshot(), net.context),
                      settings(optimizer="sgd", learning_rate=1e6, epochs=10, batch_size=16))
    history = trainer.fit(Part({net.input_ids[0]: x}, {net.output_ids[0]: y}))
    assert history.stop_reason == "diverged"
    assert "learning rate (1e+06)" in history.message and "NaN at epoch 1" in history.message
    assert history.epochs == [] and all(math.isfinite(v) for v in history.batch_losses)


def test_batch_loss_reaches_callbacks_only_when_asked():
    class Quiet(Callback):
        def __init__(self):
            super().__init__()
            self.keys = set()

        def on_batch_end(self, batch, logs):
            self.keys |= set(logs)

    class Curious(Quiet):
        wants_batch_loss = True

    quiet, curious = Quiet(), Curious()
    trainer, part = _blob_run(epochs=1)
    trainer.fit(part, callbacks=[quiet])
    assert "loss" not in quiet.keys
    trainer.fit(part, callbacks=[curious])
    assert "loss" in curious.keys


def test_evaluate_and_predict_shapes():
    trainer, part = _blob_run(epochs=3)
    trainer.fit(part)
    results = trainer.evaluate(part)
    assert set(results) == {"target"}
    scores = results["target"]
    assert set(scores) == {"loss", "accuracy", "precision", "recall", "f1", "confusion_matrix"}
    assert np.array(scores["confusion_matrix"]).shape == (3, 3)
    assert np.array(scores["confusion_matrix"]).sum() == 120
    output_id = trainer.model.output_ids[0]
    probabilities = trainer.predict(part.inputs)[output_id]
    assert probabilities.shape == (120, 3) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    by_name = trainer.predict({"features": part.inputs[trainer.model.input_ids[0]]}, batch_size=7)[output_id]
    # Batches of 7 take other float32 matrix kernels than one batch of 120: the sums are added in another
    # order, so tiny probabilities can differ in their last bits (a relative 1e-6 of 2e-4 is below float32's step).
    np.testing.assert_allclose(by_name, probabilities, rtol=1e-5, atol=1e-7)


def test_regression_with_batch_norm_and_a_lone_last_row():
    net = chain((3,), [("Dense", {"units": 8, "activation": "relu"}), ("BatchNormalization", {})], {},
                OutputTarget("regression", 2))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(33, 3)).astype(np.float32)  # 33 = 2 × 16 + 1
    y = np.stack([x[:, 0] + x[:, 1], x[:, 2]], axis=1).astype(np.float32)
    trainer = Trainer(compile_graph(net.snapshot(), net.context), settings(epochs=4))
    history = trainer.fit(Part({net.input_ids[0]: x}, {net.output_ids[0]: y}))
    assert history.stop_reason == "completed" and set(history.logs) == {"loss", "mse", "mae", "r2"}
    assert trainer.evaluate(Part({net.input_ids[0]: x}, {net.output_ids[0]: y}))["target"]["r2"] <= 1.0


def test_bad_targets_and_other_methods_are_refused_in_plain_words():
    trainer, part = _blob_run(epochs=1)
    output_id = trainer.model.output_ids[0]
    with pytest.raises(ValueError, match="3 classes"):
        trainer.fit(Part(part.inputs, {output_id: np.full(120, 7)}))
    trainer.settings.method = "genetic"  # not a method the trainer knows (settings.validate would refuse it too)
    with pytest.raises(ValueError, match="not available"):
        trainer.fit(part)
