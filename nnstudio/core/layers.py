"""The layer catalogue: one spec per layer type (ports, parameters with help, shape rule)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .json_checks import MAX_WHOLE, short_value

Shape = tuple[int, ...]

ACTIVATIONS: tuple[str, ...] = (
    "linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "gelu", "step", "sign",
)
# Activations whose derivative is zero almost everywhere: gradient descent cannot move through them.
NO_GRADIENT_ACTIVATIONS = frozenset({"step", "sign"})
# Layers with a weight matrix from every input to every unit: the ones the weights, neuron and truth-table views
# show and the teaching panels let a student edit.
WEIGHTED_TYPES = ("Dense", "Output")

INITIALIZERS: tuple[str, ...] = (
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
    "lecun_uniform", "lecun_normal", "random_normal", "zeros", "ones",
)

TASKS: tuple[str, ...] = ("auto", "multiclass", "binary", "regression")
LOSSES: tuple[str, ...] = ("auto", "cross_entropy", "binary_cross_entropy", "mse", "mae")
METRICS: tuple[str, ...] = ("accuracy", "precision", "recall", "f1", "mse", "mae", "r2")

CATEGORIES: tuple[str, ...] = ("Inputs & outputs", "Core", "Merge", "Regularisation", "Activations")


class ShapeError(Exception):
    """A layer cannot accept its inputs; the message is written for a student."""


@dataclass(frozen=True)
class ParamSpec:
    """One setting of a layer: its kind, default, allowed values and a help sentence."""

    name: str
    kind: str  # int, float, bool, choice, shape, columns, metrics, text
    default: Any
    help: str
    label: str = ""
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    choices: tuple[str, ...] = ()
    # Exclusive bounds: a dropout rate of exactly 1 would drop everything.
    maximum_exclusive: bool = False

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def problem(self, value: Any) -> Optional[str]:
        """Return why `value` is not allowed for this parameter, or None when it is fine."""
        kind = self.kind
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return f"{self.title} must be a whole number"
            return self._range_problem(value)
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"{self.title} must be a number"
            # A whole number beyond float's range (10**400) cannot even be compared as a float: say so.
            if isinstance(value, int) and abs(value) > 1e300:
                return f"{self.title} is far too large"
            if not math.isfinite(value):
                return f"{self.title} must be a finite number"
            return self._range_problem(value)
        if kind == "bool":
            return None if isinstance(value, bool) else f"{self.title} must be on or off"
        if kind == "choice":
            if value not in self.choices:
                return f"{self.title} must be one of: {', '.join(self.choices)}"
            return None
        if kind == "shape":
            if (not isinstance(value, (list, tuple)) or not value or len(value) > 4
                    or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value)):
                return f"{self.title} must be one to four positive whole numbers, like 8 or 28×28"
            if math.prod(value) > 50_000_000:
                return f"{self.title} is too large"
            return None
        if kind in ("columns", "metrics"):
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                return f"{self.title} must be a list of names"
            if kind == "metrics":
                unknown = [v for v in value if v not in METRICS]
                if unknown:
                    return f"{self.title}: unknown metric {unknown[0]!r}"
            return None
        if kind == "text":
            return None if isinstance(value, str) else f"{self.title} must be text"
        return f"{self.title} has an unknown kind {kind!r}"

    def _range_problem(self, value: float) -> Optional[str]:
        if self.minimum is not None and value < self.minimum:
            return f"{self.title} must be at least {_fmt(self.minimum)} (it is {_fmt(value)})"
        if self.maximum is not None:
            if self.maximum_exclusive and value >= self.maximum:
                return f"{self.title} must be below {_fmt(self.maximum)} (it is {_fmt(value)})"
            if not self.maximum_exclusive and value > self.maximum:
                return f"{self.title} must be at most {_fmt(self.maximum)} (it is {_fmt(value)})"
        return None

    def normalise(self, value: Any) -> Any:
        """Bring a JSON value into the canonical Python form (lists become tuples, ints stay ints)."""
        if self.kind == "shape" and isinstance(value, list):
            return tuple(value)
        if self.kind in ("columns", "metrics") and isinstance(value, list):
            return tuple(value)
        if self.kind == "float" and isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 1e300:
            return float(value)  # a larger one stays a whole number, and problem() says it is far too large
        return value


def _fmt(value: float) -> str:
    if isinstance(value, int) and abs(value) >= MAX_WHOLE:
        return short_value(value)  # "a 401-digit number": written out, it would swamp the message
    return f"{value:g}" if isinstance(value, float) else str(value)


def format_shape(shape: Optional[Shape]) -> str:
    """Shapes as a student reads them: (None, 8) for a vector of 8, (None, 28, 28) for an image."""
    if shape is None:
        return "?"
    return "(None, " + ", ".join(str(s) for s in shape) + ")"


def short_shape(shape: Optional[Shape]) -> str:
    """A compact form for labels on the canvas: 8 or 28×28."""
    if shape is None:
        return "?"
    return "×".join(str(s) for s in shape)


@dataclass(frozen=True)
class LayerResult:
    """What a layer produces for given inputs: output shape, parameter counts and warnings."""

    shape: Shape
    params: int = 0
    trainable: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutputTarget:
    """What the data says about an Output node: the task and how many units it needs."""

    task: str  # multiclass, binary, regression
    units: int
    class_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutputConfig:
    """The resolved training setup of an Output node."""

    task: str
    units: int
    activation: str
    loss: str
    metrics: tuple[str, ...]
    loss_weight: float


Infer = Callable[[dict, list, "NodeContext"], LayerResult]


@dataclass(frozen=True)
class NodeContext:
    """Facts from outside the graph that a shape rule may need (the bound data)."""

    name: str
    input_shape_from_data: Optional[Shape] = None
    output_target: Optional[OutputTarget] = None


@dataclass(frozen=True)
class LayerSpec:
    """Everything the app knows about a layer type, in one place."""

    type: str
    category: str
    help: str
    params: tuple[ParamSpec, ...]
    infer: Infer
    describe: Callable[[dict], str]
    output_ports: tuple[str, ...] = ("out",)
    fixed_inputs: tuple[str, ...] = ("in",)
    variadic_inputs: bool = False  # input ports come from the 'inputs' parameter
    version: int = 1
    aliases: tuple[str, ...] = ()
    icon: str = ""
    default_name: str = ""

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def input_ports(self, params: dict) -> tuple[str, ...]:
        if self.variadic_inputs:
            count = params.get("inputs", 2)
            if isinstance(count, bool) or not isinstance(count, int):
                count = 2
            return tuple(f"in{i + 1}" for i in range(max(2, min(count, 16))))
        return self.fixed_inputs

    @property
    def base_name(self) -> str:
        return self.default_name or _snake(self.type)


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


# ---------------------------------------------------------------- shape rules

def _one_input(inputs: list) -> Shape:
    if len(inputs) != 1:
        raise ShapeError("needs exactly one input")
    return inputs[0]


def _flat(inputs: list, name: str, layer: str) -> int:
    shape = _one_input(inputs)
    if len(shape) != 1:
        raise ShapeError(
            f"{layer} '{name}' expects a flat vector but gets {short_shape(shape)}: add a Flatten node before it")
    return shape[0]


def _activation_warnings(activation: str, name: str) -> tuple[str, ...]:
    if activation in NO_GRADIENT_ACTIVATIONS:
        return (f"'{name}' uses the {activation} activation, whose slope is zero everywhere: backpropagation "
                "cannot train through it. Use it for hand-set weights or the perceptron rule, "
                "or pick sigmoid/tanh/relu to train with gradient descent.",)
    return ()


def _infer_input(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    shape = tuple(params["shape"])
    data_shape = ctx.input_shape_from_data
    if data_shape is not None and math.prod(data_shape) != math.prod(shape):
        raise ShapeError(
            f"Input '{ctx.name}' is set to {short_shape(shape)} values but its data columns give "
            f"{short_shape(data_shape)}: set its shape to {short_shape(data_shape)} or choose other columns")
    return LayerResult(shape)


def _dense_result(features: int, units: int, use_bias: bool) -> LayerResult:
    count = features * units + (units if use_bias else 0)
    return LayerResult((units,), count, count)


def _infer_dense(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    features = _flat(inputs, ctx.name, "Dense")
    result = _dense_result(features, params["units"], params["use_bias"])
    return LayerResult(result.shape, result.params, result.trainable,
                       _activation_warnings(params["activation"], ctx.name))


def resolve_output(params: dict, target: Optional[OutputTarget]) -> tuple[OutputConfig, tuple[str, ...]]:
    """Work out an Output node's task, units, activation, loss and metrics; also return warnings."""
    warnings: list[str] = []
    task = params.get("task", "auto")
    if task == "auto":
        task = target.task if target else "multiclass"
    units = params.get("units", 0) or 0
    if units == 0:
        if task == "binary":
            units = 1
        elif target is not None:
            units = target.units if task == target.task or task != "binary" else 1
        else:
            units = 1 if task != "multiclass" else 2
            warnings.append("no data is chosen yet, so the number of output units is a guess; "
                            "choose a dataset and it will follow the data")
    activation = params.get("activation", "auto")
    if activation == "auto":
        activation = {"multiclass": "softmax", "binary": "sigmoid"}.get(task, "linear")
    loss = params.get("loss", "auto")
    if loss == "auto":
        loss = {"multiclass": "cross_entropy", "binary": "binary_cross_entropy"}.get(task, "mse")
    metrics = tuple(params.get("metrics", ()) or ())
    if not metrics:
        metrics = ("mse", "mae", "r2") if task == "regression" else ("accuracy", "precision", "recall", "f1")
    return OutputConfig(task, int(units), activation, loss, metrics, float(params.get("loss_weight", 1.0))), \
        tuple(warnings)


def _infer_output(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    features = _flat(inputs, ctx.name, "Output")
    config, warnings = resolve_output(params, ctx.output_target)
    target = ctx.output_target
    notes = list(warnings)
    if target is not None:
        if params.get("units", 0) and params["units"] != target.units and config.task == target.task:
            raise ShapeError(
                f"Output '{ctx.name}' has {params['units']} units but its target needs {target.units}: "
                "set units to 0 (automatic)")
        if config.task == "multiclass" and target.task == "regression":
            raise ShapeError(f"Output '{ctx.name}' classifies but its target column holds measurements: "
                             "set its task to regression")
    if config.task == "multiclass" and config.loss == "cross_entropy" and config.units < 2:
        raise ShapeError(f"Output '{ctx.name}' needs at least 2 units to tell classes apart")
    if config.task == "binary" and config.units != 1:
        raise ShapeError(f"Output '{ctx.name}' is a yes/no output and needs exactly 1 unit")
    if config.loss == "cross_entropy" and config.activation not in ("softmax", "linear"):
        notes.append(f"cross-entropy expects softmax probabilities; '{ctx.name}' uses {config.activation}")
    if config.loss == "binary_cross_entropy" and config.activation not in ("sigmoid", "linear", "step"):
        notes.append(f"binary cross-entropy expects a sigmoid output; '{ctx.name}' uses {config.activation}")
    notes.extend(_activation_warnings(config.activation, ctx.name))
    result = _dense_result(features, config.units, params["use_bias"])
    return LayerResult(result.shape, result.params, result.trainable, tuple(notes))


def _infer_same(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    return LayerResult(_one_input(inputs))


def _infer_activation(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    return LayerResult(_one_input(inputs), warnings=_activation_warnings(params["activation"], ctx.name))


def _infer_flatten(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    return LayerResult((math.prod(_one_input(inputs)),))


def _infer_batchnorm(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    features = _flat(inputs, ctx.name, "BatchNormalization")
    # Keras counts gamma, beta (trainable) and the moving mean and variance (not trainable).
    return LayerResult((features,), 4 * features, 2 * features)


def _infer_concatenate(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    leading = {s[:-1] for s in inputs}
    if len(leading) > 1:
        raise ShapeError(f"Concatenate '{ctx.name}' joins along the last axis, so its inputs must agree in "
                         f"the other axes, but it gets {', '.join(short_shape(s) for s in inputs)}: "
                         "add Flatten nodes")
    return LayerResult(inputs[0][:-1] + (sum(s[-1] for s in inputs),))


def _infer_add(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    if len(set(inputs)) > 1:
        raise ShapeError(f"Add '{ctx.name}' adds its inputs element by element, so they must have the same "
                         f"shape, but it gets {' and '.join(short_shape(s) for s in inputs)}")
    return LayerResult(inputs[0])


# ---------------------------------------------------------------- descriptions

def _describe_dense(p: dict) -> str:
    return f"{p['units']} units · {p['activation']}"


def _describe_output(p: dict) -> str:
    units = p["units"] or "auto"
    task = p["task"] if p["task"] != "auto" else "auto task"
    return f"{units} units · {task}"


# ---------------------------------------------------------------- parameter specs

def _units(default: int, help_text: str, minimum: int = 1) -> ParamSpec:
    return ParamSpec("units", "int", default, help_text, minimum=minimum, maximum=100_000)


_USE_BIAS = ParamSpec("use_bias", "bool", True,
                      "Add a bias to each neuron: a number added to the weighted sum, like the threshold of a "
                      "perceptron.")
_INITIALIZER = ParamSpec("initializer", "choice", "glorot_uniform",
                         "How the weights are set before training: small random numbers scaled to the layer's "
                         "size (Glorot suits sigmoid/tanh, He suits ReLU).", choices=INITIALIZERS)
_ACTIVATION = ParamSpec("activation", "choice", "relu",
                        "The function applied to each neuron's weighted sum z: relu keeps positives, sigmoid "
                        "squashes to 0..1, tanh to -1..1, softmax turns scores into probabilities.",
                        choices=ACTIVATIONS)


LAYERS: dict[str, LayerSpec] = {}
_ALIASES: dict[str, str] = {}


def register(spec: LayerSpec) -> LayerSpec:
    """Add a layer type to the catalogue (one spec, one torch builder in the engine, tests)."""
    if spec.type in LAYERS:
        raise ValueError(f"layer type {spec.type!r} is registered twice")
    LAYERS[spec.type] = spec
    for alias in spec.aliases:
        _ALIASES[alias] = spec.type
    return spec


register(LayerSpec(
    "Input", "Inputs & outputs",
    "Where data enters the network: one value per feature (e.g. 8 measurements) or a grid of pixels (28×28).",
    (ParamSpec("shape", "shape", (8,), "How many values each sample has: 8 for eight features, 28×28 for an "
               "image.", label="Shape"),
     ParamSpec("columns", "columns", (), "Which data columns feed this input; empty means every column that "
               "is not a target.", label="Columns")),
    _infer_input, lambda p: short_shape(tuple(p["shape"])) + " features", fixed_inputs=(), icon="input",
    aliases=("InputLayer",)))

register(LayerSpec(
    "Dense", "Core",
    "A layer of neurons, each connected to every value of the previous layer: it computes a weighted sum plus a "
    "bias, then applies its activation.",
    (_units(32, "How many neurons this layer has. Each neuron has one weight per input plus a bias."),
     _ACTIVATION, _USE_BIAS, _INITIALIZER),
    _infer_dense, _describe_dense, icon="dense"))

register(LayerSpec(
    "Output", "Inputs & outputs",
    "The layer the network is trained against: a Dense layer sized for the task (one unit per class, one for "
    "yes/no, one per value to predict) with the matching loss.",
    (ParamSpec("task", "choice", "auto", "What this output predicts: classes (multiclass), yes/no (binary) or "
               "numbers (regression). 'auto' follows the data.", choices=TASKS),
     _units(0, "Number of output neurons; 0 means automatic (one per class, 1 for yes/no, one per value).",
            minimum=0),
     ParamSpec("activation", "choice", "auto", "Automatic: softmax for classes, sigmoid for yes/no, linear for "
               "numbers.", choices=("auto",) + ACTIVATIONS),
     ParamSpec("loss", "choice", "auto", "How wrong the network is: cross-entropy for classes, binary "
               "cross-entropy for yes/no, mean squared error (mse) or mean absolute error (mae) for numbers.",
               choices=LOSSES),
     ParamSpec("loss_weight", "float", 1.0, "How much this output counts when a network has several outputs: "
               "the total loss is the weighted sum.", minimum=0.0, maximum=1000.0),
     ParamSpec("targets", "columns", (), "Which data column(s) this output learns to predict; empty means the "
               "dataset's usual target."),
     ParamSpec("metrics", "metrics", (), "Scores reported besides the loss; empty means the usual ones for the "
               "task (accuracy, precision, recall, F1, or MSE, MAE, R²)."),
     _USE_BIAS, _INITIALIZER),
    _infer_output, _describe_output, output_ports=(), icon="output"))

register(LayerSpec(
    "Dropout", "Regularisation",
    "During training, switches off a random share of its inputs each step so the network cannot rely on any one "
    "neuron; it does nothing when predicting.",
    (ParamSpec("rate", "float", 0.3, "The share of values dropped in each training step (0.3 drops 30%).",
               minimum=0.0, maximum=1.0, maximum_exclusive=True),),
    _infer_same, lambda p: f"rate {p['rate']:g}", icon="dropout"))

register(LayerSpec(
    "BatchNormalization", "Regularisation",
    "Rescales each feature to mean 0 and spread 1 over the batch, then lets the network learn a better scale: "
    "training becomes faster and steadier.",
    (ParamSpec("momentum", "float", 0.99, "How slowly the running averages used for prediction follow each "
               "batch (Keras' convention: 0.99 means 1% new).", minimum=0.0, maximum=1.0,
               maximum_exclusive=True),
     ParamSpec("epsilon", "float", 0.001, "A tiny number added to the variance so we never divide by zero.",
               minimum=1e-12, maximum=1.0)),
    _infer_batchnorm, lambda p: "normalise", icon="batchnorm", aliases=("BatchNorm",),
    default_name="batch_normalization"))

register(LayerSpec(
    "Flatten", "Core",
    "Unrolls a grid (like a 28×28 image) into one long row of values so Dense layers can use it.",
    (), _infer_flatten, lambda p: "to a vector", icon="flatten"))

register(LayerSpec(
    "Activation", "Activations",
    "Applies a function to every value on its own, without weights: useful to show or change the "
    "non-linearity separately.",
    (_ACTIVATION,), _infer_activation, lambda p: p["activation"], icon="activation"))

register(LayerSpec(
    "Concatenate", "Merge",
    "Joins several inputs side by side into one longer vector: how a wide path and a deep path meet.",
    (ParamSpec("inputs", "int", 2, "How many incoming connections this layer joins.", minimum=2, maximum=16),),
    _infer_concatenate, lambda p: f"join {p['inputs']}", variadic_inputs=True, icon="concatenate"))

register(LayerSpec(
    "Add", "Merge",
    "Adds its inputs element by element; they must have the same shape (a shortcut connection).",
    (ParamSpec("inputs", "int", 2, "How many incoming connections this layer adds.", minimum=2, maximum=16),),
    _infer_add, lambda p: f"add {p['inputs']}", variadic_inputs=True, icon="add"))


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
            problems[p.name] = f"{p.title} is missing"
            continue
        message = p.problem(params[p.name])
        if message:
            problems[p.name] = message
    return problems
