"""`nnstudio train --checkpoint-dir DIR [--checkpoint-every N] [--checkpoint-best] [--keep K]`, and a checkpoint
going on with `nnstudio train CHECKPOINT`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nnstudio import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def iris_in(folder: Path) -> Path:
    shutil.copy(EXAMPLES / "iris.nnstudio", folder / "iris.nnstudio")
    return folder / "iris.nnstudio"


def last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def test_checkpoints_from_the_command_line_and_going_on_from_one(tmp_path, capsys):
    project = iris_in(tmp_path)
    folder = tmp_path / "ck"
    code = cli.main(["train", str(project), "--epochs", "4", "--checkpoint-dir", str(folder), "--checkpoint-every",
                     "2", "--checkpoint-best", "--keep", "1", "--json"])
    report = last_json(capsys.readouterr().out)
    assert code == 0 and report["checkpoints"] == str(folder)
    assert sorted(path.name for path in folder.iterdir()) == ["best.nnzip", "epoch-0004.nnzip"]
    assert f"2 checkpoint files are in {folder}." in report["message"]
    # The project file is not changed by the options: they are for this run.
    assert json.loads(project.read_text())["training"].get("checkpoints", {}).get("enabled", False) is False

    code = cli.main(["train", str(folder / "epoch-0004.nnzip"), "--epochs", "2", "--json"])
    report = last_json(capsys.readouterr().out)
    assert code == 0 and report["epochs_before"] == 4 and report["epochs"][-2:] == [5, 6]   # it went on


@pytest.mark.parametrize("options, message", [
    (["--keep", "0"], "--keep must be at least 1"),
    (["--checkpoint-every", "-2"], "--checkpoint-every must be 0 or more"),
    (["--checkpoint-every", "0"], "--checkpoint-every 0 writes nothing without --checkpoint-best"),
    (["--checkpoint-dir", "{file}"], "--checkpoint-dir: '{file}' is a file, not a folder"),
])
def test_impossible_options_are_refused_before_training(tmp_path, capsys, options, message):
    project = iris_in(tmp_path)
    a_file = tmp_path / "a file"
    a_file.write_text("x")
    code = cli.main(["train", str(project), *[option.format(file=a_file) for option in options]])
    err = capsys.readouterr().err
    assert code != 0 and message.format(file=a_file) in err and "epoch 1/" not in err
