"""What each layer, activation, loss, optimizer and metric is: a sentence, a formula, and what it means here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from ..analysis import Analysis, DataContext, analyze
from ..graph import Graph
from ..layers import LAYERS as LAYER_SPECS
from ..layers import canonical_type, resolve_output, short_shape
from .neuron_math import activate, activation_slope


@dataclass(frozen=True)
class Explanation:
    """The explain panel's text for one thing: a sentence and its formula in plain unicode."""

    name: str
    sentence: str
    formula: str


def _table(*rows: tuple[str, str, str]) -> dict[str, Explanation]:
    return {name: Explanation(name, sentence, formula) for name, sentence, formula in rows}


def _layer_table() -> dict[str, Explanation]:
    """Layers are explained by their own spec: the help text the palette shows and the formula beside it."""
    return {name: Explanation(name, spec.help, spec.formula) for name, spec in LAYER_SPECS.items()}


LAYERS = _layer_table()

ACTIVATIONS = _table(
    ("linear", "Passes the weighted sum on unchanged: used for outputs that predict numbers.", "f(z) = z"),
    ("relu", "Keeps positive sums and turns negative ones into 0: simple, fast, and the usual choice for hidden "
             "layers.", "f(z) = max(0, z)"),
    ("sigmoid", "Squashes any sum into 0..1, read as a probability for yes/no outputs.", "σ(z) = 1 / (1 + e^−z)"),
    ("tanh", "Squashes any sum into −1..1, centred on 0.", "tanh(z) = (e^z − e^−z) / (e^z + e^−z)"),
    ("softmax", "Turns the scores of all neurons in the layer into probabilities that add up to 1.",
     "softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ"),
    ("leaky_relu", "Like ReLU, but negative sums keep a small slope (0.01), so a neuron never goes fully silent.",
     "f(z) = z if z > 0, else 0.01·z"),
    ("elu", "Like ReLU for positive sums; negative ones bend smoothly towards −1.",
     "f(z) = z if z > 0, else e^z − 1"),
    ("gelu", "A smooth ReLU: the sum times the chance that a standard normal value lies below it.",
     "f(z) = z·Φ(z)"),
    ("step", "The perceptron's threshold: 1 when the sum reaches 0, otherwise 0. Its slope is 0, so it is set by "
             "hand or by the perceptron rule, not by backpropagation.", "f(z) = 1 if z ≥ 0, else 0"),
    ("sign", "−1, 0 or 1 depending on the sign of the sum: a perceptron that answers −1/1.",
     "f(z) = −1 if z < 0, 0 if z = 0, 1 if z > 0"),
)

LOSSES = _table(
    ("cross_entropy", "How surprised the network is by the true class: minus the log of the probability it gave "
                      "that class, averaged over the samples.", "E = −(1/N) Σ log p(true class)"),
    ("binary_cross_entropy", "Cross-entropy for yes/no answers: punishes confident wrong answers hardest.",
     "E = −(1/N) Σ [t·log p + (1 − t)·log(1 − p)]"),
    ("mse", "Mean squared error: the average of the squared differences between prediction and target.",
     "E = (1/N) Σ (t − ŷ)²"),
    ("mae", "Mean absolute error: the average distance between prediction and target, in the target's unit.",
     "E = (1/N) Σ |t − ŷ|"),
    ("squared_error", "The textbook squared error used to teach backpropagation: the ½ makes its slope simply "
                      "(ŷ − t).", "E = ½ Σ (t − ŷ)²"),
)

OPTIMIZERS = _table(
    ("sgd", "Stochastic gradient descent: after each batch, move every weight a small step against its gradient.",
     "w ← w − α·∂E/∂w"),
    ("momentum", "Gradient descent that keeps a running velocity, so it rolls through small bumps and speeds up "
                 "on long slopes.", "v ← β·v − α·∂E/∂w;  w ← w + v"),
    ("nesterov", "Momentum that looks ahead: the gradient is taken where the velocity is about to carry the "
                 "weights.", "v ← β·v − α·∂E/∂w(w + β·v);  w ← w + v"),
    ("adagrad", "Gives each weight its own step size, shrinking for weights that have already had large "
                "gradients.", "s ← s + g²;  w ← w − α·g / (√s + ε)"),
    ("rmsprop", "Like Adagrad, but remembers only recent gradients, so the steps do not shrink forever.",
     "s ← ρ·s + (1 − ρ)·g²;  w ← w − α·g / (√s + ε)"),
    ("adam", "Momentum plus RMSprop's per-weight step sizes, with a correction for the first steps: a good "
             "default.", "m ← β1·m + (1 − β1)·g;  s ← β2·s + (1 − β2)·g²;  w ← w − α·m̂ / (√ŝ + ε)"),
    ("adamw", "Adam with weight decay applied directly to the weights, which regularises more reliably.",
     "w ← w − α·(m̂ / (√ŝ + ε) + λ·w)"),
)

METRICS = _table(
    ("accuracy", "The share of samples whose predicted class is the true one.", "accuracy = correct / all"),
    ("precision", "Of the samples predicted positive, the share that really are.", "precision = TP / (TP + FP)"),
    ("recall", "Of the samples that really are positive, the share the network finds.", "recall = TP / (TP + FN)"),
    ("f1", "One number balancing precision and recall (their harmonic mean).",
     "F1 = 2·precision·recall / (precision + recall)"),
    ("mse", "Mean squared error of the predictions, in the target's unit squared.", "MSE = (1/N) Σ (t − ŷ)²"),
    ("mae", "Mean absolute error: how far off the predictions are on average.", "MAE = (1/N) Σ |t − ŷ|"),
    ("r2", "How much of the targets' spread the predictions explain: 1 is perfect, 0 is no better than the "
           "average.", "R² = 1 − Σ (t − ŷ)² / Σ (t − t̄)²"),
)

CATALOGUES: dict[str, dict[str, Explanation]] = {
    "layer": LAYERS, "activation": ACTIVATIONS, "loss": LOSSES, "optimizer": OPTIMIZERS, "metric": METRICS}


def explain(kind: str, name: str) -> Explanation:
    """The explanation of a layer type, activation, loss, optimizer or metric; KeyError when unknown."""
    if kind == "layer":
        name = canonical_type(name) or name
    return CATALOGUES[kind][name]


def activation_curve(name: str, z: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z, f(z), f'(z)) for plotting an activation and its slope; softmax is shown for one score against 0."""
    z = np.linspace(-5.0, 5.0, 201) if z is None else np.asarray(z, dtype=np.float64)
    if name == "softmax":
        # With two scores (z, 0), softmax's first output is σ(z): the curve a learner can picture.
        return z, activate("sigmoid", z), activation_slope("sigmoid", z)
    return z, activate(name, z), activation_slope(name, z)


def _count(number: int) -> str:
    return f"{number:,}"


def explain_node(graph: Union[Graph, dict], node_id: str, analysis: Optional[Analysis] = None,
                 context: Optional[DataContext] = None) -> str:
    """What this node means in this network, with its actual sizes and parameter count."""
    snapshot = graph.to_dict() if isinstance(graph, Graph) else graph
    analysis = analysis or analyze(snapshot, context)
    nodes = {nd["id"]: nd for nd in snapshot.get("nodes", [])}
    node = nodes[node_id]
    kind = canonical_type(node["type"]) or node["type"]
    params = node.get("params", {})
    sources = [e["source"] for e in snapshot.get("edges", []) if e["target"] == node_id]
    in_shapes = [analysis.shapes.get(s) for s in sources]
    shape = analysis.shapes.get(node_id)
    if any(s is None for s in in_shapes) or (shape is None and kind != "Input"):
        return f"'{node['name']}' is not fully connected yet, so its sizes are not known."
    if kind == "Input":
        size = math.prod(shape or params.get("shape", (1,)))
        return (f"Each sample brings {short_shape(shape)} = {_count(size)} value(s) into the network."
                if shape and len(shape) > 1 else f"Each sample brings {_count(size)} value(s) (features).")
    if kind in ("Dense", "Output"):
        inputs, units = in_shapes[0][0], shape[0]
        bias = bool(params.get("use_bias", True))
        total = inputs * units + (units if bias else 0)
        sums = f"{_count(inputs)}·{_count(units)}" + (f" + {_count(units)}" if bias else "")
        text = (f"This {kind} layer has {_count(units)} neuron{'s' if units != 1 else ''}; each sums "
                f"{_count(inputs)} input{'s' if inputs != 1 else ''}" + (" plus a bias" if bias else "") +
                f", so it has {sums} = {_count(total)} parameters.")
        if kind == "Output":
            target = context.output_targets.get(node_id) if context else None
            config, _ = resolve_output(params, target)
            text += (f" It uses {config.activation} and is trained with {config.loss.replace('_', ' ')} "
                     f"({config.task}).")
        else:
            text += f" Each neuron then applies {params.get('activation')}."
        return text
    if kind == "Dropout":
        rate = float(params.get("rate", 0.0))
        return (f"While training, about {rate:.0%} of its {_count(math.prod(shape))} values are set to 0 at each "
                f"step and the others multiplied by 1/(1 − {rate:g}) = {1 / (1 - rate):.3g}; when predicting "
                "it passes everything through.")
    if kind == "Flatten":
        return f"Turns each {short_shape(in_shapes[0])} sample into a row of {_count(shape[0])} values; no weights."
    if kind == "BatchNormalization":
        features = shape[0]
        return (f"Normalises {_count(features)} features: {_count(2 * features)} trained parameters (γ, β) and "
                f"{_count(2 * features)} running averages, {_count(4 * features)} in all.")
    if kind == "Concatenate":
        widths = " + ".join(_count(s[-1]) for s in in_shapes)
        return f"Joins {len(in_shapes)} inputs side by side: {widths} = {_count(shape[-1])} values."
    if kind == "Add":
        return f"Adds {len(in_shapes)} inputs of {short_shape(shape)} values each, value by value."
    if kind == "Activation":
        return f"Applies {params.get('activation')} to each of its {short_shape(shape)} values; no weights."
    return explain("layer", kind).sentence


__all__ = ["ACTIVATIONS", "CATALOGUES", "Explanation", "LAYERS", "LOSSES", "METRICS", "OPTIMIZERS",
           "activation_curve", "explain", "explain_node"]
