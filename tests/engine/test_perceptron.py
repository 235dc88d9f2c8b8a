"""settings.method == "perceptron": the Trainer runs the perceptron rule on a single-layer step network."""

import pytest

from nnstudio.core.examples import xor_single_layer
from nnstudio.core.layers import OutputTarget
from nnstudio.core.settings import TrainingSettings
from nnstudio.engine.callbacks import Callback
from nnstudio.engine.compiler import compile_graph
from nnstudio.engine.pipeline import load_project_data, train_project
from nnstudio.engine.training import Trainer

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
