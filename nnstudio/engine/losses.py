"""Loss functions per Output: computed on logits where a fused, numerically stable form exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn
from torch.nn import functional as F

from nnstudio.core.i18n import tr
from nnstudio.core.layers import OutputConfig

# Keeps log() away from zero when a loss must work on probabilities rather than logits.
_EPSILON = 1e-7

LossFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class OutputLoss:
    """How one Output is scored: `function(logits, prepared_target)` -> mean loss over the batch."""

    config: OutputConfig
    function: LossFunction
    prepare_target: Callable[[torch.Tensor], torch.Tensor]  # run once per dataset, not per batch


def make_output_loss(config: OutputConfig, activation: nn.Module) -> OutputLoss:
    """Pick the loss for an Output from its resolved configuration and final activation."""
    loss, name = config.loss, config.activation
    if loss == "cross_entropy":
        if name in ("softmax", "linear"):
            # softmax + log + NLL fused into one stable step; a linear output is read as logits.
            return OutputLoss(config, F.cross_entropy, _class_codes)

        def cross_entropy_on_probabilities(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            scores = activation(logits)
            probabilities = scores / scores.sum(dim=-1, keepdim=True).clamp_min(_EPSILON)
            return F.nll_loss(torch.log(probabilities.clamp_min(_EPSILON)), target)

        return OutputLoss(config, cross_entropy_on_probabilities, _class_codes)
    if loss == "binary_cross_entropy":
        prepare = _binary_float(config.units)
        if name in ("sigmoid", "linear"):
            return OutputLoss(config, F.binary_cross_entropy_with_logits, prepare)

        def binary_cross_entropy_on_probabilities(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            probabilities = activation(logits).clamp(_EPSILON, 1.0 - _EPSILON)
            return F.binary_cross_entropy(probabilities, target)

        return OutputLoss(config, binary_cross_entropy_on_probabilities, prepare)
    if loss in ("mse", "mae"):
        distance = F.mse_loss if loss == "mse" else F.l1_loss

        def regression_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            return distance(activation(logits), target)

        return OutputLoss(config, regression_loss, _regression_float(config.units))
    raise ValueError(tr("unknown loss {name!r}", name=loss))


def _class_codes(target: torch.Tensor) -> torch.Tensor:
    if target.is_floating_point():
        return target  # class probabilities (soft labels) are accepted by cross_entropy as they are
    return target.reshape(-1).long()


def _binary_float(units: int) -> Callable[[torch.Tensor], torch.Tensor]:
    def prepare(target: torch.Tensor) -> torch.Tensor:
        return target.reshape(target.shape[0], units).float()
    return prepare


def _regression_float(units: int) -> Callable[[torch.Tensor], torch.Tensor]:
    def prepare(target: torch.Tensor) -> torch.Tensor:
        if not target.is_floating_point() and units > 1:
            # Class codes scored with mse/mae: compare the outputs to one-hot rows.
            return F.one_hot(target.reshape(-1).long(), units).float()
        return target.reshape(target.shape[0], units).float()
    return prepare
