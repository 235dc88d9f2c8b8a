"""What the teaching panels share: reading a layer's weights, the network as numbers, and the undoable weight edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
from PySide6.QtGui import QUndoCommand

from ...core.layers import WEIGHTED_TYPES, canonical_type
from ...core.teaching.neuron_math import NetworkError, SmallNetwork

SET_WEIGHTS_ID = 6001


def plural(count: int, word: str, words: Optional[str] = None) -> str:
    """'1 mistake', '3 mistakes', '0 mistakes' (words: an irregular plural, like 'biases')."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


@dataclass
class LayerWeights:
    """One Dense/Output layer's numbers in float64: W (neurons × inputs) and b (None without bias)."""

    weights: np.ndarray
    bias: Optional[np.ndarray]

    def copy(self) -> "LayerWeights":
        return LayerWeights(self.weights.copy(), None if self.bias is None else self.bias.copy())


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
    name = model.node_names.get(node_id)
    if name is None or name not in model.layers:
        return None
    module = model.layers[name]
    return module if getattr(module, "weight", None) is not None else None


def read_layer(model: Any, node_id: str) -> Optional[LayerWeights]:
    module = dense_module(model, node_id) if model is not None else None
    if module is None:
        return None
    bias = module.bias.detach().to("cpu").double().numpy().copy() if module.bias is not None else None
    return LayerWeights(module.weight.detach().to("cpu").double().numpy().copy(), bias)


def model_weights(model: Any) -> dict[str, np.ndarray]:
    """Every Dense/Output layer's weights keyed like the state dict (layers.<name>.weight / .bias), float64."""
    weights: dict[str, np.ndarray] = {}
    if model is None:
        return weights
    for node_id, name in model.node_names.items():
        layer = read_layer(model, node_id)
        if layer is None:
            continue
        weights[f"layers.{name}.weight"] = layer.weights
        if layer.bias is not None:
            weights[f"layers.{name}.bias"] = layer.bias
    return weights


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


class SetWeights(QUndoCommand):
    """Write weights and biases into the session's model (one undo step), then tell every panel.

    `new` maps node ids to LayerWeights; entries set to None in a LayerWeights keep their old values.
    The edit goes into the model in place under torch.no_grad, so try-it, truth table and neuron view all
    read the new numbers at once. Before any training the seeded starting model becomes the session's model.
    """

    def __init__(self, session: Any, new: dict[str, LayerWeights], text: str = "Set weights") -> None:
        super().__init__()
        self.session = session
        model = session.current_model(adopt=True)
        self.old = {node_id: read_layer(model, node_id) for node_id in new}
        missing = [node_id for node_id, old in self.old.items() if old is None]
        if missing:
            raise NetworkError("this layer has no weights in the model")
        self.new = {node_id: LayerWeights(
            np.array(layer.weights if layer.weights is not None else self.old[node_id].weights, dtype=np.float64),
            None if self.old[node_id].bias is None else np.array(
                layer.bias if layer.bias is not None else self.old[node_id].bias, dtype=np.float64))
            for node_id, layer in new.items()}
        self.setText(text)

    def _write(self, values: dict[str, LayerWeights]) -> None:
        import torch  # noqa: PLC0415

        model = self.session.current_model(adopt=True)
        with torch.no_grad():
            for node_id, layer in values.items():
                module = dense_module(model, node_id)
                # A model built since (another drawing) may not have this layer any more: nothing to restore.
                if module is None or tuple(module.weight.shape) != layer.weights.shape:
                    continue
                module.weight.copy_(torch.as_tensor(layer.weights, dtype=module.weight.dtype))
                if module.bias is not None and layer.bias is not None:
                    module.bias.copy_(torch.as_tensor(layer.bias, dtype=module.bias.dtype))
        self.session.model_changed.emit()

    def redo(self) -> None:
        self._write(self.new)

    def undo(self) -> None:
        self._write(self.old)


def set_one_weight(document: Any, session: Any, node_id: str, neuron: int, source: Optional[int],
                   value: float) -> bool:
    """Type one weight (source = input index) or bias (source None) by hand; one undo step. False if refused."""
    model = session.current_model(adopt=True)
    layer = read_layer(model, node_id)
    if layer is None:
        return False
    new = layer.copy()
    name = document.graph.node(node_id).name
    if source is None:
        if new.bias is None:
            return False
        new.bias[neuron] = value
        text = f"Set bias of neuron {neuron + 1} in '{name}' to {value:g}"
    else:
        new.weights[neuron, source] = value
        text = f"Set weight {source + 1}→{neuron + 1} in '{name}' to {value:g}"
    return document.push(SetWeights(session, {node_id: new}, text))


__all__ = ["LayerWeights", "plural", "SetWeights", "WEIGHTED_TYPES", "dense_module", "model_or_none", "model_problem",
           "model_weights", "node_activation", "read_layer", "set_one_weight", "small_network", "weighted_nodes"]
