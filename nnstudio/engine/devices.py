"""Which devices this computer can train on, asked of PyTorch (the GUI lists them without importing torch itself)."""

from __future__ import annotations

from typing import Optional

import torch


def gpu_name() -> Optional[str]:
    """The name of the first CUDA GPU PyTorch can use, or None when there is none."""
    if not torch.cuda.is_available():
        return None
    return torch.cuda.get_device_name(0)


__all__ = ["gpu_name"]
