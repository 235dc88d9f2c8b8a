"""The perceptron rule as a training method of the Trainer (settings.method == "perceptron")."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np
import torch
from torch import nn

from nnstudio.core.teaching.perceptron import PERCEPTRON_ACTIVATIONS, PerceptronTrainer

from .callbacks import Callback

if TYPE_CHECKING:
    from .training import History, PartLike, Trainer


def perceptron_layer(trainer: "Trainer") -> tuple[nn.Module, str]:
    """The one weighted layer the rule trains (the Output) and its activation; ValueError in plain words."""
    model = trainer.model
    if len(model.output_ids) != 1:
        raise ValueError("The perceptron rule trains a network with one Output.")
    output_id = model.output_ids[0]
    config = model.output_configs[output_id]
    weighted = [name for name, module in model.layers.items() if getattr(module, "weight", None) is not None]
    if weighted != [model.node_names[output_id]]:
        raise ValueError("The perceptron rule trains a single layer: connect the Input (through Flatten if "
                         "needed) straight to the Output, or choose gradient descent for hidden layers.")
    if config.activation not in PERCEPTRON_ACTIVATIONS:
        raise ValueError(f"The perceptron rule needs a step or sign output, but the Output uses "
                         f"{config.activation}: set its activation to step, or choose gradient descent.")
    if config.task not in ("binary", "multiclass"):
        raise ValueError("The perceptron rule sorts samples into classes: set the Output's task to binary or "
                         "multiclass.")
    return model.layers[model.node_names[output_id]], config.activation


def _rule_targets(codes: torch.Tensor, units: int, activation: str) -> np.ndarray:
    """Class codes as the 0/1 (step) or −1/1 (sign) value each output neuron should give."""
    values = codes.detach().to("cpu").numpy()
    if values.ndim == 2:  # class probabilities: take the most likely class
        values = values.argmax(axis=1)
    values = values.reshape(-1).astype(np.int64)
    wanted = values.reshape(-1, 1).astype(np.float64) if units == 1 else np.eye(units)[values]
    return wanted * 2.0 - 1.0 if activation == "sign" else wanted


def _error_rate(rule: PerceptronTrainer, inputs: np.ndarray, wanted: np.ndarray) -> float:
    wrong = np.any(rule.predict(inputs) != wanted, axis=1)
    return float(wrong.mean()) if len(wrong) else 0.0


def fit_perceptron(trainer: "Trainer", train: "PartLike", validation: Optional["PartLike"],
                   callbacks: Sequence[Callback], stop_event: Optional[threading.Event]) -> "History":
    """Sample-by-sample perceptron updates; logs per epoch: loss = share of samples wrong, accuracy, mistakes."""
    from .training import History

    layer, activation = perceptron_layer(trainer)
    settings = trainer.settings
    stop = stop_event if stop_event is not None else trainer._own_stop_event
    trainer.stop_training, trainer._stop_reason = False, None
    train_data = trainer._tensors(train)
    if validation is not None:
        validation_data = trainer._tensors(validation)
    elif settings.validation_split > 0:
        train_data, validation_data = trainer._split(train_data, settings.validation_split)
    else:
        validation_data = None
    units = layer.weight.shape[0]

    def arrays(data) -> tuple[np.ndarray, np.ndarray]:
        inputs = data.inputs[0].detach().to("cpu", torch.float64).reshape(data.size, -1).numpy()
        return inputs, _rule_targets(data.targets[0], units, activation)

    X, Y = arrays(train_data)
    validation_arrays = arrays(validation_data) if validation_data is not None else None
    bias = None if layer.bias is None else layer.bias.detach().to("cpu", torch.float64).numpy()
    rule = PerceptronTrainer(layer.weight.detach().to("cpu", torch.float64).numpy(), bias,
                             settings.learning_rate, activation)
    all_callbacks = trainer._standard_callbacks() + list(callbacks)
    for callback in all_callbacks:
        callback.set_trainer(trainer)
        callback.on_train_begin({})
    history = History()
    trainer.history = history
    rng = np.random.default_rng(settings.seed)
    converged_at: Optional[int] = None
    logs: dict[str, float] = {}
    for epoch in range(1, settings.epochs + 1):
        if stop.is_set() or trainer.stop_training:
            trainer._stop_reason = trainer._stop_reason or "stopped"
            break
        for callback in all_callbacks:
            callback.on_epoch_begin(epoch, {})
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
        history.record(epoch, logs)
        history.batch_losses.append(float(result.mistakes) / max(len(X), 1))
        for callback in all_callbacks:
            callback.on_epoch_end(epoch, logs)
        if result.converged:
            converged_at = epoch
            break
    for callback in all_callbacks:
        callback.on_train_end(dict(logs))
    history.stop_reason = trainer._stop_reason or "completed"
    history.best_epoch = trainer._best_epoch(history)
    if converged_at is not None:
        history.message = (f"The perceptron converged after {converged_at} epoch(s): a whole pass over the data "
                           "made no mistake.")
    elif history.stop_reason == "completed":
        history.message = (f"The perceptron did not converge in {settings.epochs} epochs: some samples are still "
                           "wrong. If no straight line separates the classes (like XOR), a single layer cannot "
                           "learn them; add a hidden layer and use gradient descent.")
    else:
        history.message = trainer._final_message(history)
    return history
