"""The perceptron learning rule w ← w + η (y − ŷ) x, stepped sample by sample, for single-layer step networks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, Union

import numpy as np

from ..i18n import ntr, tr
from .neuron_math import activate, format_number

PERCEPTRON_ACTIVATIONS = ("step", "sign")


def _vector_text(values: np.ndarray) -> str:
    return "(" + ", ".join(format_number(v) for v in np.asarray(values).reshape(-1)) + ")"


@dataclass(frozen=True)
class Update:
    """What one sample did: the prediction, the error and the change of every weight and bias."""

    x: np.ndarray
    y: np.ndarray           # the target(s)
    prediction: np.ndarray  # ŷ
    error: np.ndarray       # y − ŷ
    delta_w: np.ndarray     # η (y − ŷ) x, one row per output neuron
    delta_b: np.ndarray     # η (y − ŷ): the bias is a weight on a constant input of 1
    new_w: np.ndarray
    new_b: np.ndarray
    text: str

    @property
    def changed(self) -> bool:
        return bool(np.any(self.error != 0))


@dataclass
class EpochResult:
    """One pass over the data: every update in order, the mistakes made and whether none were made."""

    epoch: int
    updates: list[Update]
    mistakes: int

    @property
    def converged(self) -> bool:
        return self.mistakes == 0

    @property
    def error_rate(self) -> float:
        return self.mistakes / max(len(self.updates), 1)


@dataclass
class PerceptronResult:
    """A whole training: the epochs, whether it converged, and a sentence for the learner."""

    epochs: list[EpochResult] = field(default_factory=list)
    converged: bool = False
    message: str = ""


def rule_targets(codes: np.ndarray, units: int, activation: str) -> np.ndarray:
    """Class codes (or one-hot/probability rows) as the 0/1 (step) or −1/1 (sign) answer each neuron should give.

    One neuron answers yes/no (the code itself); several neurons each answer 'is it my class?' (one-hot rows).
    """
    codes = np.asarray(codes)
    if codes.ndim == 2 and codes.shape[1] > 1:
        codes = codes.argmax(axis=1)   # one-hot or probability rows: the most likely class
    codes = codes.reshape(-1).astype(np.int64)
    wanted = codes.reshape(-1, 1).astype(np.float64) if units == 1 else np.eye(units)[codes]
    return wanted * 2.0 - 1.0 if activation == "sign" else wanted


class PerceptronTrainer:
    """Rosenblatt's rule on a layer of step (or sign) neurons; weights are (out × in) or one neuron's vector.

    A sample's mistake moves the weights towards it (or away from it): w ← w + η (y − ŷ) x and
    b ← b + η (y − ŷ). A sample that is already right changes nothing.
    """

    def __init__(self, weights: Union[np.ndarray, Sequence], bias: Union[np.ndarray, Sequence, float, None] = 0.0,
                 learning_rate: float = 1.0, activation: str = "step") -> None:
        if activation not in PERCEPTRON_ACTIVATIONS:
            raise ValueError(tr("the perceptron rule trains step or sign neurons, not {activation}", activation=activation))
        w = np.array(weights, dtype=np.float64)
        self.single = w.ndim == 1  # one neuron: show plain vectors rather than 1-row tables
        self.weights = w.reshape(1, -1) if self.single else w
        self.bias = (np.zeros(self.weights.shape[0]) if bias is None
                     else np.array(bias, dtype=np.float64).reshape(-1).copy())
        if self.bias.shape[0] != self.weights.shape[0]:
            raise ValueError(tr("{neurons} neuron(s) but {biases} bias(es)", neurons=self.weights.shape[0],
                                biases=self.bias.shape[0]))
        self.learning_rate = float(learning_rate)
        self.activation = activation
        self.epochs_done = 0

    def predict(self, x: Union[np.ndarray, Sequence]) -> np.ndarray:
        """ŷ for one sample (a vector) or several (rows)."""
        values = np.asarray(x, dtype=np.float64)
        z = values @ self.weights.T + self.bias
        return activate(self.activation, z)

    def step(self, x: Union[np.ndarray, Sequence], y: Union[np.ndarray, Sequence, float]) -> Update:
        """Show the network one sample and apply the rule."""
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        prediction = self.predict(x).reshape(-1)
        error = y - prediction
        delta_w = self.learning_rate * np.outer(error, x)
        delta_b = self.learning_rate * error
        old_w, old_b = self.weights.copy(), self.bias.copy()
        self.weights = self.weights + delta_w
        self.bias = self.bias + delta_b
        text = self._text(x, y, prediction, error, old_w, old_b)
        shape = (lambda a: a[0]) if self.single else (lambda a: a)
        return Update(x, y, prediction, error, shape(delta_w), delta_b, shape(self.weights.copy()),
                      self.bias.copy(), text)

    def _text(self, x, y, prediction, error, old_w, old_b) -> str:
        values = {"x": _vector_text(x), "target": _vector_text(y) if y.size > 1 else format_number(y[0]),
                  "predicted": _vector_text(prediction) if prediction.size > 1 else format_number(prediction[0])}
        if not np.any(error):
            return tr("x = {x}, target {target}, predicted {predicted}: right, so nothing changes.", **values)
        lines = [tr("x = {x}, target {target}, predicted {predicted}: error y − ŷ = {error}.",
                    error=_vector_text(error) if error.size > 1 else format_number(error[0]), **values)]
        eta = format_number(self.learning_rate)
        for k in range(self.weights.shape[0]):
            if error[k] == 0:
                continue
            label = "" if self.weights.shape[0] == 1 else " " + tr("(neuron {number})", number=k + 1)
            e = format_number(error[k])
            lines.append(f"w{label} ← {_vector_text(old_w[k])} + {eta}·{e}·{_vector_text(x)} = "
                         f"{_vector_text(self.weights[k])}")
            lines.append(f"b{label} ← {format_number(old_b[k])} + {eta}·{e} = {format_number(self.bias[k])}")
        return "\n".join(lines)

    def epoch(self, X: Union[np.ndarray, Sequence], Y: Union[np.ndarray, Sequence],
              order: Optional[np.ndarray] = None) -> EpochResult:
        """One pass over the samples (in `order` if given); a sample counts as a mistake if any output was wrong."""
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64).reshape(len(X), -1)
        indices = np.arange(len(X)) if order is None else np.asarray(order)
        updates = [self.step(X[i], Y[i]) for i in indices]
        self.epochs_done += 1
        return EpochResult(self.epochs_done, updates, sum(u.changed for u in updates))

    def train(self, X: Union[np.ndarray, Sequence], Y: Union[np.ndarray, Sequence], max_epochs: int = 100,
              shuffle_seed: Optional[int] = None,
              on_epoch: Optional[Callable[[EpochResult], bool]] = None) -> PerceptronResult:
        """Repeat epochs until one makes no mistake (converged) or max_epochs; on_epoch may return False to stop."""
        rng = np.random.default_rng(shuffle_seed) if shuffle_seed is not None else None
        result = PerceptronResult()
        for _ in range(max_epochs):
            order = rng.permutation(len(X)) if rng is not None else None
            epoch = self.epoch(X, Y, order)
            result.epochs.append(epoch)
            if epoch.converged:
                result.converged = True
                break
            if on_epoch is not None and on_epoch(epoch) is False:
                break
        if result.converged:
            result.message = ntr("Converged after {n} epoch: the last pass made no mistake, so the weights no "
                                 "longer change.",
                                 "Converged after {n} epochs: the last pass made no mistake, so the weights no "
                                 "longer change.", len(result.epochs))
        elif len(result.epochs) >= max_epochs:
            last = result.epochs[-1] if result.epochs else None
            mistakes = last.mistakes if last else 0
            result.message = ntr("Did not converge in {epochs} epochs: the last pass still made {n} mistake. If "
                                 "no straight line separates the classes (like XOR), a single layer never gets "
                                 "every sample right; add a hidden layer.",
                                 "Did not converge in {epochs} epochs: the last pass still made {n} mistakes. If "
                                 "no straight line separates the classes (like XOR), a single layer never gets "
                                 "every sample right; add a hidden layer.", mistakes, epochs=max_epochs)
        else:
            result.message = ntr("Stopped after {n} epoch.", "Stopped after {n} epochs.", len(result.epochs))
        return result


__all__ = ["EpochResult", "PERCEPTRON_ACTIVATIONS", "PerceptronResult", "PerceptronTrainer", "Update", "rule_targets"]
