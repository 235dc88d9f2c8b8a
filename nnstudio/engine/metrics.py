"""Scores from whole-epoch predictions: accuracy, macro precision/recall/F1, confusion matrix, MSE, MAE, R²."""

from __future__ import annotations

from typing import Optional

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


def classification_scores(matrix: torch.Tensor) -> dict[str, float]:
    """Accuracy and macro-averaged precision, recall and F1 from a confusion matrix.

    Like scikit-learn, the macro average runs over the classes that occur in the targets or the
    predictions, and a score whose denominator is zero counts as 0.
    """
    counts = matrix.detach().to("cpu", torch.float64)
    total = counts.sum()
    true_positive = counts.diagonal()
    actual = counts.sum(dim=1)
    predicted = counts.sum(dim=0)
    present = (actual + predicted) > 0
    precision = torch.where(predicted > 0, true_positive / predicted.clamp_min(1), torch.zeros_like(actual))
    recall = torch.where(actual > 0, true_positive / actual.clamp_min(1), torch.zeros_like(actual))
    denominator = precision + recall
    f1 = torch.where(denominator > 0, 2 * precision * recall / denominator.clamp_min(1e-300),
                     torch.zeros_like(actual))
    classes_present = max(int(present.sum()), 1)
    return {
        "accuracy": float(true_positive.sum() / total) if total > 0 else 0.0,
        "precision": float(precision[present].sum()) / classes_present,
        "recall": float(recall[present].sum()) / classes_present,
        "f1": float(f1[present].sum()) / classes_present,
    }


def regression_scores(targets: torch.Tensor, predictions: torch.Tensor) -> dict[str, float]:
    """Mean squared error, mean absolute error and R² (averaged over output columns), in float64."""
    y = targets.detach().to("cpu", torch.float64).reshape(targets.shape[0], -1)
    p = predictions.detach().to("cpu", torch.float64).reshape(y.shape)
    error = p - y
    mse = float((error * error).mean()) if error.numel() else 0.0
    mae = float(error.abs().mean()) if error.numel() else 0.0
    residual = (error * error).sum(dim=0)
    spread = ((y - y.mean(dim=0)) ** 2).sum(dim=0)
    # scikit-learn's convention for a constant target: a perfect fit scores 1, anything else 0.
    r2_columns = torch.where(spread > 0, 1.0 - residual / spread.clamp_min(1e-300),
                             torch.where(residual == 0, torch.ones_like(spread), torch.zeros_like(spread)))
    return {"mse": mse, "mae": mae, "r2": float(r2_columns.mean()) if r2_columns.numel() else 0.0}


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
        # For these activations the decision can be read off the logits without computing the activation.
        self._binary_on_logits = name in ("sigmoid", "step", "tanh", "sign") or (
            name == "linear" and config.loss == "binary_cross_entropy")
        self._argmax_on_logits = name in ("softmax", "linear", "sigmoid", "tanh", "leaky_relu", "elu")

    def decide(self, logits: torch.Tensor) -> torch.Tensor:
        """Class codes (classification) or predicted values (regression) for a batch; no gradient."""
        logits = logits.detach()
        if self.config.task == "binary":
            if self._binary_on_logits:
                return (logits.reshape(-1) >= 0).long()
            return (self.activation(logits).reshape(-1) >= 0.5).long()
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
