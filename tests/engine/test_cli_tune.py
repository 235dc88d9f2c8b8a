"""`nnstudio tune`: progress per trial, the last JSON line, going on with a study, two processes sharing one journal."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tuning_helpers import learning_rate, saved_iris

from nnstudio import cli
from nnstudio.core import examples
from nnstudio.core.project import save_project
from nnstudio.core.tuning.space import SearchSpace

ROOT = Path(__file__).resolve().parents[2]


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


@pytest.mark.timeout(300)
def test_tune_prints_each_trial_and_ends_with_a_json_line(tmp_path, capsys):
    saved_iris(tmp_path, epochs=2)
    path = str(tmp_path / "iris.nnstudio")
    args = ["tune", path, "--trials", "3", "--workers", "2", "--strategy", "random", "--pruner", "none", "--json"]
    assert cli.main(args) == 0
    out, err = capsys.readouterr()
    result = last_json(out)
    assert len(out.strip().splitlines()) == 1   # with --json, stdout is the JSON line alone
    assert "The project has no saved search space, so the default one is searched:" in err
    assert "units of hidden: 16 to 256, log scale" in err
    assert sum(line.startswith("trial ") for line in err.splitlines()) == 3
    assert result["study"] == "iris" and result["space"] == "default" and result["direction"] == "minimize"
    assert sorted(t["number"] for t in result["trials"]) == [0, 1, 2]
    assert all(t["state"] == "COMPLETE" and t["epochs_run"] == 2 for t in result["trials"])
    values = {t["number"]: t["value"] for t in result["trials"]}
    assert result["best"]["value"] == min(values.values()) == values[result["best"]["number"]]
    assert set(result["best"]["params"]) == {t for t in result["trials"][0]["params"]}
    # Again with a larger budget: the same study goes on to five trials.
    assert cli.main(["tune", path, "--trials", "5", "--workers", "1", "--json"]) == 0
    assert [t["number"] for t in last_json(capsys.readouterr().out)["trials"]] == [0, 1, 2, 3, 4]


def test_tune_uses_the_projects_saved_search(tmp_path, capsys):
    project = examples.xor()
    project.training.epochs = 2
    project.tuning = SearchSpace([learning_rate()], strategy="grid", pruner="none", trials=None)
    save_project(project, tmp_path / "xor.nnstudio")
    assert cli.main(["tune", str(tmp_path / "xor.nnstudio"), "--workers", "1", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "Searching the project's saved search space:" in err and "learning rate: 0.001 to 0.1, log scale" in err
    result = last_json(out)
    assert result["space"] == "project"
    assert sorted(t["params"]["training:learning_rate"] for t in result["trials"]) == pytest.approx([0.001, 0.01, 0.1])


def test_tune_refuses_a_wrong_budget_in_plain_words(tmp_path, capsys):
    saved_iris(tmp_path)
    assert cli.main(["tune", str(tmp_path / "iris.nnstudio"), "--trials", "0"]) == 2
    assert "the number of trials must be a whole number from 1 to 100000" in capsys.readouterr().err


@pytest.mark.timeout(480)
def test_two_processes_sharing_one_journal_see_each_others_trials(tmp_path):
    saved_iris(tmp_path, epochs=20)
    command = [sys.executable, "-m", "nnstudio", "tune", str(tmp_path / "iris.nnstudio"), "--trials", "4",
               "--workers", "1", "--strategy", "random", "--pruner", "none", "--json"]
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command + ["--seed", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    outputs = [process.communicate(timeout=450) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    results = [last_json(out) for out, _ in outputs]
    # One study of exactly four trials: the budget is shared under a lock, and each process lists them all.
    for result in results:
        assert sorted(t["number"] for t in result["trials"]) == [0, 1, 2, 3]


@pytest.mark.timeout(300)
def test_a_time_budget_alone_ends_the_search_and_starts_no_trial_after_it(tmp_path, capsys):
    """--timeout S with no number of trials: trials are taken one after another until S seconds have passed (the
    trial in progress then finishes); none starts later. The seconds count from the first worker being ready: a
    worker's start (up to 9 s for the fork server's imports on a busy machine) left a 6-second search no time."""
    import time
    from datetime import timedelta

    saved_iris(tmp_path, epochs=3)   # a trial takes a fraction of a second: many fit in the budget
    started = time.monotonic()
    assert cli.main(["tune", str(tmp_path / "iris.nnstudio"), "--timeout", "6", "--workers", "1",
                     "--strategy", "random", "--pruner", "none", "--json"]) == 0
    took = time.monotonic() - started
    trials = last_json(capsys.readouterr().out)["trials"]
    assert len(trials) >= 2 and all(t["state"] == "COMPLETE" for t in trials)
    from nnstudio.core.project import load_project
    from nnstudio.engine.tuning.study import existing_study
    study = existing_study(load_project(tmp_path / "iris.nnstudio"))
    assert len(study.trials) == len(trials)
    deadline = min(t.datetime_start for t in study.trials) + timedelta(seconds=6)
    assert all(t.datetime_start <= deadline for t in study.trials)
    assert took < 6 + 60   # it ended: the budget, a worker's start and the last trial (generous on a busy machine)
