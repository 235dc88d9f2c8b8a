"""Exports: safetensors names and metadata, TorchScript and ONNX outputs, messages for untrained networks."""

import json

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from safetensors import safe_open

from nnstudio.engine.export import ExportError, export_model

from export_helpers import predict, sample_inputs, seeded_model, trained


def test_safetensors_has_readable_names_and_the_input_output_order(tmp_path):
    project, _, model = seeded_model("wide_deep")
    path = tmp_path / "wd.safetensors"
    message = export_model(model, "safetensors", path, trained=False, project=project)
    with safe_open(str(path), "pt") as handle:
        keys = set(handle.keys())
        metadata = handle.metadata()
    assert "layers.hidden1.weight" in keys and "layers.main_output.bias" in keys
    assert [i["name"] for i in json.loads(metadata["inputs"])] == ["wide_input", "deep_input"]
    assert [o["name"] for o in json.loads(metadata["outputs"])] == ["main_output", "aux_output"]
    assert json.loads(metadata["inputs"])[1]["shape"] == [6]
    assert metadata["trained"] == "false"
    assert "seeded initial weights" in message and "wide_input, deep_input" in message


def test_trained_export_says_trained(tmp_path):
    project, _, model, _ = trained("iris", epochs=1)
    message = export_model(model, "safetensors", tmp_path / "w.safetensors", trained=True, project=project)
    assert message.startswith("Exported the trained weights")


@pytest.mark.parametrize("name", ["iris", "digits", "wide_deep"])
def test_torchscript_loads_and_gives_the_same_outputs(tmp_path, name):
    project, data, model = seeded_model(name)
    path = tmp_path / "model.pt"
    export_model(model, "torchscript", path, trained=False)
    loaded = torch.jit.load(str(path))
    inputs = sample_inputs(model, data)
    shaped = [torch.from_numpy(x).reshape((len(x),) + model.input_shapes[i]) for x, i in zip(inputs, model.input_ids)]
    with torch.no_grad():
        got = loaded(*shaped)
    got = got if isinstance(got, tuple) else (got,)
    for mine, theirs in zip(predict(model, inputs), got):
        assert np.array_equal(mine, theirs.numpy())


@pytest.mark.parametrize("name", ["iris", "digits", "wide_deep"])
def test_onnx_passes_the_checker_and_onnxruntime_agrees(tmp_path, name):
    _, data, model = seeded_model(name)
    path = tmp_path / "model.onnx"
    export_model(model, "onnx", path, trained=False)
    onnx.checker.check_model(onnx.load(str(path)))
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == [model.node_names[i] for i in model.input_ids]
    assert [o.name for o in session.get_outputs()] == model.output_names
    inputs = sample_inputs(model, data)
    feed = {model.node_names[i]: x.reshape((len(x),) + model.input_shapes[i])
            for x, i in zip(inputs, model.input_ids)}
    got = session.run(None, feed)
    worst = max(float(np.abs(a - b).max()) for a, b in zip(predict(model, inputs), got))
    assert worst <= 1e-5, worst


def test_onnx_batch_size_is_free(tmp_path):
    _, data, model = seeded_model("wide_deep")
    export_model(model, "onnx", tmp_path / "m.onnx", trained=False)
    session = onnxruntime.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    for rows in (1, 7):
        outputs = session.run(None, {"wide_input": np.zeros((rows, 5), np.float32),
                                     "deep_input": np.zeros((rows, 6), np.float32)})
        assert [o.shape for o in outputs] == [(rows, 1), (rows, 1)]


def test_bad_format_and_missing_folder_raise_export_error(tmp_path):
    project, _, model = seeded_model("iris")
    with pytest.raises(ExportError, match="unknown export format"):
        export_model(model, "keras", tmp_path / "m", trained=False)
    with pytest.raises(ExportError, match="does not exist"):
        export_model(model, "onnx", tmp_path / "no" / "m.onnx", trained=False)
    with pytest.raises(ExportError, match="needs the project"):
        export_model(model, "python", tmp_path / "code", trained=False)


def test_export_leaves_the_model_in_its_mode(tmp_path):
    _, _, model = seeded_model("digits")
    model.train()
    export_model(model, "onnx", tmp_path / "m.onnx", trained=False)
    assert model.training
