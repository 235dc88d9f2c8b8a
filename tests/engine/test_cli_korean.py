"""The CLI speaks Korean under a Korean locale or --lang ko (issue 13): one-line errors, the summary table's column
headings; --json keys stay English. The expected Korean is read from the real catalogue, resources/translations/ko.po.

Needs the engine's translations merged into ko.po (and core's for the summary headings and the JSON error)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnstudio.core import i18n
from nnstudio.core.examples import example_path

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def korean():
    """msgid -> Korean, as the app reads the catalogue (untranslated and fuzzy entries left out)."""
    singular, _, _ = i18n.read_catalogue(i18n.catalogue_path("ko"))
    return singular


def run_cli(*args, lang="ko_KR.UTF-8"):
    env = {k: v for k, v in os.environ.items()
           if k not in ("NNSTUDIO_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env["LANG"] = lang
    return subprocess.run([sys.executable, "-m", "nnstudio.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env=env)


def cut_project(folder: Path) -> Path:
    project = json.loads(example_path("xor").read_text())
    project["graph"]["edges"] = project["graph"]["edges"][1:]  # cut the first wire
    project["data"]["source"] = {"kind": "builtin", "name": "xor"}
    path = folder / "broken.nnstudio"
    path.write_text(json.dumps(project))
    return path


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nnstudio: ")
    return lines[0]


def test_train_broken_network_error_in_korean(tmp_path, korean):
    heading = korean["The network has problems to fix first:\n{problems}"].replace("{problems}", "").strip()
    assert HANGUL.search(heading)
    done = run_cli("train", str(cut_project(tmp_path)))
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert heading in line and "'hidden'" in line


def test_train_unreadable_project_error_in_korean(tmp_path):
    broken = tmp_path / "broken.nnstudio"
    broken.write_text("{not json")
    done = run_cli("train", str(broken))
    assert done.returncode == 2
    assert HANGUL.search(one_line(done.stderr))


def test_bad_epochs_in_korean(korean):
    done = run_cli("train", str(example_path("xor")), "--epochs", "0")
    assert done.returncode == 2
    assert one_line(done.stderr) == "nnstudio: " + korean["--epochs must be at least 1"]


@pytest.mark.parametrize("args, lang", [
    (("summary", "{xor}"), "ko_KR.UTF-8"),
    (("--lang", "ko", "summary", "{xor}"), "C"),
    (("summary", "{xor}", "--lang", "ko"), "C"),
])
def test_summary_headings_in_korean(args, lang, korean):
    done = run_cli(*[a.format(xor=example_path("xor")) for a in args], lang=lang)
    assert done.returncode == 0, done.stderr
    for heading in ("Layer (type)", "Output Shape", "Param #"):
        assert HANGUL.search(korean[heading]) and korean[heading] in done.stdout
    assert "Layer (type)" not in done.stdout


def test_summary_json_keys_stay_english():
    done = run_cli("summary", str(example_path("xor")), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(summary) == {"layers", "total_params", "trainable_params", "errors", "warnings"}
    assert set(summary["layers"][0]) == {"name", "type", "output_shape", "params"}


def test_train_progress_and_result_in_korean(korean):
    done = run_cli("train", str(example_path("xor")), "--epochs", "2", "--seed", "1")
    assert done.returncode == 0, done.stderr
    assert korean["epoch {epoch}/{epochs}"].format(epoch=2, epochs=2) in done.stderr
    assert korean["Training finished: {epochs} epoch(s)."].format(epochs=2) in done.stdout


def test_diagnosis_in_korean_keeps_one_direction_per_setting(korean):
    from nnstudio.engine.diagnostics import SMALLER_NETWORK, check_overfitting
    from nnstudio.engine.training import History

    history = History()
    history.epochs = list(range(1, 11))
    history.logs = {"loss": [1.0 - 0.09 * k for k in range(10)],
                    "val_loss": [1.0, 0.8, 0.6, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]}
    i18n.set_language("ko")
    try:
        found = check_overfitting(history)
    finally:
        i18n.set_language("en")
    assert found is not None and HANGUL.search(found.title) and HANGUL.search(found.message)
    assert korean[SMALLER_NETWORK] in found.advice and korean[SMALLER_NETWORK] in found.knobs
