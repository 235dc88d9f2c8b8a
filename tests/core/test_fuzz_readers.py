"""Fuzzing the readers: project files, recovery files and bundles either load or raise ProjectError, nothing else.

(CSV files are fuzzed in test_data_csv_fuzz.py; random project JSON also in test_project.py.)"""

import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnstudio.core.bundle import BundleError, bundle_bytes, unpack_bundle
from nnstudio.core.autosave import find_recoveries, load_recovery
from nnstudio.core.examples import example_path
from nnstudio.core.project import ProjectError, dumps_project, loads_project

REAL = {name: example_path(name).read_bytes() for name in ("wide_deep", "digits", "xor")}
FAKE_WEIGHTS = b"\x08\x00\x00\x00\x00\x00\x00\x00{}      "  # the bytes are not checked by the core reader
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def loads_or_project_error(data: bytes) -> None:
    """The promise: a ProjectError in one printable sentence, or a project that saves and reloads equal."""
    try:
        project = loads_project(data)
    except ProjectError as exc:
        assert str(exc) and str(exc).isprintable()
        return
    text = dumps_project(project)
    assert dumps_project(loads_project(text)) == text


def mutate(data: bytes, position: int, replacement: bytes) -> bytes:
    position %= max(len(data), 1)
    return data[:position] + replacement + data[position + len(replacement):]


@FAST
@given(st.sampled_from(sorted(REAL)), st.integers(min_value=0), st.binary(min_size=1, max_size=8))
def test_mutated_real_projects(name, position, replacement):
    loads_or_project_error(mutate(REAL[name], position, replacement))


@FAST
@given(st.sampled_from(sorted(REAL)), st.integers(min_value=0))
def test_truncated_real_projects(name, length):
    data = REAL[name]
    loads_or_project_error(data[:length % len(data)])


_NUMBERS = st.one_of(st.integers(min_value=-10**40, max_value=10**40), st.floats(), st.just(10**400),
                     st.just(-0.0), st.booleans(), st.none())


@FAST
@given(st.sampled_from(["training", "data", "graph"]), st.text(max_size=12), _NUMBERS)
def test_huge_and_odd_numbers_in_real_projects(section, key, number):
    raw = json.loads(REAL["wide_deep"])
    target = raw[section] if section != "graph" else raw["graph"]["nodes"][2]["params"]
    target[key or "units"] = number
    loads_or_project_error(json.dumps(raw).encode())


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=200_000), st.sampled_from(["[", '{"a":']))
def test_deep_nesting(depth, opener):
    loads_or_project_error((opener * depth).encode())


def bundle_from(project: bytes, model: object = None, history: object = None) -> bytes:
    return bundle_bytes(project.decode("utf-8", "replace"), model if model is not None else {"inputs": []},
                        FAKE_WEIGHTS, history if history is not None else {"last_run": None})


def unpacks_or_bundle_error(data: bytes) -> None:
    try:
        unpack_bundle(data)
    except BundleError as exc:
        assert str(exc)


@FAST
@given(st.integers(min_value=0), st.binary(min_size=1, max_size=8))
def test_bundle_bytes_mutated_anywhere(position, replacement):
    unpacks_or_bundle_error(mutate(bundle_from(REAL["xor"]), position, replacement))


@pytest.mark.filterwarnings("ignore:Duplicate name")
@FAST
@given(st.lists(st.sampled_from(["manifest.json", "project.json", "model.json", "weights.safetensors",
                                 "history.json", "notes.txt", "manifest.json"]), max_size=8),
       st.binary(max_size=40))
def test_bundles_with_missing_extra_or_repeated_members(names, payload):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, payload)
    unpacks_or_bundle_error(buffer.getvalue())


@FAST
@given(st.recursive(st.none() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                 max_size=4), max_leaves=15))
def test_bundles_with_hostile_history(history):
    unpacks_or_bundle_error(bundle_from(REAL["xor"], history={"last_run": history}))


def test_huge_declared_sizes_are_refused_before_unpacking():
    data = bytearray(bundle_from(REAL["xor"]))
    # Patch every central-directory entry's "uncompressed size" to 4 GB - 1.
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        data[start + 24:start + 28] = (0xFFFFFFFE).to_bytes(4, "little")
        start += 4
    with pytest.raises(BundleError):
        unpack_bundle(bytes(data))


@FAST
@given(st.binary(max_size=300))
def test_recovery_files_with_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("rec") / "x.nnstudio-recovery"
    path.write_bytes(data)
    try:
        load_recovery(path)
    except ProjectError as exc:
        assert str(exc)


@pytest.mark.slow
@SLOW
@given(st.sampled_from(sorted(REAL)), st.integers(min_value=0), st.binary(min_size=1, max_size=16))
def test_mutated_real_projects_slow(name, position, replacement):
    loads_or_project_error(mutate(REAL[name], position, replacement))


@pytest.mark.slow
@SLOW
@given(st.integers(min_value=0), st.binary(min_size=1, max_size=16))
def test_bundle_bytes_mutated_anywhere_slow(position, replacement):
    unpacks_or_bundle_error(mutate(bundle_from(REAL["wide_deep"]), position, replacement))


# ------------------------------------------------------------------ hostile values: the outside campaign's kinds

_HOSTILE = st.one_of(st.just(10**400), st.just(-(10**330)), st.integers(min_value=2**62, max_value=2**70),
                     st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308]),
                     st.text(alphabet="ab/\x00\ud800", max_size=8),
                     st.integers(min_value=1, max_value=1500).map(lambda d: "[" * d + "]" * d),
                     st.none(), st.booleans())


def _as_json(value) -> str:
    """JSON text for a hostile value; deep nesting arrives as ready-made text (json.dumps cannot write it)."""
    return value if isinstance(value, str) and value.startswith("[") else json.dumps(value)


@FAST
@given(st.sampled_from(["saved_at", "original_path", "project", "version", "format"]), _HOSTILE)
def test_recovery_files_with_hostile_fields(tmp_path_factory, field, value):
    folder = tmp_path_factory.mktemp("rec")
    record = {"format": "nnstudio-recovery", "version": 1, "original_path": "/home/x/a.nnstudio",
              "saved_at": 1.0, "project": "@"}
    record[field] = "#"
    text = json.dumps(record).replace('"#"', _as_json(value)).replace('"@"', REAL["xor"].decode())
    path = folder / "x.nnstudio-recovery"
    path.write_text(text, errors="surrogatepass")
    for recovery in find_recoveries(folder):  # offering must never raise, and its time must be a date
        assert 0 <= recovery.saved_at < 1e11
    try:
        project = load_recovery(path)
    except ProjectError as exc:
        assert str(exc) and str(exc).isprintable()
        return
    assert project.path is None  # a recovery file never decides where Save writes
    text = dumps_project(project)
    assert dumps_project(loads_project(text)) == text


@FAST
@given(st.sampled_from(sorted(REAL)), st.data())
def test_hostile_values_spliced_into_real_projects(name, data):
    raw = REAL[name].decode()
    # Replace one number or string literal of the real file with a hostile value, as a hand edit would.
    import re
    literals = [m.span() for m in re.finditer(r'-?\d+(\.\d+)?([eE][-+]?\d+)?|"[^"\\]*"', raw)]
    start, end = data.draw(st.sampled_from(literals))
    loads_or_project_error((raw[:start] + _as_json(data.draw(_HOSTILE)) + raw[end:]).encode("utf-8",
                                                                                          "surrogatepass"))


@FAST
@given(st.sampled_from(["logs", "epochs", "samples_per_second", "best_epoch", "batch_losses"]), _HOSTILE)
def test_bundles_with_hostile_history_numbers(key, value):
    history = json.dumps({"last_run": {"epochs": [1], "logs": {"loss": [0.5]}, key: "#"}})
    data = bundle_bytes(REAL["xor"].decode(), {"inputs": []}, FAKE_WEIGHTS, {"last_run": None})
    # Rebuild with the raw hostile text as history.json (bundle_bytes would clean NaN away).
    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["history.json"] = history.replace('"#"', _as_json(value)).encode("utf-8", "surrogatepass")
    import hashlib
    manifest = json.loads(members["manifest.json"])
    manifest["members"]["history.json"] = {"size": len(members["history.json"]),
                                           "sha256": hashlib.sha256(members["history.json"]).hexdigest()}
    members["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, member in members.items():
            archive.writestr(name, member)
    try:
        contents = unpack_bundle(buffer.getvalue())
    except BundleError as exc:
        assert str(exc) and str(exc).isprintable()
        return
    json.dumps(contents.history, allow_nan=False)  # what loads can be written back
