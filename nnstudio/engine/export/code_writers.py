"""One code writer per layer type, keyed like BUILDERS: the lines model.py needs for a node of that type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from torch import nn

from ...core.i18n import N_, tr
from .code_literals import comment_text, number, whole
from .formats import ExportError

_ACTIVATIONS_NEEDING_F = ("leaky_relu", "elu", "gelu")


@dataclass
class Line:
    """One statement of forward(), plus whether it needs `torch.nn.functional`."""

    text: str
    uses_functional: bool = False


@dataclass
class LayerCode:
    """What a writer knows about one node: its name in the code, its built module, parameters and wiring."""

    code: str                      # the attribute / variable name in model.py
    module: nn.Module              # as the engine built it (sizes are read from here, not from the file)
    params: dict
    shape: tuple                   # the node's output shape, without the batch axis
    # The variables feeding it, in port order. A node that feeds no output gets a stand-in: its forward line
    # is dropped, only its __init__ line (its weights) is kept.
    sources: list[str] = field(default_factory=lambda: ["x"])


@dataclass
class LayerLines:
    """A layer's line in __init__ (None for layers without a module) and its statement in forward()."""

    init: Optional[str] = None
    forward: Optional[Line] = None


CodeWriter = Callable[[LayerCode], LayerLines]


def activation_line(name: str, value: str, sample_rank: int) -> Line:
    """The expression applying a drawing's activation to `value`."""
    dim = 1 if sample_rank == 1 else -1
    simple = {"linear": value, "relu": f"torch.relu({value})", "sigmoid": f"torch.sigmoid({value})",
              "tanh": f"torch.tanh({value})", "softmax": f"torch.softmax({value}, dim={dim})",
              "sign": f"torch.sign({value})", "step": f"({value} >= 0).float()",
              "leaky_relu": f"F.leaky_relu({value})", "elu": f"F.elu({value})", "gelu": f"F.gelu({value})"}
    # Only these fixed expressions are ever written: an activation name from the file is a key, never code.
    if not isinstance(name, str) or name not in simple:
        raise ExportError(tr("there is no code for the activation {name}", name=comment_text(name)[:80]))
    return Line(simple[name], name in _ACTIVATIONS_NEEDING_F)


def _call(layer: LayerCode) -> Line:
    return Line(f"{layer.code} = self.{layer.code}({layer.sources[0]})")


def write_input(layer: LayerCode) -> LayerLines:
    shape = layer.shape
    if len(shape) <= 1:
        return LayerLines()
    sizes = ", ".join(whole(s, N_("an input size")) for s in shape)
    dims = "×".join(whole(s, N_("an input size")) for s in shape)
    return LayerLines(forward=Line(f"{layer.code} = {layer.code}.reshape(-1, {sizes})  # each sample is {dims}"))


def write_dense(layer: LayerCode) -> LayerLines:
    """Dense and Output: nn.Linear, then the activation (the Output's resolved one, as the module holds it)."""
    units, features = layer.module.weight.shape
    bias = "" if layer.module.bias is not None else ", bias=False"
    init = f"self.{layer.code} = nn.Linear({whole(features, N_('a size'))}, {whole(units, N_('a size'))}{bias})"
    line = activation_line(layer.module.activation_name, f"self.{layer.code}({layer.sources[0]})", len(layer.shape))
    return LayerLines(init, Line(f"{layer.code} = {line.text}", line.uses_functional))


def write_dropout(layer: LayerCode) -> LayerLines:
    return LayerLines(f"self.{layer.code} = nn.Dropout({number(layer.module.p, N_('a dropout rate'))})", _call(layer))


def write_batch_normalization(layer: LayerCode) -> LayerLines:
    module = layer.module
    return LayerLines(f"self.{layer.code} = nn.BatchNorm1d({whole(module.num_features, N_('a size'))}, "
                      f"eps={number(module.eps, 'epsilon')}, momentum={number(module.momentum, 'momentum')})",
                      _call(layer))


def write_layer_normalization(layer: LayerCode) -> LayerLines:
    module = layer.module
    bias = "" if module.bias is not None else ", bias=False"
    return LayerLines(f"self.{layer.code} = nn.LayerNorm({whole(module.normalized_shape[0], N_('a size'))}, "
                      f"eps={number(module.eps, 'epsilon')}{bias})", _call(layer))


def write_flatten(layer: LayerCode) -> LayerLines:
    return LayerLines(forward=Line(f"{layer.code} = torch.flatten({layer.sources[0]}, 1)"))


def write_activation(layer: LayerCode) -> LayerLines:
    line = activation_line(layer.params.get("activation", "relu"), layer.sources[0], len(layer.shape))
    return LayerLines(forward=Line(f"{layer.code} = {line.text}", line.uses_functional))


def write_concatenate(layer: LayerCode) -> LayerLines:
    dim = 1 if len(layer.shape) == 1 else -1
    return LayerLines(forward=Line(f"{layer.code} = torch.cat([{', '.join(layer.sources)}], dim={dim})"))


def write_add(layer: LayerCode) -> LayerLines:
    return LayerLines(forward=Line(f"{layer.code} = {' + '.join(layer.sources)}"))


CODE_WRITERS: dict[str, CodeWriter] = {
    "Input": write_input,
    "Dense": write_dense,
    "Output": write_dense,
    "Dropout": write_dropout,
    "BatchNormalization": write_batch_normalization,
    "LayerNormalization": write_layer_normalization,
    "Flatten": write_flatten,
    "Activation": write_activation,
    "Concatenate": write_concatenate,
    "Add": write_add,
}


__all__ = ["CODE_WRITERS", "CodeWriter", "LayerCode", "LayerLines", "Line", "activation_line"]
