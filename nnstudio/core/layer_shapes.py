"""Shape rules: what each layer type outputs for its inputs, its parameter count, and the Output's setup."""

from __future__ import annotations

import math
from typing import Optional

from .i18n import tr
from .layer_specs import (NO_GRADIENT_ACTIVATIONS, LayerResult, NodeContext, OutputConfig, OutputTarget, Shape,
                          ShapeError, short_shape)


def _one_input(inputs: list) -> Shape:
    if len(inputs) != 1:
        raise ShapeError(tr("needs exactly one input"))
    return inputs[0]


def _flat(inputs: list, name: str, layer: str) -> int:
    shape = _one_input(inputs)
    if len(shape) != 1:
        raise ShapeError(
            tr("{type} '{layer}' expects a flat vector but gets {shape}: add a Flatten node before it",
               type=layer, layer=name, shape=short_shape(shape)))
    return shape[0]


def _activation_warnings(activation: str, name: str) -> tuple[str, ...]:
    if activation in NO_GRADIENT_ACTIVATIONS:
        return (tr("'{layer}' uses the {activation} activation, whose slope is zero everywhere: backpropagation "
                   "cannot train through it. Use it for hand-set weights or the perceptron rule, "
                   "or pick sigmoid/tanh/relu to train with gradient descent.", layer=name, activation=activation),)
    return ()


def infer_input(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    shape = tuple(params["shape"])
    data_shape = ctx.input_shape_from_data
    if data_shape is not None and math.prod(data_shape) != math.prod(shape):
        raise ShapeError(
            tr("Input '{layer}' is set to {shape} values but its data columns give {data_shape}: set its shape to "
               "{data_shape} or choose other columns", layer=ctx.name, shape=short_shape(shape),
               data_shape=short_shape(data_shape)))
    return LayerResult(shape)


def _dense_result(features: int, units: int, use_bias: bool) -> LayerResult:
    count = features * units + (units if use_bias else 0)
    return LayerResult((units,), count, count)


def infer_dense(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    features = _flat(inputs, ctx.name, "Dense")
    result = _dense_result(features, params["units"], params["use_bias"])
    return LayerResult(result.shape, result.params, result.trainable,
                       _activation_warnings(params["activation"], ctx.name))


def resolve_output(params: dict, target: Optional[OutputTarget]) -> tuple[OutputConfig, tuple[str, ...]]:
    """Work out an Output node's task, units, activation, loss and metrics; also return warnings."""
    warnings: list[str] = []
    task = params.get("task", "auto")
    if task == "auto":
        task = target.task if target else "multiclass"
    units = params.get("units", 0) or 0
    if units == 0:
        if task == "binary":
            units = 1
        elif target is not None:
            units = target.units if task == target.task or task != "binary" else 1
        else:
            units = 1 if task != "multiclass" else 2
            warnings.append(tr("no data is chosen yet, so the number of output units is a guess; "
                               "choose a dataset and it will follow the data"))
    activation = params.get("activation", "auto")
    if activation == "auto":
        activation = {"multiclass": "softmax", "binary": "sigmoid"}.get(task, "linear")
    loss = params.get("loss", "auto")
    if loss == "auto":
        loss = {"multiclass": "cross_entropy", "binary": "binary_cross_entropy"}.get(task, "mse")
    metrics = tuple(params.get("metrics", ()) or ())
    if not metrics:
        metrics = ("mse", "mae", "r2") if task == "regression" else ("accuracy", "precision", "recall", "f1")
    return OutputConfig(task, int(units), activation, loss, metrics, float(params.get("loss_weight", 1.0))), \
        tuple(warnings)


def infer_output(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    features = _flat(inputs, ctx.name, "Output")
    config, warnings = resolve_output(params, ctx.output_target)
    target = ctx.output_target
    notes = list(warnings)
    if target is not None:
        if params.get("units", 0) and params["units"] != target.units and config.task == target.task:
            raise ShapeError(
                tr("Output '{layer}' has {units} units but its target needs {needed}: set units to 0 (automatic)",
                   layer=ctx.name, units=params["units"], needed=target.units))
        if config.task == "multiclass" and target.task == "regression":
            raise ShapeError(tr("Output '{layer}' classifies but its target column holds measurements: "
                                "set its task to regression", layer=ctx.name))
    if config.task == "multiclass" and config.loss == "cross_entropy" and config.units < 2:
        raise ShapeError(tr("Output '{layer}' needs at least 2 units to tell classes apart", layer=ctx.name))
    if config.task == "binary" and config.units != 1:
        raise ShapeError(tr("Output '{layer}' is a yes/no output and needs exactly 1 unit", layer=ctx.name))
    if config.loss == "cross_entropy" and config.activation not in ("softmax", "linear"):
        notes.append(tr("cross-entropy expects softmax probabilities; '{layer}' uses {activation}",
                        layer=ctx.name, activation=config.activation))
    if config.loss == "binary_cross_entropy" and config.activation not in ("sigmoid", "linear", "step"):
        notes.append(tr("binary cross-entropy expects a sigmoid output; '{layer}' uses {activation}",
                        layer=ctx.name, activation=config.activation))
    notes.extend(_activation_warnings(config.activation, ctx.name))
    result = _dense_result(features, config.units, params["use_bias"])
    return LayerResult(result.shape, result.params, result.trainable, tuple(notes))


def infer_same(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    return LayerResult(_one_input(inputs))


def infer_activation(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    return LayerResult(_one_input(inputs), warnings=_activation_warnings(params["activation"], ctx.name))


def infer_flatten(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    return LayerResult((math.prod(_one_input(inputs)),))


def infer_batchnorm(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    features = _flat(inputs, ctx.name, "BatchNormalization")
    # Keras counts gamma, beta (trainable) and the moving mean and variance (not trainable).
    return LayerResult((features,), 4 * features, 2 * features)


def infer_layer_normalization(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    shape = _one_input(inputs)
    # Keras counts a scale γ and (with center) a shift β per value of the last axis; all of them trainable.
    count = shape[-1] * (2 if params["center"] else 1)
    return LayerResult(shape, count, count)


def infer_concatenate(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    leading = {s[:-1] for s in inputs}
    if len(leading) > 1:
        raise ShapeError(tr("Concatenate '{layer}' joins along the last axis, so its inputs must agree in "
                            "the other axes, but it gets {shapes}: add Flatten nodes",
                            layer=ctx.name, shapes=", ".join(short_shape(s) for s in inputs)))
    return LayerResult(inputs[0][:-1] + (sum(s[-1] for s in inputs),))


def infer_add(params: dict, inputs: list, ctx: NodeContext) -> LayerResult:
    if len(set(inputs)) > 1:
        raise ShapeError(tr("Add '{layer}' adds its inputs element by element, so they must have the same "
                            "shape, but it gets {shapes}", layer=ctx.name,
                            shapes=", ".join(short_shape(s) for s in inputs)))
    return LayerResult(inputs[0])
