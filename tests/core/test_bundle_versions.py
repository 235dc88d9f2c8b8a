"""Bundle versions: version 1 files still open, version 2 adds the training state (both parts or neither)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from nnstudio.core.bundle import MANIFEST, OPTIMIZER, RUN_STATE, BundleError, bundle_bytes, unpack_bundle
from nnstudio.core.examples import build_example
from nnstudio.core.project import dumps_project

MODEL = {"trained": True, "seed": 0, "inputs": [], "outputs": []}
HISTORY = {"last_run": None}
STATE = {"version": 1, "epochs_done": 3, "optimizer": None, "generators": []}


def members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(parts: dict, version: int) -> bytes:
    """The parts under a manifest of this version whose checksums match them."""
    manifest = {"format": "nnstudio-bundle", "version": version,
                "members": {name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                            for name, data in parts.items() if name != MANIFEST}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MANIFEST, json.dumps(manifest))
        for name, data in parts.items():
            if name != MANIFEST:
                archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def project_text() -> str:
    return dumps_project(build_example("xor"))


def test_a_bundle_without_a_training_state_stays_version_1(project_text):
    data = bundle_bytes(project_text, MODEL, b"weights", HISTORY)
    assert json.loads(members(data)[MANIFEST])["version"] == 1
    contents = unpack_bundle(data)
    assert contents.run_state is None and contents.optimizer is None


def test_a_bundle_with_a_training_state_is_version_2_and_reads_back(project_text):
    data = bundle_bytes(project_text, MODEL, b"weights", HISTORY, (STATE, b"tensors"))
    assert json.loads(members(data)[MANIFEST])["version"] == 2
    contents = unpack_bundle(data)
    assert contents.run_state == STATE and contents.optimizer == b"tensors"


def test_half_a_training_state_is_refused(project_text):
    parts = members(bundle_bytes(project_text, MODEL, b"weights", HISTORY, (STATE, b"tensors")))
    del parts[OPTIMIZER]
    with pytest.raises(BundleError, match="manifest must list exactly"):
        unpack_bundle(rezip(parts, 2))


def test_a_version_1_file_holding_a_training_state_is_refused(project_text):
    parts = members(bundle_bytes(project_text, MODEL, b"weights", HISTORY, (STATE, b"tensors")))
    with pytest.raises(BundleError, match="manifest must list exactly"):
        unpack_bundle(rezip(parts, 1))


def test_a_training_state_that_is_not_a_table_is_refused(project_text):
    parts = members(bundle_bytes(project_text, MODEL, b"weights", HISTORY, (STATE, b"tensors")))
    parts[RUN_STATE] = b"[1, 2]"
    with pytest.raises(BundleError, match="training state is not a table"):
        unpack_bundle(rezip(parts, 2))


def test_a_part_the_manifest_does_not_list_is_refused(project_text):
    buffer = io.BytesIO(rezip(members(bundle_bytes(project_text, MODEL, b"weights", HISTORY)), 2))
    with zipfile.ZipFile(buffer, "a") as archive:   # smuggled in after the manifest was written
        archive.writestr(RUN_STATE, json.dumps(STATE))
        archive.writestr(OPTIMIZER, b"tensors")
    with pytest.raises(BundleError, match="does not list the parts it holds"):
        unpack_bundle(buffer.getvalue())
