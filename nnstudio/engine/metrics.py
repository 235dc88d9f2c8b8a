"""Scores from whole-epoch predictions: accuracy, macro precision/recall/F1, confusion matrix, MSE, MAE, R²."""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch
from torch import nn

from nnstudio.core.layers import OutputConfig

CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1")
REGRESSION_METRICS = ("mse", "mae", "r2")


def confusion_matrix(targets: torch.Tensor, predictions: torch.Tensor, classes: int) -> torch.Tensor:
    """Counts with true classes as rows and predicted classes as columns (int64, on the inputs' device)."""
    targets = targets.reshape(-1).long()
    predictions = predictions.reshape(-1).long()
    return torch.bincount(targets * classes + predictions, minlength=classes * classes).reshape(classes, classes)


def classification_scores(matrix: torch.Tensor | np.ndarray) -> dict[str, float]:
    """Accuracy and macro-averaged precision, recall and F1 from a confusion matrix.

    Like scikit-learn, the macro average runs over the classes that occur in the targets or the
    predictions, and a score whose denominator is zero counts as 0. Numpy, because these are a handful of
    numbers and each torch call costs more than the arithmetic.
    """
    counts = _numpy(matrix)
    total = counts.sum()
    true_positive = np.diagonal(counts)
    actual = counts.sum(axis=1)
    predicted = counts.sum(axis=0)
    present = (actual + predicted) > 0
    precision = np.divide(true_positive, predicted, out=np.zeros_like(actual), where=predicted > 0)
    recall = np.divide(true_positive, actual, out=np.zeros_like(actual), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(actual), where=both > 0)
    classes_present = max(int(present.sum()), 1)
    return {
        "accuracy": float(true_positive.sum() / total) if total > 0 else 0.0,
        "precision": float(precision[present].sum() / classes_present),
        "recall": float(recall[present].sum() / classes_present),
        "f1": float(f1[present].sum() / classes_present),
    }


def regression_scores(targets: torch.Tensor | np.ndarray, predictions: torch.Tensor | np.ndarray
                      ) -> dict[str, float]:
    """Mean squared error, mean absolute error and R² (averaged over output columns), in float64."""
    y = _numpy(targets)
    y = y.reshape(y.shape[0], -1)
    p = _numpy(predictions).reshape(y.shape)
    if y.size == 0:
        return {"mse": 0.0, "mae": 0.0, "r2": 0.0}
    error = p - y
    squared = error * error
    residual = squared.sum(axis=0)
    spread = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    # scikit-learn's convention for a constant target: a perfect fit scores 1, anything else 0.
    constant = np.where(residual == 0, 1.0, 0.0)
    r2_columns = np.where(spread > 0, 1.0 - residual / np.where(spread > 0, spread, 1.0), constant)
    return {"mse": float(squared.mean()), "mae": float(np.abs(error).mean()), "r2": float(r2_columns.mean())}


def _numpy(values: torch.Tensor | np.ndarray) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=np.float64)


class OutputScorer:
    """Turns one Output's logits into what its metrics need, and its collected predictions into scores.

    Classification outputs keep one class code per sample, regression outputs their predicted values, so
    a whole epoch costs one small tensor write per batch and one calculation at the end.
    """

    def __init__(self, config: OutputConfig, activation: nn.Module) -> None:
        self.config = config
        self.activation = activation
        self.classification = config.task in ("multiclass", "binary")
        self.classes = 2 if config.task == "binary" else config.units
        name = config.activation
        # A linear output trained with binary cross-entropy holds logits: read them through a sigmoid.
        self._binary_through_sigmoid = name == "sigmoid" or (
            name == "linear" and config.loss == "binary_cross_entropy")
        # Monotonic activations keep the largest score the largest, so argmax can skip computing them.
        self._argmax_on_logits = name in ("softmax", "linear", "sigmoid", "tanh", "leaky_relu", "elu")

    def decide(self, logits: torch.Tensor) -> torch.Tensor:
        """Class codes (classification) or predicted values (regression) for a batch; no gradient."""
        logits = logits.detach()
        if self.config.task == "binary":
            # Keras' rule: yes when the output is strictly above 0.5 (so a sigmoid of exactly 0.5 says no).
            scores = torch.sigmoid(logits) if self._binary_through_sigmoid else self.activation(logits)
            return (scores.reshape(-1) > 0.5).long()
        if self.config.task == "multiclass":
            return (logits if self._argmax_on_logits else self.activation(logits)).argmax(dim=-1)
        return self.activation(logits)

    def empty_buffer(self, size: int, device: torch.device) -> torch.Tensor:
        if self.classification:
            return torch.empty(size, dtype=torch.long, device=device)
        return torch.empty(size, self.config.units, dtype=torch.float32, device=device)

    def matrix(self, targets: torch.Tensor, decisions: torch.Tensor) -> Optional[torch.Tensor]:
        if not self.classification or targets.is_floating_point():
            return None
        return confusion_matrix(targets, decisions, self.classes)

    def scores(self, targets: torch.Tensor, decisions: torch.Tensor,
               with_confusion_matrix: bool = False) -> dict[str, float | list]:
        """The Output's chosen metrics; metrics that do not fit its task are left out."""
        results: dict[str, float | list] = {}
        if self.classification:
            matrix = self.matrix(targets, decisions)
            if matrix is None:
                return results
            scores = classification_scores(matrix)
            results.update({m: scores[m] for m in self.config.metrics if m in scores})
            if with_confusion_matrix:
                results["confusion_matrix"] = matrix.cpu().tolist()
        else:
            scores = regression_scores(targets.reshape(decisions.shape), decisions)
            results.update({m: scores[m] for m in self.config.metrics if m in scores})
        return results
