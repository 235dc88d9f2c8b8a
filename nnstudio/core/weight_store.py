"""The weights of every Dense/Output layer, kept per node id as numpy arrays, with an event when they change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Optional

import numpy as np

from .events import Event

# Numbers only, no torch and no Qt, so it lives in core: views import it without loading torch (importing anything
# under nnstudio.engine loads torch), and the engine (engine/inference.py) moves the numbers between this store and
# a torch model. A writer is attached by the owner of the model (the training session).
Writer = Callable[[dict[str, "LayerWeights"]], Iterable[str]]


@dataclass
class LayerWeights:
    """One Dense/Output layer's numbers in float64: W (neurons × inputs) and b (None without bias)."""

    weights: np.ndarray
    bias: Optional[np.ndarray]

    def copy(self) -> "LayerWeights":
        return LayerWeights(self.weights.copy(), None if self.bias is None else self.bias.copy())


def _as_float64(layer: LayerWeights) -> LayerWeights:
    return LayerWeights(np.array(layer.weights, dtype=np.float64),
                        None if layer.bias is None else np.array(layer.bias, dtype=np.float64))


class WeightStore:
    """The one owner of the weights that the panels show and edit, keyed by node id.

    `load` fills it from a model (after a run, or when a starting model is adopted); `write` is an edit: the numbers
    go into the model first through the attached writer, and the store keeps the layers the model took. Both emit
    `changed(node_ids)` — a frozenset of the node ids whose numbers changed (every id held before or after, for load
    and clear) — so views listen here instead of asking a torch model.
    """

    def __init__(self) -> None:
        self._layers: dict[str, LayerWeights] = {}
        self._writer: Optional[Writer] = None
        self._set_by_hand: set[str] = set()   # layers written since the model's numbers were loaded
        self.changed = Event()

    # ------------------------------------------------------------ reading
    def get(self, node_id: str) -> Optional[LayerWeights]:
        """A copy of one layer's numbers (changing it changes nothing here), or None when the store lacks it."""
        layer = self._layers.get(node_id)
        return None if layer is None else layer.copy()

    def set_by_hand(self, node_id: str) -> bool:
        """Whether this layer's numbers were typed (written) since they were loaded from a model, so the views
        never call hand-typed weights "trained"."""
        return node_id in self._set_by_hand

    def node_ids(self) -> list[str]:
        return list(self._layers)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._layers

    def __len__(self) -> int:
        return len(self._layers)

    def by_state_key(self, node_names: Mapping[str, str]) -> dict[str, np.ndarray]:
        """The numbers keyed like a model's state dict (layers.<name>.weight / .bias), for names given by node id."""
        state: dict[str, np.ndarray] = {}
        for node_id, layer in self._layers.items():
            name = node_names.get(node_id)
            if name is None:
                continue
            state[f"layers.{name}.weight"] = layer.weights.copy()
            if layer.bias is not None:
                state[f"layers.{name}.bias"] = layer.bias.copy()
        return state

    # ------------------------------------------------------------ changing
    def attach(self, writer: Optional[Writer]) -> None:
        """Who puts edited numbers into the model: it returns the node ids it could write (None: nobody)."""
        self._writer = writer

    def load(self, layers: Mapping[str, LayerWeights]) -> None:
        """Hold exactly these layers (a model's numbers): nothing is written back to a model."""
        touched = frozenset(self._layers) | frozenset(layers)
        self._layers = {node_id: _as_float64(layer) for node_id, layer in layers.items()}
        self._set_by_hand = set()
        self.changed.emit(touched)

    def clear(self) -> None:
        """Forget every layer (the model they came from is gone)."""
        if self._layers:
            self.load({})

    def write(self, layers: Mapping[str, LayerWeights]) -> frozenset[str]:
        """Edit some layers: the attached writer puts them into the model, the store keeps the ones it took.

        Returns the node ids written. A layer the model no longer has (another drawing since) is left out, so
        undoing an old edit never invents a layer. Without a writer every layer is kept.
        """
        values = {node_id: _as_float64(layer) for node_id, layer in layers.items()}
        written = frozenset(values) if self._writer is None else frozenset(self._writer(values)) & frozenset(values)
        for node_id in written:
            self._layers[node_id] = values[node_id]
        self._set_by_hand |= written   # after the writer: adopting the starting model loads the store first
        if written:
            self.changed.emit(written)
        return written


__all__ = ["LayerWeights", "WeightStore", "Writer"]
