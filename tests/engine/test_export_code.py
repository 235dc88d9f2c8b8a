"""Python export: model.py reads like the drawing and matches the app; train.py runs, alone and under torchrun."""

import ast
import time

import numpy as np
import pytest
from safetensors.torch import load_file
from export_helpers import ROOT, run_python, sample_inputs, seeded_model, trained

from nnstudio.core.graph import Graph
from nnstudio.core.layers import OutputTarget
from nnstudio.core.analysis import DataContext
from nnstudio.core.project import Project
from nnstudio.engine.compiler import compile_graph
from nnstudio.engine.export import export_model
from nnstudio.engine.export.codegen import class_name_for, model_source, state_for_code

PREDICT = """
import numpy as np, torch
from safetensors.torch import load_file
import model as generated
inputs = np.load("inputs.npz")
network = getattr(generated, "{cls}")()
network.load_state_dict(load_file("weights.safetensors"))
network.eval()
with torch.no_grad():
    outputs = network(*[torch.from_numpy(inputs[f"arr_{{k}}"]) for k in range(len(inputs.files))])
outputs = outputs if isinstance(outputs, tuple) else (outputs,)
np.savez("outputs.npz", *[o.numpy() for o in outputs])
"""


def unused_imports(source: str) -> list[str]:
    """Names a module imports but never uses (the check a linter would make)."""
    tree = ast.parse(source)
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                imported[(alias.asname or alias.name).split(".")[0]] = alias.name
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return sorted(name for name in imported if name not in used)


def test_wide_and_deep_reads_like_the_textbook():
    project, _, model = seeded_model("wide_deep")
    source = model_source(model, project.graph.to_dict(), project.title)
    for line in ["class WideAndDeep(nn.Module):",
                 "self.hidden1 = nn.Linear(6, 30)",
                 "self.main_output = nn.Linear(35, 1)",
                 "def forward(self, wide_input: torch.Tensor, deep_input: torch.Tensor)",
                 "hidden1 = torch.relu(self.hidden1(deep_input))",
                 "hidden2 = torch.relu(self.hidden2(hidden1))",
                 "concat = torch.cat([wide_input, hidden2], dim=1)",
                 "main_output = self.main_output(concat)",
                 "aux_output = self.aux_output(hidden2)",
                 "return main_output, aux_output"]:
        assert line in source, line
    assert unused_imports(source) == []


@pytest.mark.parametrize("title, expected", [("Wide & Deep with two outputs", "WideAndDeep"),
                                             ("Handwritten digits (8×8)", "HandwrittenDigits"),
                                             ("XOR with one hidden layer", "XOR"), ("", "Network"),
                                             ("3 layers", "Net3Layers"), ("은닉 신경망", "은닉신경망"),
                                             ("wide_deep", "WideDeep")])
def test_class_names_come_from_the_title(title, expected):
    assert class_name_for(title) == expected


@pytest.mark.parametrize("title, file_name, expected", [("", "wide_deep.nnstudio", "WideDeep"),
                                                        ("", None, "Network"),
                                                        ("Wide & Deep", "my_file.nnstudio", "WideAndDeep")])
def test_the_exported_class_is_named_after_the_project(tmp_path, title, file_name, expected):
    """As the README says: its title, or the name of its file when it has no title; Network when it has neither."""
    project, _, model = seeded_model("wide_deep")
    project.title = title
    project.path = tmp_path / file_name if file_name else None
    message = export_model(model, "python", tmp_path / "code", trained=False, project=project)
    source = (tmp_path / "code" / "model.py").read_text(encoding="utf-8")
    assert f"class {expected}(nn.Module):" in source and f"{expected} in model.py" in message
    assert f"from model import {expected}" in (tmp_path / "code" / "train.py").read_text(encoding="utf-8")


def test_a_korean_layer_name_is_the_attribute_in_the_code_and_its_weights_load(tmp_path):
    graph = Graph()
    first = graph.add_node("Input", "입력", {"shape": [3]})
    dense = graph.add_node("Dense", "은닉층", {"units": 4})
    out = graph.add_node("Output", "출력", {"task": "regression"})
    graph.connect(first.id, "out", dense.id, "in")
    graph.connect(dense.id, "out", out.id, "in")
    model = compile_graph(graph.to_dict(), DataContext({first.id: (3,)}, {out.id: OutputTarget("regression", 1)}))
    model.eval()
    export_model(model, "python", tmp_path, trained=False, project=Project(graph, title="은닉 신경망"))
    source = (tmp_path / "model.py").read_text(encoding="utf-8")
    assert "class 은닉신경망(nn.Module):" in source and "self.은닉층 = nn.Linear(3, 4)" in source
    inputs = [np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)]
    np.savez(tmp_path / "inputs.npz", *inputs)
    done = run_python(PREDICT.format(cls="은닉신경망"), tmp_path)
    assert done.returncode == 0, done.stderr
    from export_helpers import predict
    assert np.abs(np.load(tmp_path / "outputs.npz")["arr_0"] - predict(model, inputs)[0]).max() <= 1e-6


@pytest.mark.parametrize("name", ["xor", "iris", "digits", "wide_deep"])
def test_model_py_with_exported_weights_predicts_like_the_app(tmp_path, name):
    project, data, model = seeded_model(name) if name == "digits" else trained(name, epochs=2)[:3]
    folder = tmp_path / "code"
    message = export_model(model, "python", folder, trained=True, project=project)
    for file in ("model.py", "train.py"):
        source = (folder / file).read_text()
        compile(source, file, "exec")  # what python -m py_compile checks
        assert unused_imports(source) == [], file
    inputs = sample_inputs(model, data)
    np.savez(folder / "inputs.npz", *inputs)
    done = run_python(PREDICT.format(cls=class_name_for(project.title)), folder)
    assert done.returncode == 0, done.stderr
    got = np.load(folder / "outputs.npz")
    model.eval()
    from export_helpers import predict
    expected = predict(model, inputs)
    worst = max(float(np.abs(e - got[f"arr_{k}"]).max()) for k, e in enumerate(expected))
    assert worst <= 1e-6, worst
    assert "model.py" in message


def test_layers_named_like_module_methods_get_a_suffix(tmp_path):
    graph = Graph()
    first = graph.add_node("Input", "inputs", {"shape": [3]})
    dense = graph.add_node("Dense", "train", {"units": 4, "activation": "leaky_relu"})
    out = graph.add_node("Output", "type", {"task": "regression"})
    graph.connect(first.id, "out", dense.id, "in")
    graph.connect(dense.id, "out", out.id, "in")
    model = compile_graph(graph.to_dict(), DataContext({first.id: (3,)}, {out.id: OutputTarget("regression", 1)}))
    source = model_source(model, graph.to_dict(), "Odd names")
    assert "self.train_layer = nn.Linear(3, 4)" in source and "F.leaky_relu" in source
    assert set(state_for_code(model)) == {"train_layer.weight", "train_layer.bias", "type_layer.weight",
                                          "type_layer.bias"}
    assert unused_imports(source) == []
    export_model(model, "python", tmp_path, trained=False, project=Project(graph, title="Odd names"))
    assert not (tmp_path / "train.py").exists()  # no data chosen: model.py and the weights only


def test_train_py_repeats_the_apps_run(tmp_path):
    """Same split, scaling, shuffle, optimizer and loss: the weights after 3 epochs agree to float rounding."""
    project, _, model, _ = trained("iris", epochs=3)
    export_model(model, "python", tmp_path, trained=True, project=project)
    done = run_python("", tmp_path, args=("train.py", "--epochs", "3", "--init-weights",
                                          "initial_weights.safetensors"))
    assert done.returncode == 0, done.stderr
    assert "epoch 3/3" in done.stdout and "test  loss" in done.stdout
    mine, theirs = state_for_code(model), load_file(tmp_path / "trained_weights.safetensors")
    assert max(float((mine[k] - theirs[k]).abs().max()) for k in mine) < 1e-5


def test_train_py_reads_an_exported_data_csv(tmp_path):
    project, _, model = seeded_model("xor")
    export_model(model, "python", tmp_path, trained=False, project=project)
    assert (tmp_path / "data.csv").read_text().splitlines()[0] == "x1,x2,y"
    done = run_python("", tmp_path, args=("train.py", "--epochs", "1"))
    assert done.returncode == 0, done.stderr
    assert "epoch 1/1" in done.stdout


def test_train_py_runs_under_torchrun_with_two_processes(tmp_path):
    project, _, model = seeded_model("iris")
    export_model(model, "python", tmp_path, trained=False, project=project)
    started = time.monotonic()
    done = run_python("", tmp_path, timeout=240,
                      args=("-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                            "train.py", "--epochs", "1"))
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("epoch 1/1") == 1  # only process 0 prints
    assert (tmp_path / "trained_weights.safetensors").exists()
    print(f"torchrun with 2 processes: {seconds:.1f} s")
