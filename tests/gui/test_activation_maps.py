"""The neuron view's activation maps show the model's own numbers: each pixel equals the engine's forward pass."""

from __future__ import annotations

import numpy as np
import torch
from teaching_window import open_teaching_window

from nnstudio.core.teaching.plane import input_plane
from nnstudio.gui.teaching.neuron_view import MAP_LEAST_MARGIN, MAP_MARGIN, MAP_SIZE
from test_teaching_neurons import type_into


def engine_maps(window, layer_name: str) -> np.ndarray:
    """What the trained torch layer outputs over the same grid of the input plane: neurons × rows × columns."""
    rows = np.asarray(next(iter(window.session.data.prepared.train.inputs.values())), dtype=np.float64)
    plane = input_plane(rows, MAP_SIZE, MAP_MARGIN, MAP_LEAST_MARGIN, top_down=True)
    layer = window.session.current_model().layers[layer_name]
    with torch.no_grad():
        outputs = layer(torch.from_numpy(plane.points().astype(np.float32))).numpy()
    return outputs.reshape(MAP_SIZE * MAP_SIZE, -1).T.reshape(-1, MAP_SIZE, MAP_SIZE)


def test_every_activation_map_pixel_is_the_models_output_also_after_a_typed_weight(qtbot):
    window = open_teaching_window(qtbot, "xor")
    window.teaching.actions["neurons"].trigger()   # Teach → Open the neuron view
    view = window.teaching.neuron_view
    window.document.select([window.document.graph.node_by_name("hidden").id])
    qtbot.waitUntil(lambda: view.map_values is not None)
    assert view.map_values.shape == (8, MAP_SIZE, MAP_SIZE)
    np.testing.assert_allclose(view.map_values, engine_maps(window, "hidden"), atol=1e-5)
    assert all(item.isVisible() for item in view.maps)

    # The student types a weight of neuron 3 by hand: its map and the model change together.
    before = view.map_values[2].copy()
    type_into(view.table, 2, 0, "2.5")
    qtbot.waitUntil(lambda: not np.allclose(view.map_values[2], before))
    assert window.session.current_model().layers["hidden"].weight[2, 0].item() == 2.5
    np.testing.assert_allclose(view.map_values, engine_maps(window, "hidden"), atol=1e-5)
    window.session.shutdown()
