"""Weights files in safetensors (they hold numbers only and can never run code, unlike pickle)."""

from __future__ import annotations

import pickle
import warnings
import logging
from pathlib import Path
from typing import Union

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors_bytes
from safetensors.torch import save as save_safetensors_bytes

from ..core.files import atomic_write_bytes
from ..core.i18n import tr

log = logging.getLogger(__name__)


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
        raise WeightsError(tr("this is not a readable safetensors weights file ({reason})",
                                reason=str(exc)[:120])) from None


def apply_state(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Load weights into a matching network, naming the first layer that does not fit."""
    expected = model.state_dict()
    for key, value in expected.items():
        layer = key.split(".")[1] if key.startswith("layers.") else key
        if key not in state:
            raise WeightsError(tr("the weights file has no values for layer '{layer}' ({key})", layer=layer, key=key))
        if tuple(state[key].shape) != tuple(value.shape):
            raise WeightsError(tr("layer '{layer}' does not match: the file has {key} of shape {shape}, the network "
                                  "needs {needed}", layer=layer, key=key, shape=tuple(state[key].shape),
                                  needed=tuple(value.shape)))
        if state[key].dtype != value.dtype and not (state[key].is_floating_point() and value.is_floating_point()):
            raise WeightsError(tr("layer '{layer}': {key} holds {dtype}, expected {expected}", layer=layer, key=key,
                                  dtype=state[key].dtype, expected=value.dtype))
    extra = sorted(set(state) - set(expected))
    if extra:
        raise WeightsError(tr("the weights file has values the network does not know: {key}", key=extra[0]))
    for key, tensor in state.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise WeightsError(tr("{key} in the weights file holds NaN or infinite numbers", key=key))
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in state.items()})


def load_weights(model: torch.nn.Module, path: Union[str, Path]) -> None:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise WeightsError(tr("could not read '{path}': {reason}", path=path, reason=exc.strerror or exc)) from None
    apply_state(model, state_from_bytes(data))


def matching_keys(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Accept keys written by exported code too: `hidden1.weight` is the app's `layers.hidden1.weight`."""
    expected = model.state_dict()
    renamed = {}
    for key, value in state.items():
        if key not in expected and f"layers.{key}" in expected:
            key = f"layers.{key}"
        renamed[key] = value
    return renamed


def load_pt_state(path: Union[str, Path]) -> dict[str, torch.Tensor]:
    """Read a plain state dict saved with torch.save, without ever running code from the file.

    `weights_only=True` makes torch refuse anything but tensors and plain containers, so a `.pt` file from
    elsewhere cannot execute code the way an ordinary pickle can."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch notes pickle protocols it was not written with
            loaded = torch.load(Path(path), map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightsError(tr("'{path}' does not exist", path=path)) from None
    except (pickle.UnpicklingError, OSError, RuntimeError, ValueError, EOFError, KeyError, TypeError, AttributeError, IndexError,
            UnicodeDecodeError) as exc:
        # torch reports a refused or damaged pickle as one of these; the first line says enough.
        first_line = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise WeightsError(tr("'{name}' is not a readable weights file ({reason})", name=Path(path).name,
                                reason=first_line)) from None
    if isinstance(loaded, dict) and isinstance(loaded.get("state_dict"), dict):
        loaded = loaded["state_dict"]  # the common {"state_dict": ...} checkpoint layout
    if not isinstance(loaded, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                               for k, v in loaded.items()):
        raise WeightsError(tr("'{name}' does not hold a state dict (names mapped to tensors)", name=Path(path).name))
    return dict(loaded)


def load_any_weights(model: torch.nn.Module, path: Union[str, Path]) -> None:
    """Load a .safetensors file, or a .pt/.pth state dict (read safely), into a matching network."""
    if Path(path).suffix.lower() in (".pt", ".pth", ".bin"):
        state = load_pt_state(path)
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise WeightsError(tr("could not read '{path}': {reason}", path=path, reason=exc.strerror or exc)) from None
        state = state_from_bytes(data)
    apply_state(model, matching_keys(model, state))


def says_trained(path: Union[str, Path]) -> bool:
    """What a weights file's own note says: NN Studio writes trained=false for starting weights.

    A .pt state dict from elsewhere holds weights someone chose, so it counts as trained.
    """
    path = Path(path)
    if path.suffix.lower() != ".safetensors":
        return True
    from safetensors import SafetensorError, safe_open  # noqa: PLC0415

    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
    except (OSError, SafetensorError) as exc:  # it loaded a moment ago, so this is only about the note
        log.warning("could not read the metadata of %s: %s", path, exc)
        return True
    return metadata.get("trained") != "false"
