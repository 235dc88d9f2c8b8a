"""The project's optional `weights` key: the trained weights saved beside the project file, and nowhere else."""

from __future__ import annotations

import json

import pytest

from nnstudio.core.project import Project, ProjectError, load_project, save_project, weights_file_name


def test_weights_name_round_trips_and_is_absent_without_weights(tmp_path):
    project = Project(title="t")
    save_project(project, tmp_path / "plain.nnstudio")
    assert "weights" not in json.loads((tmp_path / "plain.nnstudio").read_text())  # written as before
    assert load_project(tmp_path / "plain.nnstudio").weights is None

    project.weights = weights_file_name(tmp_path / "digits.nnstudio")
    assert project.weights == "digits.weights.safetensors"
    save_project(project, tmp_path / "digits.nnstudio")
    assert load_project(tmp_path / "digits.nnstudio").weights == "digits.weights.safetensors"


@pytest.mark.parametrize("name", ["../other.weights.safetensors", "/etc/x.weights.safetensors",
                                  "sub\\x.weights.safetensors", "x.safetensors", 3, ""])
def test_a_weights_name_outside_the_project_folder_is_refused(tmp_path, name):
    raw = Project().to_dict()
    raw["weights"] = name
    (tmp_path / "bad.nnstudio").write_text(json.dumps(raw))
    with pytest.raises(ProjectError, match="trained weights"):
        load_project(tmp_path / "bad.nnstudio")
