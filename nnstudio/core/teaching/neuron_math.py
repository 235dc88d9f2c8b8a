"""Neurons in plain numpy float64: activations and their slopes, small Dense networks, numbers and weighted sums as text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence, Union

import numpy as np

from ..analysis import DataContext, analyze
from ..graph import Graph
from ..i18n import tr
from ..layers import canonical_type, resolve_output

# The same constants as the torch activations in engine/activations.py, so numbers agree with training.
LEAKY_RELU_SLOPE = 0.01
ELU_ALPHA = 1.0
MINUS = "−"  # a real minus sign reads better than a hyphen in formulas


class NetworkError(ValueError):
    """The graph cannot be shown as a small chain of Dense layers; the message says why."""


# ---------------------------------------------------------------- activations

def _erf(z: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf, otypes=[np.float64])(z)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax; subtracting the row maximum changes nothing but avoids overflow."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def activate(name: str, z: Union[np.ndarray, float]) -> np.ndarray:
    """The activation `name` applied to net inputs z (softmax works on the last axis)."""
    z = np.asarray(z, dtype=np.float64)
    if name == "linear":
        return z.copy()
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        # Two forms so exp never overflows: for z < 0 use e^z / (1 + e^z).
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if name == "tanh":
        return np.tanh(z)
    if name == "softmax":
        return softmax(np.atleast_1d(z))
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_RELU_SLOPE * z)
    if name == "elu":
        return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))
    if name == "gelu":
        return 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0)))
    if name == "step":
        return (z >= 0).astype(np.float64)
    if name == "sign":
        return np.sign(z)
    raise ValueError(tr("unknown activation {name}", name=repr(name)))


def activation_slope(name: str, z: Union[np.ndarray, float]) -> np.ndarray:
    """The derivative f'(z) of an element-wise activation, with torch's choice at the kinks.

    torch's ReLU passes no gradient at exactly 0, leaky ReLU passes the small slope there; step and sign
    have slope 0 everywhere (which is why backpropagation cannot train them). Softmax mixes its inputs, so
    it has no element-wise slope: use `backward_through_activation`.
    """
    z = np.asarray(z, dtype=np.float64)
    if name == "linear":
        return np.ones_like(z)
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "sigmoid":
        s = activate("sigmoid", z)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, LEAKY_RELU_SLOPE)
    if name == "elu":
        return np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0)))
    if name == "gelu":
        return 0.5 * (1.0 + _erf(z / math.sqrt(2.0))) + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    if name in ("step", "sign"):
        return np.zeros_like(z)
    if name == "softmax":
        raise ValueError(tr("softmax has no element-wise slope: it mixes all the neurons of its layer"))
    raise ValueError(tr("unknown activation {name}", name=repr(name)))


def activation_range(name: str, values: np.ndarray) -> tuple[float, float]:
    """The range to show an activation's outputs on: the function's own where it has one, else ±the largest value."""
    if name in ("sigmoid", "step", "softmax"):
        return 0.0, 1.0
    if name in ("tanh", "sign"):
        return -1.0, 1.0
    largest = float(np.max(np.abs(values))) if np.size(values) else 1.0
    return -max(largest, 1e-6), max(largest, 1e-6)


def backward_through_activation(name: str, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
    """∂E/∂z from ∂E/∂a by the chain rule: f'(z)·∂E/∂a, or the softmax Jacobian for softmax."""
    if name == "softmax":
        # ∂a_j/∂z_i = a_j (δ_ij − a_i), so ∂E/∂z_i = a_i (g_i − Σ_j g_j a_j)
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))
    return grad_a * activation_slope(name, z)


# ---------------------------------------------------------------- formatting

def format_number(value: float, digits: int = 4) -> str:
    """A number as a learner reads it: up to `digits` significant digits, a real minus sign."""
    value = float(value)
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else (MINUS if value < 0 else "") + "∞"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}·10^{int(exponent)}"
    return text.replace("-", MINUS)


def parse_number(text: str) -> Optional[float]:
    """A number typed by a learner: a real minus sign or a decimal comma are fine too; None if it is not one."""
    cleaned = text.strip().replace(MINUS, "-").replace(",", ".").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_numbers(text: str) -> Optional[list[float]]:
    """'0.05, 0.1' (or spaces, or semicolons between them) as a list of numbers; None if any part is not a number.

    A comma separates numbers here, so a decimal comma cannot be used in a list (one number alone may have one).
    """
    parts = [p for p in text.replace(";", " ").replace(",", " ").split() if p]
    values = [parse_number(p) for p in parts]
    return None if not values or any(v is None for v in values) else [float(v) for v in values]


def _signed_terms(terms: Sequence[tuple[float, str]], digits: int) -> str:
    """'0.5·x1 − 0.2·x2 + 0.7' from (coefficient, label) pairs; an empty label means a constant."""
    parts: list[str] = []
    for position, (coefficient, label) in enumerate(terms):
        magnitude = format_number(abs(coefficient), digits)
        body = f"{magnitude}·{label}" if label else magnitude
        negative = coefficient < 0 or (coefficient == 0 and math.copysign(1.0, coefficient) < 0)
        if position == 0:
            parts.append(f"{MINUS}{body}" if negative else body)
        else:
            parts.append(f"{MINUS if negative else '+'} {body}")
    return " ".join(parts) if parts else "0"


@dataclass(frozen=True)
class WeightedSum:
    """One neuron's arithmetic for one input: z = w·x + b, then a = f(z)."""

    z: float
    output: float
    formula: str       # z = 0.5·x1 + 0.5·x2 − 0.7 = 0.3
    substituted: str   # z = 0.5·1 + 0.5·1 − 0.7 = 0.3
    activation_line: str  # step(0.3) = 1

    @property
    def text(self) -> str:
        return self.formula + ("\n" + self.activation_line if self.activation_line else "")


def weighted_sum(weights: Sequence[float], bias: Optional[float], inputs: Sequence[float],
                 names: Optional[Sequence[str]] = None, activation: Optional[str] = "step",
                 digits: int = 4) -> WeightedSum:
    """Write out a neuron's weighted sum with the current numbers, then its activation."""
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    x = np.asarray(inputs, dtype=np.float64).reshape(-1)
    if w.shape != x.shape:
        raise ValueError(tr("the neuron has {weights} weights but got {inputs} inputs", weights=w.size, inputs=x.size))
    names = list(names) if names is not None else [f"x{i + 1}" for i in range(w.size)]
    z = float(w @ x + (bias or 0.0))
    with_names = [(float(wi), name) for wi, name in zip(w, names)]
    with_values = [(float(wi), format_number(xi, digits) if xi >= 0 else f"({format_number(xi, digits)})")
                   for wi, xi in zip(w, x)]
    if bias is not None:
        with_names.append((float(bias), ""))
        with_values.append((float(bias), ""))
    result = format_number(z, digits)
    formula = f"z = {_signed_terms(with_names, digits)} = {result}"
    substituted = f"z = {_signed_terms(with_values, digits)} = {result}"
    if activation is None or activation == "softmax":
        # softmax needs the whole layer; the layer view shows it, not a single neuron.
        return WeightedSum(z, z, formula, substituted, "")
    output = float(activate(activation, z))
    line = f"{activation}({result}) = {format_number(output, digits)}"
    return WeightedSum(z, output, formula, substituted, line)


def weighted_sum_text(weights: Sequence[float], bias: Optional[float], inputs: Sequence[float],
                      names: Optional[Sequence[str]] = None, activation: Optional[str] = "step",
                      digits: int = 4) -> str:
    """'z = 0.5·x1 + 0.5·x2 − 0.7 = 0.3' and, on a second line, 'step(0.3) = 1'."""
    return weighted_sum(weights, bias, inputs, names, activation, digits).text


# ---------------------------------------------------------------- small networks

@dataclass
class DenseLayer:
    """One Dense (or Output) layer: W has one row per neuron (out × in, like torch.nn.Linear)."""

    weights: np.ndarray
    bias: Optional[np.ndarray]
    activation: str = "sigmoid"
    name: str = ""

    def __post_init__(self) -> None:
        self.weights = np.array(self.weights, dtype=np.float64, ndmin=2)
        if self.bias is not None:
            self.bias = np.array(self.bias, dtype=np.float64).reshape(-1)
            if self.bias.shape[0] != self.weights.shape[0]:
                raise ValueError(tr("layer '{layer}' has {neurons} neurons but {biases} biases", layer=self.name,
                                    neurons=self.weights.shape[0], biases=self.bias.shape[0]))

    @property
    def units(self) -> int:
        return int(self.weights.shape[0])

    @property
    def features(self) -> int:
        return int(self.weights.shape[1])

    @property
    def parameter_count(self) -> int:
        return self.weights.size + (0 if self.bias is None else self.bias.size)

    def net_input(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.weights.T
        return z + self.bias if self.bias is not None else z

    def copy(self) -> "DenseLayer":
        return DenseLayer(self.weights.copy(), None if self.bias is None else self.bias.copy(),
                          self.activation, self.name)


@dataclass
class ForwardPass:
    """Every neuron's net input z and output a, layer by layer; `inputs` is the batch that went in."""

    inputs: np.ndarray
    net_inputs: list[np.ndarray] = field(default_factory=list)   # z per layer, (samples × units)
    outputs: list[np.ndarray] = field(default_factory=list)      # a per layer, (samples × units)

    @property
    def prediction(self) -> np.ndarray:
        return self.outputs[-1] if self.outputs else self.inputs


@dataclass
class SmallNetwork:
    """A chain of Dense layers in float64: what the neuron view, truth tables and backprop stepper use."""

    layers: list[DenseLayer]
    input_names: list[str] = field(default_factory=list)
    loss: str = "squared_error"   # what the last layer is trained against (see backprop.LOSSES)

    def __post_init__(self) -> None:
        for previous, layer in zip(self.layers, self.layers[1:]):
            if layer.features != previous.units:
                raise NetworkError(tr("layer '{layer}' takes {inputs} inputs but '{previous}' gives {outputs}",
                                      layer=layer.name, inputs=layer.features, previous=previous.name,
                                      outputs=previous.units))
        if not self.input_names and self.layers:
            self.input_names = [f"x{i + 1}" for i in range(self.layers[0].features)]

    @property
    def features(self) -> int:
        return self.layers[0].features

    @property
    def parameter_count(self) -> int:
        return sum(layer.parameter_count for layer in self.layers)

    def forward(self, x: Union[np.ndarray, Sequence[float]]) -> ForwardPass:
        """Run a batch (or one sample) through every layer, keeping each z and a."""
        values = np.array(x, dtype=np.float64, ndmin=2)
        if values.shape[1] != self.features:
            raise ValueError(tr("the network takes {inputs} inputs per sample but got {got}", inputs=self.features,
                                got=values.shape[1]))
        result = ForwardPass(values)
        for layer in self.layers:
            z = layer.net_input(values)
            values = activate(layer.activation, z)
            result.net_inputs.append(z)
            result.outputs.append(values)
        return result

    def predict(self, x: Union[np.ndarray, Sequence[float]]) -> np.ndarray:
        return self.forward(x).prediction

    def copy(self) -> "SmallNetwork":
        return SmallNetwork([layer.copy() for layer in self.layers], list(self.input_names), self.loss)

    def state_dict(self) -> dict[str, np.ndarray]:
        """Weights keyed like the compiled GraphModule's state dict: layers.<name>.weight / .bias."""
        state = {}
        for layer in self.layers:
            state[f"layers.{layer.name}.weight"] = layer.weights.copy()
            if layer.bias is not None:
                state[f"layers.{layer.name}.bias"] = layer.bias.copy()
        return state

    @classmethod
    def from_graph(cls, graph: Union[Graph, dict], weights: Optional[Mapping[str, np.ndarray]] = None,
                   context: Optional[DataContext] = None, seed: int = 0) -> "SmallNetwork":
        """Read Input → Dense… → Output (Dropout skipped, Flatten allowed) from a graph or its snapshot.

        `weights` may hold arrays keyed like the GraphModule state dict (layers.<name>.weight) or just
        <name>.weight; layers without given weights start from seeded Glorot-uniform numbers.
        """
        snapshot = graph.to_dict() if isinstance(graph, Graph) else graph
        analysis = analyze(snapshot, context)
        if analysis.errors:
            raise NetworkError(tr("The network has problems to fix first: {problem}", problem=analysis.errors[0].message))
        nodes = {nd["id"]: dict(nd, type=canonical_type(nd["type"])) for nd in snapshot.get("nodes", [])}
        inputs = [i for i, nd in nodes.items() if nd["type"] == "Input"]
        outputs = [i for i, nd in nodes.items() if nd["type"] == "Output"]
        if len(inputs) != 1 or len(outputs) != 1:
            raise NetworkError(tr("The step-by-step view needs exactly one Input and one Output."))
        allowed = {"Input", "Dense", "Output", "Dropout", "Flatten"}
        rng = np.random.default_rng(seed)
        layers: list[DenseLayer] = []
        loss = "squared_error"
        features = math.prod(analysis.shapes[inputs[0]] or (0,))
        for node_id in analysis.order:
            nd = nodes[node_id]
            if nd["type"] not in allowed:
                raise NetworkError(tr("'{name}' is a {type} layer; the step-by-step view shows chains of Dense "
                                      "layers (Dropout and Flatten are allowed).", name=nd["name"], type=nd["type"]))
            if nd["type"] not in ("Dense", "Output"):
                continue
            params = nd["params"]
            units = analysis.shapes[node_id][0]
            if nd["type"] == "Output":
                target = (context.output_targets.get(node_id) if context else None)
                config, _ = resolve_output(params, target)
                activation = config.activation
                loss = {"mse": "squared_error"}.get(config.loss, config.loss)
            else:
                activation = params["activation"]
            w, b = _given_weights(weights, nd["name"], units, features)
            if w is None:
                limit = math.sqrt(6.0 / (features + units))
                w = rng.uniform(-limit, limit, (units, features))
            if not params.get("use_bias", True):
                b = None
            elif b is None:
                b = np.zeros(units)
            layers.append(DenseLayer(w, b, activation, nd["name"]))
            features = units
        input_node = nodes[inputs[0]]
        columns = list(input_node["params"].get("columns") or ())
        # Column names label the inputs only when there is one per input value (no Flatten in between).
        names = columns if layers and len(columns) == layers[0].features else []
        return cls(layers, names, loss)


def _given_weights(weights: Optional[Mapping[str, np.ndarray]], name: str, units: int, features: int
                   ) -> tuple[Optional[np.ndarray], Optional[np.ndarray]]:
    if not weights:
        return None, None
    found = []
    for part in ("weight", "bias"):
        value = weights.get(f"layers.{name}.{part}", weights.get(f"{name}.{part}"))
        found.append(None if value is None else np.asarray(value, dtype=np.float64))
    w, b = found
    if w is not None and w.shape != (units, features):
        raise NetworkError(tr("the weights given for '{layer}' have shape {shape}, but it needs {units} × {features}",
                              layer=name, shape=w.shape, units=units, features=features))
    return w, b


__all__ = ["DenseLayer", "ForwardPass", "NetworkError", "SmallNetwork", "WeightedSum", "activate",
           "activation_range", "activation_slope", "backward_through_activation", "format_number", "parse_number",
           "parse_numbers", "softmax", "weighted_sum", "weighted_sum_text", "LEAKY_RELU_SLOPE", "ELU_ALPHA"]
