"""Test and training scores in numpy, one definition for the engine, the command line and the Evaluate tab."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from .layers import OutputConfig

CLASSIFICATION_TASKS = ("multiclass", "binary")
CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1")
REGRESSION_METRICS = ("mse", "mae", "r2")


class ClassScore(NamedTuple):
    """How well one class is found: precision, recall, F1 and how many rows truly belong to it."""

    precision: float
    recall: float
    f1: float
    rows: int


def holds_logits(config: "OutputConfig | None") -> bool:
    """Whether an Output gives raw scores rather than probabilities: a linear output trained with binary
    cross-entropy (the loss applies the sigmoid itself), whose yes/no middle is 0 rather than 0.5."""
    return config is not None and config.activation == "linear" and config.loss == "binary_cross_entropy"


def decide_classes(outputs: np.ndarray, task: str, logits: bool = False) -> np.ndarray:
    """Class codes from what the network outputs: the largest score, or 'yes' above the middle for yes/no.

    `logits`: the outputs are raw scores (a linear output trained with binary cross-entropy), whose middle is 0.
    """
    outputs = np.asarray(outputs)
    if outputs.ndim == 1 and np.issubdtype(outputs.dtype, np.integer):
        return outputs.astype(np.int64)  # already class codes
    outputs = outputs.reshape(len(outputs), -1)
    if task == "binary" and outputs.shape[1] == 1:
        # Keras' rule: 'yes' only when strictly above the middle (0.5 for probabilities, 0 for raw scores).
        return (outputs[:, 0] > (0.0 if logits else 0.5)).astype(np.int64)
    return outputs.argmax(axis=1).astype(np.int64)


def confusion_matrix(targets: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """Counts with true classes as rows and predicted classes as columns."""
    targets = np.asarray(targets).reshape(-1).astype(np.int64)
    predicted = np.asarray(predicted).reshape(-1).astype(np.int64)
    return np.bincount(targets * classes + predicted, minlength=classes * classes).reshape(classes, classes)


def _per_class(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 of every class, with the rows truly in it and the rows predicted as it.

    A score whose denominator is zero counts as 0 (scikit-learn's zero_division=0)."""
    counts = np.asarray(matrix, dtype=np.float64)
    hits = np.diagonal(counts)
    actual = counts.sum(axis=1)
    predicted = counts.sum(axis=0)
    precision = np.divide(hits, predicted, out=np.zeros_like(actual), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros_like(actual), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(actual), where=both > 0)
    return precision, recall, f1, actual, predicted


def per_class_scores(matrix: np.ndarray) -> list[ClassScore]:
    """Every class's precision, recall, F1 and number of true rows, from a confusion matrix."""
    precision, recall, f1, actual, _ = _per_class(matrix)
    return [ClassScore(float(p), float(r), float(f), int(n)) for p, r, f, n in zip(precision, recall, f1, actual)]


def classification_scores(matrix: np.ndarray) -> dict[str, float]:
    """Accuracy and macro-averaged precision, recall and F1 from a confusion matrix.

    Like scikit-learn, the macro average runs over the classes that occur in the targets or the predictions.
    """
    counts = np.asarray(matrix, dtype=np.float64)
    precision, recall, f1, actual, predicted = _per_class(counts)
    present = (actual + predicted) > 0
    classes_present = max(int(present.sum()), 1)
    total = counts.sum()
    return {
        "accuracy": float(np.trace(counts) / total) if total > 0 else 0.0,
        "precision": float(precision[present].sum() / classes_present),
        "recall": float(recall[present].sum() / classes_present),
        "f1": float(f1[present].sum() / classes_present),
    }


def regression_scores(targets: np.ndarray, predictions: np.ndarray) -> dict[str, float]:
    """Mean squared error, mean absolute error and R², in float64.

    R² is worked out for each output column and then averaged, as Keras' R2Score and scikit-learn's r2_score
    ('uniform_average') do: pooling the columns would let a column with a wide range hide a badly fitted one.
    """
    y = np.asarray(targets, dtype=np.float64)
    if y.size == 0:
        return {"mse": 0.0, "mae": 0.0, "r2": 0.0}
    y = y.reshape(y.shape[0], -1)
    p = np.asarray(predictions, dtype=np.float64).reshape(y.shape)
    error = p - y
    squared = error * error
    residual = squared.sum(axis=0)
    spread = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    # scikit-learn's convention for a constant target column: a perfect fit scores 1, anything else 0.
    constant = np.where(residual == 0, 1.0, 0.0)
    r2_columns = np.where(spread > 0, 1.0 - residual / np.where(spread > 0, spread, 1.0), constant)
    return {"mse": float(squared.mean()), "mae": float(np.abs(error).mean()), "r2": float(r2_columns.mean())}
