"""`nnstudio train BUNDLE` goes on with the saved run; --save-bundle writes one; --fresh starts over."""

from __future__ import annotations

import json

import pytest
from export_helpers import trained

from nnstudio import cli
from nnstudio.core.examples import example_path
from nnstudio.engine.bundle_io import load_bundle, save_bundle


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def train(capsys, *args) -> dict:
    assert cli.main(["train", *map(str, args), "--json"]) == 0
    return last_json(capsys.readouterr().out)


def test_four_epochs_saved_then_three_more_equal_seven_in_one_go(tmp_path, capsys):
    iris = example_path("iris")
    whole = train(capsys, iris, "--epochs", 7)
    first = train(capsys, iris, "--epochs", 4, "--save-bundle", tmp_path / "four.nnzip")
    assert first["bundle"] == str(tmp_path / "four.nnzip") and first["epochs_before"] == 0
    more = train(capsys, tmp_path / "four.nnzip", "--epochs", 3, "--save-bundle", tmp_path / "seven.nnzip")
    assert more["epochs_before"] == 4 and more["epochs_run"] == 7
    assert "Went on with the saved run after epoch 4." in more["note"]
    assert more["epochs"] == list(range(1, 8))
    for key, values in whole["history"].items():
        assert more["history"][key] == pytest.approx(values, abs=1e-6), key
    assert load_bundle(tmp_path / "seven.nnzip").resume.position.epochs_done == 7


def test_fresh_trains_a_bundle_like_its_project(tmp_path, capsys):
    train(capsys, example_path("iris"), "--epochs", 2, "--save-bundle", tmp_path / "two.nnzip")
    fresh = train(capsys, tmp_path / "two.nnzip", "--epochs", 2, "--fresh")
    again = train(capsys, example_path("iris"), "--epochs", 2)
    assert fresh["epochs_before"] == 0 and "fresh starting weights" in fresh["note"]
    assert fresh["history"] == again["history"]


def test_an_older_bundle_goes_on_with_a_fresh_optimizer_and_says_so(tmp_path, capsys):
    project, _, model, history = trained("iris", epochs=3)
    save_bundle(tmp_path / "old.nnzip", project, model, history)   # as NN Studio saved bundles before
    more = train(capsys, tmp_path / "old.nnzip", "--epochs", 2)
    assert more["epochs_before"] == 3 and more["epochs"] == [1, 2, 3, 4, 5]
    assert "fresh optimizer" in more["note"]


def test_a_bundle_place_that_cannot_be_written_is_refused_before_training(tmp_path, capsys):
    assert cli.main(["train", str(example_path("iris")), "--save-bundle", str(tmp_path / "no" / "x.nnzip")]) == 2
    err = capsys.readouterr().err
    assert "--save-bundle" in err and "does not exist" in err
