"""One torch builder per layer type, keyed by the same names as the layer catalogue."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import torch
from torch import nn
from torch.nn import functional as F

from nnstudio.core.i18n import tr
from nnstudio.core.layers import OutputConfig, Shape

from .activations import make_activation

# Keras draws its "normal" initialisers from a normal truncated at two standard deviations, scaled up by
# this factor so the spread of the kept values is the one asked for.
_TRUNCATED_NORMAL_CORRECTION = 0.87962566103423978


@dataclass
class BuildConfig:
    """What a builder needs besides the node's parameters and input shapes."""

    node_id: str
    name: str
    output_shape: Shape
    generator: torch.Generator            # seeded per layer so weights do not depend on other layers
    output: Optional[OutputConfig] = None  # only for Output nodes


Builder = Callable[[dict, list, BuildConfig], nn.Module]


def initialize_weight(weight: torch.Tensor, initializer: str, generator: torch.Generator) -> None:
    """Fill a (units, features) weight in place the way Keras' initialiser of that name does."""
    fan_out, fan_in = weight.shape
    with torch.no_grad():
        if initializer == "zeros":
            weight.zero_()
        elif initializer == "ones":
            weight.fill_(1.0)
        elif initializer == "random_normal":
            weight.normal_(0.0, 0.05, generator=generator)  # Keras' RandomNormal default spread
        elif initializer.endswith("_uniform"):
            limit = math.sqrt(_variance_scale(initializer, fan_in, fan_out) * 3.0)
            weight.uniform_(-limit, limit, generator=generator)
        elif initializer.endswith("_normal"):
            std = math.sqrt(_variance_scale(initializer, fan_in, fan_out)) / _TRUNCATED_NORMAL_CORRECTION
            nn.init.trunc_normal_(weight, 0.0, std, -2.0 * std, 2.0 * std, generator=generator)
        else:
            raise ValueError(tr("unknown initializer {name!r}", name=initializer))


def _variance_scale(initializer: str, fan_in: int, fan_out: int) -> float:
    family = initializer.rsplit("_", 1)[0]
    if family == "glorot":
        return 2.0 / (fan_in + fan_out)
    if family == "he":
        return 2.0 / fan_in
    if family == "lecun":
        return 1.0 / fan_in
    raise ValueError(tr("unknown initializer {name!r}", name=initializer))


class InputLayer(nn.Module):
    """Where data enters: gives each sample the drawn shape (flat data for a 28×28 input is reshaped)."""

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1:] == self.shape:
            return x
        return x.reshape((x.shape[0],) + self.shape)


class Dense(nn.Module):
    """Weighted sums plus bias, then the activation; `weight` and `bias` sit at the top for readable keys."""

    def __init__(self, features: int, units: int, activation: str, use_bias: bool) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(units, features))
        self.bias = nn.Parameter(torch.zeros(units)) if use_bias else None
        self.activation_name = activation
        self.activation = make_activation(activation)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """The weighted sums z before the activation."""
        return F.linear(x, self.weight, self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(F.linear(x, self.weight, self.bias))

    def extra_repr(self) -> str:
        return f"features={self.weight.shape[1]}, units={self.weight.shape[0]}, activation={self.activation_name}"


class Flatten(nn.Module):
    """Unrolls everything after the batch axis into one row."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1)


class Concatenate(nn.Module):
    """Joins its inputs along the last axis in port order (in1, in2, ...)."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.cat(inputs, dim=-1)


class Add(nn.Module):
    """Adds its inputs element by element in port order."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        total = inputs[0]
        for value in inputs[1:]:
            total = total + value
        return total


def _dense_layer(features: int, units: int, activation: str, params: dict, config: BuildConfig) -> Dense:
    layer = Dense(features, units, activation, bool(params.get("use_bias", True)))
    initialize_weight(layer.weight, params.get("initializer", "glorot_uniform"), config.generator)
    return layer


def build_input(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    return InputLayer(tuple(params["shape"]))


def build_dense(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    return _dense_layer(input_shapes[0][0], params["units"], params["activation"], params, config)


def build_output(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    if config.output is None:
        raise ValueError(f"Output '{config.name}' needs its resolved output configuration")
    return _dense_layer(input_shapes[0][0], config.output.units, config.output.activation, params, config)


def build_dropout(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    return nn.Dropout(params["rate"])


def build_batch_normalization(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    # Keras' momentum is the share of the old running average that is kept; torch's is the share of the new.
    return nn.BatchNorm1d(input_shapes[0][0], eps=params["epsilon"], momentum=1.0 - params["momentum"])


def build_layer_normalization(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    # Over the last axis, as Keras does; `bias` is Keras' center (the learned shift β).
    return nn.LayerNorm(input_shapes[0][-1], eps=params["epsilon"], bias=bool(params["center"]))


def build_flatten(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    return Flatten()


def build_activation(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    return make_activation(params["activation"])


def build_concatenate(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    return Concatenate()


def build_add(params: dict, input_shapes: list, config: BuildConfig) -> nn.Module:
    return Add()


BUILDERS: dict[str, Builder] = {
    "Input": build_input,
    "Dense": build_dense,
    "Output": build_output,
    "Dropout": build_dropout,
    "BatchNormalization": build_batch_normalization,
    "LayerNormalization": build_layer_normalization,
    "Flatten": build_flatten,
    "Activation": build_activation,
    "Concatenate": build_concatenate,
    "Add": build_add,
}
