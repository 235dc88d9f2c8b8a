"""Which class a network answers at each point of the decision map, and how sure it is of that answer."""

from __future__ import annotations

import numpy as np


def classes_and_confidence(outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predicted class per row and how sure the network is (0 = a coin toss, 1 = certain).

    One output column is a yes/no probability (class 1 from 0.5 up); several are class probabilities, and the
    largest wins. Confidence measures how far the winner is above a uniform guess (1/k for k classes).
    """
    values = np.asarray(outputs, dtype=np.float64)
    if values.ndim == 1 or values.shape[1] == 1:
        p = values.reshape(-1)
        predicted = (p >= 0.5).astype(np.int64)
        return predicted, np.clip(np.abs(p - 0.5) * 2.0, 0.0, 1.0)
    predicted = values.argmax(axis=1)
    k = values.shape[1]
    top = values.max(axis=1)
    return predicted, np.clip((top - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)


__all__ = ["classes_and_confidence"]
