"""Metrics against values worked out by hand."""

from __future__ import annotations

import pytest
import torch

from nnstudio.core.layers import OutputConfig
from nnstudio.engine.activations import make_activation
from nnstudio.engine.metrics import OutputScorer, classification_scores, confusion_matrix, regression_scores


def test_confusion_matrix_and_macro_scores():
    targets = torch.tensor([0, 0, 1, 1, 2, 2])
    predictions = torch.tensor([0, 1, 1, 1, 2, 0])
    matrix = confusion_matrix(targets, predictions, 3)
    assert matrix.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    scores = classification_scores(matrix)
    assert scores["accuracy"] == pytest.approx(4 / 6)
    assert scores["precision"] == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert scores["recall"] == pytest.approx((1 / 2 + 1 + 1 / 2) / 3)
    assert scores["f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)


def test_macro_average_skips_classes_never_seen_and_zero_division_counts_zero():
    # Class 2 appears nowhere; class 1 is never predicted (precision 0 by convention).
    matrix = confusion_matrix(torch.tensor([0, 0, 1]), torch.tensor([0, 0, 0]), 3)
    scores = classification_scores(matrix)
    assert scores["precision"] == pytest.approx((2 / 3 + 0) / 2)
    assert scores["recall"] == pytest.approx((1 + 0) / 2)


def test_regression_scores():
    scores = regression_scores(torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([1.5, 2.0, 2.5, 4.0]))
    assert scores == pytest.approx({"mse": 0.125, "mae": 0.25, "r2": 0.9})


def test_r2_averages_columns_and_handles_constant_targets():
    targets = torch.tensor([[1.0, 5.0], [3.0, 5.0]])
    perfect_constant = regression_scores(targets, torch.tensor([[1.0, 5.0], [3.0, 5.0]]))
    assert perfect_constant["r2"] == pytest.approx(1.0)
    off_constant = regression_scores(targets, torch.tensor([[1.0, 4.0], [3.0, 6.0]]))
    assert off_constant["r2"] == pytest.approx((1.0 + 0.0) / 2)


def test_binary_decision_follows_keras_threshold():
    config = OutputConfig("binary", 1, "sigmoid", "binary_cross_entropy", ("accuracy",), 1.0)
    scorer = OutputScorer(config, make_activation("sigmoid"))
    # sigmoid(1e-9) rounds to exactly 0.5 in float32, which Keras counts as "no".
    assert scorer.decide(torch.tensor([[-1.0], [1e-9], [2.0]])).tolist() == [0, 0, 1]
    scores = scorer.scores(torch.tensor([0, 1, 1]), torch.tensor([0, 0, 1]), with_confusion_matrix=True)
    assert scores["accuracy"] == pytest.approx(2 / 3)
    assert scores["confusion_matrix"] == [[1, 0], [1, 1]]
