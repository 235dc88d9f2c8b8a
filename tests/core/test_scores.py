"""The numpy scores every part of the app shows, against values worked out by hand and against scikit-learn's rules."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.core.layers import OutputConfig
from nnstudio.core.metrics import (
    ClassScore,
    classification_scores,
    confusion_matrix,
    decide_classes,
    holds_logits,
    per_class_scores,
    regression_scores,
)


def test_confusion_matrix_per_class_and_macro_scores():
    matrix = confusion_matrix(np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 1, 1, 2, 0]), 3)
    assert matrix.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert per_class_scores(matrix) == pytest.approx([ClassScore(0.5, 0.5, 0.5, 2), ClassScore(2 / 3, 1.0, 0.8, 2),
                                                      ClassScore(1.0, 0.5, 2 / 3, 2)])
    scores = classification_scores(matrix)
    assert scores["accuracy"] == pytest.approx(4 / 6)
    assert scores["f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)


def test_a_class_never_predicted_scores_zero_and_an_absent_class_is_left_out_of_the_average():
    matrix = confusion_matrix(np.array([0, 0, 1]), np.array([0, 0, 0]), 3)
    assert per_class_scores(matrix)[1] == ClassScore(0.0, 0.0, 0.0, 1)
    assert classification_scores(matrix)["precision"] == pytest.approx((2 / 3 + 0) / 2)
    assert classification_scores(np.zeros((2, 2)))["accuracy"] == 0.0


def test_r2_is_averaged_over_columns_not_pooled():
    # Column 1 spans 0..300 and is fitted well; column 2 spans 0..1 and is fitted badly. Pooling all values
    # would let the wide column hide the bad one (R² near 1); the average per column (Keras, scikit-learn) does not.
    targets = np.array([[0.0, 0.0], [100.0, 1.0], [200.0, 0.0], [300.0, 1.0]])
    predictions = np.array([[10.0, 1.0], [90.0, 0.0], [210.0, 1.0], [290.0, 0.0]])
    column_1 = 1 - 400 / 50_000
    column_2 = 1 - 4 / 1.0
    scores = regression_scores(targets, predictions)
    assert scores["r2"] == pytest.approx((column_1 + column_2) / 2)
    pooled = 1 - (400 + 4) / float(((targets - targets.mean()) ** 2).sum())
    assert pooled > 0.99 and scores["r2"] < -1
    assert scores["mse"] == pytest.approx((400 + 4) / 8) and scores["mae"] == pytest.approx((40 + 4) / 8)


def test_regression_of_one_column_constant_targets_and_no_rows():
    assert regression_scores(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.5, 2.0, 2.5, 4.0])) == pytest.approx(
        {"mse": 0.125, "mae": 0.25, "r2": 0.9})
    constant = np.array([[5.0], [5.0]])
    assert regression_scores(constant, constant)["r2"] == 1.0
    assert regression_scores(constant, np.array([[4.0], [6.0]]))["r2"] == 0.0
    assert regression_scores(np.zeros((0, 2)), np.zeros((0, 2))) == {"mse": 0.0, "mae": 0.0, "r2": 0.0}


def test_class_decisions_follow_keras():
    assert decide_classes(np.array([[0.2, 0.7, 0.1], [0.5, 0.1, 0.4]]), "multiclass").tolist() == [1, 0]
    # Yes only strictly above the middle: 0.5 for probabilities, 0 for raw scores.
    assert decide_classes(np.array([[0.5], [0.51], [0.2]]), "binary").tolist() == [0, 1, 0]
    assert decide_classes(np.array([[0.0], [0.3], [-2.0]]), "binary", logits=True).tolist() == [0, 1, 0]
    assert decide_classes(np.array([2, 0, 1]), "multiclass").tolist() == [2, 0, 1]  # already class codes


def test_only_a_linear_output_trained_with_binary_cross_entropy_holds_logits():
    linear = OutputConfig("binary", 1, "linear", "binary_cross_entropy", ("accuracy",), 1.0)
    sigmoid = OutputConfig("binary", 1, "sigmoid", "binary_cross_entropy", ("accuracy",), 1.0)
    assert holds_logits(linear) and not holds_logits(sigmoid) and not holds_logits(None)
