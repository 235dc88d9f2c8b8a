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


# Up to this many rows a confusion matrix is counted in plain Python: for the few rows of a teaching data set
# that costs less than the handful of numpy or torch calls it would otherwise take.
SMALL_ROWS = 256
# Up to this many classes the scores are worked out in plain Python: the same numbers as numpy's (its sums run
# left to right below 8 values, as these do), without numpy's cost per call, which was most of a tiny
# network's epoch (a 2-8-1 XOR network does one 4-row step per epoch).
SMALL_MATRIX_CLASSES = 7
_HALF = torch.tensor(0.5)


def small_classification_scores(rows: list[list[int]]) -> dict[str, float]:
    """classification_scores for a confusion matrix given as rows of whole counts (at most 7 classes)."""
    actual = [sum(row) for row in rows]
    predicted = [sum(column) for column in zip(*rows)]
    found_rows = [row[i] for i, row in enumerate(rows)]
    total = sum(actual)
    hits = sum(found_rows)
    precision_sum = recall_sum = f1_sum = 0.0
    present = 0
    for found, true_rows, predicted_rows in zip(found_rows, actual, predicted):
        if true_rows + predicted_rows == 0:
            continue  # a class in neither the targets nor the predictions is left out of the macro average
        present += 1
        precision = found / predicted_rows if predicted_rows > 0 else 0.0
        recall = found / true_rows if true_rows > 0 else 0.0
        both = precision + recall
        f1_sum += 2 * precision * recall / both if both > 0 else 0.0
        precision_sum += precision
        recall_sum += recall
    present = max(present, 1)
    return {"accuracy": hits / total if total > 0 else 0.0, "precision": precision_sum / present,
            "recall": recall_sum / present, "f1": f1_sum / present}


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
        if logits.requires_grad:
            logits = logits.detach()
        if self.config.task == "binary":
            # Keras' rule: yes when the output is strictly above 0.5 (so a sigmoid of exactly 0.5 says no).
            # True/False serve as the codes 1/0 (bool is a number in Python, numpy and torch alike), and the
            # 0.5 as a tensor: torch compares to a tensor three times faster than to a Python number.
            scores = torch.sigmoid(logits) if self._binary_through_sigmoid else self.activation(logits)
            return scores.reshape(-1) > _HALF
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
        if targets.device.type == "cpu" and decisions.device.type == "cpu":
            # numpy's bincount: the same counts for a fraction of torch's cost per call on small data
            codes = np.asarray(targets.reshape(-1).numpy(), dtype=np.int64) * self.classes
            codes += np.asarray(decisions.reshape(-1).numpy(), dtype=np.int64)
            counts = np.bincount(codes, minlength=self.classes * self.classes)
            return torch.from_numpy(counts.reshape(self.classes, self.classes))
        return confusion_matrix(targets, decisions, self.classes)

    def _small_counts(self, targets: torch.Tensor, decisions: torch.Tensor) -> Optional[list[list[int]]]:
        """The confusion matrix as rows of counts, worked out in Python for a few CPU rows; None otherwise."""
        if not self.classification or self.classes > SMALL_MATRIX_CLASSES or not targets.is_cpu \
                or not decisions.is_cpu or targets.numel() > SMALL_ROWS or targets.is_floating_point():
            return None
        classes = self.classes
        # Class codes come as one row of numbers; reshaping them anyway would cost a call each.
        true_classes = (targets if targets.dim() == 1 else targets.reshape(-1)).tolist()
        predicted_classes = (decisions if decisions.dim() == 1 else decisions.reshape(-1)).tolist()
        if true_classes and min(min(true_classes), min(predicted_classes)) < 0:
            return None  # torch's count refuses negative codes in words of its own; Python would wrap them
        counts = [[0] * classes for _ in range(classes)]
        for true, predicted in zip(true_classes, predicted_classes):
            counts[true][predicted] += 1
        return counts

    def scores(self, targets: torch.Tensor, decisions: torch.Tensor,
               with_confusion_matrix: bool = False) -> dict[str, float | list]:
        """The Output's chosen metrics; metrics that do not fit its task are left out."""
        results: dict[str, float | list] = {}
        if self.classification:
            counts = self._small_counts(targets, decisions)
            matrix = self.matrix(targets, decisions) if counts is None else None
            if counts is None and matrix is None:
                return results
            if counts is None and self.classes <= SMALL_MATRIX_CLASSES:
                counts = matrix.tolist()
            scores = classification_scores(matrix) if counts is None else small_classification_scores(counts)
            results.update({m: scores[m] for m in self.config.metrics if m in scores})
            if with_confusion_matrix:
                results["confusion_matrix"] = counts if counts is not None else matrix.cpu().tolist()
        else:
            scores = regression_scores(targets.reshape(decisions.shape), decisions)
            results.update({m: scores[m] for m in self.config.metrics if m in scores})
        return results
