"""A run's state for going on later: the optimizer's memory and the run's position as safetensors plus JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors_bytes
from safetensors.torch import save as save_safetensors_bytes

from ..core.bundle import BundleError
from ..core.i18n import tr
from ..core.json_checks import short_value
from .history import History, RunPosition
from .optimizers import OPTIMIZER_RECIPES

RUN_STATE_VERSION = 1
SHUFFLE = "run.shuffle_generator"
DROPOUT = "run.dropout_generator"
# An optimizer's memory of parameter i is stored as the tensors "optimizer.<i>.<name>" (exp_avg, momentum_buffer…).
STATE_PREFIX = "optimizer."
MAX_EPOCHS_DONE = 1_000_000_000
OPTIMIZER_CLASSES = frozenset(recipe.torch_class for recipe in OPTIMIZER_RECIPES.values())


@dataclass
class ResumeState:
    """What a saved run needs to go on: where it stopped, its optimizer's memory, and its history so far.

    `optimizer_state` is a torch optimizer state_dict ({"state", "param_groups"}), or None when the file had none
    (a bundle saved by an older NN Studio): the run then goes on with a fresh optimizer."""

    position: RunPosition
    optimizer_class: str = ""
    optimizer_state: Optional[dict] = None
    history: Optional[History] = None


def _fail(message: str) -> None:
    raise BundleError(message)


def _json_value(value: Any) -> Any:
    """An optimizer option as JSON: tuples become lists (Adam's betas); numbers, flags, text and null stay."""
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    if torch.is_tensor(value) and value.numel() == 1:  # a learning rate kept as a tensor
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def resume_state_of(trainer: Any, copy: bool = True) -> ResumeState:
    """What the trainer's run needs to go on later: its position, optimizer memory and history.

    With copy (the default) the optimizer's tensors are copied to the CPU, so the state stays as it is while the
    model trains on; without, it refers to the live tensors (enough to save them at once)."""
    state = trainer.optimizer.state_dict()
    if copy:
        state = {"state": {index: {key: value.detach().to("cpu", copy=True) if torch.is_tensor(value) else value
                                   for key, value in values.items()} for index, values in state["state"].items()},
                 "param_groups": [dict(group) for group in state["param_groups"]]}
    return ResumeState(trainer.position, type(trainer.optimizer).__name__, state, trainer.history)


def run_state_parts(resume: ResumeState) -> tuple[dict, bytes]:
    """A run's optimizer memory and position as (JSON table, safetensors bytes); no pickle anywhere."""
    position = resume.position
    tensors: dict[str, torch.Tensor] = {}
    state = resume.optimizer_state or {"state": {}, "param_groups": []}
    layout: dict[str, dict[str, Any]] = {}
    for index, values in state["state"].items():
        entry: dict[str, Any] = {}
        for key, value in values.items():
            if torch.is_tensor(value):
                tensors[f"{STATE_PREFIX}{index}.{key}"] = value.detach().to("cpu").contiguous().clone()
                entry[key] = "tensor"
            else:
                entry[key] = _json_value(value)
        layout[str(index)] = entry
    groups = [{key: _json_value(value) for key, value in group.items()} for group in state["param_groups"]]
    generators = {}
    for name, value in ((SHUFFLE, position.shuffle_state), (DROPOUT, position.dropout_state)):
        if value is not None:
            tensors[name] = value.detach().to("cpu").contiguous().clone()
            generators[name] = True
    table = {
        "version": RUN_STATE_VERSION,
        "epochs_done": int(position.epochs_done),
        "optimizer": ({"class": resume.optimizer_class, "param_groups": groups, "state": layout}
                      if resume.optimizer_state is not None else None),
        "generators": sorted(generators),
    }
    return table, save_safetensors_bytes(tensors)


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _plain_option(value: Any) -> bool:
    if isinstance(value, list):
        return len(value) <= 16 and all(_plain_option(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (bool, int, str))


def _check_generator(tensors: dict[str, torch.Tensor], name: str) -> Optional[torch.Tensor]:
    """A saved generator state, tried on a throw-away generator first: torch refuses one of the wrong size."""
    value = tensors.get(name)
    if value is None:
        return None
    if value.dtype != torch.uint8 or value.dim() != 1:
        _fail(tr("its saved random generator state is damaged"))
    try:
        torch.Generator().set_state(value)
    except (RuntimeError, ValueError, TypeError):
        _fail(tr("its saved random generator state is damaged"))
    return value


def _check_groups(groups: Any, count: int) -> None:
    """Every parameter of the network in exactly one group, each group's options plain numbers or flags."""
    if not isinstance(groups, list) or not groups or len(groups) > count + 1:
        _fail(tr("its optimizer state has no valid parameter groups"))
    seen: list[int] = []
    for group in groups:
        if not isinstance(group, dict) or not isinstance(group.get("params"), list):
            _fail(tr("its optimizer state has no valid parameter groups"))
        if not all(_whole(i, 0, count - 1) for i in group["params"]):
            _fail(tr("its optimizer state names parameters the network does not have"))
        seen.extend(group["params"])
        if not all(isinstance(k, str) and _plain_option(v) for k, v in group.items() if k != "params"):
            _fail(tr("its optimizer state has an invalid option"))
    if sorted(seen) != list(range(count)):
        _fail(tr("its optimizer state does not cover the network's {count} weight tensors", count=count))


def _check_tensor(name: str, value: torch.Tensor, shape: tuple[int, ...]) -> None:
    """An optimizer tensor has its parameter's shape (moments, momentum) or none at all (the step count)."""
    if tuple(value.shape) not in (shape, ()):
        _fail(tr("its optimizer state {name} has the shape {found}; the network's weights have the shape "
                 "{expected}", name=short_value(name, 60), found=list(value.shape), expected=list(shape)))
    if not (value.dtype.is_floating_point or value.dtype in (torch.int32, torch.int64)):
        _fail(tr("its optimizer state {name} does not hold numbers", name=short_value(name, 60)))
    if value.dtype.is_floating_point and not bool(torch.isfinite(value).all()):
        _fail(tr("its optimizer state {name} holds NaN or infinite values", name=short_value(name, 60)))


def resume_from_parts(table: Any, data: bytes, model: torch.nn.Module, history: Optional[History] = None
                      ) -> ResumeState:
    """Check a saved run state against the network it belongs to; BundleError in plain words for anything wrong."""
    if not isinstance(table, dict):
        _fail(tr("its training state is not a table"))
    version = table.get("version")
    if not _whole(version, 1, 2**31):
        _fail(tr("its training state has no valid version number"))
    if version > RUN_STATE_VERSION:
        _fail(tr("its training state was saved by a newer NN Studio: please update NN Studio to go on with it"))
    epochs_done = table.get("epochs_done")
    if not _whole(epochs_done, 0, MAX_EPOCHS_DONE):
        _fail(tr("its training state has an invalid number of epochs done"))
    if history is not None and history.epochs and history.epochs[-1] != epochs_done:
        _fail(tr("its training state ({done} epochs done) does not match its run history", done=epochs_done))
    try:
        tensors = load_safetensors_bytes(bytes(data))
    except (SafetensorError, ValueError, RuntimeError, OverflowError, TypeError) as exc:
        raise BundleError(tr("its optimizer state is not a readable safetensors file ({reason})",
                             reason=str(exc)[:80])) from None
    generators = table.get("generators", [])
    if not isinstance(generators, list) or not set(generators) <= {SHUFFLE, DROPOUT}:
        _fail(tr("its training state lists unknown random generators"))
    position = RunPosition(epochs_done, _check_generator(tensors, SHUFFLE) if SHUFFLE in generators else None,
                           _check_generator(tensors, DROPOUT) if DROPOUT in generators else None)
    saved = table.get("optimizer")
    if saved is None:  # a run whose optimizer memory was not kept: it goes on with a fresh optimizer
        return ResumeState(position, history=history)
    if not isinstance(saved, dict):
        _fail(tr("its optimizer state is damaged"))
    optimizer_class = saved.get("class")
    if optimizer_class not in OPTIMIZER_CLASSES:
        _fail(tr("its optimizer {name} is not one NN Studio knows", name=short_value(optimizer_class, 40)))
    parameters = list(model.parameters())
    _check_groups(saved.get("param_groups"), len(parameters))
    layout = saved.get("state")
    if not isinstance(layout, dict) or len(layout) > len(parameters):
        _fail(tr("its optimizer state is damaged"))
    state: dict[int, dict[str, Any]] = {}
    expected_names = {name for name in (SHUFFLE, DROPOUT) if name in generators}
    for key, entry in layout.items():
        if not (isinstance(key, str) and key.isdigit() and int(key) < len(parameters)) or not isinstance(entry, dict):
            _fail(tr("its optimizer state names parameters the network does not have"))
        index = int(key)
        values: dict[str, Any] = {}
        for name, kind in entry.items():
            tensor_name = f"{STATE_PREFIX}{index}.{name}"
            if kind == "tensor" and tensor_name in tensors:
                _check_tensor(tensor_name, tensors[tensor_name], tuple(parameters[index].shape))
                values[name] = tensors[tensor_name]
                expected_names.add(tensor_name)
            elif kind != "tensor" and isinstance(kind, (int, float)) and not isinstance(kind, bool) \
                    and math.isfinite(kind):
                values[name] = kind
            else:
                _fail(tr("its optimizer state {name} is missing or damaged", name=short_value(tensor_name, 60)))
        state[index] = values
    if set(tensors) != expected_names:
        extra = sorted(set(tensors) - expected_names)
        _fail(tr("its optimizer state holds an unexpected tensor {name}", name=short_value(extra[0], 60)))
    return ResumeState(position, optimizer_class, {"state": state, "param_groups": saved["param_groups"]}, history)


__all__ = ["ResumeState", "resume_from_parts", "resume_state_of", "run_state_parts"]
