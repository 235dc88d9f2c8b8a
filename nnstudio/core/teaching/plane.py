"""Input-plane grids: the x/y mesh over the data's range on which a neuron's or the whole network's answer is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

# With no data to measure, the plane spans −1…1 on each axis (where scaled features usually live).
EMPTY_RANGE = (-1.0, 1.0)


def padded_range(samples: Optional[np.ndarray], fraction: float, least: float,
                 columns: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Each column's smallest and largest value, widened on both sides by `fraction` of the spread (at least `least`).

    The margin keeps the outermost samples off the picture's edge. Without samples (None or no rows) every column
    spans EMPTY_RANGE before the margin is added.
    """
    values = None if samples is None else np.asarray(samples, dtype=np.float64)
    if values is None or values.size == 0:
        low, high = np.full(columns, EMPTY_RANGE[0]), np.full(columns, EMPTY_RANGE[1])
    else:
        values = values.reshape(len(values), -1)
        low, high = values.min(axis=0), values.max(axis=0)
    pad = np.maximum((high - low) * fraction, least)
    return low - pad, high + pad


@dataclass(frozen=True)
class Plane:
    """A grid over two features: xs from left to right, ys in the order the picture's rows are stored."""

    xs: np.ndarray
    ys: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the picture."""
        return len(self.ys), len(self.xs)

    def points(self) -> np.ndarray:
        """Every grid point as an (x, y) row, the picture's rows one after another: shape (rows · columns, 2)."""
        grid_x, grid_y = np.meshgrid(self.xs, self.ys)   # row r of the grid is y = ys[r]
        return np.column_stack([grid_x.ravel(), grid_y.ravel()])

    def feature_rows(self, held: Sequence[float], across: int, up: int) -> np.ndarray:
        """Whole rows of features for the grid: `across` and `up` from the grid, every other feature held as given."""
        points = self.points()
        rows = np.tile(np.asarray(held, dtype=np.float64).reshape(-1), (len(points), 1))
        rows[:, across] = points[:, 0]
        rows[:, up] = points[:, 1]
        return rows

    def picture(self, values: np.ndarray) -> np.ndarray:
        """Answers at the grid points (in points() order) laid out as the picture.

        One value per point gives (rows, columns); k values per point (one per neuron) give (k, rows, columns).
        """
        values = np.asarray(values)
        rows, columns = self.shape
        if values.ndim == 1:
            return values.reshape(rows, columns)
        return values.reshape(rows * columns, -1).T.reshape(-1, rows, columns)

    def nearest(self, x: float, y: float) -> tuple[int, int]:
        """(row, column) of the grid point closest to (x, y)."""
        return int(np.abs(self.ys - y).argmin()), int(np.abs(self.xs - x).argmin())

    def pixel_rect(self) -> tuple[float, float, float, float]:
        """(left, bottom, width, height) of the picture when each pixel's centre sits on its grid point."""
        rows, columns = self.shape
        low_x, high_x = float(self.xs.min()), float(self.xs.max())
        low_y, high_y = float(self.ys.min()), float(self.ys.max())
        step_x = (high_x - low_x) / (columns - 1) if columns > 1 else 1.0
        step_y = (high_y - low_y) / (rows - 1) if rows > 1 else 1.0
        return low_x - step_x / 2, low_y - step_y / 2, high_x - low_x + step_x, high_y - low_y + step_y


def input_plane(samples: Optional[np.ndarray], size: int, fraction: float, least: float, across: int = 0,
                up: int = 1, top_down: bool = False) -> Plane:
    """A size × size grid over two features of the samples (columns `across` and `up`), with a margin around them.

    top_down: the picture's first row is the largest y (as an image is drawn), instead of the smallest.
    """
    columns = max(across, up) + 1
    low, high = padded_range(samples, fraction, least, columns)
    xs = np.linspace(low[across], high[across], size)
    ys = np.linspace(high[up], low[up], size) if top_down else np.linspace(low[up], high[up], size)
    return Plane(xs, ys)


def line_over(samples: np.ndarray, count: int, fraction: float) -> np.ndarray:
    """`count` evenly spaced values over one feature's range, widened by `fraction` of it on both sides."""
    low, high = padded_range(np.asarray(samples, dtype=np.float64).reshape(-1, 1), fraction, 0.0, 1)
    return np.linspace(low[0], high[0], count)


__all__ = ["EMPTY_RANGE", "Plane", "input_plane", "line_over", "padded_range"]
