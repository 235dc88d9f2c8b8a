"""Model bundles (.nnzip): exact reopening in a fresh process, every damage caught as BundleError, weights alone."""

import io
import json
import pickle
import re
import zipfile

import numpy as np
import pytest
import torch
from export_helpers import predict, run_python, sample_inputs, seeded_model, trained
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnstudio.core import bundle as core_bundle
from nnstudio.core.bundle import BundleError, bundle_bytes
from nnstudio.core.project import ProjectError, dumps_project
from nnstudio.engine.bundle_io import describe_model, history_to_dict, load_bundle, save_bundle
from nnstudio.engine.weights import (WeightsError, load_any_weights, load_weights, save_weights, state_to_bytes)

FRESH_PROCESS = """
import numpy as np, torch, json
from nnstudio.engine.bundle_io import load_bundle
loaded = load_bundle("model.nnzip")
inputs = np.load("inputs.npz")
with torch.no_grad():
    outputs = loaded.model(*[torch.from_numpy(inputs[f"arr_{k}"]) for k in range(len(inputs.files))])
np.savez("outputs.npz", *[o.numpy() for o in outputs])
json.dump({"logs": loaded.history.logs, "trained": loaded.trained}, open("history.json", "w"))
"""


@pytest.fixture(scope="module")
def wide_deep_bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle")
    project, data, model, history = trained("wide_deep", epochs=3)
    save_bundle(folder / "model.nnzip", project, model, history)
    return folder, project, data, model, history


def test_reopened_in_a_fresh_process_it_predicts_bit_for_bit(wide_deep_bundle):
    folder, _, data, model, history = wide_deep_bundle
    inputs = sample_inputs(model, data)
    np.savez(folder / "inputs.npz", *inputs)
    done = run_python(FRESH_PROCESS, folder)
    assert done.returncode == 0, done.stderr
    got = np.load(folder / "outputs.npz")
    for k, expected in enumerate(predict(model, inputs)):
        assert np.array_equal(expected, got[f"arr_{k}"])  # bit for bit, not approximately
    reopened = json.loads((folder / "history.json").read_text())
    assert reopened["logs"] == history.logs and reopened["trained"] is True


def test_bundle_holds_the_documented_members(wide_deep_bundle):
    folder, project, *_ = wide_deep_bundle
    with zipfile.ZipFile(folder / "model.nnzip") as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        stored_project = archive.read("project.json").decode()
    assert names == ["manifest.json", "project.json", "model.json", "weights.safetensors", "history.json"]
    assert manifest["format"] == "nnstudio-bundle" and manifest["version"] == 1
    assert set(manifest["members"]) == {"project.json", "model.json", "weights.safetensors", "history.json"}
    assert stored_project == dumps_project(project, folder)


def test_saving_twice_gives_the_same_bytes(wide_deep_bundle, tmp_path):
    folder, project, _, model, history = wide_deep_bundle
    save_bundle(tmp_path / "again.nnzip", project, model, history)
    assert (tmp_path / "again.nnzip").read_bytes() == (folder / "model.nnzip").read_bytes()


def test_a_failed_save_leaves_the_previous_bundle(wide_deep_bundle, tmp_path, monkeypatch):
    folder, project, _, model, history = wide_deep_bundle
    target = tmp_path / "keep.nnzip"
    target.write_bytes((folder / "model.nnzip").read_bytes())
    before = target.read_bytes()

    def fail_half_way(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", fail_half_way)
    with pytest.raises(BundleError, match="No space left"):
        save_bundle(target, project, model, None)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.nnzip"]  # no temporary file left behind


def members_of(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def repack(members: dict, fix_manifest: bool = True) -> bytes:
    """Zip `members`; with fix_manifest the manifest's checksums are recomputed, so only the change counts."""
    if fix_manifest and {"project.json", "model.json", "weights.safetensors", "history.json"} <= set(members):
        return bundle_bytes(members["project.json"].decode(), json.loads(members["model.json"]),
                            members["weights.safetensors"], json.loads(members["history.json"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def repack_raw(members: dict) -> bytes:
    """Zip the members as they are (even invalid JSON) under a manifest whose checksums match them."""
    import hashlib
    manifest = {"format": "nnstudio-bundle", "version": 1,
                "members": {name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                            for name, data in members.items() if name != "manifest.json"}}
    return repack({"manifest.json": json.dumps(manifest).encode(), **members}, fix_manifest=False)


def open_bytes(tmp_path, data: bytes):
    path = tmp_path / "x.nnzip"
    path.write_bytes(data)
    return load_bundle(path)


@pytest.mark.parametrize("damage, message", [
    (lambda m: m.pop("weights.safetensors"), "no 'weights.safetensors'"),
    (lambda m: m.update({"evil.py": b"import os"}), "unexpected part 'evil.py'"),
    (lambda m: m.update({"history.json": b'{"last_run": 3}'}), "checksum"),
    (lambda m: m.update({"manifest.json": b'{"format": "nnstudio-bundle", "version": 99}'}), "newer NN Studio"),
])
def test_damaged_members_raise_bundle_error(wide_deep_bundle, tmp_path, damage, message):
    members = members_of(wide_deep_bundle[0] / "model.nnzip")
    damage(members)
    with pytest.raises(BundleError, match=message):
        open_bytes(tmp_path, repack(members, fix_manifest=False))


def test_wrong_shapes_and_nan_weights_are_refused(wide_deep_bundle, tmp_path):
    folder, project, data, model, history = wide_deep_bundle
    members = members_of(folder / "model.nnzip")
    state = {k: v.clone() for k, v in model.state_dict().items()}
    state["layers.hidden2.weight"] = torch.zeros(30, 29)
    from safetensors.torch import save as save_bytes
    members["weights.safetensors"] = save_bytes(state)
    with pytest.raises(BundleError, match="layer 'hidden2' does not match"):
        open_bytes(tmp_path, repack(members))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    state["layers.hidden1.bias"][3] = float("nan")
    members["weights.safetensors"] = save_bytes(state)
    with pytest.raises(BundleError, match="NaN"):
        open_bytes(tmp_path, repack(members))


def test_not_a_zip_and_a_zip_bomb_are_refused(tmp_path):
    with pytest.raises(BundleError, match="not a readable zip"):
        open_bytes(tmp_path, b"PK\x03\x04 certainly not a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.json", b"0" * (core_bundle.MAX_JSON_BYTES + 10))
    with pytest.raises(BundleError):
        open_bytes(tmp_path, buffer.getvalue())
    assert issubclass(BundleError, ProjectError)  # one error type for every file the app opens


def test_weights_alone_name_the_first_layer_that_does_not_fit(tmp_path):
    _, _, iris = seeded_model("iris")
    _, _, wide = seeded_model("wide_deep")
    save_weights(iris, tmp_path / "iris.safetensors")
    load_weights(iris, tmp_path / "iris.safetensors")
    with pytest.raises(WeightsError, match="no values for layer 'hidden1'"):
        load_weights(wide, tmp_path / "iris.safetensors")
    with pytest.raises(WeightsError, match="layer 'hidden1' does not match"):
        load_any_weights(wide, _wrong_shape_file(tmp_path, wide))


def _wrong_shape_file(tmp_path, model):
    from safetensors.torch import save_file
    state = {k: v.clone() for k, v in model.state_dict().items()}
    state["layers.hidden1.weight"] = torch.zeros(31, 6)
    save_file(state, tmp_path / "wrong.safetensors")
    return tmp_path / "wrong.safetensors"


class _Exploit:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_pt_files_are_read_without_running_code(tmp_path, capsys):
    _, data, model = seeded_model("iris")
    torch.save(model.state_dict(), tmp_path / "plain.pt")
    fresh = seeded_model("iris")[2]
    load_any_weights(fresh, tmp_path / "plain.pt")
    torch.save({k.removeprefix("layers."): v for k, v in model.state_dict().items()}, tmp_path / "short.pt")
    load_any_weights(fresh, tmp_path / "short.pt")  # keys as model.py names them load too
    with open(tmp_path / "evil.pt", "wb") as handle:
        pickle.dump({"weight": _Exploit()}, handle)
    with pytest.raises(WeightsError, match="not a readable weights file"):
        load_any_weights(fresh, tmp_path / "evil.pt")
    assert "must never run" not in capsys.readouterr().out
    torch.save([1, 2, 3], tmp_path / "list.pt")
    with pytest.raises(WeightsError, match="does not hold a state dict"):
        load_any_weights(fresh, tmp_path / "list.pt")


# ------------------------------------------------------------------ fuzzing the bundle reader

@pytest.fixture(scope="module")
def good_bundle_members():
    project, _, model = seeded_model("iris")
    return {"project.json": dumps_project(project).encode(),
            "model.json": json.dumps(describe_model(model, False, 0)).encode(),
            "weights.safetensors": state_to_bytes(model), "history.json": json.dumps(history_to_dict(None)).encode()}


def check_loads_or_bundle_error(tmp_path, data: bytes) -> None:
    """The promise: a BundleError in plain words, or a bundle that saves and reopens equal."""
    try:
        loaded = open_bytes(tmp_path, data)
    except BundleError as exc:
        assert str(exc) and str(exc).isprintable()
        return
    save_bundle(tmp_path / "again.nnzip", loaded.project, loaded.model, loaded.history, trained=loaded.trained)
    again = load_bundle(tmp_path / "again.nnzip")
    assert dumps_project(again.project, tmp_path) == dumps_project(loaded.project, tmp_path)
    assert state_to_bytes(again.model) == state_to_bytes(loaded.model)


def declare_giant(members: dict, size: int, units: int) -> None:
    """Make the project and its description declare Input `size` -> Dense `units`, keeping the small weights."""
    project = json.loads(members["project.json"])
    nodes = project["graph"]["nodes"]
    first = next(n for n in nodes if n["type"] == "Input")
    first["params"]["shape"] = [size]
    first["params"]["columns"] = []
    next(n for n in nodes if n["type"] == "Dense")["params"]["units"] = units
    members["project.json"] = json.dumps(project).encode()
    description = json.loads(members["model.json"])
    description["inputs"][0]["shape"] = [size]
    members["model.json"] = json.dumps(description).encode()


_NAMES = st.sampled_from(["manifest.json", "project.json", "model.json", "weights.safetensors", "history.json",
                          "extra.bin", "../escape.json"])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_mutated_bundles_load_or_raise_bundle_error(tmp_path, good_bundle_members, data):
    members = dict(good_bundle_members)
    action = data.draw(st.sampled_from(["drop", "add", "flip", "truncate", "json", "model", "raw", "giant",
                                        "hostile"]))
    if action == "drop":
        members.pop(data.draw(st.sampled_from(sorted(members))))
    elif action == "add":
        members[data.draw(_NAMES)] = data.draw(st.binary(max_size=64))
    elif action == "json":
        members[data.draw(st.sampled_from(["project.json", "history.json"]))] = json.dumps(
            data.draw(st.recursive(st.none() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                                   lambda inner: st.lists(inner, max_size=4)
                                   | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20))
        ).encode()
    elif action == "model":
        description = json.loads(members["model.json"])
        description["inputs"][0]["shape"] = data.draw(st.lists(st.integers(-3, 10**12), max_size=10))
        description["outputs"][0]["units"] = data.draw(st.integers(-3, 10**12) | st.just(True))
        members["model.json"] = json.dumps(description).encode()
    elif action == "giant":  # a declared-size bomb: kilobytes that describe billions of weights
        declare_giant(members, data.draw(st.integers(1, 50_000_000)), data.draw(st.integers(1, 100_000)))
    elif action == "hostile":  # a hand edit: a huge number, NaN, a NUL or deep nesting in place of a value
        text = members[data.draw(st.sampled_from(["project.json", "model.json"]))].decode()
        spans = [m.span() for m in re.finditer(r'-?\d+(\.\d+)?([eE][-+]?\d+)?|"[^"\\]*"', text)]
        start, end = data.draw(st.sampled_from(spans))
        junk = data.draw(st.sampled_from(["1" + "0" * 400, "NaN", "-Infinity", "1e999", '"a\\u0000b"',
                                          "[" * 3000 + "]" * 3000, "9" * 20, '"\\ud800"']))
        members["project.json" if '"graph"' in text else "model.json"] = (text[:start] + junk + text[end:]).encode()
    zipped = (repack_raw(members) if action == "hostile" else repack(members, fix_manifest=action != "add"))
    if action == "flip":
        position = data.draw(st.integers(0, len(zipped) - 1))
        zipped = zipped[:position] + bytes([zipped[position] ^ data.draw(st.integers(1, 255))]) + zipped[position + 1:]
    elif action == "truncate":
        zipped = zipped[:data.draw(st.integers(0, len(zipped) - 1))]
    elif action == "raw":
        zipped = data.draw(st.binary(max_size=200))
    check_loads_or_bundle_error(tmp_path, zipped)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0))
def test_fuzz_bytes_flipped_anywhere_slow(tmp_path, good_bundle_members, noise, where):
    zipped = repack(dict(good_bundle_members))
    position = where % len(zipped)
    check_loads_or_bundle_error(tmp_path, zipped[:position] + noise + zipped[position + len(noise):])


def test_a_declared_giant_is_refused_before_it_is_built(tmp_path, good_bundle_members, monkeypatch):
    members = dict(good_bundle_members)
    declare_giant(members, 50_000, 100_000)
    import nnstudio.engine.bundle_io as bundle_io
    monkeypatch.setattr(bundle_io, "compile_graph", lambda *a, **k: pytest.fail("built before checking"))
    with pytest.raises(BundleError, match="weights") as info:
        open_bytes(tmp_path, repack(members))
    assert "allocat" not in str(info.value)


def test_a_real_bundle_saves_and_reopens_equal(wide_deep_bundle, tmp_path):
    check_loads_or_bundle_error(tmp_path, (wide_deep_bundle[0] / "model.nnzip").read_bytes())
