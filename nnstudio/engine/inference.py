"""Using a compiled model without training it: predict, evaluate, check it fits the drawing, read and write weights."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np
import torch

from ..core.analysis import Analysis
from ..core.layers import WEIGHTED_TYPES, canonical_type, resolve_output
from ..core.settings import TrainingSettings
from ..core.weight_store import LayerWeights
from .builders import Dense
from .compiler import GraphModule
from .forward import forward
from .training import Trainer

# The GUI reaches torch only through this module (and the rest of the engine): the session, the teaching panels
# and the undoable weight edit call these functions with numpy arrays and get numpy arrays back.


# ------------------------------------------------------------ predicting and scoring
def predict(model: GraphModule, scaled: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Scaled rows per Input id -> the network's outputs per Output id (after each Output's activation).

    Runs where the model is and leaves it there: the GUI predicts with the model of a run that has just
    ended, and many times a second (Try it, the decision map), so nothing is moved or rebuilt here.
    """
    return forward(model, scaled)


def evaluate(model: GraphModule, settings: TrainingSettings, part: Any) -> dict:
    """Loss and metrics per output name on one part of the data (with the confusion matrix for classes)."""
    if part is None or not len(part):
        return {}
    return Trainer(model, settings).evaluate(part)


def test_predictions(model: GraphModule, test: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Output id -> (true targets, the network's outputs as predict gives them) on the test part."""
    if test is None or not len(test):
        return {}
    outputs = predict(model, test.inputs)
    return {output_id: (np.asarray(test.targets[output_id]), outputs[output_id]) for output_id in outputs}


test_predictions.__test__ = False   # a function named test_* that pytest must not collect when imported


def load_state(model: GraphModule, state: Mapping[str, np.ndarray]) -> None:
    """Put numpy copies of a model's state (see state_copy) into a model of the same drawing."""
    model.load_state_dict({name: torch.from_numpy(np.asarray(values)) for name, values in state.items()})


# ------------------------------------------------------------ copies a training thread hands to the GUI
def _numpy_copy(tensor: Any) -> Optional[np.ndarray]:
    if tensor is None:
        return None
    return tensor.detach().to("cpu", copy=True).numpy()


def weights_snapshot(model: GraphModule, node_ids: set[str]) -> dict[str, dict[str, Optional[np.ndarray]]]:
    """Copies of the weight, bias and gradient of the asked-for nodes that have weights (for the live views)."""
    snapshot: dict[str, dict[str, Optional[np.ndarray]]] = {}
    for node_id in node_ids:
        name = model.node_names.get(node_id)
        if name is None or name not in model.layers:
            continue
        weight = bias = None
        for parameter_name, parameter in model.layers[name].named_parameters():
            if weight is None and parameter_name.split(".")[-1] == "weight":
                weight = parameter
            elif bias is None and parameter_name.split(".")[-1] == "bias":
                bias = parameter
        if weight is None:
            continue
        snapshot[node_id] = {"weight": _numpy_copy(weight), "bias": _numpy_copy(bias), "grad": _numpy_copy(weight.grad)}
    return snapshot


def state_copy(model: GraphModule) -> dict[str, np.ndarray]:
    """Numpy copies of every parameter and buffer (the model's state_dict), for a model of the same drawing."""
    return {name: _numpy_copy(tensor) for name, tensor in model.state_dict().items()}


# ------------------------------------------------------------ does a model still belong to the drawing?
def model_fits_graph(model: GraphModule, graph: Any, analysis: Analysis, output_targets: Mapping) -> bool:
    """Whether a model still matches the drawing: same weighted layers, sizes and activations."""
    for node in graph.nodes.values():
        kind = canonical_type(node.type)
        if kind not in WEIGHTED_TYPES:
            continue
        name = model.node_names.get(node.id)
        layer = model.layers[name] if name is not None and name in model.layers else None
        weight = getattr(layer, "weight", None)
        shape = analysis.shapes.get(node.id)
        if weight is None or shape is None or tuple(weight.shape[:1]) != tuple(shape[:1]):
            return False
        activation = (resolve_output(node.params, output_targets.get(node.id))[0].activation if kind == "Output"
                      else node.params.get("activation"))
        if getattr(layer, "activation_name", activation) != activation:
            return False
    return True


# ------------------------------------------------------------ a Dense/Output layer's numbers
def dense_module(model: Optional[GraphModule], node_id: str) -> Optional[Dense]:
    """The Dense/Output layer a node became in the model, or None (no such layer, or one without weights)."""
    if model is None:
        return None
    name = model.node_names.get(node_id)
    if name is None or name not in model.layers:
        return None
    module = model.layers[name]
    return module if isinstance(module, Dense) else None


def read_layer(model: Optional[GraphModule], node_id: str) -> Optional[LayerWeights]:
    """Float64 copies of one Dense/Output layer's weights and bias, or None."""
    module = dense_module(model, node_id)
    if module is None:
        return None
    bias = module.bias.detach().to("cpu").double().numpy().copy() if module.bias is not None else None
    return LayerWeights(module.weight.detach().to("cpu").double().numpy().copy(), bias)


def layer_weights(model: Optional[GraphModule]) -> dict[str, LayerWeights]:
    """Every Dense/Output layer's numbers keyed by node id (what a WeightStore loads)."""
    if model is None:
        return {}
    layers = {node_id: read_layer(model, node_id) for node_id in model.node_names}
    return {node_id: layer for node_id, layer in layers.items() if layer is not None}


def model_weights(model: Optional[GraphModule]) -> dict[str, np.ndarray]:
    """Every Dense/Output layer's weights keyed like the state dict (layers.<name>.weight / .bias), float64."""
    weights: dict[str, np.ndarray] = {}
    for node_id, layer in layer_weights(model).items():
        name = model.node_names[node_id]
        weights[f"layers.{name}.weight"] = layer.weights
        if layer.bias is not None:
            weights[f"layers.{name}.bias"] = layer.bias
    return weights


def write_layers(model: GraphModule, layers: Mapping[str, LayerWeights]) -> list[str]:
    """Write weights and biases into the model in place; returns the node ids written.

    A layer the model does not have, or has with another shape (a drawing changed since), is left out.
    """
    written: list[str] = []
    with torch.no_grad():
        for node_id, layer in layers.items():
            module = dense_module(model, node_id)
            if module is None or tuple(module.weight.shape) != tuple(np.shape(layer.weights)):
                continue
            module.weight.copy_(torch.as_tensor(np.asarray(layer.weights), dtype=module.weight.dtype))
            if module.bias is not None and layer.bias is not None:
                module.bias.copy_(torch.as_tensor(np.asarray(layer.bias), dtype=module.bias.dtype))
            written.append(node_id)
    return written


__all__ = ["dense_module", "evaluate", "layer_weights", "load_state", "model_fits_graph", "model_weights", "predict",
           "read_layer", "state_copy", "test_predictions", "weights_snapshot", "write_layers"]
