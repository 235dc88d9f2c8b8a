"""The activation functions a drawing can name, as small torch modules."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from nnstudio.core.i18n import tr

# torch's default slope for negative inputs (Keras' LeakyReLU layer uses 0.3, its relu(negative_slope)
# 0.2); we follow torch so exported PyTorch code reads `nn.LeakyReLU()` with no surprise argument.
LEAKY_RELU_SLOPE = 0.01


class Step(nn.Module):
    """The perceptron's threshold: 1 where z >= 0, else 0 (its slope is zero, so no gradient flows)."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (z >= 0).to(z.dtype)


class Sign(nn.Module):
    """-1, 0 or 1 depending on the sign of z (torch.sign); like step it has no useful gradient."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sign(z)


_FACTORIES: dict[str, Callable[[], nn.Module]] = {
    "linear": nn.Identity,
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "softmax": lambda: nn.Softmax(dim=-1),
    "leaky_relu": lambda: nn.LeakyReLU(LEAKY_RELU_SLOPE),
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "step": Step,
    "sign": Sign,
}


def make_activation(name: str) -> nn.Module:
    """A fresh module for the activation called `name` (one of core.layers.ACTIVATIONS)."""
    try:
        return _FACTORIES[name]()
    except KeyError:
        raise ValueError(tr("unknown activation {name!r}; choose one of {choices}", name=name,
                            choices=", ".join(_FACTORIES))) from None


ACTIVATION_NAMES: tuple[str, ...] = tuple(_FACTORIES)
