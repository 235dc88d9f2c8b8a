"""Every way into `nnstudio` keeps the one-line promise: bundles open everywhere, bad input is one line, no run is lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from export_helpers import trained

from nnstudio import cli, cli_files
from nnstudio.core.examples import example_path
from nnstudio.core.project import load_project, save_project
from nnstudio.engine.bundle_io import save_bundle
from nnstudio.engine.export import formats
from nnstudio.engine.pipeline import build_model, effective_settings, load_project_data, train_project
from nnstudio.engine.training import Trainer

ROOT = Path(__file__).resolve().parents[2]


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("nnstudio: ") and "Traceback" not in err, err
    return err


@pytest.fixture(scope="module")
def iris_bundle(tmp_path_factory) -> tuple[Path, dict]:
    """iris trained for a few epochs, saved as a bundle next to nothing else (data is scikit-learn's)."""
    project, data, model, history = trained("iris", epochs=5)
    path = tmp_path_factory.mktemp("bundle") / "iris.nnzip"
    save_bundle(path, project, model, history)
    part = data.prepared.test
    return path, Trainer(model, project.training).evaluate(part)


# ---------------------------------------------------------------- 1. bundles open in every command

def test_summary_reads_a_bundle(iris_bundle, capsys):
    path, _ = iris_bundle
    assert cli.main(["summary", str(path), "--json"]) == 0
    summary = last_json(capsys.readouterr().out)
    assert summary["errors"] == [] and summary["layers"][0]["type"] == "Input"
    assert cli.main(["summary", str(example_path("iris")), "--json"]) == 0
    assert last_json(capsys.readouterr().out) == summary  # the same table as its project


def test_evaluate_uses_a_bundles_trained_weights(iris_bundle, capsys):
    path, expected = iris_bundle
    assert cli.main(["evaluate", str(path), "--json"]) == 0
    report = last_json(capsys.readouterr().out)
    assert report["note"] == ""  # no "untrained weights" notice: the bundle's own weights were used
    assert report["test"]["species"]["loss"] == pytest.approx(expected["species"]["loss"], rel=1e-5)
    assert report["test"]["species"]["confusion_matrix"] == expected["species"]["confusion_matrix"]


def test_train_from_a_bundle_starts_afresh_like_its_project_and_says_so(iris_bundle, capsys):
    path, _ = iris_bundle
    assert cli.main(["train", str(path), "--fresh", "--epochs", "2", "--seed", "1", "--json"]) == 0
    from_bundle = last_json(capsys.readouterr().out)
    assert "fresh starting weights" in from_bundle["note"]
    assert cli.main(["train", str(example_path("iris")), "--epochs", "2", "--seed", "1", "--json"]) == 0
    assert last_json(capsys.readouterr().out)["history"] == from_bundle["history"]


def test_train_help_says_what_a_bundle_trains_from(capsys):
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "goes on with its run where it stopped" in text and "--fresh" in text
    assert "fresh seeded starting weights" in text


def test_a_damaged_bundle_is_one_line(tmp_path, capsys):
    (tmp_path / "broken.nnzip").write_bytes(b"PK\x03\x04 not really")
    for command in ("summary", "train", "evaluate"):
        assert cli.main([command, str(tmp_path / "broken.nnzip")]) == 2
        err = one_error_line(capsys)
        assert "could not be opened" in err and "JSON" not in err  # read as a bundle, not as a project


# ---------------------------------------------------------------- 2. --save-weights: checked first, never lost

@pytest.mark.parametrize("where, expected", [
    ("no/such/dir/w.safetensors", "does not exist"),
    (".", "is a folder"),
])
def test_a_bad_weights_destination_is_refused_before_training(tmp_path, capsys, monkeypatch, where, expected):
    trained_runs = []
    monkeypatch.setattr("nnstudio.engine.pipeline.train_project", lambda *a, **k: trained_runs.append(1))
    assert cli.main(["train", str(example_path("xor")), "--save-weights", str(tmp_path / where)]) == 2
    assert expected in one_error_line(capsys)
    assert not trained_runs


def test_a_save_that_fails_after_training_goes_to_a_fallback_and_says_where(tmp_path, capsys, monkeypatch):
    import nnstudio.engine.weights as weights_module
    real_save = weights_module.save_weights
    target = tmp_path / "out" / "w.safetensors"
    target.parent.mkdir()

    def disk_full_there(model, path, metadata=None):
        if Path(path).parent == target.parent:
            raise OSError(28, "No space left on device")
        real_save(model, path, metadata)

    monkeypatch.setattr(weights_module, "save_weights", disk_full_there)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["train", str(example_path("xor")), "--epochs", "3", "--save-weights", str(target), "--json"])
    captured = capsys.readouterr()
    assert code == cli.WEIGHTS_SAVED_ELSEWHERE
    report = last_json(captured.out)
    saved = Path(report["weights"])
    assert saved.parent == tmp_path and saved.name.startswith("w-") and saved.suffix == ".safetensors"
    assert saved.is_file() and not target.exists()
    assert "No space left" in captured.err and str(saved) in captured.err and "Traceback" not in captured.err
    assert str(saved) in report["note"]
    # The rescued weights are the trained ones: evaluating them gives the run's own test numbers.
    assert cli.main(["evaluate", str(example_path("xor")), "--weights", str(saved), "--json"]) == 0
    evaluated = last_json(capsys.readouterr().out)["test"]["xor"]
    assert evaluated["loss"] == pytest.approx(report["test"]["xor"]["loss"], rel=1e-5)


def test_the_fallback_tries_the_temp_folder_when_the_current_folder_fails(tmp_path, monkeypatch):
    import nnstudio.engine.weights as weights_module
    written = []

    def only_temp(model, path, metadata=None):
        if Path(path).parent != Path(cli_files.tempfile.gettempdir()):
            raise OSError(13, "Permission denied")
        written.append(Path(path))

    monkeypatch.setattr(weights_module, "save_weights", only_temp)
    place, note = cli_files.save_weights_somewhere(object(), tmp_path / "w.safetensors")
    assert written == [place] and "Permission denied" in note and str(place) in note


# ---------------------------------------------------------------- 3. summary --json of a broken graph

def test_summary_json_of_a_broken_graph_says_why_on_stderr_and_in_the_json(tmp_path, capsys):
    project = load_project(example_path("xor"))
    output = project.graph.nodes_of_type("Output")[0].id
    for edge in list(project.graph.edges_into(output)):
        project.graph.disconnect(edge.id)
    broken = tmp_path / "cut.nnstudio"
    save_project(project, broken)
    assert cli.main(["summary", str(broken), "--json"]) == 1
    captured = capsys.readouterr()
    summary = last_json(captured.out)
    assert summary["errors"] and "nothing connected" in summary["errors"][0]
    assert summary["total_params"] is None  # not 0: a network that cannot be built has no count
    err = captured.err
    assert len(err.strip().splitlines()) == 1 and "nothing connected" in err and err.startswith("nnstudio: ")


# ---------------------------------------------------------------- 4. exports never fail silently

def test_onnx_export_without_the_onnx_package_is_one_plain_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if `pip install onnx` had never run
    code = cli.main(["export", str(example_path("xor")), "--format", "onnx", "-o", str(tmp_path / "m.onnx")])
    assert code == 2
    assert "pip install onnx" in one_error_line(capsys)
    assert not list(tmp_path.iterdir())


def test_an_unexpected_exporter_failure_is_one_line_and_non_zero(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the tracer fell over")

    monkeypatch.setattr(formats.torch.jit, "trace", broken)
    code = cli.main(["export", str(example_path("xor")), "--format", "torchscript", "-o", str(tmp_path / "m.pt")])
    assert code != 0
    assert "the tracer fell over" in one_error_line(capsys)
    assert not (tmp_path / "m.pt").exists()


# ---------------------------------------------------------------- 5. a word that is neither command nor file

def test_an_unknown_word_says_so_and_lists_the_commands_instead_of_opening_the_window(capsys, monkeypatch):
    import nnstudio.gui.app as app_module
    monkeypatch.setattr(app_module, "main", lambda argv: pytest.fail("the window was opened"))
    assert cli.main(["predict", "x.csv"]) == 2
    err = one_error_line(capsys)
    assert "no such command or file: predict" in err
    assert all(command in err for command in cli.COMMANDS)
    assert cli.main(["gone.nnstudio"]) == 2
    assert "'gone.nnstudio' does not exist" in one_error_line(capsys)


def test_an_unknown_word_in_a_real_process_exits_at_once():
    done = subprocess.run([sys.executable, "-m", "nnstudio", "predict"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, env={"PATH": "", "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2 and "no such command or file: predict" in done.stderr


# ---------------------------------------------------------------- 6. step/sign outputs and gradient descent

def and_with_step(tmp_path: Path) -> Path:
    project = load_project(example_path("xor_single_layer"))
    output = project.graph.nodes_of_type("Output")[0]
    project.graph.set_param(output.id, "activation", "step")
    project.data.source = {"kind": "builtin", "name": "and"}
    path = tmp_path / "and_step.nnstudio"
    save_project(project, path)
    return path


def test_gradient_descent_on_a_step_output_is_refused_in_plain_words(tmp_path, capsys):
    path = and_with_step(tmp_path)
    assert cli.main(["train", str(path), "--epochs", "2"]) == 2
    err = one_error_line(capsys)
    assert "no slope" in err and "gradient descent cannot learn" in err and "--method perceptron" in err
    assert "require grad" not in err
    assert cli.main(["train", str(path), "--epochs", "20", "--method", "perceptron", "--json"]) == 0
    assert last_json(capsys.readouterr().out)["epochs_run"] >= 1


def test_the_engine_refuses_before_the_first_batch(tmp_path):
    from nnstudio.engine.pipeline import NoSlopeError, RunError
    project = load_project(and_with_step(tmp_path))
    data = load_project_data(project)
    with pytest.raises(NoSlopeError, match="no slope") as refused:
        train_project(project, effective_settings(project, epochs=1), data)
    assert isinstance(refused.value, RunError)
    # The Trainer alone says the same, for code that skips the pipeline.
    trainer = Trainer(build_model(project, data.context), effective_settings(project, epochs=1))
    with pytest.raises(ValueError, match="no slope"):
        trainer.fit(data.prepared.train)
