"""The trained-model bundle (.nnzip): the project JSON, weights, run history and training state, checked on load."""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from .files import atomic_write_bytes, read_user_file
from .i18n import N_, tr
from .json_checks import json_problem, short_value
from .project import Project, ProjectError, loads_project

FORMAT = "nnstudio-bundle"
VERSION = 2   # 2 added the training state (RUN_STATE, OPTIMIZER); version 1 files still open
EXTENSION = ".nnzip"

MANIFEST = "manifest.json"
PROJECT = "project.json"
MODEL = "model.json"
WEIGHTS = "weights.safetensors"
HISTORY = "history.json"
MEMBERS = (PROJECT, MODEL, WEIGHTS, HISTORY)  # besides the manifest, which lists these with their hashes
# Version 2: the run's position and the optimizer's memory, both or neither (a model saved without a run).
RUN_STATE = "training_state.json"
OPTIMIZER = "optimizer.safetensors"
RESUME_MEMBERS = (RUN_STATE, OPTIMIZER)

# Limits that keep a hostile file from filling the memory ("zip bomb") or the disk.
MAX_BUNDLE_BYTES = 1024 * 1024 * 1024        # the zip file itself
MAX_JSON_BYTES = 50 * 1024 * 1024            # each JSON member once unpacked
MAX_WEIGHTS_BYTES = 1024 * 1024 * 1024       # weights.safetensors once unpacked
MAX_OPTIMIZER_BYTES = 2 * MAX_WEIGHTS_BYTES     # optimizer.safetensors: Adam keeps two numbers per weight
MAX_TOTAL_BYTES = MAX_WEIGHTS_BYTES + MAX_OPTIMIZER_BYTES + 5 * MAX_JSON_BYTES
MAX_ENTRIES = 16                              # zip entries looked at before giving up
_READ_CHUNK = 1024 * 1024
# A fixed timestamp inside the zip: saving the same model twice gives the same bytes.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


class BundleError(ProjectError):
    """A bundle is unreadable or does not hold what it should; a kind of ProjectError, so callers catch one."""


@dataclass
class BundleContents:
    """What a bundle holds, checked: the project, the model description, raw weights bytes and history."""

    project: Project
    model: dict
    weights: bytes
    history: dict
    manifest: dict = field(default_factory=dict)
    run_state: Optional[dict] = None      # training_state.json, when the bundle can go on training
    optimizer: Optional[bytes] = None     # optimizer.safetensors, with it


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, allow_nan=False, sort_keys=False) + "\n").encode("utf-8")


def finite_or_none(value: Any) -> Any:
    """JSON has no NaN or infinity: store such numbers as null (a diverged run's last loss, for example)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [finite_or_none(v) for v in value]
    if isinstance(value, dict):
        return {str(k): finite_or_none(v) for k, v in value.items()}
    return value


def bundle_bytes(project_text: str, model: dict, weights: bytes, history: dict,
                 run_state: Optional[tuple[dict, bytes]] = None) -> bytes:
    """Pack the members into zip bytes, with a manifest holding each member's size and SHA-256.

    `run_state` is (training state table, optimizer tensors as safetensors bytes) to let the run go on later."""
    contents = {
        PROJECT: project_text.encode("utf-8"),
        MODEL: _json_bytes(model),
        WEIGHTS: bytes(weights),
        HISTORY: _json_bytes(finite_or_none(history)),
    }
    if run_state is not None:
        contents[RUN_STATE] = _json_bytes(run_state[0])
        contents[OPTIMIZER] = bytes(run_state[1])
    manifest = {
        "format": FORMAT,
        # Without a training state the file is a version 1 bundle, which older NN Studios still open.
        "version": VERSION if run_state is not None else 1,
        "members": {name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                    for name, data in contents.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [(MANIFEST, _json_bytes(manifest))] + list(contents.items()):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            # Weights barely compress and are large: store them; the JSON members shrink well.
            info.compress_type = zipfile.ZIP_STORED if name in (WEIGHTS, OPTIMIZER) else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def write_bundle(path: Union[str, Path], project_text: str, model: dict, weights: bytes, history: dict,
                 run_state: Optional[tuple[dict, bytes]] = None) -> None:
    """Save atomically: a crash mid-save leaves the previous bundle as it was."""
    data = bundle_bytes(project_text, model, weights, history, run_state)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise BundleError(tr("could not save to '{path}': {reason}", path=path, reason=exc.strerror or exc)) from None


# ------------------------------------------------------------------ reading

def _fail(message: str) -> None:
    raise BundleError(message)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Unpack one member, never more than `limit` bytes, whatever its header claims."""
    if info.file_size > limit:
        _fail(tr("its part '{part}' is too large ({size:,} bytes unpacked)", part=info.filename,
                 size=info.file_size))
    chunks, total = [], 0
    with archive.open(info) as handle:
        while True:
            chunk = handle.read(_READ_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                _fail(tr("its part '{part}' unpacks to more than it declares", part=info.filename))
            chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise BundleError(tr("its part '{part}' is nested too deeply", part=name)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(tr("its part '{part}' is not valid JSON ({reason})", part=name,
                          reason=str(exc)[:80])) from None


def _check_manifest(manifest: Any) -> dict:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        _fail(tr("it is not an NN Studio model bundle (its manifest is missing or different)"))
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        _fail(tr("its version number is missing or invalid"))
    if version > VERSION:
        _fail(tr("it was saved by a newer NN Studio (bundle version {version}; this version reads up to "
                 "{supported}). Please update NN Studio to open it.", version=short_value(version), supported=VERSION))
    members = manifest.get("members")
    allowed = [set(MEMBERS)] + ([set(MEMBERS) | set(RESUME_MEMBERS)] if version >= 2 else [])
    if not isinstance(members, dict) or set(members) not in allowed:
        _fail(tr("its manifest must list exactly {parts}", parts=", ".join(MEMBERS)))
    for name in members:
        entry = members[name]
        if (not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str)
                or isinstance(entry.get("size"), bool) or not isinstance(entry.get("size"), int)):
            _fail(tr("its manifest entry for '{part}' is damaged", part=name))
    return manifest


def check_history(history: Any) -> dict:
    """A history must be a table whose curves are lists of numbers (or null for a NaN that was stored)."""
    if not isinstance(history, dict):
        _fail(tr("its run history is not a table"))
    problem = json_problem(history)
    if problem:
        _fail(tr("its run history {problem}", problem=problem))
    last = history.get("last_run")
    if last is None:
        return history
    if not isinstance(last, dict):
        _fail(tr("its last run is not a table"))
    epochs, logs = last.get("epochs", []), last.get("logs", {})
    if not isinstance(epochs, list) or not all(isinstance(e, int) and not isinstance(e, bool) for e in epochs):
        _fail(tr("its last run's epoch numbers are damaged"))
    if not isinstance(logs, dict):
        _fail(tr("its last run's curves are damaged"))
    for key, values in logs.items():
        if not isinstance(values, list) or len(values) != len(epochs) or not all(
                v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values):
            _fail(tr("its curve {curve} is damaged", curve=short_value(key)))
    return history


def unpack_bundle(data: bytes, base_dir: Optional[Path] = None) -> BundleContents:
    """Check and unpack bundle bytes; anything wrong raises BundleError with a plain message."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, IndexError) as exc:
        raise BundleError(tr("it is not a readable zip file ({reason})", reason=str(exc)[:80])) from None
    except NotImplementedError as exc:
        raise BundleError(tr("it uses a zip feature NN Studio does not read ({reason})",
                          reason=str(exc)[:80])) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            _fail(tr("it holds {count} parts; a bundle holds {expected}", count=len(infos), expected=len(MEMBERS) + 1))
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            _fail(tr("it holds two parts with the same name"))
        # A version 2 file may also hold the training state: both parts or neither (the manifest says which).
        expected = {MANIFEST, *MEMBERS} | ({*RESUME_MEMBERS} & set(names))
        missing = sorted(expected - set(names))
        if missing:
            _fail(tr("it has no '{part}'", part=missing[0]))
        extra = sorted(set(names) - expected)
        if extra:
            _fail(tr("it holds an unexpected part {part}", part=short_value(extra[0], 60)))
        if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
            _fail(tr("its parts are too large once unpacked"))
        by_name = {info.filename: info for info in infos}
        for info in infos:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
                _fail(tr("its part '{part}' is encrypted or packed in a way NN Studio does not read",
                         part=info.filename))
        try:
            limits = {WEIGHTS: MAX_WEIGHTS_BYTES, OPTIMIZER: MAX_OPTIMIZER_BYTES}
            raw = {name: _read_member(archive, by_name[name], limits.get(name, MAX_JSON_BYTES)) for name in expected}
        except BundleError:
            raise
        except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError, RuntimeError,
                NotImplementedError) as exc:
            raise BundleError(tr("it is damaged ({reason})", reason=str(exc)[:80])) from None
    manifest = _check_manifest(_parse_json(raw[MANIFEST], MANIFEST))
    if set(manifest["members"]) != expected - {MANIFEST}:
        _fail(tr("its manifest does not list the parts it holds"))
    for name in manifest["members"]:
        entry = manifest["members"][name]
        if entry["size"] != len(raw[name]) or entry["sha256"] != hashlib.sha256(raw[name]).hexdigest():
            _fail(tr("its part '{part}' does not match its checksum: the file was changed or damaged", part=name))
    try:
        project = loads_project(raw[PROJECT], base_dir)
    except BundleError:
        raise
    except ProjectError as exc:
        raise BundleError(tr("its project is damaged: {reason}", reason=exc)) from None
    model = _parse_json(raw[MODEL], MODEL)
    if not isinstance(model, dict):
        _fail(tr("its model description is not a table"))
    problem = json_problem(model)
    if problem:
        _fail(tr("its model description {problem}", problem=problem))
    history = check_history(_parse_json(raw[HISTORY], HISTORY))
    run_state = None
    if RUN_STATE in raw:
        run_state = _parse_json(raw[RUN_STATE], RUN_STATE)
        if not isinstance(run_state, dict):
            _fail(tr("its training state is not a table"))
        problem = json_problem(run_state)
        if problem:
            _fail(tr("its training state {problem}", problem=problem))
    return BundleContents(project, model, raw[WEIGHTS], history, manifest, run_state, raw.get(OPTIMIZER))


def read_bundle(path: Union[str, Path]) -> BundleContents:
    """Open a bundle file; data paths in its project are read relative to the bundle's folder."""
    path = Path(path)
    data = read_user_file(path, MAX_BUNDLE_BYTES, BundleError, N_("a model bundle"))
    try:
        contents = unpack_bundle(data, path.parent.resolve())
    except BundleError as exc:
        raise BundleError(tr("'{file}' could not be opened: {reason}", file=path.name, reason=exc)) from None
    contents.project.path = None  # the project came from inside a bundle: saving it asks where
    return contents


def is_bundle(path: Union[str, Path]) -> bool:
    """Whether a path names a bundle (by its extension, or by the zip signature at its start)."""
    path = Path(path)
    if path.suffix.lower() == EXTENSION:
        return True
    try:
        if not path.is_file():  # a pipe would block the read below until someone writes to it
            return False
        with open(path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except (OSError, ValueError):  # ValueError: a path with a NUL character
        return False
