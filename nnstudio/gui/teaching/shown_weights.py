"""The weights the teaching panels show: read from the session's weight store, the numbers every panel shares."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .edits import LayerWeights, model_or_none, model_weights


def layer_numbers(session: Any, node_id: str) -> Optional[LayerWeights]:
    """One Dense/Output layer's weights and bias as every panel shows them, or None when there are none yet."""
    return session.shown_layer(node_id)


def network_numbers(document: Any, session: Any) -> dict[str, np.ndarray]:
    """Every Dense/Output layer's numbers keyed like a model's state dict (layers.<name>.weight / .bias)."""
    model = model_or_none(session)
    if model is None:
        return {}
    if not session.is_training and len(session.weights):
        names = {node_id: node.name for node_id, node in document.graph.nodes.items()}
        return session.weights.by_state_key(names)
    return model_weights(model)


__all__ = ["layer_numbers", "network_numbers"]
