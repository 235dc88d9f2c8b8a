"""Weights files in safetensors (they hold numbers only and can never run code, unlike pickle)."""

from __future__ import annotations

from pathlib import Path
from typing import Union

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors_bytes
from safetensors.torch import save as save_safetensors_bytes

from ..core.files import atomic_write_bytes


class WeightsError(Exception):
    """A weights file is unreadable or does not fit the network; the message names the first mismatch."""


def state_to_bytes(model: torch.nn.Module, metadata: dict[str, str] | None = None) -> bytes:
    state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    return save_safetensors_bytes(state, metadata=metadata)


def save_weights(model: torch.nn.Module, path: Union[str, Path], metadata: dict[str, str] | None = None) -> None:
    atomic_write_bytes(path, state_to_bytes(model, metadata))


def state_from_bytes(data: bytes) -> dict[str, torch.Tensor]:
    try:
        return load_safetensors_bytes(data)
    except (SafetensorError, ValueError, RuntimeError, OverflowError) as exc:
        raise WeightsError(f"this is not a readable safetensors weights file ({str(exc)[:120]})") from None


def apply_state(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Load weights into a matching network, naming the first layer that does not fit."""
    expected = model.state_dict()
    for key, value in expected.items():
        layer = key.split(".")[1] if key.startswith("layers.") else key
        if key not in state:
            raise WeightsError(f"the weights file has no values for layer '{layer}' ({key})")
        if tuple(state[key].shape) != tuple(value.shape):
            raise WeightsError(f"layer '{layer}' does not match: the file has {key} of shape "
                               f"{tuple(state[key].shape)}, the network needs {tuple(value.shape)}")
        if state[key].dtype != value.dtype and not (state[key].is_floating_point() and value.is_floating_point()):
            raise WeightsError(f"layer '{layer}': {key} holds {state[key].dtype}, expected {value.dtype}")
    extra = sorted(set(state) - set(expected))
    if extra:
        raise WeightsError(f"the weights file has values the network does not know: {extra[0]}")
    for key, tensor in state.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise WeightsError(f"{key} in the weights file holds NaN or infinite numbers")
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in state.items()})


def load_weights(model: torch.nn.Module, path: Union[str, Path]) -> None:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise WeightsError(f"could not read '{path}': {exc.strerror or exc}") from None
    apply_state(model, state_from_bytes(data))
