"""Where the weights a view shows come from, in the same words in the neuron view and the Weights panel."""

from __future__ import annotations

from typing import Any

from ...core.i18n import tr


def weights_origin(session: Any, node_id: str) -> str:
    """'learning', 'trained', 'set by hand', 'trained, then set by hand' or 'starting weights, before training',
    in the current language (compare session.is_training, not these words).

    A weight typed by hand is never called trained: the store knows which layers were written since the model's
    numbers were loaded. Trained means the model shown was learned — by a run, or read from a file that says so
    — and is still the one shown (a changed drawing shows the starting weights again)."""
    if session.is_training:
        return tr("learning")
    trained = session.model_trained
    if session.weights.set_by_hand(node_id):
        return tr("trained, then set by hand") if trained else tr("set by hand")
    return tr("trained") if trained else tr("starting weights, before training")


__all__ = ["weights_origin"]
