"""Small graphs and data parts shared by the engine tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from nnstudio.core.analysis import DataContext
from nnstudio.core.graph import Graph
from nnstudio.core.layers import OutputTarget
from nnstudio.core.settings import TrainingSettings


@dataclass
class Part:
    """Stands in for core.data.prepare.Part: arrays keyed by Input and Output node ids."""

    inputs: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(next(iter(self.targets.values())))


@dataclass
class Net:
    graph: Graph
    context: DataContext
    input_ids: list[str] = field(default_factory=list)
    output_ids: list[str] = field(default_factory=list)

    def snapshot(self) -> dict:
        return self.graph.to_dict()


XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_TARGETS = np.array([0, 1, 1, 0], dtype=np.int64)


def chain(input_shape: tuple[int, ...], layers: list[tuple[str, dict]], output: dict,
          target: OutputTarget, names: Optional[list[str]] = None) -> Net:
    """Input -> layers... -> Output, wired in a line."""
    graph = Graph()
    first = graph.add_node("Input", "features", {"shape": list(input_shape)})
    previous = first
    for position, (type_name, params) in enumerate(layers):
        name = names[position] if names else None
        node = graph.add_node(type_name, name, params)
        graph.connect(previous.id, "out", node.id, "in")
        previous = node
    out = graph.add_node("Output", "target", output)
    graph.connect(previous.id, "out", out.id, "in")
    context = DataContext({first.id: tuple(input_shape)}, {out.id: target})
    return Net(graph, context, [first.id], [out.id])


def xor_net(hidden: Optional[int] = 8, activation: str = "tanh") -> Net:
    layers = [("Dense", {"units": hidden, "activation": activation})] if hidden else []
    return chain((2,), layers, {}, OutputTarget("binary", 1))


def xor_part(net: Net) -> Part:
    return Part({net.input_ids[0]: XOR_INPUTS}, {net.output_ids[0]: XOR_TARGETS})


def blobs(rows: int = 120, features: int = 4, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Separable-ish class clusters for quick classification runs."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, rows)
    centres = rng.normal(0, 3, (classes, features))
    values = centres[labels] + rng.normal(0, 1, (rows, features))
    return values.astype(np.float32), labels.astype(np.int64)


def classifier(features: int = 4, classes: int = 3, extra: Optional[list[tuple[str, dict]]] = None) -> Net:
    layers = [("Dense", {"units": 16, "activation": "relu"})] + (extra or [])
    return chain((features,), layers, {}, OutputTarget("multiclass", classes))


def settings(**changes) -> TrainingSettings:
    values = dict(optimizer="adam", learning_rate=0.01, epochs=5, batch_size=16, validation_split=0.0)
    values.update(changes)
    return TrainingSettings(**values)


def wide_and_deep() -> Net:
    """Géron's Wide & Deep: wide (5) and deep (6) inputs, a main output after Concatenate and an auxiliary
    output after the deep path, weighted 0.9 / 0.1."""
    graph = Graph()
    wide = graph.add_node("Input", "wide", {"shape": [5]})
    deep = graph.add_node("Input", "deep", {"shape": [6]})
    hidden1 = graph.add_node("Dense", "hidden1", {"units": 30, "activation": "relu"})
    hidden2 = graph.add_node("Dense", "hidden2", {"units": 30, "activation": "relu"})
    join = graph.add_node("Concatenate", "join")
    main = graph.add_node("Output", "main", {"task": "regression", "loss_weight": 0.9})
    aux = graph.add_node("Output", "aux", {"task": "regression", "loss_weight": 0.1})
    for source, target, port in [(deep, hidden1, "in"), (hidden1, hidden2, "in"), (wide, join, "in1"),
                                 (hidden2, join, "in2"), (join, main, "in"), (hidden2, aux, "in")]:
        graph.connect(source.id, "out", target.id, port)
    context = DataContext({wide.id: (5,), deep.id: (6,)},
                          {main.id: OutputTarget("regression", 1), aux.id: OutputTarget("regression", 1)})
    return Net(graph, context, [wide.id, deep.id], [main.id, aux.id])


def wide_and_deep_part(net: Net, rows: int = 200, seed: int = 0) -> Part:
    rng = np.random.default_rng(seed)
    wide = rng.normal(size=(rows, 5)).astype(np.float32)
    deep = rng.normal(size=(rows, 6)).astype(np.float32)
    target = (wide[:, :1] - 2 * deep[:, 1:2] + 0.5 * deep[:, 2:3] ** 2).astype(np.float32)
    return Part({net.input_ids[0]: wide, net.input_ids[1]: deep},
                {net.output_ids[0]: target, net.output_ids[1]: target.copy()})
