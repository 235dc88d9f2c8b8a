"""The perceptron rule as a training method of the Trainer (settings.method == "perceptron")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np
import torch
from torch import nn

from ..core.i18n import tr
from ..core.teaching.perceptron import PERCEPTRON_ACTIVATIONS, PerceptronTrainer, rule_targets

from .training_data import PreparedPart
from .training_method import TrainingMethod, TrainingRun

if TYPE_CHECKING:
    from .training import Trainer


def perceptron_layer(trainer: "Trainer") -> tuple[nn.Module, str]:
    """The one weighted layer the rule trains (the Output) and its activation; ValueError in plain words."""
    model = trainer.model
    if len(model.output_ids) != 1:
        raise ValueError(tr("The perceptron rule trains a network with one Output."))
    output_id = model.output_ids[0]
    config = model.output_configs[output_id]
    weighted = [name for name, module in model.layers.items() if getattr(module, "weight", None) is not None]
    if weighted != [model.node_names[output_id]]:
        raise ValueError(tr("The perceptron rule trains a single layer: connect the Input (through Flatten if "
                            "needed) straight to the Output, or choose gradient descent for hidden layers."))
    if config.activation not in PERCEPTRON_ACTIVATIONS:
        raise ValueError(tr("The perceptron rule needs a step or sign output, but the Output uses {activation}: set "
                            "its activation to step, or choose gradient descent.", activation=config.activation))
    if config.task not in ("binary", "multiclass"):
        raise ValueError(tr("The perceptron rule sorts samples into classes: set the Output's task to binary or "
                            "multiclass."))
    return model.layers[model.node_names[output_id]], config.activation


def _error_rate(rule: PerceptronTrainer, inputs: np.ndarray, wanted: np.ndarray) -> float:
    wrong = np.any(rule.predict(inputs) != wanted, axis=1)
    return float(wrong.mean()) if len(wrong) else 0.0


class PerceptronRule(TrainingMethod):
    """Sample-by-sample perceptron updates; logs per epoch: loss = share of samples wrong, accuracy, mistakes."""

    name = "perceptron"

    def __init__(self) -> None:
        self.converged_at: Optional[int] = None

    def check(self, trainer: "Trainer") -> None:
        perceptron_layer(trainer)

    def run(self, run: TrainingRun) -> dict[str, float]:
        trainer, settings = run.trainer, run.trainer.settings
        layer, activation = perceptron_layer(trainer)
        units = layer.weight.shape[0]

        def arrays(data: PreparedPart) -> tuple[np.ndarray, np.ndarray]:
            inputs = data.inputs[0].detach().to("cpu", torch.float64).reshape(data.size, -1).numpy()
            return inputs, rule_targets(data.targets[0].detach().to("cpu").numpy(), units, activation)

        X, Y = arrays(run.train)
        validation_arrays = arrays(run.validation) if run.validation is not None else None
        bias = None if layer.bias is None else layer.bias.detach().to("cpu", torch.float64).numpy()
        rule = PerceptronTrainer(layer.weight.detach().to("cpu", torch.float64).numpy(), bias,
                                 settings.learning_rate, activation)
        rng = np.random.default_rng(settings.seed)
        self.converged_at = None
        logs: dict[str, float] = {}
        for epoch in run.epochs():
            result = rule.epoch(X, Y, rng.permutation(len(X)) if settings.shuffle else None)
            if layer.bias is None:
                rule.bias[:] = 0.0  # a layer without bias keeps its threshold at 0
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(rule.weights))
                if layer.bias is not None:
                    layer.bias.copy_(torch.from_numpy(rule.bias))
            error = _error_rate(rule, X, Y)
            logs = {"loss": error, "accuracy": 1.0 - error, "mistakes": float(result.mistakes)}
            if validation_arrays is not None:
                val_error = _error_rate(rule, *validation_arrays)
                logs.update(val_loss=val_error, val_accuracy=1.0 - val_error)
            run.history.batch_losses.append(float(result.mistakes) / max(len(X), 1))
            run.epoch_end(epoch, logs)
            if result.converged:
                self.converged_at = epoch
                break
        return logs

    def message(self, run: TrainingRun) -> str:
        if self.converged_at is not None:
            return tr("The perceptron converged after {epochs} epoch(s): a whole pass over the data made no mistake.",
                      epochs=self.converged_at)
        if run.history.stop_reason == "completed":
            return tr("The perceptron did not converge in {epochs} epochs: some samples are still wrong. If no "
                      "straight line separates the classes (like XOR), a single layer cannot learn them; add a "
                      "hidden layer and use gradient descent.", epochs=run.trainer.settings.epochs)
        return ""


__all__ = ["PerceptronRule", "perceptron_layer"]
