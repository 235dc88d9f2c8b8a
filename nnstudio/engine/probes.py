"""Look inside a trained network on its training data: ReLU units that never fire, gradient sizes, input scales."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional

import numpy as np
import torch
from torch import nn

if TYPE_CHECKING:
    from .training import PartLike, Trainer

STATISTICS_ROWS = 4096   # rows per block when the input statistics are summed up


@dataclass(frozen=True)
class UnitActivity:
    """For one ReLU layer: how many of its units gave 0 for every training sample (dead units)."""

    layer: str
    units: int
    dead: int

    @property
    def dead_share(self) -> float:
        return self.dead / self.units if self.units else 0.0


@dataclass(frozen=True)
class LayerGradient:
    """The size of one layer's weight gradient on a training batch: its norm and root-mean-square per weight."""

    layer: str
    norm: float
    rms: float      # norm / √(number of weights): comparable between layers of different sizes
    weights: int


@dataclass(frozen=True)
class FeatureStats:
    """Mean, spread and range of each feature of one Input, as the network receives it."""

    input_name: str
    means: np.ndarray
    stds: np.ndarray
    minimums: np.ndarray
    maximums: np.ndarray


@dataclass
class Probes:
    """Everything measured on the trained model for the diagnostics."""

    relu: list[UnitActivity]
    gradients: list[LayerGradient]
    inputs: list[FeatureStats]


def _layer_of(module_name: str) -> str:
    """'layers.hidden.activation' -> 'hidden' (the node name), other paths unchanged."""
    parts = module_name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "layers" else module_name


def _plan_order(model: nn.Module) -> list[str]:
    plan = getattr(model, "plan", None)
    return [step.name for step in plan] if plan else []


def relu_activity(model: nn.Module, inputs: list[torch.Tensor], batch_size: int = 4096) -> list[UnitActivity]:
    """Run the samples through the model with forward hooks on every ReLU; a unit never above 0 is dead."""
    alive: dict[str, torch.Tensor] = {}
    hooks = []

    def watch(name: str):
        def hook(module: nn.Module, args: Any, output: torch.Tensor) -> None:
            fired = (output.detach() > 0).reshape(-1, output.shape[-1]).any(dim=0)
            alive[name] = fired if name not in alive else alive[name] | fired
        return hook

    for name, module in model.named_modules():
        if isinstance(module, nn.ReLU):
            hooks.append(module.register_forward_hook(watch(name)))
    was_training = model.training
    model.eval()
    try:
        size = inputs[0].shape[0] if inputs else 0
        with torch.no_grad():
            for start in range(0, size, batch_size):
                model(*[x[start:start + batch_size] for x in inputs])
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    order = {name: i for i, name in enumerate(_plan_order(model))}
    result = [UnitActivity(_layer_of(name), int(fired.numel()), int((~fired).sum()))
              for name, fired in alive.items()]
    return sorted(result, key=lambda a: order.get(a.layer, len(order)))


def gradient_norms(trainer: "Trainer", part: "PartLike", batch_size: Optional[int] = None) -> list[LayerGradient]:
    """One forward and backward pass on the first training batch; each weighted layer's gradient size.

    The gradients the model had are put back afterwards (the Weights panel shows the last training batch's), so
    training state (and the optimizer) are not disturbed.
    """
    model = trainer.model
    data = trainer.prepare(part)
    rows = min(data.size, batch_size or max(trainer.settings.batch_size, 64))
    was_training = model.training
    model.eval()  # no dropout noise in the measurement
    kept = [(parameter, parameter.grad) for parameter in model.parameters()]
    for parameter in model.parameters():
        parameter.grad = None
    try:
        outputs = model.forward_logits(*[x[:rows] for x in data.inputs])
        loss = sum(weight * loss_function.function(output, target[:rows])
                   for weight, loss_function, output, target in
                   zip(trainer.loss_weights, trainer.losses, outputs, data.loss_targets))
        loss.backward()
        order = _plan_order(model)
        result = []
        for name in order:
            module = model.layers[name]
            weight = getattr(module, "weight", None)
            if not isinstance(weight, torch.Tensor) or weight.grad is None or weight.ndim != 2:
                continue
            norm = float(weight.grad.double().norm())
            result.append(LayerGradient(name, norm, norm / math.sqrt(weight.numel()), int(weight.numel())))
        return result
    finally:
        for parameter, grad in kept:
            parameter.grad = grad
        model.train(was_training)


def input_statistics(inputs: Mapping[str, np.ndarray], names: Optional[Mapping[str, str]] = None
                     ) -> list[FeatureStats]:
    """Per-feature mean, standard deviation, minimum and maximum of each Input's (prepared) training values."""
    stats = []
    for key, values in inputs.items():
        array = np.asarray(values)
        array = array.reshape(array.shape[0], -1)
        if array.shape[0] == 0:
            continue
        mean, std = _mean_and_std(array)
        stats.append(FeatureStats((names or {}).get(key, key), mean, std,
                                  array.min(axis=0).astype(np.float64), array.max(axis=0).astype(np.float64)))
    return stats


def _mean_and_std(array: np.ndarray, rows: int = STATISTICS_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and standard deviation in float64, a block of rows at a time: a float64 copy of a
    60,000×784 training set (and numpy's temporaries for std) would take over 700 MB at once."""
    total = np.zeros(array.shape[1])
    for start in range(0, array.shape[0], rows):
        total += array[start:start + rows].sum(axis=0, dtype=np.float64)
    mean = total / array.shape[0]
    squares = np.zeros(array.shape[1])
    for start in range(0, array.shape[0], rows):
        squares += np.square(array[start:start + rows].astype(np.float64) - mean).sum(axis=0)
    return mean, np.sqrt(squares / array.shape[0])


def probe(trainer: "Trainer", train: "PartLike") -> Probes:
    """Measure the trained model on its training data: ReLU activity, gradient norms and input statistics."""
    data = trainer.prepare(train)
    return Probes(relu_activity(trainer.model, data.inputs),
                  gradient_norms(trainer, train),
                  input_statistics(dict(train.inputs), trainer.model.node_names))


__all__ = ["FeatureStats", "LayerGradient", "Probes", "UnitActivity", "gradient_norms", "input_statistics",
           "probe", "relu_activity"]
