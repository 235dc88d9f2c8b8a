"""Autosave recovery files: paths, atomic writes, finding them after a crash, restoring and discarding."""

import json
import os

import pytest

from nnstudio.core import autosave
from nnstudio.core.autosave import (Recovery, discard_recovery, find_recoveries, load_recovery, recovery_path_for,
                                    write_recovery)
from nnstudio.core.examples import build_example
from nnstudio.core.project import ProjectError, dumps_project, save_project


def test_paths_are_per_project_and_per_app_for_untitled(tmp_path):
    a = recovery_path_for(tmp_path / "one" / "model.nnstudio", tmp_path / "rec")
    b = recovery_path_for(tmp_path / "two" / "model.nnstudio", tmp_path / "rec")
    assert a != b and a.name.startswith("model-") and a.suffix == ".nnstudio-recovery"
    assert recovery_path_for(None, tmp_path) == tmp_path / f"untitled-{os.getpid()}.nnstudio-recovery"


def test_write_find_restore_discard(tmp_path):
    project = build_example("iris")
    original = tmp_path / "work" / "iris.nnstudio"
    original.parent.mkdir()
    save_project(project, original)
    project.training.learning_rate = 0.123  # an unsaved change
    recovery_dir = tmp_path / "recovery"
    path = write_recovery(dumps_project(project, original.parent), recovery_dir, original, saved_at=100.0)
    write_recovery(dumps_project(build_example("xor")), recovery_dir, None, saved_at=200.0)
    found = find_recoveries(recovery_dir)
    assert [r.title for r in found] == ["Untitled project", "iris.nnstudio"]  # newest first
    assert found[1] == Recovery(path, original.resolve(), 100.0)
    restored = load_recovery(found[1])
    # Untitled: a recovery file never decides where Save writes; its original is only a name to suggest.
    assert restored.training.learning_rate == 0.123 and restored.path is None
    assert restored.origin == original.resolve()
    discard_recovery(found[1])
    discard_recovery(found[1])  # twice is fine
    assert [r.title for r in find_recoveries(recovery_dir)] == ["Untitled project"]


def test_a_failed_write_keeps_the_previous_recovery(tmp_path, monkeypatch):
    text = dumps_project(build_example("xor"))
    path = write_recovery(text, tmp_path, None)
    before = path.read_bytes()
    monkeypatch.setattr(os, "replace", lambda *args: (_ for _ in ()).throw(OSError(28, "disk full")))
    with pytest.raises(OSError):
        write_recovery(text.replace('"title": "', '"title": "changed '), tmp_path, None)
    assert path.read_bytes() == before and len(list(tmp_path.iterdir())) == 1


def test_damaged_recovery_files_are_skipped_and_refused_clearly(tmp_path):
    (tmp_path / "bad.nnstudio-recovery").write_text("{not json")
    (tmp_path / "other.nnstudio-recovery").write_text(json.dumps({"format": "something"}))
    assert find_recoveries(tmp_path) == []
    assert find_recoveries(tmp_path / "missing") == []
    with pytest.raises(ProjectError, match="cannot be read"):
        load_recovery(tmp_path / "bad.nnstudio-recovery")


def test_default_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSTUDIO_RECOVERY_DIR", str(tmp_path))
    assert autosave.default_recovery_dir() == tmp_path
