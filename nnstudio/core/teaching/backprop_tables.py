"""The backpropagation stepper's words: names of neurons and weights (h1, o1, w1…), each phase's table and labels."""

from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

from ..i18n import tr
from .backprop import BackpropStep, Phase
from .neuron_math import SmallNetwork, format_number

DIGITS = 9                # enough digits to check every number against the worked example


class WeightName(NamedTuple):
    """One weight (or bias, when source is None) of the network and the name the stepper gives it."""

    layer: int
    neuron: int
    source: Optional[int]
    name: str


def neuron_name(network: SmallNetwork, layer: int, neuron: int) -> str:
    """i1, i2 for the inputs (layer −1, or their column names), h1, h2 for one hidden layer, h1.1 for several, o1…"""
    if layer < 0:
        return network.input_names[neuron] if neuron < len(network.input_names) else f"x{neuron + 1}"
    last = layer == len(network.layers) - 1
    return f"{'o' if last else 'h' if len(network.layers) == 2 else f'h{layer + 1}.'}{neuron + 1}"


def link_text(network: SmallNetwork, layer: int, neuron: int, source: Optional[int]) -> str:
    """'i1 → h1' for a weight, 'bias → h1' for a bias."""
    target = neuron_name(network, layer, neuron)
    return tr("bias → {neuron}", neuron=target) if source is None else f"{neuron_name(network, layer - 1, source)} → {target}"


def weight_names(network: SmallNetwork) -> list[WeightName]:
    """Every weight named w1, w2… layer by layer and neuron by neuron (as in the worked example), then the biases."""
    names, count = [], 0
    for index, layer in enumerate(network.layers):
        for neuron in range(layer.units):
            for source in range(layer.features):
                count += 1
                names.append(WeightName(index, neuron, source, f"w{count}"))
    for index, layer in enumerate(network.layers):
        if layer.bias is not None:
            for neuron in range(layer.units):
                names.append(WeightName(index, neuron, None, f"b {neuron_name(network, index, neuron)}"))
    return names


def without_biases(network: SmallNetwork) -> SmallNetwork:
    """A copy of the network whose layers have no bias (as in the course's worked example); the original keeps its."""
    copy = network.copy()
    for layer in copy.layers:
        layer.bias = None
    return copy


def weight_value(network: SmallNetwork, weight: WeightName) -> float:
    layer = network.layers[weight.layer]
    return float(layer.weights[weight.neuron, weight.source] if weight.source is not None else layer.bias[weight.neuron])


def sample_target(raw: np.ndarray, units: int) -> np.ndarray:
    """One sample's target as the output neurons should give it: a class code becomes its one-hot row."""
    target = np.asarray(raw, dtype=np.float64).reshape(-1)
    if target.size == 1 and units > 1:
        return np.eye(units)[int(target[0])]
    return target


def phase_table(step: BackpropStep, phase: Phase) -> tuple[list[str], list[list[str]]]:
    """The column titles and the rows of text the stepper's table shows for one phase."""
    network, i = step.network, phase.layer
    if phase.kind == "forward":
        return [tr("neuron"), tr("net input z"), tr("output a")], [
            [neuron_name(network, i, n), format_number(step.forward.net_inputs[i][0, n], DIGITS),
             format_number(step.forward.outputs[i][0, n], DIGITS)] for n in range(network.layers[i].units)]
    if phase.kind == "error":
        last = len(network.layers) - 1
        rows = [[neuron_name(network, last, n), format_number(step.probabilities[0, n], DIGITS),
                 format_number(step.targets[0, n], DIGITS)] for n in range(step.targets.shape[1])]
        return [tr("output"), tr("output a"), tr("target t")], rows + [[tr("E (error)"), format_number(step.error, DIGITS),
                                                                         ""]]
    if phase.kind == "backward":
        return [tr("neuron"), tr("delta δ = ∂E/∂z"), tr("chain rule")], [
            [neuron_name(network, i, n), format_number(step.deltas[i][0, n], DIGITS), step.delta_text(i, n)]
            for n in range(network.layers[i].units)]
    here = [weight for weight in weight_names(network) if weight.layer == i]
    if phase.kind == "gradients":
        rows = []
        for weight in here:
            gradient = (step.weight_gradients[i][weight.neuron, weight.source] if weight.source is not None
                        else step.bias_gradients[i][weight.neuron])
            rows.append([weight.name, link_text(network, i, weight.neuron, weight.source),
                         format_number(gradient, DIGITS)])
        return [tr("weight"), tr("link"), tr("gradient ∂E/∂w")], rows
    return [tr("weight"), tr("old"), tr("new"), tr("update")], [
        [weight.name, format_number(weight_value(network, weight), DIGITS),
         format_number(weight_value(step.new_network, weight), DIGITS),
         step.update_text(i, weight.neuron, weight.source)] for weight in here]


def worked_lines(step: BackpropStep, phase: Phase) -> str:
    """The arithmetic written under a phase's description: every delta, or every update, of its layer."""
    network = step.network
    if phase.kind == "backward":
        return "\n" + "\n".join(f"{neuron_name(network, phase.layer, n)}: {step.delta_text(phase.layer, n)}"
                                for n in range(network.layers[phase.layer].units))
    if phase.kind == "update":
        return "\n" + "\n".join(f"{w.name}: {step.update_text(w.layer, w.neuron, w.source)}"
                                for w in weight_names(network) if w.layer == phase.layer)
    return ""


def diagram_labels(step: BackpropStep, phase_index: int) -> tuple[dict, dict]:
    """What is written on the diagram up to this phase: by the neurons ((column, neuron) → text, column 0 being
    the inputs) and on the lines ((layer, neuron, source) → text). Forward values, then targets, deltas,
    gradients and updates stay written as the learner steps on."""
    network = step.network
    last = len(network.layers) - 1
    at_neurons = {(0, n): f"x = {format_number(value)}" for n, value in enumerate(step.inputs[0])}
    on_lines: dict[tuple[int, int, int], str] = {}

    def add(key: tuple[int, int], text: str) -> None:
        at_neurons[key] = at_neurons[key] + "\n" + text if key in at_neurons else text

    for past in step.phases[:phase_index + 1]:
        i = past.layer
        if past.kind == "forward":
            for n in range(network.layers[i].units):
                add((i + 1, n), f"z = {format_number(step.forward.net_inputs[i][0, n])}\n"
                                f"a = {format_number(step.forward.outputs[i][0, n])}")
        elif past.kind == "error":
            for n in range(network.layers[last].units):
                add((last + 1, n), f"t = {format_number(step.targets[0, n])}")
        elif past.kind == "backward":
            for n in range(network.layers[i].units):
                add((i + 1, n), f"δ = {format_number(step.deltas[i][0, n])}")
        else:
            layer = network.layers[i]
            for neuron in range(layer.units):
                for source in range(layer.features):
                    on_lines[(i, neuron, source)] = (
                        f"∂E/∂w = {format_number(step.weight_gradients[i][neuron, source])}"
                        if past.kind == "gradients" else
                        f"{format_number(layer.weights[neuron, source])} → "
                        f"{format_number(step.new_network.layers[i].weights[neuron, source])}")
    return at_neurons, on_lines


def belongs_to(phase: Phase, key: tuple) -> bool:
    """Whether a diagram label (a neuron's (column, neuron) or a line's (layer, neuron, source)) is about the
    layer the phase works on, so it is drawn in the phase's colour."""
    if phase.layer is None:
        return len(key) == 2
    return (len(key) == 2 and key[0] == phase.layer + 1) or (len(key) == 3 and key[0] == phase.layer
                                                             and phase.kind in ("gradients", "update"))


__all__ = ["DIGITS", "WeightName", "belongs_to", "diagram_labels", "link_text", "neuron_name", "phase_table",
           "sample_target", "weight_names", "weight_value", "without_biases", "worked_lines"]
