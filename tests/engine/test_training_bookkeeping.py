"""The numbers fit writes per epoch (loss, scores, batch losses, divergence) match what the batches really did,
however the bookkeeping is done: one batch per epoch (a teaching data set in one go) and several."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine_helpers import XOR_INPUTS, XOR_TARGETS, Part, blobs, chain, classifier, settings, xor_net, xor_part
from nnstudio.core import metrics as core_metrics
from nnstudio.core.layers import OutputConfig, OutputTarget
from nnstudio.engine import Callback, Trainer, compile_graph
from nnstudio.engine.metrics import OutputScorer, small_classification_scores


class BatchWitness(Callback):
    """Before each batch (shuffle off, so batch k holds rows k·size onward), what the network decides for the
    batch's rows: the decisions the epoch's scores must be made of."""

    def __init__(self, inputs: np.ndarray, task: str) -> None:
        super().__init__()
        self.inputs, self.task = inputs, task
        self.epochs: list[list[np.ndarray]] = []
        self.sizes: list[list[int]] = []

    def on_epoch_begin(self, epoch, logs):
        self.epochs.append([])
        self.sizes.append([])

    def on_batch_begin(self, batch, logs):
        start = batch * self.trainer.settings.batch_size
        rows = self.inputs[start:start + logs["size"]]
        with torch.no_grad():
            logits = self.model.forward_logits(torch.from_numpy(rows))[0]
        scorer = self.trainer.scorers[0]
        self.epochs[-1].append(scorer.decide(logits).numpy())
        self.sizes[-1].append(logs["size"])


def _check_epochs(history, witness: BatchWitness, targets: np.ndarray, classes: int) -> None:
    batches = 0
    for epoch, (decided, sizes) in enumerate(zip(witness.epochs, witness.sizes)):
        losses = history.batch_losses[batches:batches + len(sizes)]
        batches += len(sizes)
        expected_loss = sum(loss * size for loss, size in zip(losses, sizes)) / sum(sizes)
        if len(sizes) == 1:
            assert history.logs["loss"][epoch] == losses[0]  # one batch: its loss is the epoch's, exactly
        assert history.logs["loss"][epoch] == pytest.approx(expected_loss, rel=1e-12)
        matrix = core_metrics.confusion_matrix(targets[:sum(sizes)], np.concatenate(decided), classes)
        expected = core_metrics.classification_scores(matrix)
        for metric in ("accuracy", "precision", "recall", "f1"):
            assert history.logs[metric][epoch] == expected[metric], (epoch, metric)


@pytest.mark.parametrize("batch_size", [4, 3])
def test_xor_epoch_numbers_are_those_of_its_batches(batch_size):
    net = xor_net()
    trainer = Trainer(compile_graph(net.snapshot(), net.context, seed=3),
                      settings(epochs=25, batch_size=batch_size, learning_rate=0.05, shuffle=False))
    witness = BatchWitness(XOR_INPUTS, "binary")
    history = trainer.fit(xor_part(net), callbacks=[witness])
    assert history.epochs == list(range(1, 26)) and len(history.batch_losses) == 25 * math.ceil(4 / batch_size)
    _check_epochs(history, witness, XOR_TARGETS, 2)
    assert len(set(history.logs["accuracy"])) > 1  # it learns, so the scores checked are not all alike


def test_three_classes_over_many_batches_are_scored_like_the_batches():
    x, y = blobs(130)  # batch 2: 65 batches, past the point where decisions are gathered in one go (50)
    net = classifier()
    trainer = Trainer(compile_graph(net.snapshot(), net.context, seed=0),
                      settings(epochs=2, batch_size=2, learning_rate=0.01, shuffle=False))
    witness = BatchWitness(x, "multiclass")
    history = trainer.fit(Part({net.input_ids[0]: x}, {net.output_ids[0]: y}), callbacks=[witness])
    _check_epochs(history, witness, y, 3)


def test_shuffled_one_batch_epochs_score_every_row_once():
    """With shuffling the rows come in a new order each epoch; the scores are those of all rows at once."""
    net = xor_net()
    trainer = Trainer(compile_graph(net.snapshot(), net.context, seed=1),
                      settings(epochs=200, batch_size=4, learning_rate=0.05))
    history = trainer.fit(xor_part(net))
    assert history.logs["loss"] == history.batch_losses
    assert history.logs["accuracy"][-1] == 1.0 and history.logs["f1"][-1] == 1.0
    assert set(history.logs["accuracy"]) <= {0.0, 0.25, 0.5, 0.75, 1.0}


def test_divergence_in_a_later_one_batch_epoch_names_that_epoch():
    net = chain((4,), [("Dense", {"units": 16, "activation": "relu"})], {}, OutputTarget("regression", 1))
    rng = np.random.default_rng(3)
    x = rng.normal(0, 10, (4, 4)).astype(np.float32)
    y = (x.sum(axis=1, keepdims=True) / 10).astype(np.float32)
    trainer = Trainer(compile_graph(net.snapshot(), net.context),
                      settings(optimizer="sgd", learning_rate=0.3, epochs=200, batch_size=4))
    history = trainer.fit(Part({net.input_ids[0]: x}, {net.output_ids[0]: y}))
    assert history.stop_reason == "diverged"
    done = len(history.epochs)
    assert done >= 1 and history.divergence["epoch"] == done + 1 and history.divergence["batch"] == 1
    assert history.batch_losses == history.logs["loss"] and all(math.isfinite(v) for v in history.batch_losses)
    assert history.divergence["last_losses"] == history.batch_losses[-10:]
    assert not math.isfinite(history.divergence["bad_loss"])


def test_small_scores_are_numpys_to_the_last_bit():
    rng = np.random.default_rng(0)
    for _ in range(3000):
        classes = int(rng.integers(2, 8))
        matrix = rng.integers(0, 9, (classes, classes)) * (rng.random((classes, classes)) < 0.6)
        assert small_classification_scores(matrix.tolist()) == core_metrics.classification_scores(matrix)


@pytest.mark.parametrize("task, classes, rows", [("binary", 2, 7), ("multiclass", 5, 40), ("multiclass", 5, 400),
                                                 ("multiclass", 12, 60)])
def test_output_scores_and_confusion_matrix_agree_with_numpy(task, classes, rows):
    """Few rows and classes are counted in Python, many in numpy or torch: the same numbers either way."""
    config = OutputConfig(task, 1 if task == "binary" else classes, "sigmoid" if task == "binary" else "softmax",
                          "binary_cross_entropy" if task == "binary" else "categorical_cross_entropy",
                          ("precision", "accuracy", "f1", "recall"), 1.0)
    scorer = OutputScorer(config, torch.nn.Identity())
    rng = np.random.default_rng(rows)
    targets = rng.integers(0, classes, rows)
    decisions = np.where(rng.random(rows) < 0.6, targets, rng.integers(0, classes, rows))
    scores = scorer.scores(torch.from_numpy(targets), torch.from_numpy(decisions), with_confusion_matrix=True)
    matrix = core_metrics.confusion_matrix(targets, decisions, classes)
    assert scores["confusion_matrix"] == matrix.tolist()
    expected = core_metrics.classification_scores(matrix)
    assert {k: v for k, v in scores.items() if k != "confusion_matrix"} == \
        {m: expected[m] for m in config.metrics if m in expected}
    assert list(scores)[:-1] == [m for m in config.metrics if m in expected]  # in the Output's order
