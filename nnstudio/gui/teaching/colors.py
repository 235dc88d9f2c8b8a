"""Colours the teaching pictures share: blue for positive, red for negative, and values painted as pixmaps."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage, QPixmap

# Blue for positive weights, red for negative ones (as in the lecture slides); white is zero.
POSITIVE = QColor(33, 102, 172)
NEGATIVE = QColor(178, 24, 43)


def map_colors(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Values as colours from red (low) through white to blue (high), shape (..., 3) uint8."""
    t = np.clip((values - low) / max(high - low, 1e-12), 0.0, 1.0)[..., None]
    red = np.array([NEGATIVE.red(), NEGATIVE.green(), NEGATIVE.blue()], dtype=np.float64)
    blue = np.array([POSITIVE.red(), POSITIVE.green(), POSITIVE.blue()], dtype=np.float64)
    white = np.array([250.0, 250.0, 250.0])
    below = white + (red - white) * (1.0 - 2.0 * t)
    above = white + (blue - white) * (2.0 * t - 1.0)
    return np.where(t < 0.5, below, above).astype(np.uint8)


def rgb_pixmap(rgb: np.ndarray, size: int) -> QPixmap:
    """A (rows, columns, 3) uint8 array as a pixmap, row 0 at the top, scaled to size × size."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()  # copy: own the pixels
    return QPixmap.fromImage(image).scaled(size, size)


__all__ = ["NEGATIVE", "POSITIVE", "map_colors", "rgb_pixmap"]
