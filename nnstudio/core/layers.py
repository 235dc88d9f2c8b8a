"""The layer catalogue: one registered spec per layer type, and how to look a type up.

Adding a layer type: register its spec here (its shape rule goes in layer_shapes.py), a torch builder in
engine/builders.py and a code writer in engine/export/code_writers.py; docs/adding-a-layer.md has the steps.
"""

from __future__ import annotations

from typing import Optional

from .i18n import N_, tr
from .layer_shapes import (
    infer_activation,
    infer_add,
    infer_batchnorm,
    infer_concatenate,
    infer_dense,
    infer_flatten,
    infer_input,
    infer_layer_normalization,
    infer_output,
    infer_same,
    resolve_output,
)
from .layer_specs import (
    ACTIVATIONS,
    CATEGORIES,
    INITIALIZERS,
    LOSSES,
    METRICS,
    NO_GRADIENT_ACTIVATIONS,
    TASKS,
    WEIGHTED_TYPES,
    Infer,
    LayerResult,
    LayerSpec,
    NodeContext,
    OutputConfig,
    OutputTarget,
    ParamSpec,
    Shape,
    ShapeError,
    format_shape,
    parse_shape,
    short_shape,
)

# ---------------------------------------------------------------- descriptions

def _describe_dense(p: dict) -> str:
    return tr("{units} units · {activation}", units=p["units"], activation=p["activation"])


# The Output's task as a card names it: the key stays in the file, the word follows the language.
TASK_NAMES = {"binary": N_("binary"), "multiclass": N_("multiclass"), "regression": N_("regression")}


def _describe_output(p: dict) -> str:
    task = tr(TASK_NAMES[p["task"]]) if p["task"] in TASK_NAMES else p["task"]
    if p["task"] == "auto":
        if p["units"]:
            return tr("{units} units · auto task", units=p["units"])
        return tr("auto units · auto task")
    if p["units"]:
        return tr("{units} units · {task}", units=p["units"], task=task)
    return tr("auto units · {task}", task=task)


# ---------------------------------------------------------------- parameter specs

def _units(default: int, help_text: str, minimum: int = 1) -> ParamSpec:
    return ParamSpec("units", "int", default, help_text, label=N_("Units"), minimum=minimum, maximum=100_000)


# Help texts and labels are marked with N_ here (they exist before a language is chosen) and shown with tr():
# ParamSpec.title, the inspector, the palette, the canvas' node tooltip and the explain panel.
_USE_BIAS = ParamSpec("use_bias", "bool", True,
                      N_("Add a bias to each neuron: a number added to the weighted sum, like the threshold of a "
                         "perceptron."), label=N_("Use bias"))
_INITIALIZER = ParamSpec("initializer", "choice", "glorot_uniform",
                         N_("How the weights are set before training: small random numbers scaled to the layer's "
                            "size (Glorot suits sigmoid/tanh, He suits ReLU)."), label=N_("Initializer"),
                         choices=INITIALIZERS)
_ACTIVATION = ParamSpec("activation", "choice", "relu",
                        N_("The function applied to each neuron's weighted sum z: relu keeps positives, sigmoid "
                           "squashes to 0..1, tanh to -1..1, softmax turns scores into probabilities."),
                        label=N_("Activation"), choices=ACTIVATIONS)


LAYERS: dict[str, LayerSpec] = {}
_ALIASES: dict[str, str] = {}


def register(spec: LayerSpec) -> LayerSpec:
    """Add a layer type to the catalogue (one spec, one torch builder, one code writer in the engine, tests)."""
    if spec.type in LAYERS:
        raise ValueError(f"layer type {spec.type!r} is registered twice")  # a programming error
    LAYERS[spec.type] = spec
    for alias in spec.aliases:
        _ALIASES[alias] = spec.type
    return spec


# Each help text is said once: the palette's tooltip, the inspector's note and the explain panel all read it.
register(LayerSpec(
    "Input", "Inputs & outputs",
    N_("Where data enters the network: one value per feature (e.g. 8 measurements) or a grid of pixels (28×28)."),
    (ParamSpec("shape", "shape", (8,), N_("How many values each sample has: 8 for eight features, 28×28 for an "
                                          "image."), label=N_("Shape")),
     ParamSpec("columns", "columns", (), N_("Which data columns feed this input; empty means every column that "
                                            "is not a target."), label=N_("Columns"))),
    infer_input, lambda p: tr("{shape} features", shape=short_shape(tuple(p["shape"]))),
    formula="x = (x1, x2, …, xn)",
    fixed_inputs=(), icon="input", aliases=("InputLayer",)))

register(LayerSpec(
    "Dense", "Core",
    N_("A layer of neurons, each connected to every value of the previous layer: each one multiplies every input "
       "by its own weight, adds them up with a bias, and passes the sum through the activation."),
    (_units(32, N_("How many neurons this layer has. Each neuron has one weight per input plus a bias.")),
     _ACTIVATION, _USE_BIAS, _INITIALIZER),
    infer_dense, _describe_dense, formula=N_("a = f(W·x + b)   (m·n + n parameters)"), icon="dense"))

register(LayerSpec(
    "Output", "Inputs & outputs",
    N_("The layer the network is trained against: a Dense layer sized for the task (one unit per class, one for "
       "yes/no, one per value to predict); the loss compares its answers with the targets."),
    (ParamSpec("task", "choice", "auto", N_("What this output predicts: classes (multiclass), yes/no (binary) or "
                                            "numbers (regression). 'auto' follows the data."),
               label=N_("Task"), choices=TASKS),
     _units(0, N_("Number of output neurons; 0 means automatic (one per class, 1 for yes/no, one per value)."),
            minimum=0),
     ParamSpec("activation", "choice", "auto", N_("Automatic: softmax for classes, sigmoid for yes/no, linear for "
                                                  "numbers."), label=N_("Activation"), choices=("auto",) + ACTIVATIONS),
     ParamSpec("loss", "choice", "auto", N_("How wrong the network is: cross-entropy for classes, binary "
                                            "cross-entropy for yes/no, mean squared error (mse) or mean absolute "
                                            "error (mae) for numbers."), label=N_("Loss"), choices=LOSSES),
     ParamSpec("loss_weight", "float", 1.0, N_("How much this output counts when a network has several outputs: "
                                               "the total loss is the weighted sum."), label=N_("Loss weight"),
               minimum=0.0, maximum=1000.0),
     ParamSpec("targets", "columns", (), N_("Which data column(s) this output learns to predict; empty means the "
                                            "dataset's usual target."), label=N_("Targets")),
     ParamSpec("metrics", "metrics", (), N_("Scores reported besides the loss; empty means the usual ones for the "
                                            "task (accuracy, precision, recall, F1, or MSE, MAE, R²)."),
               label=N_("Metrics")),
     _USE_BIAS, _INITIALIZER),
    infer_output, _describe_output, formula="ŷ = f(W·x + b)", output_ports=(), icon="output"))

register(LayerSpec(
    "Dropout", "Regularisation",
    N_("During training, switches off (sets to 0) a random share of its inputs each step and scales the others "
       "up so the sum stays the same: the network cannot rely on any one neuron. It does nothing when predicting."),
    (ParamSpec("rate", "float", 0.3, N_("The share of values dropped in each training step (0.3 drops 30%)."),
               label=N_("Rate"), minimum=0.0, maximum=1.0, maximum_exclusive=True),),
    infer_same, lambda p: tr("rate {rate:g}", rate=p["rate"]),
    formula=N_("yᵢ = 0 with probability p, else xᵢ / (1 − p)"),
    icon="dropout"))

register(LayerSpec(
    "BatchNormalization", "Regularisation",
    N_("Rescales each feature to mean 0 and spread 1 over the batch, then lets the network learn a better scale "
       "γ and shift β: training becomes faster and steadier."),
    (ParamSpec("momentum", "float", 0.99, N_("How slowly the running averages used for prediction follow each "
                                             "batch (Keras' convention: 0.99 means 1% new)."),
               label=N_("Momentum"), minimum=0.0, maximum=1.0, maximum_exclusive=True),
     ParamSpec("epsilon", "float", 0.001, N_("A tiny number added to the variance so we never divide by zero."),
               label=N_("Epsilon"), minimum=1e-12, maximum=1.0)),
    infer_batchnorm, lambda p: tr("normalise"), formula="y = γ·(x − μ) / √(σ² + ε) + β", icon="batchnorm",
    aliases=("BatchNorm",), default_name="batch_normalization"))

register(LayerSpec(
    "LayerNormalization", "Regularisation",
    N_("Rescales the values of each sample to mean 0 and spread 1 across its features (BatchNormalization does it "
       "across the batch instead), then lets the network learn a better scale γ and shift β: it works the same "
       "when training and predicting, whatever the batch size."),
    # Keras' default epsilon (torch's is 1e-5), as for BatchNormalization: a model drawn from a Keras book
    # gives the same numbers.
    (ParamSpec("epsilon", "float", 0.001, N_("A tiny number added to the variance so we never divide by zero."),
               label=N_("Epsilon"), minimum=1e-12, maximum=1.0),
     ParamSpec("center", "bool", True, N_("Learn a shift β for each feature after normalising (off: the values "
                                          "stay centred on 0)."), label=N_("Center"))),
    infer_layer_normalization, lambda p: tr("normalise each sample"),
    formula=N_("y = γ·(x − μ) / √(σ² + ε) + β   (μ, σ² over one sample's features)"),
    icon="layernorm", default_name="layer_normalization"))

register(LayerSpec(
    "Flatten", "Core",
    N_("Unrolls a grid (like a 28×28 image) into one long row of values so Dense layers can use it; it has no "
       "weights."),
    (), infer_flatten, lambda p: tr("to a vector"), formula="28×28 → 784", icon="flatten"))

register(LayerSpec(
    "Activation", "Activations",
    N_("Applies a function to every value on its own, without weights: useful to show or change the "
       "non-linearity separately."),
    (_ACTIVATION,), infer_activation, lambda p: p["activation"], formula="a = f(z)", icon="activation"))

register(LayerSpec(
    "Concatenate", "Merge",
    N_("Joins several inputs side by side into one longer vector: how a wide path and a deep path meet."),
    (ParamSpec("inputs", "int", 2, N_("How many incoming connections this layer joins."), label=N_("Inputs"),
               minimum=2, maximum=16),),
    infer_concatenate, lambda p: tr("join {count}", count=p["inputs"]), formula="(a1…am) ⊕ (b1…bn) = (a1…am, b1…bn)",
    variadic_inputs=True, icon="concatenate"))

register(LayerSpec(
    "Add", "Merge",
    N_("Adds its inputs element by element; they must have the same shape (a shortcut connection)."),
    (ParamSpec("inputs", "int", 2, N_("How many incoming connections this layer adds."), label=N_("Inputs"),
               minimum=2, maximum=16),),
    infer_add, lambda p: tr("add {count}", count=p["inputs"]), formula="y = a + b", variadic_inputs=True, icon="add"))


def layer_spec(type_name: str) -> LayerSpec:
    """The spec of a layer type, following renamed types; KeyError for unknown types."""
    return LAYERS[_ALIASES.get(type_name, type_name)]


def canonical_type(type_name: str) -> Optional[str]:
    name = _ALIASES.get(type_name, type_name)
    return name if name in LAYERS else None


def layers_by_category() -> dict[str, list[LayerSpec]]:
    grouped: dict[str, list[LayerSpec]] = {c: [] for c in CATEGORIES}
    for spec in LAYERS.values():
        grouped[spec.category].append(spec)
    return grouped


def parameter_problems(type_name: str, params: dict) -> dict[str, str]:
    """Every parameter of a node that is missing or out of range, with a message."""
    spec = layer_spec(type_name)
    problems = {}
    for p in spec.params:
        if p.name not in params:
            problems[p.name] = tr("{setting} is missing", setting=p.title)
            continue
        message = p.problem(params[p.name])
        if message:
            problems[p.name] = message
    return problems


# Everything others import from here, wherever it now lives.
__all__ = ["ACTIVATIONS", "CATEGORIES", "INITIALIZERS", "LAYERS", "LOSSES", "METRICS", "NO_GRADIENT_ACTIVATIONS",
           "TASKS", "WEIGHTED_TYPES", "Infer", "LayerResult", "LayerSpec", "NodeContext", "OutputConfig",
           "OutputTarget", "ParamSpec", "Shape", "ShapeError", "canonical_type", "format_shape", "layer_spec",
           "layers_by_category", "parameter_problems", "register", "parse_shape", "resolve_output", "short_shape"]
