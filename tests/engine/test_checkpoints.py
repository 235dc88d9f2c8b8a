"""Checkpoint files during training: every N epochs, when the watched number improves, pruning, atomic writes,
disk problems said plainly, and a run killed mid-way leaving its last checkpoint loadable."""

from __future__ import annotations

import errno
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnstudio.core import files as core_files
from nnstudio.core.project import load_project, save_project
from nnstudio.engine.bundle_io import load_bundle
from nnstudio.engine.checkpoints import existing_checkpoints
from nnstudio.engine.pipeline import load_project_data, train_project
from nnstudio.engine.training import Trainer

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def iris_project(where: Path, epochs: int = 6, **checkpoints):
    """The iris example saved in `where`, its checkpoint settings as given (switched on)."""
    shutil.copy(EXAMPLES / "iris.nnstudio", where / "iris.nnstudio")
    project = load_project(where / "iris.nnstudio")
    project.training.epochs = epochs
    project.training.checkpoints.enabled = True
    for key, value in checkpoints.items():
        setattr(project.training.checkpoints, key, value)
    project.training.validate()
    return project


def train(project):
    data = load_project_data(project)
    return train_project(project, project.training, data)


def names(folder: Path) -> set[str]:
    return {entry.name for entry in folder.iterdir()}


def test_every_n_epochs_writes_those_epochs_beside_the_project(tmp_path):
    project = iris_project(tmp_path, epochs=6, every_epochs=2, keep=10)
    _, result = train(project)
    folder = tmp_path / "iris-checkpoints"
    assert names(folder) == {"epoch-0002.nnzip", "epoch-0004.nnzip", "epoch-0006.nnzip"}
    assert [path.name for path in existing_checkpoints(folder)] == sorted(names(folder))
    loaded = load_bundle(folder / "epoch-0004.nnzip")
    assert loaded.history.epochs == [1, 2, 3, 4]   # the curves up to that epoch, not the whole run's
    assert loaded.history.stop_reason == "stopped"
    assert loaded.description["outputs"][0]["class_names"] == ["setosa", "versicolor", "virginica"]
    assert "3 checkpoint files are in" in result.history.message and str(folder) in result.history.message


def test_when_it_improves_best_holds_the_best_epoch(tmp_path):
    project = iris_project(tmp_path, epochs=8, every_epochs=0, when_improves=True, folder="runs/ck")
    _, result = train(project)
    folder = tmp_path / "runs" / "ck"   # a relative folder is read from the project's folder
    assert names(folder) == {"best.nnzip"}
    values = result.history.logs["val_loss"]
    best_epoch = result.history.epochs[values.index(min(values))]
    assert load_bundle(folder / "best.nnzip").history.epochs[-1] == best_epoch


def test_pruning_keeps_the_last_k_and_never_the_best(tmp_path):
    project = iris_project(tmp_path, epochs=7, every_epochs=1, when_improves=True, keep=2)
    project.training.early_stopping.monitor = "val_accuracy"   # flat for stretches: best is often an early epoch
    _, result = train(project)
    folder = tmp_path / "iris-checkpoints"
    assert names(folder) == {"epoch-0006.nnzip", "epoch-0007.nnzip", "best.nnzip"}
    values = result.history.logs["val_accuracy"]
    first_best = result.history.epochs[values.index(max(values))]
    assert load_bundle(folder / "best.nnzip").history.epochs[-1] == first_best


def test_a_failing_write_leaves_the_previous_file_whole_and_the_run_goes_on(tmp_path, monkeypatch):
    project = iris_project(tmp_path, epochs=5, every_epochs=0, when_improves=True)
    project.training.early_stopping.monitor = "loss"   # the training loss falls every epoch here: a write each
    real_fsync, calls = os.fsync, []

    def disk_full_after_the_first(fd):
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(core_files.os, "fsync", disk_full_after_the_first)
    _, result = train(project)
    monkeypatch.undo()
    folder = tmp_path / "iris-checkpoints"
    assert names(folder) == {"best.nnzip"}   # no half-written temporary file left behind
    assert load_bundle(folder / "best.nnzip").history.epochs == [1]   # epoch 1's file, whole
    history = result.history
    assert history.stop_reason == "completed" and history.epochs == [1, 2, 3, 4, 5]
    assert "checkpoint file 'best.nnzip' could not be written" in history.message
    assert os.strerror(errno.ENOSPC) in history.message and "4 times" in history.message


def test_a_folder_that_cannot_be_made_is_a_plain_message_not_a_crash(tmp_path):
    (tmp_path / "a file").write_text("not a folder")
    project = iris_project(tmp_path, epochs=3, every_epochs=1, folder="a file/checkpoints")
    _, result = train(project)
    message = result.history.message
    assert result.history.stop_reason == "completed" and len(result.history.epochs) == 3
    assert message.startswith("Training finished: 3 epoch(s).")
    assert "Training went on, but checkpoint file 'epoch-0001.nnzip' could not be written" in message
    assert "Traceback" not in message and "3 times in this run" in message


def test_an_unsaved_project_with_no_folder_says_where_the_files_would_need_to_go(tmp_path):
    project = iris_project(tmp_path, epochs=2)
    project.path = None
    _, result = train(project)
    assert "No checkpoint files were written: the project has not been saved yet" in result.history.message
    assert not (tmp_path / "iris-checkpoints").exists()


CRASH_RUN = """
import sys
from nnstudio.core.project import load_project
from nnstudio.engine.pipeline import load_project_data, train_project
project = load_project(sys.argv[1])
train_project(project, project.training, load_project_data(project))
"""


def test_a_run_killed_mid_way_leaves_its_last_checkpoint_loadable(tmp_path):
    shutil.copy(EXAMPLES / "digits.nnstudio", tmp_path / "digits.nnstudio")
    project = load_project(tmp_path / "digits.nnstudio")
    project.training.epochs = 10_000   # far more than it will live for
    project.training.batch_size = 4    # slowish: several checkpoints a second at most
    project.training.checkpoints.enabled = True
    project.training.checkpoints.every_epochs = 1
    project.training.checkpoints.keep = 2
    save_project(project, tmp_path / "digits.nnstudio")
    folder = tmp_path / "digits-checkpoints"
    process = subprocess.Popen([sys.executable, "-c", CRASH_RUN, str(tmp_path / "digits.nnstudio")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (folder / "epoch-0002.nnzip").exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "no second checkpoint within two minutes"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)   # no clean-up, no flush: as a power cut or an out-of-memory kill
    finally:
        process.kill()
        process.wait()
    last = existing_checkpoints(folder)[-1]
    loaded = load_bundle(last)
    epoch = int(last.stem.split("-")[1])
    assert loaded.trained and loaded.history.epochs[-1] == epoch
    # It keeps what going on needs: the run's position and the optimizer's memory (Adam's moments).
    assert loaded.resume.position.epochs_done == epoch and loaded.resume.optimizer_state
    data = load_project_data(loaded.project)
    scores = Trainer(loaded.model, loaded.project.training).evaluate(data.prepared.test)
    accuracy = next(iter(scores.values()))["accuracy"]
    assert math.isfinite(accuracy) and accuracy > 0.5   # a trained network, not a blank or a broken one


@pytest.mark.parametrize("every, keep", [(-1, 3), (1, 0)])
def test_the_writer_refuses_impossible_counts(tmp_path, every, keep):
    from nnstudio.engine.checkpoints import CheckpointWriter

    with pytest.raises(ValueError):
        CheckpointWriter(tmp_path, None, every_epochs=every, keep=keep)
