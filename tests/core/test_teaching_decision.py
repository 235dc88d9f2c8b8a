"""The decision map's class and confidence at each grid point, from what the network outputs there."""

import numpy as np
import pytest

from nnstudio.core.teaching.decision import classes_and_confidence


def test_one_output_is_a_yes_no_probability_sure_at_the_ends_and_unsure_in_the_middle():
    predicted, confidence = classes_and_confidence(np.array([[0.0], [0.25], [0.5], [0.9], [1.0]]))
    assert predicted.tolist() == [0, 0, 1, 1, 1]      # 0.5 itself counts as yes, as the map always drew it
    assert confidence == pytest.approx([1.0, 0.5, 0.0, 0.8, 1.0])
    flat, _ = classes_and_confidence(np.array([0.2, 0.7]))
    assert flat.tolist() == [0, 1]


def test_several_outputs_pick_the_largest_and_a_uniform_guess_is_no_confidence():
    outputs = np.array([[0.2, 0.5, 0.3], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0]])
    predicted, confidence = classes_and_confidence(outputs)
    assert predicted.tolist() == [1, 0, 2]
    # (top − 1/k) / (1 − 1/k): 0.5 is a quarter of the way from a guess (1/3) to certain (1).
    assert confidence == pytest.approx([0.25, 0.0, 1.0])
