"""Truth tables of a neuron or small network on a logic dataset: inputs, weighted sum, activation, output, target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Union

import numpy as np

from ..data import load_builtin
from ..i18n import tr
from .neuron_math import SmallNetwork, activate, format_number

LOGIC_DATASETS = ("and", "or", "nand", "xor")
# Activations whose outputs straddle 0 are read as 1 above 0; the others (0..1, or step's 0/1) above 0.5.
_ZERO_CENTRED = ("tanh", "sign")


def decision_threshold(activation: str) -> float:
    """Where an output counts as 1: 0 for tanh and sign, 0.5 otherwise."""
    return 0.0 if activation in _ZERO_CENTRED else 0.5


@dataclass(frozen=True)
class TruthRow:
    """One row: the inputs, the output neuron's weighted sum z and activation, the 0/1 output and the target."""

    inputs: tuple[float, ...]
    z: float
    activation: float
    output: int
    target: Optional[int]
    hidden: tuple[float, ...] = ()   # hidden neurons' outputs, for a small network

    @property
    def right(self) -> Optional[bool]:
        return None if self.target is None else self.output == self.target


@dataclass(frozen=True)
class TruthTable:
    """All rows, and how many the network gets right."""

    rows: tuple[TruthRow, ...]
    input_names: tuple[str, ...]
    activation: str
    threshold: float

    @property
    def correct(self) -> int:
        return sum(1 for row in self.rows if row.right)

    @property
    def all_right(self) -> bool:
        return all(row.right for row in self.rows)

    def text(self) -> str:
        """A plain table, one line per row, for the panel or a console."""
        header = list(self.input_names) + ["z", self.activation, tr("output"), tr("target"), tr("right")]
        lines = [" | ".join(header)]
        for row in self.rows:
            cells = [format_number(v) for v in row.inputs] + [
                format_number(row.z), format_number(row.activation), str(row.output),
                "" if row.target is None else str(row.target), "" if row.right is None else ("✓" if row.right else "✗")]
            lines.append(" | ".join(cells))
        return "\n".join(lines)


def logic_data(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The four rows of a built-in logic gate dataset as (inputs, targets)."""
    if name not in LOGIC_DATASETS:
        raise ValueError(tr("{name} is not a logic dataset; choose one of {choices}", name=repr(name),
                            choices=", ".join(LOGIC_DATASETS)))
    table = load_builtin(name)
    return table.values[:, :2].astype(np.float64), table.values[:, 2].astype(np.int64)


def truth_table(weights: Sequence[float], bias: float, activation: str = "step",
                data: Union[str, tuple[np.ndarray, np.ndarray]] = "and",
                input_names: Sequence[str] = ("x1", "x2")) -> TruthTable:
    """The truth table of one neuron with these weights, bias and activation on a logic dataset."""
    X, Y = logic_data(data) if isinstance(data, str) else (np.asarray(data[0], float), np.asarray(data[1]))
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    threshold = decision_threshold(activation)
    rows = []
    for x, y in zip(X, Y):
        z = float(w @ x + bias)
        a = float(activate(activation, z))
        rows.append(TruthRow(tuple(float(v) for v in x), z, a, int(a > threshold if threshold == 0 else a >= threshold),
                             None if y is None else int(y)))
    return TruthTable(tuple(rows), tuple(input_names), activation, threshold)


def network_truth_table(network: SmallNetwork, data: Union[str, tuple[np.ndarray, np.ndarray]] = "xor",
                        output_neuron: int = 0) -> TruthTable:
    """The truth table of a small network: the output neuron's z and activation, plus the hidden outputs."""
    X, Y = logic_data(data) if isinstance(data, str) else (np.asarray(data[0], float), np.asarray(data[1]))
    passed = network.forward(X)
    last = network.layers[-1]
    threshold = decision_threshold(last.activation)
    rows = []
    for i, (x, y) in enumerate(zip(X, Y)):
        z = float(passed.net_inputs[-1][i, output_neuron])
        a = float(passed.outputs[-1][i, output_neuron])
        if last.activation == "softmax":
            output = int(np.argmax(passed.outputs[-1][i]))  # the most probable class is the answer
        else:
            output = int(a > threshold if threshold == 0 else a >= threshold)
        hidden = tuple(float(v) for layer_out in passed.outputs[:-1] for v in layer_out[i])
        rows.append(TruthRow(tuple(float(v) for v in x), z, a, output, int(y), hidden))
    return TruthTable(tuple(rows), tuple(network.input_names), last.activation, threshold)


__all__ = ["LOGIC_DATASETS", "TruthRow", "TruthTable", "decision_threshold", "logic_data", "network_truth_table",
           "truth_table"]
