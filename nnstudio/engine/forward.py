"""Running a model forward on rows without training it, in batches: one way for the trainer, the CLI and the window."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np
import torch

from .compiler import GraphModule
from .training_data import input_tensors


def forward(model: GraphModule, arrays: Mapping[str, Any], device: Optional[torch.device] = None,
            batch_size: int = 1024) -> dict[str, np.ndarray]:
    """Each Output's answers (after its activation, e.g. probabilities) for rows keyed by Input id or name.

    Runs on `device` (default: where the model's weights are, so a model that has just trained on the GPU is
    neither moved nor rebuilt) in batches, so a large test part never needs one huge tensor; the model's
    train/eval mode is put back afterwards.
    """
    if device is None:
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
    tensors = input_tensors(model, arrays, device)
    size = tensors[0].shape[0] if tensors else 0
    collected: list[list[torch.Tensor]] = [[] for _ in model.output_ids]
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, size, batch_size):
                outputs = model(*[x[start:start + batch_size] for x in tensors])
                for bucket, output in zip(collected, outputs):
                    bucket.append(output.to("cpu"))
    finally:
        model.train(was_training)
    results = {}
    for output_id, bucket in zip(model.output_ids, collected):
        units = model.output_configs[output_id].units
        results[output_id] = torch.cat(bucket).numpy() if bucket else np.zeros((0, units), np.float32)
    return results
