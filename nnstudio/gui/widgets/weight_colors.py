"""One colour convention for weights in every view: blue for positive, red for negative, white for zero."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage, QPixmap

from ...core.i18n import N_

# Blue for positive weights, red for negative ones (as in the lecture slides); white is zero. The neuron view's
# lines, the backprop diagram, the activation maps and the Weights panel's heatmaps all read these, so the same
# weight has the same colour side by side.
POSITIVE = QColor(33, 102, 172)
NEGATIVE = QColor(178, 24, 43)
ZERO = QColor(247, 247, 247)

# The diverging map from the most negative value (left) through zero (white) to the most positive (right).
DIVERGING_COLORS = [(NEGATIVE.red(), NEGATIVE.green(), NEGATIVE.blue()), (244, 165, 130),
                    (ZERO.red(), ZERO.green(), ZERO.blue()), (146, 197, 222),
                    (POSITIVE.red(), POSITIVE.green(), POSITIVE.blue())]

# The legend each view shows, so both say the same thing in the same words (shown with tr(WEIGHT_LEGEND)).
WEIGHT_LEGEND = N_("Blue: positive weights, red: negative, white: zero.")


def weight_color(value: float) -> QColor:
    """The colour of one weight drawn as a line: its sign only (the line's width shows its size)."""
    return QColor(POSITIVE if value >= 0 else NEGATIVE)


def map_colors(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Values as colours from red (low) through white to blue (high), shape (..., 3) uint8."""
    t = np.clip((values - low) / max(high - low, 1e-12), 0.0, 1.0)[..., None]
    red = np.array([NEGATIVE.red(), NEGATIVE.green(), NEGATIVE.blue()], dtype=np.float64)
    blue = np.array([POSITIVE.red(), POSITIVE.green(), POSITIVE.blue()], dtype=np.float64)
    white = np.array([ZERO.red(), ZERO.green(), ZERO.blue()], dtype=np.float64)
    below = white + (red - white) * (1.0 - 2.0 * t)
    above = white + (blue - white) * (2.0 * t - 1.0)
    return np.where(t < 0.5, below, above).astype(np.uint8)


def rgb_pixmap(rgb: np.ndarray, size: int) -> QPixmap:
    """A (rows, columns, 3) uint8 array as a pixmap, row 0 at the top, scaled to size × size."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()  # copy: own the pixels
    return QPixmap.fromImage(image).scaled(size, size)


__all__ = ["DIVERGING_COLORS", "NEGATIVE", "POSITIVE", "WEIGHT_LEGEND", "ZERO", "map_colors", "rgb_pixmap",
           "weight_color"]
