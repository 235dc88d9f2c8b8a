"""One backpropagation update on a small network, phase by phase, in float64 numbers that match torch autograd.

Loss conventions (N samples in the batch, k output neurons; every one equals the torch expression named):

- ``squared_error``: E = (1/N) Σ_samples ½ Σ_outputs (t − a)²  — the textbook (and Matt Mazur's) squared error,
  averaged over the samples. torch: ``0.5 * ((a - t) ** 2).sum(dim=1).mean()``.  ∂E/∂a = (a − t) / N.
- ``mse``: E = (1/(N·k)) Σ (t − a)²  — what training uses. torch: ``F.mse_loss(a, t)``.  ∂E/∂a = 2(a − t)/(N·k).
- ``mae``: E = (1/(N·k)) Σ |t − a|. torch: ``F.l1_loss(a, t)``.  ∂E/∂a = sign(a − t)/(N·k).
- ``cross_entropy``: softmax output (or a linear output read as scores), one-hot targets (class codes are
  turned into one-hot rows): E = −(1/N) Σ Σ t·log p. torch: ``F.cross_entropy(z, t)``.  δ = (p − t)/N.
- ``binary_cross_entropy``: sigmoid output (or linear scores): E = −(1/(N·k)) Σ [t log p + (1−t) log(1−p)].
  torch: ``F.binary_cross_entropy_with_logits(z, t)``.  δ = (p − t)/(N·k).

A delta is δ = ∂E/∂z for the batch error E above (so with a batch it already carries the 1/N); a weight's
gradient sums δ·input over the samples; the update is w ← w − α·∂E/∂w for every weight and bias.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

import numpy as np

from ..i18n import N_, tr
from .neuron_math import (DenseLayer, ForwardPass, NetworkError, SmallNetwork, activate, activation_slope,
                          backward_through_activation, format_number, softmax)

LOSSES: dict[str, str] = {
    "squared_error": N_("Squared error E = ½ Σ (target − output)², averaged over the samples"),
    "mse": N_("Mean squared error: the average of (target − output)² over samples and outputs"),
    "mae": N_("Mean absolute error: the average of |target − output| over samples and outputs"),
    "cross_entropy": N_("Cross-entropy: −Σ target·log(probability), averaged over the samples"),
    "binary_cross_entropy": N_("Binary cross-entropy: −[t·log p + (1 − t)·log(1 − p)], averaged"),
}
# Losses that read the last layer's z as scores and apply their own squashing function.
_SCORE_LOSSES = {"cross_entropy": ("softmax", "linear"), "binary_cross_entropy": ("sigmoid", "linear")}

PHASE_KINDS = ("forward", "error", "backward", "gradients", "update")


@dataclass(frozen=True)
class Phase:
    """One stop of the stepper: what is computed (kind), for which layer, in plain words, with the numbers."""

    kind: str                  # forward, error, backward, gradients, update
    layer: Optional[int]       # index into network.layers; None for the error
    title: str
    description: str
    values: dict[str, np.ndarray] = field(default_factory=dict)


def _one_hot_if_codes(targets: np.ndarray, units: int) -> np.ndarray:
    if targets.ndim == 1 and units > 1:
        codes = targets.astype(np.int64)
        if np.any(codes != targets) or np.any(codes < 0) or np.any(codes >= units):
            raise ValueError(tr("class codes must be whole numbers from 0 to {last}", last=units - 1))
        return np.eye(units)[codes]
    return targets.reshape(targets.shape[0] if targets.ndim else 1, units)


def _factor(value: float) -> str:
    """A number inside a product: negative ones in brackets, so '0.5·(−0.04)' is not misread."""
    text = format_number(value)
    return f"({text})" if value < 0 else text


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class BackpropStep:
    """Forward pass, error, backward pass, gradients and update for one batch, computed when created.

    `phases` lists them in order so a GUI can step forward and back; `new_network` holds the updated weights.
    The given network is not changed.
    """

    def __init__(self, network: SmallNetwork, inputs: Union[np.ndarray, Sequence], targets: Union[np.ndarray, Sequence],
                 loss: Optional[str] = None, learning_rate: float = 0.5) -> None:
        self.network = network
        self.loss = loss or network.loss
        if self.loss not in LOSSES:
            raise ValueError(tr("unknown loss {loss}; choose one of {choices}", loss=repr(self.loss),
                                choices=", ".join(LOSSES)))
        self.learning_rate = float(learning_rate)
        last = network.layers[-1]
        if self.loss in _SCORE_LOSSES and last.activation not in _SCORE_LOSSES[self.loss]:
            wanted = _SCORE_LOSSES[self.loss][0]
            raise NetworkError(tr("{loss} needs a {wanted} output, but '{layer}' uses {activation}: set the output "
                                  "activation to {wanted}", loss=self.loss.replace("_", " "), wanted=wanted,
                                  layer=last.name, activation=last.activation))
        self.inputs = np.array(inputs, dtype=np.float64, ndmin=2)
        raw_targets = np.asarray(targets, dtype=np.float64)
        if raw_targets.ndim == 0 or (raw_targets.ndim == 1 and self.inputs.shape[0] == 1 and last.units > 1
                                     and raw_targets.size == last.units):
            raw_targets = raw_targets.reshape(1, -1)  # one sample's targets given as a flat list
        if self.loss == "cross_entropy":
            self.targets = _one_hot_if_codes(raw_targets, last.units)
        else:
            self.targets = raw_targets.reshape(self.inputs.shape[0], last.units)
        if self.targets.shape[0] != self.inputs.shape[0]:
            raise ValueError(tr("{inputs} input rows but {targets} target rows", inputs=self.inputs.shape[0],
                                targets=self.targets.shape[0]))

        self.forward: ForwardPass = network.forward(self.inputs)
        self.probabilities = self._probabilities()
        self.sample_errors, self.error = self._error()
        self.deltas = self._backward()
        previous = [self.inputs] + self.forward.outputs[:-1]
        self.weight_gradients = [d.T @ a for d, a in zip(self.deltas, previous)]
        self.bias_gradients = [None if layer.bias is None else d.sum(axis=0)
                               for layer, d in zip(network.layers, self.deltas)]
        self.new_network = network.copy()
        for layer, dw, db in zip(self.new_network.layers, self.weight_gradients, self.bias_gradients):
            layer.weights = layer.weights - self.learning_rate * dw
            if layer.bias is not None:
                layer.bias = layer.bias - self.learning_rate * db
        self.phases = self._phases()

    # ------------------------------------------------------------ the numbers
    @property
    def samples(self) -> int:
        return int(self.inputs.shape[0])

    def _probabilities(self) -> np.ndarray:
        """What the error compares with the targets: the output, or softmax/sigmoid of scores for CE losses."""
        z, a = self.forward.net_inputs[-1], self.forward.outputs[-1]
        if self.loss == "cross_entropy" and self.network.layers[-1].activation == "linear":
            return softmax(z)
        if self.loss == "binary_cross_entropy" and self.network.layers[-1].activation == "linear":
            return activate("sigmoid", z)
        return a

    def _error(self) -> tuple[np.ndarray, float]:
        """The error of each sample and of the batch (their mean)."""
        t, a, z = self.targets, self.forward.outputs[-1], self.forward.net_inputs[-1]
        k = t.shape[1]
        if self.loss == "squared_error":
            per_sample = 0.5 * ((t - a) ** 2).sum(axis=1)
        elif self.loss == "mse":
            per_sample = ((t - a) ** 2).sum(axis=1) / k
        elif self.loss == "mae":
            per_sample = np.abs(t - a).sum(axis=1) / k
        elif self.loss == "cross_entropy":
            per_sample = -(t * _log_softmax(z)).sum(axis=1)  # log p from the scores: exact and stable
        else:
            # log(1 + e^z) − t·z written so that exp never overflows
            per_sample = (np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))).sum(axis=1) / k
        return per_sample, float(per_sample.mean())

    def _output_delta(self) -> np.ndarray:
        t, a, z = self.targets, self.forward.outputs[-1], self.forward.net_inputs[-1]
        n, k = t.shape
        if self.loss in _SCORE_LOSSES:
            scale = n if self.loss == "cross_entropy" else n * k
            return (self.probabilities - t) / scale
        if self.loss == "squared_error":
            grad_a = (a - t) / n
        elif self.loss == "mse":
            grad_a = 2.0 * (a - t) / (n * k)
        else:
            grad_a = np.sign(a - t) / (n * k)
        layer = self.network.layers[-1]
        return backward_through_activation(layer.activation, z, a, grad_a)

    def _backward(self) -> list[np.ndarray]:
        """δ for every layer, from the output back to the first hidden layer (chain rule)."""
        layers = self.network.layers
        deltas: list[np.ndarray] = [np.empty(0)] * len(layers)
        deltas[-1] = self._output_delta()
        for index in range(len(layers) - 2, -1, -1):
            grad_a = deltas[index + 1] @ layers[index + 1].weights  # Σ_k w_kj δ_k: blame sent back along weights
            deltas[index] = backward_through_activation(layers[index].activation, self.forward.net_inputs[index],
                                                        self.forward.outputs[index], grad_a)
        return deltas

    # ------------------------------------------------------------ phases
    def _layer_label(self, index: int) -> str:
        layer = self.network.layers[index]
        if index == len(self.network.layers) - 1:
            return tr("output layer '{name}'", name=layer.name) if layer.name else tr("output layer")
        if layer.name:
            return tr("hidden layer {number} '{name}'", number=index + 1, name=layer.name)
        return tr("hidden layer {number}", number=index + 1)

    def _phases(self) -> list[Phase]:
        layers = self.network.layers
        phases: list[Phase] = []
        for i, layer in enumerate(layers):
            how = tr("Each neuron adds up its inputs times their weights plus its bias (z = w·x + b), then applies "
                     "{activation} to get its output a = {activation}(z).", activation=layer.activation)
            if layer.bias is None:
                how = tr("Each neuron adds up its inputs times their weights (z = w·x, no bias), then applies "
                         "{activation} to get its output a = {activation}(z).", activation=layer.activation)
            phases.append(Phase(
                "forward", i, tr("Forward: {layer}", layer=self._layer_label(i)), how,
                {"z": self.forward.net_inputs[i], "a": self.forward.outputs[i]}))
        if self.samples == 1:
            said = tr("How wrong the outputs are: {loss}. E = {error}.", loss=tr(LOSSES[self.loss]),
                      error=format_number(self.error, 9))
        else:
            said = tr("How wrong the outputs are: {loss}, averaged over the {samples} samples. E = {error}.",
                      loss=tr(LOSSES[self.loss]), samples=self.samples, error=format_number(self.error, 9))
        phases.append(Phase(
            "error", None, tr("Error"), said,
            {"output": self.probabilities, "target": self.targets, "sample_errors": self.sample_errors,
             "error": np.array(self.error)}))
        for i in range(len(layers) - 1, -1, -1):
            if i == len(layers) - 1:
                how = tr("Each output neuron's delta δ = ∂E/∂z: how much the error changes when its net input "
                         "changes — the error's slope with respect to the output times the activation's slope "
                         "{activation}'(z).", activation=layers[i].activation)
                if self.loss in _SCORE_LOSSES:
                    how = tr("Each output neuron's delta δ = ∂E/∂z; with cross-entropy on {activation} outputs the "
                             "chain rule simplifies to δ = output − target.", activation=layers[i].activation)
            else:
                how = tr("Chain rule: each neuron's delta is the sum of the next layer's deltas, each times the "
                         "weight that links them, multiplied by this neuron's activation slope {activation}'(z).",
                         activation=layers[i].activation)
            phases.append(Phase("backward", i, tr("Backward: deltas of {layer}", layer=self._layer_label(i)), how,
                                {"delta": self.deltas[i]}))
        for i in range(len(layers)):
            values = {"weight_gradient": self.weight_gradients[i]}
            if self.bias_gradients[i] is not None:
                values["bias_gradient"] = self.bias_gradients[i]
            how = tr("Each weight's gradient ∂E/∂w is the delta of the neuron it feeds times the value that travels "
                     "along it (summed over the samples); a bias's gradient is the neuron's delta.")
            if layers[i].bias is None:
                how = tr("Each weight's gradient ∂E/∂w is the delta of the neuron it feeds times the value that "
                         "travels along it (summed over the samples).")
            phases.append(Phase("gradients", i, tr("Gradients of {layer}", layer=self._layer_label(i)), how, values))
        for i, (old, new) in enumerate(zip(layers, self.new_network.layers)):
            values = {"old_weights": old.weights, "new_weights": new.weights}
            if old.bias is not None:
                values.update(old_bias=old.bias, new_bias=new.bias)
            phases.append(Phase(
                "update", i, tr("Update {layer}", layer=self._layer_label(i)),
                tr("Each weight takes a small step downhill: w ← w − α·∂E/∂w with learning rate α = {rate}.",
                   rate=format_number(self.learning_rate)), values))
        return phases

    # ------------------------------------------------------------ one neuron's arithmetic in words
    def delta_text(self, layer: int, neuron: int, sample: int = 0) -> str:
        """The chain rule for one neuron and one sample, with its numbers."""
        layers = self.network.layers
        z = self.forward.net_inputs[layer][sample, neuron]
        a = self.forward.outputs[layer][sample, neuron]
        delta = self.deltas[layer][sample, neuron]
        activation = layers[layer].activation
        if layer == len(layers) - 1 and self.loss in _SCORE_LOSSES:
            t = self.targets[sample, neuron]
            p = self.probabilities[sample, neuron]
            scale = self._batch_scale()
            return (f"δ = (p − t){scale} = ({format_number(p)} − {_factor(t)}){scale} = "
                    f"{format_number(delta)}")
        if activation == "softmax":
            return tr("δ = {delta} (through softmax, every output of the layer takes part)",
                      delta=format_number(delta))
        slope = float(activation_slope(activation, z))
        if layer == len(layers) - 1:
            t = self.targets[sample, neuron]
            grad = {"squared_error": "(a − t)", "mse": "2(a − t)", "mae": "sign(a − t)"}[self.loss]
            return (f"δ = ∂E/∂a · {activation}'(z) = {grad}{self._batch_scale()} · {activation}'(z) = "
                    f"({format_number(a)} − {_factor(t)}){self._batch_scale()} · {format_number(slope)} = "
                    f"{format_number(delta)}")
        following = layers[layer + 1]
        terms = " + ".join(f"{_factor(following.weights[k, neuron])}·{_factor(self.deltas[layer + 1][sample, k])}"
                           for k in range(following.units))
        return tr("δ = (Σ w·δ of the next layer) · {activation}'(z) = ({terms}) · {slope} = {delta}",
                  activation=activation, terms=terms, slope=format_number(slope), delta=format_number(delta))

    def _batch_scale(self) -> str:
        n, k = self.targets.shape
        if self.loss in ("mse", "mae", "binary_cross_entropy"):
            return f" / {n * k}" if n * k > 1 else ""
        return f" / {n}" if n > 1 else ""

    def update_text(self, layer: int, neuron: int, source: Optional[int]) -> str:
        """w ← w − α·∂E/∂w for one weight (source = input index) or the bias (source None), with numbers."""
        old, new = self.network.layers[layer], self.new_network.layers[layer]
        if source is None:
            if old.bias is None:
                return tr("this layer has no biases")
            w, grad, w_new, name = old.bias[neuron], self.bias_gradients[layer][neuron], new.bias[neuron], "b"
        else:
            w, grad = old.weights[neuron, source], self.weight_gradients[layer][neuron, source]
            w_new, name = new.weights[neuron, source], "w"
        return (f"{name} ← {name} − α·∂E/∂{name} = {format_number(w)} − {format_number(self.learning_rate)}·"
                f"{_factor(grad)} = {format_number(w_new)}")


# Matt Mazur's worked example ("A Step by Step Backpropagation Example"), the curriculum's reference numbers.
CLASSIC_INPUTS = (0.05, 0.10)
CLASSIC_TARGETS = (0.01, 0.99)
CLASSIC_RATE = 0.5


def classic_network() -> SmallNetwork:
    """Mazur's 2-2-2 network: 2 inputs, 2 sigmoid hidden neurons, 2 sigmoid outputs, squared error."""
    return SmallNetwork([DenseLayer([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35], "sigmoid", "hidden"),
                         DenseLayer([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60], "sigmoid", "output")],
                        ["i1", "i2"], "squared_error")


def backprop_step(network: SmallNetwork, inputs, targets, loss: Optional[str] = None,
                  learning_rate: float = 0.5) -> BackpropStep:
    """Shortcut for BackpropStep(...)."""
    return BackpropStep(network, inputs, targets, loss, learning_rate)


__all__ = ["BackpropStep", "CLASSIC_INPUTS", "CLASSIC_RATE", "CLASSIC_TARGETS", "LOSSES", "PHASE_KINDS", "Phase",
           "backprop_step", "classic_network"]
