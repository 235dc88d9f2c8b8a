"""settings.method == "perceptron": the Trainer runs the perceptron rule on a single-layer step network."""

import ast
from pathlib import Path

import pytest
import torch

from nnstudio.core.examples import xor_single_layer
from nnstudio.core.layers import OutputTarget
from nnstudio.core.settings import TrainingSettings
from nnstudio.engine.callbacks import Callback
from nnstudio.engine.compiler import compile_graph
from nnstudio.engine.pipeline import load_project_data, train_project
from nnstudio.engine import gradient_descent, perceptron_method
from nnstudio.engine.training import TRAINING_METHODS, Trainer
from nnstudio.engine.training_method import TrainingMethod

from engine_helpers import chain, xor_part


def gate_project(gate: str, epochs: int = 50):
    project = xor_single_layer()
    project.data.source = {"kind": "builtin", "name": gate}
    project.graph.set_param(project.graph.node_by_name("xor").id, "activation", "step")
    project.training.method = "perceptron"
    project.training.learning_rate = 0.1
    project.training.epochs = epochs
    return project


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_end(self, epoch, logs):
        self.epochs.append((epoch, dict(logs)))


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
def test_perceptron_method_learns_gates(gate):
    project = gate_project(gate)
    recorder = Recorder()
    trainer, result = train_project(project, project.training, load_project_data(project), callbacks=[recorder])
    history = result.history
    assert history.logs["loss"][-1] == 0.0 and history.logs["accuracy"][-1] == 1.0
    assert len(history.epochs) < 50 and "converged" in history.message
    assert [e for e, _ in recorder.epochs] == history.epochs
    assert result.test["xor"]["accuracy"] == 1.0  # the model now holds the learned weights


def test_perceptron_method_gives_up_on_xor():
    project = gate_project("xor", epochs=40)
    _, result = train_project(project, project.training, load_project_data(project))
    history = result.history
    assert len(history.epochs) == 40 and min(history.logs["loss"]) >= 0.25
    assert "did not converge" in history.message


def test_perceptron_method_refuses_hidden_layers():
    net = chain((2,), [("Dense", {"units": 3, "activation": "step"})], {"activation": "step"},
                OutputTarget("binary", 1))
    trainer = Trainer(compile_graph(net.snapshot(), net.context), TrainingSettings(method="perceptron"))
    with pytest.raises(ValueError, match="single layer"):
        trainer.fit(xor_part(net))


def test_perceptron_method_refuses_sigmoid():
    net = chain((2,), [], {"activation": "sigmoid"}, OutputTarget("binary", 1))
    trainer = Trainer(compile_graph(net.snapshot(), net.context), TrainingSettings(method="perceptron"))
    with pytest.raises(ValueError, match="step or sign"):
        trainer.fit(xor_part(net))


class StopAfter(Callback):
    """Presses Stop (the trainer's own stop, as the window's button does) at the end of an epoch."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs):
        if epoch == self.epoch:
            self.trainer.stop()


def test_a_stopped_perceptron_run_does_not_stop_the_next_one():
    net = chain((2,), [], {"activation": "step"}, OutputTarget("binary", 1))
    settings = TrainingSettings(method="perceptron", epochs=6, learning_rate=0.1, validation_split=0.0)
    trainer = Trainer(compile_graph(net.snapshot(), net.context), settings)
    first = trainer.fit(xor_part(net), callbacks=[StopAfter(2)])
    assert first.stop_reason == "stopped" and first.epochs == [1, 2]
    second = trainer.fit(xor_part(net))  # XOR never converges: all 6 epochs run
    assert second.stop_reason == "completed" and second.epochs == [1, 2, 3, 4, 5, 6]


class Halving(TrainingMethod):
    """A made-up method that uses only what the Trainer hands every method: halve the weights each epoch."""

    name = "halving"

    def run(self, run):
        logs = {}
        for epoch in run.epochs():
            with torch.no_grad():
                for parameter in run.trainer.model.parameters():
                    parameter.mul_(0.5)
            logs = {"loss": float(epoch), "rows": float(run.train.size)}
            run.epoch_end(epoch, logs)
        return logs


def test_a_training_method_needs_only_the_public_run(monkeypatch):
    """The perceptron rule is one TrainingMethod among others: a new one plugs in without Trainer internals."""
    monkeypatch.setitem(TRAINING_METHODS, "halving", Halving)
    net = chain((2,), [], {"activation": "sigmoid"}, OutputTarget("binary", 1))
    model = compile_graph(net.snapshot(), net.context)
    settings = TrainingSettings(epochs=3, validation_split=0.25)
    settings.method = "halving"  # not a method the settings file offers: set in memory, after validation
    monkeypatch.setattr(TrainingSettings, "validate", lambda self: None)
    before = model.state_dict()["layers.target.weight"].clone()
    recorder = Recorder()
    history = Trainer(model, settings).fit(xor_part(net), callbacks=[recorder])
    assert history.epochs == [1, 2, 3] and history.logs["rows"] == [3.0, 3.0, 3.0]  # 4 rows, 1 kept aside
    assert history.stop_reason == "completed" and history.message == "Training finished: 3 epoch(s)."
    assert [e for e, _ in recorder.epochs] == [1, 2, 3]
    assert torch.allclose(model.state_dict()["layers.target.weight"], before / 8)


def test_the_training_methods_reach_no_private_part_of_the_trainer():
    for module in (perceptron_method, gradient_descent):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        private = sorted({node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                          and isinstance(node.value, ast.Name) and node.value.id in ("trainer", "run")
                          and node.attr.startswith("_")})
        assert private == [], (module.__name__, private)
