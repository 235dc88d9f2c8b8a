"""Every shipped example trains to its quality bar (the numbers the issue promises a learner)."""

import math

import pytest

from nnstudio.core.project import load_project
from nnstudio.core.examples import example_path
from nnstudio.engine.pipeline import effective_settings, load_project_data, train_project


def train(name):
    project = load_project(example_path(name))
    data = load_project_data(project)
    _, result = train_project(project, effective_settings(project), data)
    return result


def test_xor_with_a_hidden_layer_is_solved():
    result = train("xor")
    assert result.test["xor"]["accuracy"] == 1.0


def test_xor_without_a_hidden_layer_stays_at_chance():
    result = train("xor_single_layer")
    assert result.history.logs["loss"][-1] == pytest.approx(math.log(2), abs=0.01)
    assert result.test["xor"]["loss"] == pytest.approx(math.log(2), abs=0.01)
    assert result.test["xor"]["accuracy"] == 0.5


def test_iris_reaches_90_percent():
    assert train("iris").test["species"]["accuracy"] >= 0.9


def test_digits_mlp_reaches_95_percent():
    assert train("digits").test["digit"]["accuracy"] >= 0.95


def test_diabetes_regression_explains_40_percent():
    assert train("regression").test["progression"]["r2"] >= 0.4


def test_wide_and_deep_reports_both_outputs():
    result = train("wide_deep")
    assert set(result.test) == {"main_output", "aux_output"}
    for metrics in result.test.values():
        assert {"loss", "mse", "mae", "r2"} <= set(metrics)
    assert "main_output_loss" in result.history.logs and "val_aux_output_loss" in result.history.logs
