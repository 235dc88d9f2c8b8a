"""What the teaching panels share: reading a layer's weights, the network as numbers, and the undoable weight edit."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from PySide6.QtGui import QUndoCommand

from ...core.i18n import tr
from ...core.layers import WEIGHTED_TYPES, canonical_type
from ...core.teaching.neuron_math import NetworkError, SmallNetwork
from ...core.weight_store import LayerWeights   # numpy only: the one class for a layer's numbers

SET_WEIGHTS_ID = 6001


def plural(count: int, word: str, words: Optional[str] = None) -> str:
    """'1 mistake', '3 mistakes', '0 mistakes' (words: an irregular plural, like 'biases')."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def model_or_none(session: Any) -> Any:
    """The session's current model (trained, or seeded starting weights), or None with a reason why not."""
    from ...core.data import DataError  # noqa: PLC0415
    from ...engine.pipeline import RunError  # noqa: PLC0415 - torch is imported only once a panel needs it

    try:
        return session.current_model()
    except (DataError, RunError):
        return None


def model_problem(session: Any) -> str:
    """Why there is no model to look inside, in the learner's words."""
    from ...core.data import DataError  # noqa: PLC0415
    from ...engine.pipeline import RunError  # noqa: PLC0415

    try:
        session.current_model()
    except (DataError, RunError) as exc:
        return str(exc)
    return ""


def dense_module(model: Any, node_id: str) -> Any:
    """The Dense/Output layer a node became in the model, or None."""
    from ...engine.inference import dense_module as module_of  # noqa: PLC0415 - torch only once a panel needs it

    return module_of(model, node_id)


def read_layer(model: Any, node_id: str) -> Optional[LayerWeights]:
    """Float64 copies of one Dense/Output layer's weights and bias in the model, or None."""
    if model is None:
        return None
    from ...engine.inference import read_layer as read  # noqa: PLC0415

    return read(model, node_id)


def model_weights(model: Any) -> dict[str, np.ndarray]:
    """Every Dense/Output layer's weights keyed like the state dict (layers.<name>.weight / .bias), float64."""
    if model is None:
        return {}
    from ...engine.inference import model_weights as weights_of  # noqa: PLC0415

    return weights_of(model)


def small_network(document: Any, session: Any, weights: Optional[dict] = None) -> SmallNetwork:
    """The project's network as a chain of Dense layers in float64, with the model's (or the given) weights."""
    if weights is None:
        weights = model_weights(model_or_none(session))
    return SmallNetwork.from_graph(document.graph.to_dict(), weights or None, document.data_context)


def weighted_nodes(document: Any) -> list[Any]:
    """The Dense and Output nodes, in the order the analysis runs them (input side first)."""
    graph = document.graph
    order = [i for i in document.analysis.order if i in graph.nodes] if document.analysis.order else list(graph.nodes)
    return [graph.node(i) for i in order if canonical_type(graph.node(i).type) in WEIGHTED_TYPES]


def node_activation(document: Any, node_id: str) -> str:
    """A Dense node's activation, or an Output's resolved one (auto becomes sigmoid, softmax or linear)."""
    from ...core.layers import resolve_output  # noqa: PLC0415

    node = document.graph.node(node_id)
    if canonical_type(node.type) == "Output":
        context = document.data_context
        target = context.output_targets.get(node_id) if context is not None else None
        return resolve_output(node.params, target)[0].activation
    return str(node.params.get("activation", "linear"))


def held_layer(session: Any, node_id: str) -> Optional[LayerWeights]:
    """A copy of one layer's numbers as the panels show them now, for an edit (the starting model is adopted)."""
    return session.shown_layer(node_id, adopt=True)


class SetWeights(QUndoCommand):
    """Write weights and biases into the session's weight store (one undo step); every panel hears of it.

    `new` maps node ids to LayerWeights; entries set to None in a LayerWeights keep their old values. The store
    puts the numbers into the session's model (engine code: no torch here) and announces the change, which the
    session passes on as model_changed, so try-it, truth table and neuron view all read the new numbers at once.
    Before any training the seeded starting model becomes the session's model.
    """

    def __init__(self, session: Any, new: dict[str, LayerWeights], text: str = "") -> None:
        super().__init__()
        self.session = session
        self.old = {node_id: held_layer(session, node_id) for node_id in new}
        missing = [node_id for node_id, old in self.old.items() if old is None]
        if missing:
            raise NetworkError(tr("this layer has no weights in the model"))
        self.new = {node_id: LayerWeights(
            np.array(layer.weights if layer.weights is not None else self.old[node_id].weights, dtype=np.float64),
            None if self.old[node_id].bias is None else np.array(
                layer.bias if layer.bias is not None else self.old[node_id].bias, dtype=np.float64))
            for node_id, layer in new.items()}
        self.setText(text or tr("Set weights"))

    def _write(self, values: dict[str, LayerWeights]) -> None:
        # A model built since (another drawing) may not have a layer any more: the store leaves it out.
        self.session.weights.write(values)

    def redo(self) -> None:
        self._write(self.new)

    def undo(self) -> None:
        self._write(self.old)


def set_one_weight(document: Any, session: Any, node_id: str, neuron: int, source: Optional[int],
                   value: float) -> bool:
    """Type one weight (source = input index) or bias (source None) by hand; one undo step. False if refused."""
    new = held_layer(session, node_id)   # a copy
    if new is None:
        return False
    name = document.graph.node(node_id).name
    if source is None:
        if new.bias is None:
            return False
        new.bias[neuron] = value
        text = tr("Set bias of neuron {neuron} in '{layer}' to {value:g}", neuron=neuron + 1, layer=name, value=value)
    else:
        new.weights[neuron, source] = value
        text = tr("Set weight {source}→{neuron} in '{layer}' to {value:g}", source=source + 1, neuron=neuron + 1,
                  layer=name, value=value)
    return document.push(SetWeights(session, {node_id: new}, text))


__all__ = ["LayerWeights", "SetWeights", "WEIGHTED_TYPES", "dense_module", "held_layer", "model_or_none",
           "model_problem", "model_weights", "node_activation", "plural", "read_layer", "set_one_weight",
           "small_network", "weighted_nodes"]
