"""Each diagnostic fires on a run built to show it and stays quiet on a healthy run."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine_helpers import Part, blobs, chain
from nnstudio.core.data import load_builtin
from nnstudio.core.examples import iris
from nnstudio.core.layers import OutputTarget
from nnstudio.core.settings import TrainingSettings
from nnstudio.engine.compiler import compile_graph
from nnstudio.engine.diagnostics import (Diagnosis, check_learning_rate, check_overfitting, class_entropy,
                                         default_validation, diagnose, diagnose_curves, diagnose_run, majority_share)
from nnstudio.engine.pipeline import load_project_data, train_project
from nnstudio.engine.training import History, Trainer


@pytest.fixture(autouse=True)
def one_torch_thread():
    """These models are tiny: a second thread only adds contention on a busy machine (restored afterwards)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def run(net, X, y, settings: TrainingSettings, validation=None, prepare=None, scaling="standardize"):
    """Train a tiny net and diagnose it; returns the diagnoses keyed by kind and the history."""
    model = compile_graph(net.snapshot(), net.context, seed=settings.seed)
    if prepare is not None:
        prepare(model)
    trainer = Trainer(model, settings)
    part = Part({net.input_ids[0]: X}, {net.output_ids[0]: y})
    held_out = Part({net.input_ids[0]: validation[0]}, {net.output_ids[0]: validation[1]}) if validation else None
    history = trainer.fit(part, held_out)
    found = diagnose_run(trainer, history, part, scaling)
    for diagnosis in found:
        assert diagnosis.title and diagnosis.message and diagnosis.advice and diagnosis.evidence
    return {d.kind: d for d in found}, history


def three_blobs():
    return blobs(120, 4, 3)


def small_classifier(layers=None, names=None):
    layers = layers or [("Dense", {"units": 16, "activation": "relu"})]
    return chain((4,), layers, {}, OutputTarget("multiclass", 3), names=names)


def test_overfitting_big_net_on_few_noisy_samples():
    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, (60, 5)).astype(np.float32)
    y = (X[:, 0] + rng.normal(0, 1.5, 60) > 0).astype(np.int64)
    net = chain((5,), [("Dense", {"units": 64, "activation": "relu"})] * 2, {}, OutputTarget("binary", 1))
    found, history = run(net, X[:30], y[:30], TrainingSettings(learning_rate=0.01, epochs=50, batch_size=32,
                                                               validation_split=0), validation=(X[30:], y[30:]))
    diagnosis = found["overfitting"]
    best = int(diagnosis.evidence["best_epoch"])
    assert history.logs["val_loss"][best - 1] == min(history.logs["val_loss"])
    assert diagnosis.evidence["from_epoch"] == best + 1
    assert diagnosis.evidence["last_val_loss"] > diagnosis.evidence["best_val_loss"]
    assert diagnosis.evidence["last_train_loss"] < diagnosis.evidence["train_loss_at_best"]
    assert f"from epoch {best + 1}" in diagnosis.title
    assert set(found) == {"overfitting"}


def test_learning_rate_too_high_sgd_10():
    X, y = three_blobs()
    found, history = run(small_classifier(), X, y, TrainingSettings(optimizer="sgd", learning_rate=10.0,
                                                                    epochs=15, batch_size=16))
    diagnosis = found["learning_rate"]
    assert diagnosis.severity == "error"
    start = history.batch_losses[0]
    assert max(diagnosis.evidence["peak_batch_loss"], diagnosis.evidence["peak_epoch_loss"]) > 3 * start
    assert "1" in diagnosis.advice[0]  # suggests a 10× smaller rate: 1


def test_learning_rate_nan_is_an_error():
    history = History(stop_reason="diverged", message="The loss became NaN at epoch 2, batch 1")
    diagnosis = check_learning_rate(history, 5.0)
    assert diagnosis.severity == "error" and "0.5" in diagnosis.advice[0]


def test_learning_rate_oscillating_without_progress():
    history = History()
    for epoch, loss in enumerate([1.0, 1.3, 0.95, 1.2, 0.9, 1.25, 0.92, 1.1], start=1):
        history.record(epoch, {"loss": loss})
    assert check_learning_rate(history).title.startswith("The loss jumps")
    steady = History()
    for epoch, loss in enumerate([1.0, 0.6, 0.62, 0.4, 0.3, 0.31, 0.2, 0.15], start=1):
        steady.record(epoch, {"loss": loss})
    assert check_learning_rate(steady) is None


def test_dead_relu_from_a_very_negative_bias():
    X, y = three_blobs()

    def bury(model):
        with torch.no_grad():
            model.layers["hidden"].bias.fill_(-100.0)  # no sample can lift z above 0: every unit is dead

    found, _ = run(small_classifier(names=["hidden"]), X, y, TrainingSettings(learning_rate=0.01, epochs=3,
                                                                               batch_size=16), prepare=bury)
    diagnosis = found["dead_relu"]
    assert diagnosis.evidence["dead_units"] == 16 and diagnosis.evidence["hidden_dead_share"] == 1.0
    assert diagnosis.severity == "error"


def test_vanishing_gradients_ten_sigmoid_layers():
    X, y = three_blobs()
    net = small_classifier([("Dense", {"units": 16, "activation": "sigmoid"})] * 10)
    found, _ = run(net, X, y, TrainingSettings(learning_rate=0.01, epochs=2, batch_size=16))
    diagnosis = found["vanishing_gradients"]
    assert diagnosis.evidence["layers"] == 11 and diagnosis.evidence["ratio"] < 1e-3


def test_unscaled_inputs_times_1000():
    X, y = three_blobs()
    found, _ = run(small_classifier(), X * 1000, y, TrainingSettings(learning_rate=0.01, epochs=2, batch_size=16),
                   scaling="none")
    diagnosis = found["unscaled_inputs"]
    assert diagnosis.evidence["features_largest_std"] > 100
    assert "'None'" in diagnosis.message and "'Standardise'" in diagnosis.advice[0]  # the Data panel's words


def test_underfitting_one_linear_unit_on_spirals():
    table = load_builtin("spirals")
    X, y = table.values[:, :2], table.values[:, 2].astype(np.int64)
    net = chain((2,), [("Dense", {"units": 1, "activation": "linear"})], {}, OutputTarget("multiclass", 3))
    found, _ = run(net, X, y, TrainingSettings(learning_rate=0.01, epochs=10, batch_size=64))
    diagnosis = found["underfitting"]
    assert diagnosis.evidence["baseline_accuracy"] == pytest.approx(majority_share(y))
    assert diagnosis.evidence["baseline_loss"] == pytest.approx(np.log(3), abs=0.01)
    assert diagnosis.evidence["loss_over_baseline"] > 0.7


def test_healthy_iris_run_is_quiet():
    project = iris()
    project.training.epochs = 40
    data = load_project_data(project)
    trainer, result = train_project(project, project.training, data)
    assert result.history.logs["accuracy"][-1] > 0.9
    assert diagnose_run(trainer, result.history, data.prepared.train, project.data.scaling) == []


def test_baselines():
    assert majority_share(np.array([0, 0, 1, 2])) == 0.5
    assert class_entropy(np.array([0, 1])) == pytest.approx(np.log(2))
    assert check_overfitting(History()) is None
    assert isinstance(Diagnosis("x", "info", "t", "m"), Diagnosis)


def test_input_statistics_in_blocks_equal_numpy_over_the_whole_array():
    from nnstudio.engine.probes import _mean_and_std, input_statistics

    rng = np.random.default_rng(1)
    values = rng.normal(3.0, 2.0, size=(1001, 5)).astype(np.float32)
    mean, std = _mean_and_std(values, rows=100)   # ten full blocks and a last row on its own
    exact = values.astype(np.float64)
    np.testing.assert_allclose(mean, exact.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(std, exact.std(axis=0), rtol=1e-10)
    stats = input_statistics({"image": values.reshape(1001, 5, 1)})[0]
    np.testing.assert_allclose(stats.minimums, exact.min(axis=0))
    assert stats.means.dtype == np.float64 and stats.maximums.dtype == np.float64


def test_gradient_probe_puts_the_models_gradients_back():
    from nnstudio.core.examples import iris
    from nnstudio.engine.pipeline import build_model, load_project_data
    from nnstudio.engine.probes import gradient_norms
    from nnstudio.engine.training import Trainer

    project = iris()
    data = load_project_data(project)
    trainer = Trainer(build_model(project, data.context), project.training)
    parameters = list(trainer.model.parameters())
    parameters[0].grad = torch.full_like(parameters[0], 0.5)
    norms = gradient_norms(trainer, data.prepared.train)
    assert norms and all(n.norm > 0 for n in norms)
    assert torch.equal(parameters[0].grad, torch.full_like(parameters[0], 0.5))
    assert all(p.grad is None for p in parameters[1:])


# ---------------------------------------------------------------- crafted runs: one verdict that follows from its numbers

def crafted(**series) -> History:
    """A run with chosen curves: each keyword is a logged number, one value per epoch."""
    history = History()
    for epoch, values in enumerate(zip(*series.values()), start=1):
        history.record(epoch, dict(zip(series, values)))
    return history


def every_line(found) -> str:
    return " ".join([d.title + " " + d.message + " " + " ".join(d.advice) for d in found]).lower()


def test_a_negative_r2_is_read_as_worse_than_predicting_the_average():
    found = diagnose(crafted(loss=[9.0, 8.5, 8.2, 8.0], r2=[-3.5, -3.3, -3.1, -3.04]))
    assert [d.kind for d in found] == ["underfitting"]
    text = every_line(found)
    assert "-3.04" in text and "worse than" in text and "barely beats" not in text
    near_zero = diagnose(crafted(loss=[1.0, 0.9, 0.85, 0.8], r2=[0.0, 0.05, 0.08, 0.1]))
    assert "barely beats" in every_line(near_zero) and "worse than" not in every_line(near_zero)


def test_a_learning_rate_too_high_is_the_one_verdict_not_also_underfitting():
    jumpy = crafted(loss=[1.0, 1.3, 0.95, 1.2, 0.9, 1.25, 0.92, 1.1], accuracy=[0.4, 0.35, 0.4, 0.38, 0.42, 0.36,
                                                                                0.4, 0.37])
    found = diagnose(jumpy, baseline_accuracy=0.34, learning_rate=1.0)
    assert [d.kind for d in found] == ["learning_rate"]
    text = every_line(found)
    assert "lower the learning rate" in text and "raise" not in text


def test_dead_units_and_underfitting_never_advise_the_learning_rate_both_ways():
    from nnstudio.engine.probes import Probes, UnitActivity

    slow = crafted(loss=[1.1, 1.09, 1.08, 1.08, 1.07], accuracy=[0.34, 0.35, 0.35, 0.36, 0.36])
    probes = Probes(relu=[UnitActivity("hidden", 16, 12)], gradients=[], inputs=[])
    found = diagnose(slow, probes, baseline_accuracy=0.34, learning_rate=0.5)
    assert {d.kind for d in found} == {"dead_relu", "underfitting"}
    text = every_line(found)
    assert "lower the learning rate" in text and "raise the learning rate" not in text


OVERFIT_SHAPE = dict(loss=[1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05],
                     val_loss=[1.0, 0.7, 0.5, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95])


def test_four_rows_that_validate_on_themselves_never_claim_overfitting():
    found = diagnose(crafted(**OVERFIT_SHAPE), validation="training")
    assert [d.kind for d in found] == ["needs_validation"]
    assert "separate validation set is needed" in found[0].message
    assert "overfitting from epoch" not in every_line(found)
    assert [d.kind for d in diagnose_curves(crafted(**OVERFIT_SHAPE), validation="training")] == ["needs_validation"]
    # The same curves against separate validation rows are overfitting.
    assert [d.kind for d in diagnose(crafted(**OVERFIT_SHAPE))] == ["overfitting"]


def test_overfitting_and_underfitting_are_never_shown_together():
    accuracy = [0.3, 0.35, 0.4, 0.4, 0.42, 0.42, 0.43, 0.43, 0.44]
    for validation in ("separate", "training"):
        found = diagnose(crafted(**OVERFIT_SHAPE, accuracy=accuracy), baseline_accuracy=0.34, validation=validation)
        kinds = [d.kind for d in found]
        assert "underfitting" in kinds and "overfitting" not in kinds, (validation, kinds)
        text = every_line(found)
        assert "by heart" not in text or "not learning them by heart" in text
        assert "smaller network" not in text


def test_a_loss_that_rose_is_not_said_to_have_fallen():
    rising = crafted(loss=[1.0, 1.05, 1.1, 1.12], accuracy=[0.5, 0.5, 0.5, 0.5])
    found = diagnose(rising, baseline_accuracy=0.5, baseline_loss=0.69)
    assert [d.kind for d in found] == ["underfitting"]
    assert "did not fall" in found[0].message and "went only from" not in found[0].message


def test_a_run_without_validation_rows_needs_none_to_be_diagnosed():
    assert default_validation(crafted(loss=[1.0, 0.5])) == "none"
    assert default_validation(crafted(**OVERFIT_SHAPE)) == "separate"


def test_where_the_validation_numbers_come_from():
    from nnstudio.engine.verdicts import validation_source

    train, held_out = object(), object()
    assert validation_source(train, train) == "training"      # a truth table validates on its own four rows
    assert validation_source(train, held_out) == "separate"
    assert validation_source(train, None, 0.2) == "separate"  # the trainer keeps a share of the rows aside
    assert validation_source(train, None, 0.0) == "none"
