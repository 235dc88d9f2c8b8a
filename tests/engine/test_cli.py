"""The command line contract: summary, train and evaluate, with --json and plain errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nnstudio import cli
from nnstudio.core.examples import example_path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "nnstudio.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def test_summary_json_matches_keras_counts(capsys):
    assert cli.main(["summary", str(example_path("digits")), "--json"]) == 0
    summary = last_json(capsys.readouterr().out)
    assert summary["total_params"] == summary["trainable_params"] == 64 * 300 + 300 + 300 * 100 + 100 + 1010
    assert [layer["type"] for layer in summary["layers"]] == ["Input", "Flatten", "Dense", "Dropout", "Dense",
                                                              "Dropout", "Output"]
    assert summary["layers"][0] == {"name": "image", "type": "Input", "output_shape": "(None, 8, 8)",
                                    "params": 0}


def test_summary_text_shows_the_table(capsys):
    assert cli.main(["summary", str(example_path("wide_deep"))]) == 0
    out = capsys.readouterr().out
    assert "Total params" in out and "main_output (Output)" in out


def test_train_json_contract_in_a_real_process():
    done = run_cli("train", str(example_path("xor")), "--epochs", "50", "--seed", "3", "--json")
    assert done.returncode == 0, done.stderr
    report = last_json(done.stdout)
    assert report["epochs_run"] == 50
    assert len(report["history"]["loss"]) == 50 and len(report["history"]["val_loss"]) == 50
    assert set(report["test"]["xor"]) >= {"loss", "accuracy"}
    assert report["samples_per_second"] > 0 and report["total_params"] == 2 * 8 + 8 + 8 + 1
    assert "epoch 50/50" in done.stderr  # progress is shown while training


def test_same_seed_same_history(capsys):
    runs = []
    for _ in range(2):
        assert cli.main(["train", str(example_path("iris")), "--epochs", "3", "--seed", "5", "--json"]) == 0
        runs.append(last_json(capsys.readouterr().out)["history"])
    assert runs[0] == runs[1]


def test_train_then_evaluate_with_saved_weights(tmp_path, capsys):
    weights = tmp_path / "iris.safetensors"
    assert cli.main(["train", str(example_path("iris")), "--json", "--save-weights", str(weights)]) == 0
    trained = last_json(capsys.readouterr().out)["test"]["species"]
    assert cli.main(["evaluate", str(example_path("iris")), "--weights", str(weights), "--json"]) == 0
    evaluated = last_json(capsys.readouterr().out)
    assert evaluated["test"]["species"]["accuracy"] == pytest.approx(trained["accuracy"])
    assert evaluated["note"] == ""
    assert sum(map(sum, evaluated["test"]["species"]["confusion_matrix"])) == 30


def test_evaluate_without_weights_says_so(capsys):
    assert cli.main(["evaluate", str(example_path("iris"))]) == 0
    assert "untrained" in capsys.readouterr().out


@pytest.mark.parametrize("args, expected", [
    (["summary", "missing.nnstudio"], "does not exist"),
    (["train", "missing.nnstudio"], "does not exist"),
    (["train", str(example_path("xor")), "--epochs", "0"], "--epochs"),
    (["evaluate", str(example_path("iris")), "--weights", "nope.safetensors"], "could not read"),
])
def test_bad_input_exits_non_zero_with_one_line(args, expected, capsys):
    assert cli.main(args) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err and err.startswith("nnstudio: ")


def test_broken_project_file_and_graph_errors(tmp_path, capsys):
    broken = tmp_path / "broken.nnstudio"
    broken.write_text("{not json")
    assert cli.main(["train", str(broken)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    text = example_path("xor").read_text().replace('"target_port": "in"', '"target_port": "in"', 1)
    project = json.loads(text)
    project["graph"]["edges"] = project["graph"]["edges"][1:]  # cut the first wire
    project["data"]["source"] = {"kind": "builtin", "name": "xor"}
    cut = tmp_path / "cut.nnstudio"
    cut.write_text(json.dumps(project))
    assert cli.main(["train", str(cut)]) == 2
    err = capsys.readouterr().err
    assert "nothing connected" in err and len(err.strip().splitlines()) == 1
