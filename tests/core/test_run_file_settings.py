"""The checkpoint and TensorBoard settings: saved in project files, defaults for older files, plain refusals, and
the folders they name."""

from __future__ import annotations

import json

import pytest

from nnstudio.core.project import Project, load_project, save_project
from nnstudio.core.run_folders import (
    checkpoint_folder,
    relative_to_project,
    tensorboard_command,
    tensorboard_folder,
)
from nnstudio.core.settings import CheckpointFiles, SettingsError, TensorBoardFiles, TrainingSettings


def test_the_settings_survive_a_save_and_a_load(tmp_path):
    project = Project()
    project.training.checkpoints = CheckpointFiles(True, "ck", 5, True, 2)
    project.training.tensorboard = TensorBoardFiles(True, "my_logs")
    save_project(project, tmp_path / "p.nnstudio")
    saved = json.loads((tmp_path / "p.nnstudio").read_text())["training"]
    assert saved["checkpoints"] == {"enabled": True, "folder": "ck", "every_epochs": 5, "when_improves": True,
                                    "keep": 2}
    assert saved["tensorboard"] == {"enabled": True, "folder": "my_logs"}
    loaded = load_project(tmp_path / "p.nnstudio")
    assert loaded.training.checkpoints == project.training.checkpoints
    assert loaded.training.tensorboard == project.training.tensorboard


def test_a_file_without_them_gets_the_defaults_switched_off():
    old = TrainingSettings().to_dict()
    del old["checkpoints"], old["tensorboard"]
    settings = TrainingSettings.from_dict(old)
    assert settings.checkpoints == CheckpointFiles() and not settings.checkpoints.enabled
    assert settings.tensorboard == TensorBoardFiles() and not settings.tensorboard.enabled
    # Keys a newer NN Studio may add are ignored, like everywhere else in the settings.
    assert TrainingSettings.from_dict({"checkpoints": {"keep": 4, "later": 1}}).checkpoints.keep == 4


@pytest.mark.parametrize("part, message", [
    ({"checkpoints": {"keep": 0}}, "checkpoints to keep must be at least 1 and at most 1e+06 (it is 0)"),
    ({"checkpoints": {"every_epochs": -1}}, "checkpoint every N epochs must be at least 0"),
    ({"checkpoints": {"every_epochs": 2.5}}, "checkpoint every N epochs must be a whole number"),
    ({"checkpoints": {"enabled": "yes"}}, "checkpoint files must be on or off"),
    ({"checkpoints": {"enabled": True, "every_epochs": 0}},
     "checkpoint files are on but never written: choose every N epochs or when the watched number improves"),
    ({"checkpoints": [1]}, "checkpoint settings must be a table of names and values"),
    ({"checkpoints": {"folder": 3}}, "the checkpoint folder must be a folder path (text)"),
    ({"tensorboard": {"folder": "a\x00b"}}, "the TensorBoard folder holds a NUL character"),
    ({"tensorboard": {"enabled": 1}}, "TensorBoard logs must be on or off"),
    ({"tensorboard": "on"}, "TensorBoard settings must be a table of names and values"),
])
def test_wrong_values_are_refused_in_plain_words(part, message):
    with pytest.raises(SettingsError) as caught:
        TrainingSettings.from_dict(part)
    assert str(caught.value).startswith(message)


def test_folders_are_read_from_the_project_folder(tmp_path):
    project = Project(path=tmp_path / "course" / "fashion.nnstudio")
    assert checkpoint_folder(project) == tmp_path / "course" / "fashion-checkpoints"
    assert tensorboard_folder(project) == tmp_path / "course" / "logs"
    project.training.checkpoints.folder = "runs/ck"
    project.training.tensorboard.folder = str(tmp_path / "elsewhere")
    assert checkpoint_folder(project) == tmp_path / "course" / "runs" / "ck"
    assert tensorboard_folder(project) == tmp_path / "elsewhere"
    assert checkpoint_folder(Project()) is None   # never saved: no folder beside it yet
    assert relative_to_project(project, tmp_path / "course" / "a" / "b") == "a/b"
    assert relative_to_project(project, tmp_path / "other") == str(tmp_path / "other")


def test_the_tensorboard_command_is_the_one_the_run_says(tmp_path):
    from nnstudio.engine import tensorboard_log

    folder = tmp_path / "my logs $HOME"
    assert tensorboard_command(folder) == tensorboard_log.tensorboard_command(folder)
    assert tensorboard_command(folder).startswith('tensorboard --logdir "')
