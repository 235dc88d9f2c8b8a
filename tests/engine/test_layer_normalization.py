"""LayerNormalization, the layer added to prove the recipe: one spec, one builder, one code writer, these tests."""

import numpy as np
import pytest
import torch
from export_helpers import run_python
from safetensors.torch import load_file

from nnstudio.core.analysis import DataContext, analyze
from nnstudio.core.data.project_data import load_project_data
from nnstudio.core.examples import build_example
from nnstudio.core.graph import Graph
from nnstudio.core.layers import OutputTarget, layer_spec
from nnstudio.core.project import Project, load_project, save_project
from nnstudio.engine.compiler import compile_graph
from nnstudio.engine.export import export_model
from nnstudio.engine.export.codegen import class_name_for, model_source, state_for_code
from nnstudio.engine.pipeline import build_model, effective_settings, train_project

PREDICT = """
import numpy as np, torch
from safetensors.torch import load_file
import model as generated
network = getattr(generated, "{cls}")()
network.load_state_dict(load_file("weights.safetensors"))
network.eval()
with torch.no_grad():
    np.save("outputs.npy", network(torch.from_numpy(np.load("inputs.npy"))).numpy())
"""


def layer_norm_graph(shape=(6,), center=True, hidden=True):
    """Input -> [Dense 5] -> LayerNormalization -> (Flatten) -> Output (3 classes)."""
    graph = Graph()
    nodes = [graph.add_node("Input", "features", {"shape": list(shape)})]
    if hidden:
        nodes.append(graph.add_node("Dense", "hidden", {"units": 5, "activation": "tanh"}))
    nodes.append(graph.add_node("LayerNormalization", params={"center": center}))
    if len(shape) > 1:
        nodes.append(graph.add_node("Flatten"))
    nodes.append(graph.add_node("Output", "species", {"task": "multiclass"}))
    for a, b in zip(nodes, nodes[1:]):
        graph.connect(a.id, "out", b.id, "in")
    return graph, DataContext({nodes[0].id: tuple(shape)}, {nodes[-1].id: OutputTarget("multiclass", 3)})


def iris_with_layer_norm():
    """The Iris example with a LayerNormalization between its hidden layer and its output."""
    project = build_example("iris")
    graph = project.graph
    hidden, output = graph.node_by_name("hidden"), graph.node_by_name("species")
    for edge in list(graph.edges.values()):
        if edge.source == hidden.id and edge.target == output.id:
            graph.disconnect(edge.id)
    norm = graph.add_node("LayerNormalization", "norm", {"epsilon": 0.001, "center": True})
    graph.connect(hidden.id, "out", norm.id, "in")
    graph.connect(norm.id, "out", output.id, "in")
    project.title = "Iris with layer normalisation"
    return project


def test_keras_defaults_and_help():
    spec = layer_spec("LayerNormalization")
    assert spec.defaults() == {"epsilon": 0.001, "center": True}  # Keras' epsilon, not torch's 1e-5
    assert spec.base_name == "layer_normalization" and spec.help.endswith(".")


@pytest.mark.parametrize("shape, center, params", [((6,), True, 12), ((6,), False, 6), ((4, 7), True, 14)])
def test_shape_and_parameter_count_match_keras(shape, center, params):
    """Keras: LayerNormalization over the last axis has γ and β per feature (2 × features), all trainable."""
    graph, context = layer_norm_graph(shape, center, hidden=False)
    analysis = analyze(graph.to_dict(), context)
    norm = graph.node_by_name("layer_normalization")
    assert analysis.shapes[norm.id] == shape
    assert analysis.params[norm.id] == analysis.trainable[norm.id] == params
    model = compile_graph(graph.to_dict(), context)
    layer = model.layers["layer_normalization"]
    assert sum(p.numel() for p in layer.parameters()) == params
    assert model.parameter_count() == analysis.total_params


def test_it_normalises_each_sample_over_its_features():
    graph, context = layer_norm_graph(hidden=False)
    model = compile_graph(graph.to_dict(), context)
    layer = model.layers["layer_normalization"]
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0, 60.0], [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]])
    mean = x.mean(dim=1, keepdim=True)
    variance = x.var(dim=1, unbiased=False, keepdim=True)
    expected = (x - mean) / torch.sqrt(variance + 0.001)
    assert torch.allclose(layer(x), expected, atol=1e-6)
    assert torch.allclose(layer(x[:1]), expected[:1], atol=1e-6)  # a batch of one is fine, unlike BatchNorm


def test_a_network_with_it_trains():
    project = iris_with_layer_norm()
    data = load_project_data(project)
    _, result = train_project(project, effective_settings(project, epochs=15), data)
    losses = result.history.logs["loss"]
    assert losses[-1] < losses[0] * 0.8
    assert result.test["species"]["accuracy"] > 0.6


@pytest.mark.parametrize("center", [True, False])
def test_exported_model_py_predicts_like_the_app(tmp_path, center):
    graph, context = layer_norm_graph((2, 3), center, hidden=False)
    model = compile_graph(graph.to_dict(), context)
    with torch.no_grad():  # not the initial γ = 1, β = 0, so the weights really have to load
        for parameter in model.layers["layer_normalization"].parameters():
            parameter.uniform_(0.5, 1.5)
    model.eval()
    source = model_source(model, graph.to_dict(), "Normalised")
    bias = "" if center else ", bias=False"
    assert f"self.layer_normalization = nn.LayerNorm(3, eps=0.001{bias})" in source
    export_model(model, "python", tmp_path, trained=True, project=Project(graph, title="Normalised"))
    inputs = np.random.default_rng(0).normal(size=(7, 6)).astype(np.float32)
    np.save(tmp_path / "inputs.npy", inputs)
    done = run_python(PREDICT.format(cls=class_name_for("Normalised")), tmp_path)
    assert done.returncode == 0, done.stderr
    with torch.no_grad():
        expected = model(torch.from_numpy(inputs))[0].numpy()
    assert np.abs(np.load(tmp_path / "outputs.npy") - expected).max() <= 1e-6


def test_exported_train_py_repeats_the_apps_run(tmp_path):
    project = iris_with_layer_norm()
    data = load_project_data(project)
    trainer, _ = train_project(project, effective_settings(project, epochs=3), data)
    export_model(trainer.model, "python", tmp_path, trained=True, project=project)
    assert "nn.LayerNorm(16, eps=0.001)" in (tmp_path / "model.py").read_text()
    done = run_python("", tmp_path, args=("train.py", "--epochs", "3", "--init-weights",
                                          "initial_weights.safetensors"))
    assert done.returncode == 0, done.stderr
    mine, theirs = state_for_code(trainer.model), load_file(tmp_path / "trained_weights.safetensors")
    assert set(mine) == set(theirs) and "norm.weight" in mine
    assert max(float((mine[k] - theirs[k]).abs().max()) for k in mine) < 1e-5


def test_a_project_using_it_saves_and_opens(tmp_path):
    project = iris_with_layer_norm()
    project.graph.set_param(project.graph.node_by_name("norm").id, "epsilon", 1e-5)
    save_project(project, tmp_path / "norm.nnstudio")
    again = load_project(tmp_path / "norm.nnstudio")
    node = again.graph.node_by_name("norm")
    assert node.type == "LayerNormalization" and node.params == {"epsilon": 1e-5, "center": True}
    context = load_project_data(again).context
    first, second = build_model(project, context), build_model(again, context)
    assert first.state_dict().keys() == second.state_dict().keys()
    assert all(torch.equal(first.state_dict()[k], second.state_dict()[k]) for k in first.state_dict())
