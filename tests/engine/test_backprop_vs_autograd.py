"""The backpropagation stepper's numbers equal torch autograd's in float64, on many random small networks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch.nn import functional as F

from nnstudio.core.teaching.backprop import BackpropStep
from nnstudio.core.teaching.neuron_math import DenseLayer, SmallNetwork

TOLERANCE = 1e-7
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear", "leaky_relu", "elu")
# Each loss with the output activations it is used with in the app.
LOSS_OUTPUTS = {
    "squared_error": ("sigmoid", "tanh", "relu", "linear", "softmax"),
    "mse": ("sigmoid", "tanh", "relu", "linear"),
    "mae": ("sigmoid", "linear"),
    "cross_entropy": ("softmax", "linear"),
    "binary_cross_entropy": ("sigmoid", "linear"),
}


@st.composite
def cases(draw):
    """A random network (1–3 layers, 1–5 units, 1–4 inputs), a batch of 1–4, a loss and targets."""
    loss = draw(st.sampled_from(sorted(LOSS_OUTPUTS)))
    output_activation = draw(st.sampled_from(LOSS_OUTPUTS[loss]))
    depth = draw(st.integers(1, 3))
    features = draw(st.integers(1, 4))
    batch = draw(st.integers(1, 4))
    use_bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    sizes = [features] + [draw(st.integers(1, 5)) for _ in range(depth)]
    if loss == "cross_entropy":
        sizes[-1] = max(sizes[-1], 2)
    if output_activation == "softmax" and sizes[-1] == 1:
        sizes[-1] = 2
    layers = []
    for i in range(depth):
        activation = output_activation if i == depth - 1 else draw(st.sampled_from(HIDDEN_ACTIVATIONS))
        weights = rng.normal(0, 1.0, (sizes[i + 1], sizes[i]))
        bias = rng.normal(0, 0.5, sizes[i + 1]) if use_bias else None
        layers.append(DenseLayer(weights, bias, activation, f"layer{i}"))
    inputs = rng.normal(0, 1.0, (batch, features))
    units = sizes[-1]
    if loss == "cross_entropy":
        targets = rng.integers(0, units, batch) if draw(st.booleans()) else np.eye(units)[rng.integers(0, units, batch)]
    elif loss == "binary_cross_entropy":
        targets = rng.integers(0, 2, (batch, units)).astype(float)
    else:
        targets = rng.normal(0, 1.0, (batch, units))
    learning_rate = draw(st.sampled_from([0.01, 0.1, 0.5, 1.0]))
    return SmallNetwork(layers, loss=loss), inputs, targets, loss, learning_rate


def torch_step(network: SmallNetwork, inputs, targets, loss: str, learning_rate: float) -> dict:
    """The same update by torch autograd in float64: forward values, deltas (∂E/∂z), gradients, new weights."""
    weights = [torch.tensor(layer.weights, dtype=torch.float64, requires_grad=True) for layer in network.layers]
    biases = [None if layer.bias is None else torch.tensor(layer.bias, dtype=torch.float64, requires_grad=True)
              for layer in network.layers]
    value = torch.tensor(inputs, dtype=torch.float64)
    zs, outs = [], []
    for layer, w, b in zip(network.layers, weights, biases):
        z = F.linear(value, w, b)
        z.retain_grad()
        value = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda v: v,
                 "softmax": lambda v: torch.softmax(v, dim=-1), "leaky_relu": lambda v: F.leaky_relu(v, 0.01),
                 "elu": F.elu}[layer.activation](z)
        zs.append(z)
        outs.append(value)
    t = torch.tensor(targets, dtype=torch.float64)
    if loss == "squared_error":
        error = 0.5 * ((value - t.reshape(value.shape)) ** 2).sum(dim=1).mean()
    elif loss == "mse":
        error = F.mse_loss(value, t.reshape(value.shape))
    elif loss == "mae":
        error = F.l1_loss(value, t.reshape(value.shape))
    elif loss == "cross_entropy":
        error = F.cross_entropy(zs[-1], t.long() if t.ndim == 1 else t)
    else:
        error = F.binary_cross_entropy_with_logits(zs[-1], t.reshape(value.shape))
    error.backward()
    return {"error": error.item(), "z": [z.detach().numpy() for z in zs], "a": [a.detach().numpy() for a in outs],
            "delta": [z.grad.numpy() for z in zs], "dw": [w.grad.numpy() for w in weights],
            "db": [None if b is None else b.grad.numpy() for b in biases],
            "new_w": [(w - learning_rate * w.grad).detach().numpy() for w in weights],
            "new_b": [None if b is None else (b - learning_rate * b.grad).detach().numpy() for b in biases]}


def assert_matches(case) -> None:
    network, inputs, targets, loss, learning_rate = case
    step = BackpropStep(network, inputs, targets, loss, learning_rate)
    expected = torch_step(network, inputs, targets, loss, learning_rate)
    close = dict(atol=TOLERANCE, rtol=0)
    assert step.error == pytest.approx(expected["error"], abs=TOLERANCE)
    for i, layer in enumerate(step.new_network.layers):
        np.testing.assert_allclose(step.forward.net_inputs[i], expected["z"][i], **close)
        np.testing.assert_allclose(step.forward.outputs[i], expected["a"][i], **close)
        np.testing.assert_allclose(step.deltas[i], expected["delta"][i], **close)
        np.testing.assert_allclose(step.weight_gradients[i], expected["dw"][i], **close)
        np.testing.assert_allclose(layer.weights, expected["new_w"][i], **close)
        if expected["db"][i] is None:
            assert step.bias_gradients[i] is None and layer.bias is None
        else:
            np.testing.assert_allclose(step.bias_gradients[i], expected["db"][i], **close)
            np.testing.assert_allclose(layer.bias, expected["new_b"][i], **close)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_backprop_equals_autograd(case):
    assert_matches(case)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_backprop_equals_autograd_many(case):
    assert_matches(case)


def test_mazur_worked_example():
    """Matt Mazur's classic example: 2-2-2 sigmoid network, squared error, learning rate 0.5."""
    network = SmallNetwork([DenseLayer([[0.15, 0.20], [0.25, 0.30]], [0.35, 0.35], "sigmoid", "hidden"),
                            DenseLayer([[0.40, 0.45], [0.50, 0.55]], [0.60, 0.60], "sigmoid", "output")])
    step = BackpropStep(network, [0.05, 0.10], [0.01, 0.99], "squared_error", 0.5)
    assert step.error == pytest.approx(0.298371109, abs=1e-9)
    np.testing.assert_allclose(step.forward.outputs[0][0], [0.593269992, 0.596884378], atol=1e-9)
    np.testing.assert_allclose(step.forward.outputs[1][0], [0.75136507, 0.772928465], atol=1e-8)
    np.testing.assert_allclose(step.new_network.layers[1].weights,
                               [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], atol=1e-8)
    np.testing.assert_allclose(step.new_network.layers[0].weights,
                               [[0.149780716, 0.19956143], [0.24975114, 0.29950229]], atol=1e-8)
    assert [p.kind for p in step.phases] == ["forward", "forward", "error", "backward", "backward",
                                             "gradients", "gradients", "update", "update"]
    assert step.update_text(1, 0, 0) == "w ← w − α·∂E/∂w = 0.4 − 0.5·0.08217 = 0.3589"
    assert step.delta_text(1, 0).endswith("= 0.1385")
    assert "(−0.0381)" in step.delta_text(0, 0)
    # The original network is left as it was, so the GUI can step back.
    assert network.layers[1].weights[0, 0] == 0.40


def test_step_activation_passes_no_gradient():
    network = SmallNetwork([DenseLayer([[0.5, 0.5]], [-0.7], "step", "gate")])
    step = BackpropStep(network, [1, 1], [0.0], "squared_error", 1.0)
    assert np.all(step.weight_gradients[0] == 0)
    np.testing.assert_array_equal(step.new_network.layers[0].weights, network.layers[0].weights)


def test_cross_entropy_refuses_a_tanh_output():
    from nnstudio.core.teaching.neuron_math import NetworkError
    network = SmallNetwork([DenseLayer([[0.5, 0.5], [0.1, 0.2]], None, "tanh", "out")])
    with pytest.raises(NetworkError, match="softmax"):
        BackpropStep(network, [1, 1], [1], "cross_entropy", 0.1)
