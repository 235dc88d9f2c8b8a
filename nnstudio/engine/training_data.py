"""Data for a training run as tensors on the training device: inputs and targets in the model's order."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import torch

from ..core.i18n import tr
from .compiler import GraphModule
from .history import PartLike
from .losses import OutputLoss


@dataclass
class PreparedPart:
    """One data part as tensors on the training device, in the model's input and output order."""

    inputs: list[torch.Tensor]
    targets: list[torch.Tensor]       # as given (class codes or values), for the metrics
    loss_targets: list[torch.Tensor]  # converted once into what each loss function expects
    size: int


def as_tensor(array: Any, dtype: torch.dtype) -> torch.Tensor:
    if isinstance(array, torch.Tensor):
        return array.to(dtype)
    values = np.asarray(array)
    if not values.flags.writeable or not values.flags.c_contiguous:
        values = np.ascontiguousarray(values).copy()  # torch wants memory it may write to
    return torch.from_numpy(values).to(dtype)


def _lookup(model: GraphModule, arrays: Mapping[str, Any], node_id: str, what: str) -> Any:
    if node_id in arrays:
        return arrays[node_id]
    name = model.node_names[node_id]
    if name in arrays:
        return arrays[name]
    if what == "targets":
        raise ValueError(tr("The data has no targets for '{name}'.", name=name))
    raise ValueError(tr("The data has no values for '{name}'.", name=name))


def input_tensors(model: GraphModule, arrays: Mapping[str, Any], device: torch.device) -> list[torch.Tensor]:
    """Each Input's values (keyed by node id or name), reshaped to the drawn shape, on the device."""
    tensors = []
    for input_id in model.input_ids:
        tensor = as_tensor(_lookup(model, arrays, input_id, "values"), torch.float32)
        shape = model.input_shapes[input_id]
        if tensor.ndim == 0 or math.prod(tensor.shape[1:]) != math.prod(shape):
            raise ValueError(tr("Input '{name}' expects {values} values per row but the data has shape {shape}.",
                                name=model.node_names[input_id], values=math.prod(shape), shape=tuple(tensor.shape)))
        tensors.append(tensor.reshape((tensor.shape[0],) + tuple(shape)).to(device))
    return tensors


def prepare_part(model: GraphModule, losses: Sequence[OutputLoss], part: PartLike,
                 device: torch.device) -> PreparedPart:
    """Check a data part against the model and turn it into tensors, targets ready for each loss."""
    inputs = input_tensors(model, part.inputs, device)
    targets, loss_targets = [], []
    for output_id, loss in zip(model.output_ids, losses):
        config = model.output_configs[output_id]
        name = model.node_names[output_id]
        raw = _lookup(model, part.targets, output_id, "targets")
        if config.task in ("multiclass", "binary"):
            target = _class_targets(raw, config.task, config.units, name)
        else:
            target = as_tensor(raw, torch.float32)
            target = target.reshape(target.shape[0], -1)
            if target.shape[1] != config.units:
                raise ValueError(tr("Output '{name}' has {units} unit(s) but its targets have {columns} column(s).",
                                    name=name, units=config.units, columns=target.shape[1]))
        target = target.to(device)
        targets.append(target)
        loss_targets.append(loss.prepare_target(target))
    sizes = {t.shape[0] for t in inputs + targets}
    if len(sizes) > 1:
        raise ValueError(tr("The inputs and targets have different numbers of rows: {sizes}.", sizes=sorted(sizes)))
    return PreparedPart(inputs, targets, loss_targets, sizes.pop() if sizes else 0)


def _class_targets(raw: Any, task: str, units: int, name: str) -> torch.Tensor:
    values = raw if isinstance(raw, torch.Tensor) else torch.from_numpy(np.array(raw))
    if task == "multiclass" and values.is_floating_point() and values.ndim == 2 and values.shape[1] == units:
        return values.float()  # class probabilities (soft or one-hot labels)
    values = values.reshape(-1)
    if values.is_floating_point():
        if not bool(torch.all(values == values.round())):
            raise ValueError(tr("Output '{name}' predicts classes, but its targets are not whole numbers.", name=name))
    values = values.long()
    classes = 2 if task == "binary" else units
    if values.numel() and (int(values.min()) < 0 or int(values.max()) >= classes):
        raise ValueError(tr("Output '{name}' has {classes} classes (codes 0 to {last}) but its targets go from "
                            "{low} to {high}.", name=name, classes=classes, last=classes - 1,
                            low=int(values.min()), high=int(values.max())))
    return values


def split_part(data: PreparedPart, fraction: float, seed: int,
               device: torch.device) -> tuple[PreparedPart, Optional[PreparedPart]]:
    """Keep the last `fraction` of the rows (after a seeded shuffle) for validation, like Keras."""
    keep = int(data.size * (1.0 - fraction))
    if keep <= 0 or keep >= data.size:
        return data, None
    order = torch.randperm(data.size, generator=torch.Generator().manual_seed(seed))
    order = order.to(device)
    first, rest = order[:keep], order[keep:]

    def take(index: torch.Tensor) -> PreparedPart:
        return PreparedPart([x.index_select(0, index) for x in data.inputs],
                            [y.index_select(0, index) for y in data.targets],
                            [y.index_select(0, index) for y in data.loss_targets], int(index.numel()))

    return take(first), take(rest)


__all__ = ["PreparedPart", "as_tensor", "input_tensors", "prepare_part", "split_part"]
