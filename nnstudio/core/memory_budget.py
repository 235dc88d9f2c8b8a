"""How much memory training a network needs, estimated from its shapes before anything is allocated."""

from __future__ import annotations

import ctypes
import functools
import math
import os
from dataclasses import dataclass
from typing import Iterable, Optional

from .i18n import tr

BYTES_PER_VALUE = 4  # float32, what NN Studio trains in
DEFAULT_BATCH_SIZE = 32
DEFAULT_OPTIMIZER = "adam"
# Extra values each optimizer keeps per trainable weight: Adam two moments, momentum one velocity, ...
OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "nesterov": 1, "adagrad": 1, "rmsprop": 2, "adam": 2, "adamw": 2}
# Per value flowing between layers in a batch: the value itself, its gradient, and what a layer keeps for
# its backward pass (a dropout mask, a normalised copy).
ACTIVATION_COPIES = 3
# Training needs room besides the network (Python, torch, the data, the app): refuse above this share.
USABLE_SHARE = 0.75
GB = 1024**3


@dataclass(frozen=True)
class MemoryEstimate:
    """What training needs, in bytes, and where it goes."""

    weights: int           # every weight and running statistic
    trainable: int         # the weights that get gradients and optimizer state
    values_per_sample: int  # numbers flowing out of all layers for one sample
    batch_size: int
    optimizer: str

    @property
    def weight_bytes(self) -> int:
        states = OPTIMIZER_STATES.get(self.optimizer, 2)
        return BYTES_PER_VALUE * (self.weights + self.trainable * (1 + states))

    @property
    def activation_bytes(self) -> int:
        return BYTES_PER_VALUE * ACTIVATION_COPIES * self.values_per_sample * self.batch_size

    @property
    def total_bytes(self) -> int:
        return self.weight_bytes + self.activation_bytes


def estimate(params: int, trainable: int, output_sizes: Iterable[int], batch_size: int = DEFAULT_BATCH_SIZE,
             optimizer: str = DEFAULT_OPTIMIZER) -> MemoryEstimate:
    """The memory to train a network with these parameter counts and per-layer output sizes (values/sample)."""
    return MemoryEstimate(int(params), int(trainable), int(sum(output_sizes)), max(int(batch_size), 1), optimizer)


@functools.lru_cache(maxsize=1)
def total_memory_bytes() -> Optional[int]:
    """This computer's physical memory, or None where the system does not say."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        pass  # not POSIX (Windows) or the name is unknown: ask Windows below
    return _windows_memory_bytes()


def _windows_memory_bytes() -> Optional[int]:
    if os.name != "nt":
        return None

    class MemoryStatus(ctypes.Structure):
        _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong),
                    ("ullTotalPhys", ctypes.c_ulonglong), ("ullAvailPhys", ctypes.c_ulonglong),
                    ("ullTotalPageFile", ctypes.c_ulonglong), ("ullAvailPageFile", ctypes.c_ulonglong),
                    ("ullTotalVirtual", ctypes.c_ulonglong), ("ullAvailVirtual", ctypes.c_ulonglong),
                    ("ullAvailExtendedVirtual", ctypes.c_ulonglong)]

    status = MemoryStatus()
    status.dwLength = ctypes.sizeof(MemoryStatus)
    try:
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
            return int(status.ullTotalPhys)
    except (AttributeError, OSError):
        pass  # no kernel32 to ask: the check is skipped rather than guessed
    return None


def _gb(size: int) -> str:
    value = size / GB
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def memory_problem(needed: MemoryEstimate, available: Optional[int] = None) -> Optional[str]:
    """A plain sentence when training would not fit in this computer's memory, else None."""
    available = total_memory_bytes() if available is None else available
    if not available or needed.total_bytes <= USABLE_SHARE * available:
        return None
    if needed.total_bytes > available:
        have = tr("this computer has {have} GB of memory.", have=_gb(available))
    else:
        have = tr("this computer has {have} GB of memory, and training needs room to spare (at most about {usable} "
                  "GB).", have=_gb(available), usable=_gb(int(USABLE_SHARE * available)))
    if needed.weight_bytes >= needed.activation_bytes:
        return tr("This network has {weights} weights, about {needed} GB to train; {memory} Use fewer units or a "
                  "smaller input.", weights=f"{needed.weights:,}", needed=_gb(needed.total_bytes), memory=have)
    return tr("This network passes {values} values per sample between its layers, about {needed} GB to train in "
              "batches of {batch}; {memory} Use a smaller input or fewer units.",
              values=f"{needed.values_per_sample:,}", needed=_gb(needed.total_bytes), batch=needed.batch_size,
              memory=have)


def values_in(shape: Optional[tuple]) -> int:
    """How many numbers one sample has in this shape (0 when the shape is unknown)."""
    return math.prod(shape) if shape else 0
