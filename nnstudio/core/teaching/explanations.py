"""What each layer, activation, loss, optimizer and metric is: a sentence, a formula, and what it means here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from ..analysis import Analysis, DataContext, analyze
from ..graph import Graph
from ..i18n import N_, ntr, tr
from ..layers import LAYERS as LAYER_SPECS
from ..layers import canonical_type, resolve_output, short_shape
from .neuron_math import activate, activation_slope


@dataclass(frozen=True)
class Explanation:
    """The explain panel's text for one thing: a sentence and its formula in plain unicode (both English: show them
    with tr(); formulas with words in them are marked for translation)."""

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
    ("linear", N_("Passes the weighted sum on unchanged: used for outputs that predict numbers."), "f(z) = z"),
    ("relu", N_("Keeps positive sums and turns negative ones into 0: simple, fast, and the usual choice for hidden "
                "layers."), "f(z) = max(0, z)"),
    ("sigmoid", N_("Squashes any sum into 0..1, read as a probability for yes/no outputs."),
     "σ(z) = 1 / (1 + e^−z)"),
    ("tanh", N_("Squashes any sum into −1..1, centred on 0."), "tanh(z) = (e^z − e^−z) / (e^z + e^−z)"),
    ("softmax", N_("Turns the scores of all neurons in the layer into probabilities that add up to 1."),
     "softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ"),
    ("leaky_relu", N_("Like ReLU, but negative sums keep a small slope (0.01), so a neuron never goes fully silent."),
     N_("f(z) = z if z > 0, else 0.01·z")),
    ("elu", N_("Like ReLU for positive sums; negative ones bend smoothly towards −1."),
     N_("f(z) = z if z > 0, else e^z − 1")),
    ("gelu", N_("A smooth ReLU: the sum times the chance that a standard normal value lies below it."),
     "f(z) = z·Φ(z)"),
    ("step", N_("The perceptron's threshold: 1 when the sum reaches 0, otherwise 0. Its slope is 0, so it is set by "
                "hand or by the perceptron rule, not by backpropagation."), N_("f(z) = 1 if z ≥ 0, else 0")),
    ("sign", N_("−1, 0 or 1 depending on the sign of the sum: a perceptron that answers −1/1."),
     N_("f(z) = −1 if z < 0, 0 if z = 0, 1 if z > 0")),
)

LOSSES = _table(
    ("cross_entropy", N_("How surprised the network is by the true class: minus the log of the probability it gave "
                         "that class, averaged over the samples."), N_("E = −(1/N) Σ log p(true class)")),
    ("binary_cross_entropy", N_("Cross-entropy for yes/no answers: punishes confident wrong answers hardest."),
     "E = −(1/N) Σ [t·log p + (1 − t)·log(1 − p)]"),
    ("mse", N_("Mean squared error: the average of the squared differences between prediction and target."),
     "E = (1/N) Σ (t − ŷ)²"),
    ("mae", N_("Mean absolute error: the average distance between prediction and target, in the target's unit."),
     "E = (1/N) Σ |t − ŷ|"),
    ("squared_error", N_("The textbook squared error used to teach backpropagation: the ½ makes its slope simply "
                         "(ŷ − t)."), "E = ½ Σ (t − ŷ)²"),
)

OPTIMIZERS = _table(
    ("sgd", N_("Stochastic gradient descent: after each batch, move every weight a small step against its "
               "gradient."),
     "w ← w − α·∂E/∂w"),
    ("momentum", N_("Gradient descent that keeps a running velocity, so it rolls through small bumps and speeds up "
                    "on long slopes."), "v ← β·v − α·∂E/∂w;  w ← w + v"),
    ("nesterov", N_("Momentum that looks ahead: the gradient is taken where the velocity is about to carry the "
                    "weights."), "v ← β·v − α·∂E/∂w(w + β·v);  w ← w + v"),
    ("adagrad", N_("Gives each weight its own step size, shrinking for weights that have already had large "
                   "gradients."), "s ← s + g²;  w ← w − α·g / (√s + ε)"),
    ("rmsprop", N_("Like Adagrad, but remembers only recent gradients, so the steps do not shrink forever."),
     "s ← ρ·s + (1 − ρ)·g²;  w ← w − α·g / (√s + ε)"),
    ("adam", N_("Momentum plus RMSprop's per-weight step sizes, with a correction for the first steps: a good "
                "default."),
     "m ← β1·m + (1 − β1)·g;  s ← β2·s + (1 − β2)·g²;  w ← w − α·m̂ / (√ŝ + ε)"),
    ("adamw", N_("Adam with weight decay applied directly to the weights, which regularises more reliably."),
     "w ← w − α·(m̂ / (√ŝ + ε) + λ·w)"),
)

METRICS = _table(
    ("accuracy", N_("The share of samples whose predicted class is the true one."),
     N_("accuracy = correct / all")),
    ("precision", N_("Of the samples predicted positive, the share that really are."),
     N_("precision = TP / (TP + FP)")),
    ("recall", N_("Of the samples that really are positive, the share the network finds."),
     N_("recall = TP / (TP + FN)")),
    ("f1", N_("One number balancing precision and recall (their harmonic mean)."),
     N_("F1 = 2·precision·recall / (precision + recall)")),
    ("mse", N_("Mean squared error of the predictions, in the target's unit squared."), "MSE = (1/N) Σ (t − ŷ)²"),
    ("mae", N_("Mean absolute error: how far off the predictions are on average."), "MAE = (1/N) Σ |t − ŷ|"),
    ("r2", N_("How much of the targets' spread the predictions explain: 1 is perfect, 0 is no better than the "
              "average."), "R² = 1 − Σ (t − ŷ)² / Σ (t − t̄)²"),
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
        return tr("'{name}' is not fully connected yet, so its sizes are not known.", name=node["name"])
    if kind == "Input":
        size = math.prod(shape or params.get("shape", (1,)))
        if shape and len(shape) > 1:
            return ntr("Each sample brings {shape} = {count} value into the network.",
                       "Each sample brings {shape} = {count} values into the network.", size,
                       shape=short_shape(shape), count=_count(size))
        return ntr("Each sample brings {count} value (feature).", "Each sample brings {count} values (features).",
                   size, count=_count(size))
    if kind in ("Dense", "Output"):
        inputs, units = in_shapes[0][0], shape[0]
        bias = bool(params.get("use_bias", True))
        total = inputs * units + (units if bias else 0)
        sums = f"{_count(inputs)}·{_count(units)}" + (f" + {_count(units)}" if bias else "")
        values = {"kind": kind, "units": _count(units), "inputs": _count(inputs), "sums": sums,
                  "total": _count(total)}
        if bias and inputs == 1:
            text = ntr("This {kind} layer has {units} neuron; each sums 1 input plus a bias, so it has {sums} = "
                       "{total} parameters.",
                       "This {kind} layer has {units} neurons; each sums 1 input plus a bias, so it has {sums} = "
                       "{total} parameters.", units, **values)
        elif bias:
            text = ntr("This {kind} layer has {units} neuron; each sums {inputs} inputs plus a bias, so it has "
                       "{sums} = {total} parameters.",
                       "This {kind} layer has {units} neurons; each sums {inputs} inputs plus a bias, so it has "
                       "{sums} = {total} parameters.", units, **values)
        elif inputs == 1:
            text = ntr("This {kind} layer has {units} neuron; each sums 1 input, so it has {sums} = {total} "
                       "parameters.",
                       "This {kind} layer has {units} neurons; each sums 1 input, so it has {sums} = {total} "
                       "parameters.", units, **values)
        else:
            text = ntr("This {kind} layer has {units} neuron; each sums {inputs} inputs, so it has {sums} = {total} "
                       "parameters.",
                       "This {kind} layer has {units} neurons; each sums {inputs} inputs, so it has {sums} = "
                       "{total} parameters.", units, **values)
        if kind == "Output":
            target = context.output_targets.get(node_id) if context else None
            config, _ = resolve_output(params, target)
            text += " " + tr("It uses {activation} and is trained with {loss} ({task}).",
                             activation=config.activation, loss=config.loss.replace("_", " "), task=config.task)
        else:
            text += " " + tr("Each neuron then applies {activation}.", activation=params.get("activation"))
        return text
    if kind == "Dropout":
        rate = float(params.get("rate", 0.0))
        return tr("While training, about {share:.0%} of its {count} values are set to 0 at each step and the others "
                  "multiplied by 1/(1 − {rate:g}) = {scale:.3g}; when predicting it passes everything through.",
                  share=rate, count=_count(math.prod(shape)), rate=rate, scale=1 / (1 - rate))
    if kind == "Flatten":
        return tr("Turns each {shape} sample into a row of {count} values; no weights.",
                  shape=short_shape(in_shapes[0]), count=_count(shape[0]))
    if kind == "BatchNormalization":
        features = shape[0]
        return tr("Normalises {features} features: {trained} trained parameters (γ, β) and {running} running "
                  "averages, {total} in all.", features=_count(features), trained=_count(2 * features),
                  running=_count(2 * features), total=_count(4 * features))
    if kind == "Concatenate":
        widths = " + ".join(_count(s[-1]) for s in in_shapes)
        return tr("Joins {count} inputs side by side: {widths} = {total} values.", count=len(in_shapes),
                  widths=widths, total=_count(shape[-1]))
    if kind == "Add":
        return tr("Adds {count} inputs of {shape} values each, value by value.", count=len(in_shapes),
                  shape=short_shape(shape))
    if kind == "Activation":
        return tr("Applies {activation} to each of its {shape} values; no weights.",
                  activation=params.get("activation"), shape=short_shape(shape))
    return tr(explain("layer", kind).sentence)


__all__ = ["ACTIVATIONS", "CATALOGUES", "Explanation", "LAYERS", "LOSSES", "METRICS", "OPTIMIZERS",
           "activation_curve", "explain", "explain_node"]
