"""The weights the teaching panels show: read from the session's weight store, the numbers every panel shares."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .edits import LayerWeights, model_or_none, model_weights, read_layer


def layer_numbers(session: Any, node_id: str) -> Optional[LayerWeights]:
    """One Dense/Output layer's weights and bias as every panel shows them, or None when there are none yet.

    The session's weight store holds the numbers of the session's model (trained, adopted or edited by hand), so
    the neuron view, the truth table and the Weights panel read the same ones. Asking for the model first lets
    the session drop one trained for an earlier drawing (and empty the store). Before any run or edit the store
    is empty and the seeded starting model is read instead; during a run the running network's copy is.
    """
    model = model_or_none(session)
    if model is None:
        return None
    if not session.is_training and node_id in session.weights:
        return session.weights.get(node_id)
    return read_layer(model, node_id)


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
