"""Plot ranges in round numbers that change rarely: every range change makes pyqtgraph redraw the axes."""

from __future__ import annotations

import math
from typing import Optional

# A range is changed only when the values leave it or fill less than this share of it, and then to round numbers
# with room to spare: during training the axes (Python code in pyqtgraph, holding the GIL the training thread
# needs) are then redrawn a few times a run instead of at every refresh.
RANGE_FILL = 0.5
NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_above(value: float) -> float:
    """The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × a power of ten) at or above value > 0."""
    if value <= 0 or not math.isfinite(value):
        return value
    power = 10.0 ** math.floor(math.log10(value))
    for step in NICE_STEPS:
        if step * power >= value * (1 - 1e-9):
            return step * power
    return 10.0 * power


def nice_range(low: float, high: float, logarithmic: bool, ceiling: Optional[float] = None) -> tuple[float, float]:
    """A y range holding [low, high] with room to grow, in round numbers (decades on a log axis).

    Values that are never negative (losses, accuracy) keep 0 at the bottom, so a falling loss never moves it.
    A measure that cannot exceed `ceiling` (accuracy and R² stop at 1) never gets an axis beyond it."""
    if logarithmic:
        return math.floor(low - 0.05), math.ceil(high + 0.05)
    within_ceiling = ceiling is not None and high <= ceiling
    if high - low < 1e-12:  # one value (or a flat line): show it with room around
        high = high + 0.5 * max(abs(high), 1.0)
    span = high - low
    margin = 0.04 * span
    top = nice_above(high + margin) if high + margin > 0 else -nice_above(-(high + margin)) * 0.5
    if low >= 0:
        bottom = 0.0
    else:
        bottom = -nice_above(-(low - margin))
    if within_ceiling and bottom < ceiling:
        top = min(top, ceiling)
    if top <= bottom:
        top = bottom + 1.0
    return bottom, top


def steady_range(current: Optional[tuple[float, float]], low: float, high: float,
                 fill: float = RANGE_FILL) -> tuple[float, float]:
    """`current` while [low, high] still fits it and fills at least `fill` of it; else a new round range."""
    wanted = nice_range(low, high, logarithmic=False)
    if current is None or low < current[0] or high > current[1] \
            or wanted[1] - wanted[0] < fill * (current[1] - current[0]):
        return wanted
    return current
