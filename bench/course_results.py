"""The course's example projects trained from the CLI on the real Fashion-MNIST and MNIST files: test accuracy vs
the notes'."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from nnstudio.core.data import downloads
from nnstudio.core.examples import build_example, example_path

ROOT = Path(__file__).resolve().parents[1]

# (example, what the notes report, the test accuracy the issue asks for or None where the notes give only a
# validation figure to compare with). Nothing here downloads: CI has no internet, so the files are placed in the
# cache folder by hand (or with `nnstudio data download KEY` on a machine that has it).
COURSE = (
    ("fashion_1_sigmoid", "about 0.87 validation accuracy (7-2)", None),
    ("fashion_2_relu_adam", "about 0.87 validation accuracy (7-2)", None),
    ("fashion_3_dropout", "about 0.88 validation accuracy (7-3)", 0.87),
    ("mnist_first_network", "about 0.978 test accuracy (ch. 2)", 0.975),
)


def accuracy(scores: dict) -> float:
    """The test accuracy of a run's (only) Output: its scores are kept per Output name."""
    for output_scores in scores.values():
        if isinstance(output_scores, dict) and "accuracy" in output_scores:
            return float(output_scores["accuracy"])
    return float("nan")


def train_from_cli(name: str) -> dict:
    """`nnstudio train <example> --json`, as a learner would run it; the report it prints last."""
    done = subprocess.run([sys.executable, "-m", "nnstudio.cli", "train", str(example_path(name)), "--json"],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{name}: nnstudio train failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="example names to train (default: all four)")
    args = parser.parse_args(argv)
    chosen = [row for row in COURSE if not args.only or row[0] in args.only]
    print(f"Cache folder: {downloads.data_dir()} (set NNSTUDIO_DATA_DIR to use another)")
    missing = False
    below = []
    for name, reported, goal in chosen:
        project = build_example(name)
        key = project.data.source["name"]
        if not downloads.is_downloaded(key):
            files = ", ".join(file.name for file in downloads.DATASETS[key].files)
            print(f"{name}: skipped, {key} is not in {downloads.dataset_folder(key)} (put {files} there, "
                  f"or run `nnstudio data download {key}`)")
            missing = True
            continue
        started = time.perf_counter()
        report = train_from_cli(name)
        validation = report["history"].get("val_accuracy")
        seen = f"validation accuracy {validation[-1]:.4f}" if validation else "no validation set"
        test = accuracy(report["test"])
        verdict = "" if goal is None else (" ok" if test >= goal else f" BELOW the goal {goal}")
        print(f"{name}: test accuracy {test:.4f}{verdict}; {seen} after {report['epochs_run']} epochs "
              f"({time.perf_counter() - started:.0f} s); notes: {reported}")
        if goal is not None and not test >= goal:
            below.append(name)
    if missing and len(below) == 0:
        print("Some datasets are not in the cache folder: nothing is wrong, those projects were not trained.")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
