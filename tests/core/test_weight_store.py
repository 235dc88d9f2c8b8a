"""The weight store: numbers per node id, an event on every change, edits go through the model's writer."""

import numpy as np

from nnstudio.core.weight_store import LayerWeights, WeightStore


def layer(*values, bias=None):
    return LayerWeights(np.array([values], dtype=np.float32), None if bias is None else np.array([bias]))


def test_load_holds_float64_copies_and_says_which_layers_changed():
    store, heard = WeightStore(), []
    store.changed.connect(heard.append)
    source = layer(1.0, 2.0, bias=0.5)
    store.load({"a": source})
    source.weights[0, 0] = 99.0   # the caller's arrays are not the store's
    held = store.get("a")
    assert held.weights.dtype == np.float64 and held.weights.tolist() == [[1.0, 2.0]] and held.bias.tolist() == [0.5]
    held.weights[0, 0] = -1.0     # nor is what get hands out
    assert store.get("a").weights[0, 0] == 1.0
    store.load({"b": layer(3.0)})
    assert heard == [frozenset({"a"}), frozenset({"a", "b"})]
    assert "a" not in store and store.node_ids() == ["b"] and len(store) == 1
    store.clear()
    assert len(store) == 0 and heard[-1] == frozenset({"b"})


def test_write_keeps_only_what_the_model_took():
    store, heard, model = WeightStore(), [], {}
    store.load({"a": layer(1.0), "b": layer(2.0)})
    store.changed.connect(heard.append)

    def writer(values):
        model.update(values)
        return [node_id for node_id in values if node_id != "gone"]

    store.attach(writer)
    written = store.write({"a": layer(5.0), "gone": layer(7.0)})
    assert written == frozenset({"a"}) and heard == [frozenset({"a"})]
    assert store.get("a").weights.tolist() == [[5.0]] and "gone" not in store
    assert model["a"].weights.tolist() == [[5.0]]
    assert store.write({"gone": layer(1.0)}) == frozenset() and len(heard) == 1   # nothing changed: no event


def test_by_state_key_names_layers_like_the_model():
    store = WeightStore()
    store.load({"n1": layer(1.0, bias=0.0), "n2": layer(2.0)})
    state = store.by_state_key({"n1": "hidden", "n2": "out"})
    assert sorted(state) == ["layers.hidden.bias", "layers.hidden.weight", "layers.out.weight"]
