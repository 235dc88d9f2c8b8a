"""What a layer type is made of: its parameter specs, the LayerSpec itself, shapes and the names it may use."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .i18n import N_, tr
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

# The palette's groups: English keys (a layer spec names its category with them, the canvas colours by them),
# shown with tr(category).
CATEGORIES: tuple[str, ...] = (N_("Inputs & outputs"), N_("Core"), N_("Merge"), N_("Regularisation"),
                               N_("Activations"))


class ShapeError(Exception):
    """A layer cannot accept its inputs; the message is written for a student."""


@dataclass(frozen=True)
class ParamSpec:
    """One setting of a layer: its kind, default, allowed values and a help sentence."""

    name: str
    kind: str  # int, float, bool, choice, shape, columns, metrics, text
    default: Any
    help: str  # marked with N_ where it is defined; shown with tr(help)
    label: str = ""  # marked with N_; title gives it in the current language
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    choices: tuple[str, ...] = ()
    # Exclusive bounds: a dropout rate of exactly 1 would drop everything.
    maximum_exclusive: bool = False

    @property
    def title(self) -> str:
        """The setting's name as a student reads it, in the current language ("Units", "유닛 수")."""
        return tr(self.label) if self.label else self.name.replace("_", " ").capitalize()

    def problem(self, value: Any) -> Optional[str]:
        """Return why `value` is not allowed for this parameter, or None when it is fine."""
        kind = self.kind
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return tr("{setting} must be a whole number", setting=self.title)
            return self._range_problem(value)
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return tr("{setting} must be a number", setting=self.title)
            # A whole number beyond float's range (10**400) cannot even be compared as a float: say so.
            if isinstance(value, int) and abs(value) > 1e300:
                return tr("{setting} is far too large", setting=self.title)
            if not math.isfinite(value):
                return tr("{setting} must be a finite number", setting=self.title)
            return self._range_problem(value)
        if kind == "bool":
            return None if isinstance(value, bool) else tr("{setting} must be on or off", setting=self.title)
        if kind == "choice":
            if value not in self.choices:
                return tr("{setting} must be one of: {choices}", setting=self.title,
                          choices=", ".join(self.choices))
            return None
        if kind == "shape":
            if (not isinstance(value, (list, tuple)) or not value or len(value) > 4
                    or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value)):
                return tr("{setting} must be one to four positive whole numbers, like 8 or 28×28",
                          setting=self.title)
            if math.prod(value) > 50_000_000:
                return tr("{setting} is too large", setting=self.title)
            return None
        if kind in ("columns", "metrics"):
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                return tr("{setting} must be a list of names", setting=self.title)
            if kind == "metrics":
                unknown = [v for v in value if v not in METRICS]
                if unknown:
                    return tr("{setting}: unknown metric {metric!r}", setting=self.title, metric=unknown[0])
            return None
        if kind == "text":
            return None if isinstance(value, str) else tr("{setting} must be text", setting=self.title)
        return tr("{setting} has an unknown kind {kind!r}", setting=self.title, kind=kind)

    def _range_problem(self, value: float) -> Optional[str]:
        if self.minimum is not None and value < self.minimum:
            return tr("{setting} must be at least {minimum} (it is {value})", setting=self.title,
                      minimum=_fmt(self.minimum), value=_fmt(value))
        if self.maximum is not None:
            if self.maximum_exclusive and value >= self.maximum:
                return tr("{setting} must be below {maximum} (it is {value})", setting=self.title,
                          maximum=_fmt(self.maximum), value=_fmt(value))
            if not self.maximum_exclusive and value > self.maximum:
                return tr("{setting} must be at most {maximum} (it is {value})", setting=self.title,
                          maximum=_fmt(self.maximum), value=_fmt(value))
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


_SHAPE_TEXT = re.compile(r"^\s*\d+(\s*[x×X*,]\s*\d+)*\s*$")


def parse_shape(text: str) -> Optional[tuple[int, ...]]:
    """Read a shape as a student types it: "8", "28x28", "28×28" or "28, 28" (short_shape's reverse); None if not."""
    if not _SHAPE_TEXT.match(text):
        return None
    return tuple(int(part) for part in re.split(r"\s*[x×X*,]\s*", text.strip()))


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
    help: str  # one text per layer type: the palette's tooltip, the inspector's note and the explain panel
    params: tuple[ParamSpec, ...]
    infer: Infer
    describe: Callable[[dict], str]
    formula: str = ""  # what the layer computes, in plain unicode, for the explain panel
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
