"""Hand-made hostile project and recovery files: each raises ProjectError in plain words, or loads and saves again.

The cases come from an outside fuzzing campaign: huge whole numbers in float settings, NUL bytes in data paths,
NaN/infinity/1e999 anywhere (which loaded, then could not be saved), nesting deep enough to break saving, odd
recovery-file times and paths, and files that are not regular files at all."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnstudio.core.autosave import find_recoveries, load_recovery, write_recovery
from nnstudio.core.examples import example_path
from nnstudio.core.project import ProjectError, dumps_project, load_project, loads_project, save_project

BASE = json.loads(example_path("wide_deep").read_text())


def hostile(change) -> str:
    """The wide & deep example with one change made by `change(raw)`, as JSON text (NaN literals allowed)."""
    raw = json.loads(json.dumps(BASE))
    change(raw)
    return json.dumps(raw)


def node(raw: dict, name: str) -> dict:
    return next(n for n in raw["graph"]["nodes"] if n["name"] == name)


def deep(depth: int):
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def plain(message: str) -> None:
    """A message for a person: one short printable sentence, no Python internals."""
    assert message and len(message) < 400 and message.isprintable(), message
    for leak in ("Traceback", "Error:", "unhashable", "object at 0x", "\\x00"):
        assert leak not in message, message


CASES = {
    # OverflowError: int too large to convert to float (core/layers.py normalise/problem)
    "huge int dropout rate": lambda r: r["graph"]["nodes"].append(
        {"id": "n99", "type": "Dropout", "name": "drop", "params": {"rate": 10**400}, "position": [0, 0]}),
    "huge int batchnorm epsilon": lambda r: r["graph"]["nodes"].append(
        {"id": "n99", "type": "BatchNormalization", "name": "bn", "params": {"epsilon": 10**309}}),
    "huge int loss weight": lambda r: node(r, "main_output")["params"].update(loss_weight=-(10**330)),
    "huge int momentum": lambda r: r["training"].update(momentum=10**400),
    "huge int learning rate": lambda r: r["training"].update(learning_rate=10**400),
    "huge int position": lambda r: node(r, "wide_input").update(position=[10**400, 0]),
    # ValueError: embedded null byte (core/project.py resolving a data path)
    "NUL in a data path": lambda r: r["data"].update(source={"kind": "csv", "path": "data\x00.csv"}),
    "NUL in idx labels": lambda r: r["data"].update(source={"kind": "idx", "images": "a", "labels": "b\x00"}),
    "lone surrogate in a path": lambda r: r["data"].update(source={"kind": "csv", "path": "x\ud800.csv"}),
    "path of 100,000 characters": lambda r: r["data"].update(source={"kind": "csv", "path": "a/" * 50_000}),
    # Loaded, then "Out of range float values are not JSON compliant" on save
    "NaN in the run history": lambda r: r.update(runs=[{"loss": float("nan")}]),
    "infinity in the data source": lambda r: r["data"]["source"].update(extra=float("inf")),
    "1e999 as stratify": lambda r: r["data"].update(stratify=float("inf")),
    "NaN as restore-best": lambda r: r["training"]["early_stopping"].update(restore_best=float("nan")),
    "NaN as keep-best": lambda r: r["training"].update(checkpoint_best=float("nan")),
    "huge int in the run history": lambda r: r.update(runs=[{"seed": 10**300}]),
    # RecursionError on save
    "deep run history": lambda r: r.update(runs=[{"x": deep(900)}]),
    "deep data source": lambda r: r["data"]["source"].update(extra=deep(900)),
    # Unplain messages (a 400-digit number written out in the message)
    "huge file version": lambda r: r.update(version=10**400),
    "huge negative units": lambda r: node(r, "hidden1")["params"].update(units=-(10**400)),
    "optimizer as a list": lambda r: r["training"].update(optimizer=["adam"]),
    "scaling as a table": lambda r: r["data"].update(scaling={"a": 1}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_project_raises_plain_project_error(tmp_path, case):
    path = tmp_path / "hostile.nnstudio"
    path.write_text(hostile(CASES[case]))
    with pytest.raises(ProjectError) as info:
        load_project(path)
    plain(str(info.value))
    assert "hostile.nnstudio" in str(info.value)


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_project_inside_a_recovery_file_is_refused_too(tmp_path, case):
    text = hostile(CASES[case])
    path = tmp_path / "x.nnstudio-recovery"
    path.write_text(json.dumps({"format": "nnstudio-recovery", "version": 1, "original_path": None,
                                "saved_at": 1.0, "project": json.loads(text)}))
    with pytest.raises(ProjectError) as info:
        load_recovery(path)
    plain(str(info.value))


RECOVERY_CASES = {
    "NaN time": {"saved_at": float("nan")},
    "infinite time": {"saved_at": float("inf")},
    "huge int time": {"saved_at": 10**400},
    "negative time": {"saved_at": -5.0},
    "NUL in the original path": {"original_path": "/tmp/a\x00b.nnstudio"},
    "relative original path": {"original_path": "../../victim.nnstudio"},
    "deep record": {"extra": deep(40)},  # replaced by 2,000 levels of text below: json.dumps cannot write them
}


@pytest.mark.parametrize("case", list(RECOVERY_CASES))
def test_hostile_recovery_records_are_refused_and_never_offered(tmp_path, case):
    record = {"format": "nnstudio-recovery", "version": 1, "original_path": None, "saved_at": 1.0,
              "project": json.loads(json.dumps(BASE))}
    record.update(RECOVERY_CASES[case])
    path = tmp_path / "x.nnstudio-recovery"
    text = json.dumps(record)
    if case == "deep record":
        text = text.replace(json.dumps(deep(40)), "[" * 2000 + "]" * 2000)
    path.write_text(text)
    with pytest.raises(ProjectError) as info:
        load_recovery(path)
    plain(str(info.value))
    assert find_recoveries(tmp_path) == []  # a damaged one is not offered (and offering must not crash)


def test_a_recovery_file_never_decides_where_save_writes(tmp_path):
    victim = tmp_path / "victim.nnstudio"
    victim.write_text("the user's own file")
    write_recovery(dumps_project(load_project(example_path("xor"))), tmp_path / "rec", victim)
    project = load_recovery(find_recoveries(tmp_path / "rec")[0])
    assert project.path is None  # untitled: Save must ask where
    assert project.origin == victim.resolve()  # only a name to suggest
    assert victim.read_text() == "the user's own file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_instead_of_read_forever(tmp_path):
    pipe = tmp_path / "pipe.nnstudio"
    os.mkfifo(pipe)
    script = ("import sys\nfrom nnstudio.core.project import load_project, ProjectError\n"
              "try:\n    load_project(sys.argv[1])\nexcept ProjectError as exc:\n    print(exc)\n")
    try:
        done = subprocess.run([sys.executable, "-c", script, str(pipe)], capture_output=True, text=True,
                              timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("opening a named pipe as a project hung")
    assert "not a regular file" in done.stdout, done.stdout + done.stderr


SURVIVORS = {
    "big but finite numbers": lambda r: r.update(runs=[{"loss": 1e308, "steps": 2**62}]),
    "NUL in the title and notes": lambda r: r.update(title="a\x00b", notes="\x00"),
    "lone surrogate in the title": lambda r: r.update(title="\ud800"),
    "nesting at a sane depth": lambda r: r.update(runs=[{"x": deep(30)}]),
    "whole-number float settings": lambda r: r["training"].update(learning_rate=1, epsilon=0),
    "whole-number position": lambda r: node(r, "wide_input").update(position=[10**6, -3]),
    "unknown extra keys": lambda r: r.update(future={"x": [1, 2.5, None]}),
}


@pytest.mark.parametrize("case", list(SURVIVORS))
def test_whatever_loads_saves_and_reloads_equal(tmp_path, case):
    path = tmp_path / "odd.nnstudio"
    path.write_text(hostile(SURVIVORS[case]))
    project = load_project(path)
    save_project(project, tmp_path / "again.nnstudio")
    again = load_project(tmp_path / "again.nnstudio")
    assert dumps_project(again, tmp_path) == dumps_project(project, tmp_path)


def test_bare_text_loader_refuses_the_same(tmp_path):
    with pytest.raises(ProjectError, match="not finite"):
        loads_project(hostile(CASES["NaN in the run history"]))
    with pytest.raises(ProjectError, match="NUL"):
        loads_project(hostile(CASES["NUL in a data path"]), Path(tmp_path))
