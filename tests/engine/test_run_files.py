"""The files a run writes as the project's settings ask: TensorBoard logs beside the project, closing words."""

from __future__ import annotations

import shutil
from pathlib import Path

from nnstudio.core.project import load_project
from nnstudio.engine.pipeline import load_project_data, train_project

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def test_the_tensorboard_switch_writes_a_run_folder_in_logs_beside_the_project(tmp_path):
    shutil.copy(EXAMPLES / "iris.nnstudio", tmp_path / "iris.nnstudio")
    project = load_project(tmp_path / "iris.nnstudio")
    project.training.epochs = 2
    project.training.tensorboard.enabled = True
    _, result = train_project(project, project.training, load_project_data(project))
    runs = list((tmp_path / "logs").iterdir())
    assert len(runs) == 1 and runs[0].name.startswith("run_")
    assert list(runs[0].rglob("events.out.tfevents.*"))
    assert f"The TensorBoard log of this run is in {runs[0]}." in result.history.message


def test_switched_off_nothing_is_written_and_the_message_is_as_before(tmp_path):
    shutil.copy(EXAMPLES / "iris.nnstudio", tmp_path / "iris.nnstudio")
    project = load_project(tmp_path / "iris.nnstudio")
    project.training.epochs = 2
    _, result = train_project(project, project.training, load_project_data(project))
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["iris.nnstudio"]
    assert result.history.message == "Training finished: 2 epoch(s)."


def test_an_unsaved_project_says_the_logs_need_a_folder(tmp_path):
    shutil.copy(EXAMPLES / "iris.nnstudio", tmp_path / "iris.nnstudio")
    project = load_project(tmp_path / "iris.nnstudio")
    project.path = None
    project.training.epochs = 1
    project.training.tensorboard.enabled = True
    _, result = train_project(project, project.training, load_project_data(project))
    assert "No TensorBoard logs were written: the project has not been saved yet" in result.history.message
