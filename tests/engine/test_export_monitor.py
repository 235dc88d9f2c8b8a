"""The exported train.py watches the number the app watched: val_accuracy stays val_accuracy, larger is better."""

import ast
import copy
import re

import pytest
from export_helpers import example_data, run_python

from nnstudio.engine.export import export_model
from nnstudio.engine.pipeline import effective_settings, train_project

EPOCH_LINE = re.compile(r"epoch (\d+)/\d+  (.*)")


def constants(source: str) -> dict:
    """The script's top-level NAME = literal lines, read as Python reads them."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return found


def printed_logs(stdout: str) -> list[dict[str, float]]:
    """Each epoch's numbers as train.py prints them ("epoch 3/40  loss 0.5  accuracy 0.9 ...")."""
    rows = []
    for line in stdout.splitlines():
        match = EPOCH_LINE.fullmatch(line.strip())
        if match:
            words = match.group(2).split()
            rows.append({name: float(value) for name, value in zip(words[::2], words[1::2])})
    return rows


@pytest.fixture(scope="module")
def iris_watching_accuracy():
    """Iris trained in the app with early stopping on val_accuracy (patience 3, the best weights restored)."""
    project, data = example_data("iris")
    project = copy.deepcopy(project)
    stopping = project.training.early_stopping
    stopping.enabled, stopping.monitor, stopping.patience, stopping.restore_best = True, "val_accuracy", 3, True
    trainer, result = train_project(project, effective_settings(project, epochs=60), data)
    return project, trainer, result.history


def test_train_py_watches_val_accuracy_like_the_app(tmp_path, iris_watching_accuracy):
    project, trainer, history = iris_watching_accuracy
    assert history.stop_reason == "early_stopping"  # the app's run stopped on val_accuracy
    export_model(trainer.model, "python", tmp_path, trained=True, project=project)
    source = (tmp_path / "train.py").read_text(encoding="utf-8")
    settings = constants(source)
    assert settings["MONITOR"] == "val_accuracy" and settings["MODE"] == "max"
    assert settings["PATIENCE"] == 3 and settings["RESTORE_BEST"] is True and settings["EARLY_STOPPING"] is True
    assert "does not measure" not in source

    done = run_python("", tmp_path, args=("train.py", "--epochs", "60", "--init-weights",
                                          "initial_weights.safetensors"))
    assert done.returncode == 0, done.stderr[-3000:]
    rows = printed_logs(done.stdout)
    # The same run: the same epochs, and each epoch's val_accuracy as the app measured it.
    assert len(rows) == len(history.epochs)
    assert [row["val_accuracy"] for row in rows] == pytest.approx(history.logs["val_accuracy"], abs=1e-4)
    assert [row["accuracy"] for row in rows] == pytest.approx(history.logs["accuracy"], abs=1e-4)
    assert "Stopped early: val_accuracy did not improve for 3 epoch(s)." in done.stdout
    if history.best_epoch != history.epochs[-1]:
        assert f"The weights of epoch {history.best_epoch} (the best) were restored." in done.stdout
    # The best epoch is the first with the highest val_accuracy (larger is better), not the lowest loss.
    accuracies = [row["val_accuracy"] for row in rows]
    assert history.best_epoch == accuracies.index(max(accuracies)) + 1
    assert "test  loss" in done.stdout and "accuracy" in done.stdout.split("test  loss")[1]


def test_a_score_the_output_does_not_measure_falls_back_to_val_loss_with_a_note(tmp_path, iris_watching_accuracy):
    project, trainer, _ = iris_watching_accuracy
    project = copy.deepcopy(project)
    project.training.early_stopping.monitor = "val_r2"   # a number score for a class output: never measured
    export_model(trainer.model, "python", tmp_path, trained=False, project=project)
    source = (tmp_path / "train.py").read_text(encoding="utf-8")
    assert constants(source)["MONITOR"] == "val_loss" and constants(source)["MODE"] == "min"
    assert "NN Studio watched 'val_r2'; this script does not measure it" in source
