"""Scores of whole-epoch predictions: class decisions and the confusion matrix in torch (on the training
device, batch by batch), the numbers themselves from nnstudio.core.metrics."""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch
from torch import nn

from nnstudio.core import metrics as core_metrics
from nnstudio.core.layers import OutputConfig


def confusion_matrix(targets: torch.Tensor, predictions: torch.Tensor, classes: int) -> torch.Tensor:
    """Counts with true classes as rows and predicted classes as columns (int64, on the inputs' device)."""
    targets = targets.reshape(-1).long()
    predictions = predictions.reshape(-1).long()
    return torch.bincount(targets * classes + predictions, minlength=classes * classes).reshape(classes, classes)


def classification_scores(matrix: torch.Tensor | np.ndarray) -> dict[str, float]:
    """Accuracy and macro-averaged precision, recall and F1 from a confusion matrix (nnstudio.core.metrics).

    Numpy, because these are a handful of numbers and each torch call costs more than the arithmetic."""
    return core_metrics.classification_scores(_numpy(matrix))


def regression_scores(targets: torch.Tensor | np.ndarray, predictions: torch.Tensor | np.ndarray
                      ) -> dict[str, float]:
    """Mean squared error, mean absolute error and R² averaged over output columns (nnstudio.core.metrics)."""
    return core_metrics.regression_scores(_numpy(targets), _numpy(predictions))


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
        self.classification = config.task in core_metrics.CLASSIFICATION_TASKS
        self.classes = 2 if config.task == "binary" else config.units
        name = config.activation
        # A linear output trained with binary cross-entropy holds logits: read them through a sigmoid.
        self._binary_through_sigmoid = name == "sigmoid" or core_metrics.holds_logits(config)
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
