"""The `nnstudio export` command: formats, bundles as input, untrained notice, one-line errors."""

import pytest
from export_helpers import trained

from nnstudio.cli import main
from nnstudio.core.examples import example_path
from nnstudio.engine.bundle_io import save_bundle
from nnstudio.engine.weights import save_weights


def test_export_without_weights_says_seeded(tmp_path, capsys):
    code = main(["export", str(example_path("iris")), "--format", "onnx", "-o", str(tmp_path / "m.onnx")])
    assert code == 0 and (tmp_path / "m.onnx").exists()
    assert "seeded initial weights" in capsys.readouterr().out


def test_export_with_weights_and_from_a_bundle(tmp_path, capsys):
    project, _, model, history = trained("iris", epochs=1)
    save_weights(model, tmp_path / "w.safetensors")
    assert main(["export", str(example_path("iris")), "--format", "torchscript", "-o", str(tmp_path / "m.pt"),
                 "--weights", str(tmp_path / "w.safetensors")]) == 0
    assert "trained weights" in capsys.readouterr().out
    save_bundle(tmp_path / "iris.nnzip", project, model, history)
    assert main(["export", str(tmp_path / "iris.nnzip"), "--format", "python", "-o", str(tmp_path / "code")]) == 0
    assert "trained weights" in capsys.readouterr().out
    assert (tmp_path / "code" / "model.py").exists() and (tmp_path / "code" / "train.py").exists()


@pytest.mark.parametrize("arguments, message", [
    (["missing.nnstudio", "--format", "onnx"], "does not exist"),
    (["BUNDLE", "--format", "onnx"], "could not be opened"),
    ([str(example_path("iris")), "--format", "onnx", "--weights", "nope.safetensors"], "could not read"),
])
def test_bad_input_exits_non_zero_with_one_line(tmp_path, capsys, arguments, message):
    (tmp_path / "broken.nnzip").write_bytes(b"PK\x03\x04 broken")
    arguments = [str(tmp_path / "broken.nnzip") if a == "BUNDLE" else a for a in arguments]
    code = main(["export", *arguments, "-o", str(tmp_path / "out.onnx")])
    error = capsys.readouterr().err
    assert code == 2 and message in error and error.count("\n") == 1


def test_unknown_format_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["export", str(example_path("iris")), "--format", "keras", "-o", str(tmp_path / "x")])
    assert stop.value.code == 2
