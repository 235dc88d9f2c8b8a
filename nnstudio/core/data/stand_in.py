"""A course dataset's shape before its files are downloaded: the columns, image size and classes, no real rows."""

from __future__ import annotations

from typing import Optional

import numpy as np

from .california import FEATURES, TARGET
from .sources import FASHION_CLASSES
from .table import Table

# What each downloadable dataset holds, as the catalogue's files will give it (checked by a test against the
# loaded fake files): image size and label count for the MNIST-format sets, the feature names for California.
_IMAGE_SETS = {"mnist": (28, 28), "fashion-mnist": (28, 28)}


def stand_in_table(key: str) -> Optional[Table]:
    """A few rows of zeros with the dataset's real columns, image shape and classes, or None for an unknown key.

    Only for the analysis (each Input's shape, each Output's units and class names), so a course example opened
    before its download shows 10 units and 28×28 instead of a guess. Never trained on: loading still says the
    dataset is not downloaded."""
    if key in _IMAGE_SETS:
        shape = _IMAGE_SETS[key]
        pixels = int(np.prod(shape))
        # Each class many times: a column with one row per value would look like an id, not classes.
        values = np.zeros((200, pixels + 1), dtype=np.float32)
        values[:, -1] = np.arange(200) % 10
        class_names = {"label": FASHION_CLASSES} if key == "fashion-mnist" else {}
        return Table(key, values, [f"px_{i}" for i in range(pixels)] + ["label"], class_names, "", ("label",),
                     shape)
    if key == "california-housing":
        values = np.zeros((40, len(FEATURES) + 1), dtype=np.float32)
        values[:, -1] = np.linspace(0.15, 5.0, 40)   # house values in $100,000s: measurements, so regression
        return Table(key, values, [*FEATURES, TARGET], {}, "", (TARGET,))
    return None


__all__ = ["stand_in_table"]
