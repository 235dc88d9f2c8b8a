"""Project files: round trips, the frozen version-1 file, broken and hostile files, atomic saves."""

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnstudio.core import files
from nnstudio.core.examples import EXAMPLES, build_example, example_path
from nnstudio.core.project import ProjectError, dumps_project, load_project, loads_project, save_project

DATA = Path(__file__).resolve().parents[1] / "data"


def test_round_trip_keeps_graph_settings_and_positions(tmp_path):
    project = build_example("wide_deep")
    project.training.learning_rate = 0.003
    path = tmp_path / "wd.nnstudio"
    save_project(project, path)
    loaded = load_project(path)
    assert loaded.graph.to_dict() == project.graph.to_dict()
    assert loaded.training == project.training
    assert loaded.data == project.data
    assert loaded.path == path.resolve()


def test_version_1_file_still_loads():
    project = load_project(DATA / "wide_deep_v1.nnstudio")
    names = [n.name for n in project.graph.nodes.values()]
    assert names[:2] == ["wide_input", "deep_input"]
    assert len(project.graph.edges) == 6


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_shipped_examples_match_their_builders(name):
    assert load_project(example_path(name)).graph.to_dict() == build_example(name).graph.to_dict()


def test_data_paths_are_stored_relative(tmp_path):
    project = build_example("iris")
    (tmp_path / "sub").mkdir()
    csv = tmp_path / "sub" / "flowers.csv"
    csv.write_text("a,b\n1,2\n")
    project.data.source = {"kind": "csv", "path": str(csv)}
    save_project(project, tmp_path / "p.nnstudio")
    raw = json.loads((tmp_path / "p.nnstudio").read_text())
    assert raw["data"]["source"]["path"] == "sub/flowers.csv"
    # moving the whole folder keeps the link
    moved = tmp_path.parent / (tmp_path.name + "_moved")
    os.rename(tmp_path, moved)
    loaded = load_project(moved / "p.nnstudio")
    assert Path(loaded.data.source["path"]) == (moved / "sub" / "flowers.csv").resolve()


def valid_text():
    return example_path("wide_deep").read_text()


@pytest.mark.parametrize("mutate, expected", [
    (lambda t: t[: len(t) // 2], "not valid JSON"),
    (lambda t: "", "not valid JSON"),
    (lambda t: "[1, 2, 3]", "not an NN Studio project"),
    (lambda t: t.replace('"nnstudio-project"', '"something-else"'), "not an NN Studio project"),
    (lambda t: t.replace('"version": 1', '"version": 99'), "newer NN Studio"),
    (lambda t: t.replace('"version": 1', '"version": "one"'), "version number"),
    (lambda t: t.replace('"type": "Dense"', '"type": "Evil"', 1), "unknown layer type"),
    (lambda t: t.replace('"units": 30', '"units": -5', 1), "at least 1"),
    (lambda t: t.replace('"units": 30', '"units": 1e999', 1), "whole number"),
    (lambda t: t.replace('"learning_rate": 0.01', '"learning_rate": -1'), "learning rate"),
    (lambda t: t.replace('"name": "hidden1"', '"name": "hidden2"'), "called"),
    (lambda t: t.replace('"name": "hidden1"', '"name": "__import__(\'os\')"'), "invalid name"),
    (lambda t: t.replace('"target_port": "in2"', '"target_port": "in9"'), "port it does not have"),
    (lambda t: t.replace('"runs": []', '"runs": 5'), "run history"),
    (lambda t: "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    (lambda t: '{"format": "nnstudio-project", "version": 1, "graph": ' + "[" * 5000 + "]" * 5000 + "}",
     ""),
    (lambda t: "1" * 10_000, "not valid JSON"),
])
def test_broken_files_give_one_clear_error(tmp_path, mutate, expected):
    path = tmp_path / "broken.nnstudio"
    path.write_text(mutate(valid_text()))
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert expected in str(info.value)
    assert "broken.nnstudio" in str(info.value)


def test_binary_garbage_and_missing_files(tmp_path):
    path = tmp_path / "noise.nnstudio"
    path.write_bytes(os.urandom(2000))
    with pytest.raises(ProjectError):
        load_project(path)
    with pytest.raises(ProjectError, match="does not exist"):
        load_project(tmp_path / "missing.nnstudio")
    with pytest.raises(ProjectError, match="folder"):
        load_project(tmp_path)


def test_a_crash_mid_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "keep.nnstudio"
    save_project(build_example("xor"), path)
    before = path.read_bytes()

    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(ProjectError, match="No space left"):
        save_project(build_example("iris"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.nnstudio"]  # no temporary file left behind


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values)
def test_fuzz_random_json_loads_or_raises_project_error(value):
    text = json.dumps(value)
    try:
        loads_project(text)
    except ProjectError:
        pass  # the one documented error


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_mutated_real_files(data):
    raw = json.loads(valid_text())
    # Replace one value somewhere in the real file with something random.
    paths = []

    def walk(node, trail):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(trail + [k])
                walk(v, trail + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                paths.append(trail + [i])
                walk(v, trail + [i])
    walk(raw, [])
    trail = data.draw(st.sampled_from(paths))
    target = raw
    for key in trail[:-1]:
        target = target[key]
    target[trail[-1]] = data.draw(json_values)
    try:
        project = loads_project(json.dumps(raw))
    except ProjectError:
        return
    from nnstudio.core.analysis import analyze
    analyze(project.graph)  # whatever loads can be analysed without raising


@settings(max_examples=300, deadline=None)
@given(cut=st.integers(min_value=0, max_value=20_000), junk=st.binary(max_size=50))
def test_fuzz_truncated_and_spliced_files(cut, junk):
    text = valid_text().encode()
    try:
        loads_project(text[:cut] + junk)
    except ProjectError:
        pass


# ------------------------------------------------------------------ hostile values and load-then-save

def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


hostile_values = st.one_of(
    st.integers(min_value=-10**30, max_value=10**30), st.just(10**400), st.just(-(10**309)),
    st.floats(),  # NaN, infinities and 1e308 included
    st.text(alphabet=st.sampled_from("a/.\x00\ud800é"), max_size=12),
    st.integers(min_value=1, max_value=3000).map(lambda depth: nested(depth)),
    json_values)


def saves_and_reloads_equal(project, base=None) -> None:
    """The promise: whatever loads saves, and the saved file loads back to the same project."""
    text = dumps_project(project, base)
    assert dumps_project(loads_project(text, base), base) == text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_hostile_values_anywhere_load_and_save_or_raise(tmp_path_factory, data):
    raw = json.loads(valid_text())
    paths = []

    def walk(node, trail):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            paths.append(trail + [key])
            walk(value, trail + [key])
    walk(raw, [])
    trail = data.draw(st.sampled_from(paths + [["runs"], ["data", "source", "path"]]))
    target = raw
    for key in trail[:-1]:
        target = target.setdefault(key, {}) if isinstance(target, dict) else target[key]
    try:
        target[trail[-1]] = data.draw(hostile_values)
        text = json.dumps(raw)  # NaN and Infinity literals included, as a hand-edited file may hold them
    except (RecursionError, TypeError, IndexError):
        return  # this combination cannot even be written as test input
    base = tmp_path_factory.mktemp("p")
    try:
        project = loads_project(text, base)
    except ProjectError as exc:
        assert str(exc) and str(exc).isprintable()
        return
    saves_and_reloads_equal(project, base)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_saves_and_reloads_equal(name, tmp_path):
    saves_and_reloads_equal(load_project(example_path(name)), example_path(name).parent)
