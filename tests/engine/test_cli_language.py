"""The CLI's --lang option: before or after the command, checked, and English --json keys in any language."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnstudio import cli
from nnstudio.cli_files import CliError
from nnstudio.core.examples import example_path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, lang="C"):
    env = {k: v for k, v in os.environ.items()
           if k not in ("NNSTUDIO_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env["LANG"] = lang
    return subprocess.run([sys.executable, "-m", "nnstudio.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env=env)


@pytest.mark.parametrize("argv, expected", [
    (["--lang", "ko", "summary", "x.nnstudio"], ("ko", ["summary", "x.nnstudio"])),
    (["summary", "x.nnstudio", "--lang", "en", "--json"], ("en", ["summary", "x.nnstudio", "--json"])),
    (["train", "--lang=KO", "x.nnstudio"], ("ko", ["train", "x.nnstudio"])),
    (["summary", "x.nnstudio"], (None, ["summary", "x.nnstudio"])),
    (["--lang", "ko"], ("ko", [])),
])
def test_split_language(argv, expected):
    assert cli.split_language(argv) == expected


@pytest.mark.parametrize("argv", [["--lang", "xx", "summary", "a"], ["summary", "a", "--lang"]])
def test_unknown_or_missing_language_is_refused(argv):
    with pytest.raises(CliError, match="--lang"):
        cli.split_language(argv)


def test_unknown_language_one_line_exit_2():
    done = run_cli("--lang", "xx", "summary", str(example_path("xor")))
    assert done.returncode == 2
    err = done.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("nnstudio: --lang") and "'xx'" in err


def test_lang_en_wins_over_a_korean_system():
    for args in (("--lang", "en", "summary", str(example_path("xor"))),
                 ("summary", str(example_path("xor")), "--lang", "en")):
        done = run_cli(*args, lang="ko_KR.UTF-8")
        assert done.returncode == 0, done.stderr
        assert "Layer (type)" in done.stdout and "Total params" in done.stdout


def test_json_keys_stay_english_with_a_korean_system():
    done = run_cli("summary", str(example_path("xor")), "--json", lang="ko_KR.UTF-8")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(summary) == {"layers", "total_params", "trainable_params", "errors", "warnings"}
    assert set(summary["layers"][0]) == {"name", "type", "output_shape", "params"}
