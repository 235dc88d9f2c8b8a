"""Shared pieces of the export and bundle tests: example projects with their data and models."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from nnstudio.core.examples import build_example
from nnstudio.engine.pipeline import ProjectData, build_model, effective_settings, load_project_data, train_project

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=None)
def example_data(name: str) -> tuple:
    project = build_example(name)
    return project, load_project_data(project)


def seeded_model(name: str):
    project, data = example_data(name)
    model = build_model(project, data.context)
    model.eval()
    return project, data, model


def trained(name: str, epochs: int = 2):
    project, data = example_data(name)
    trainer, result = train_project(project, effective_settings(project, epochs=epochs), data)
    return project, data, trainer.model, result.history


def sample_inputs(model, data: ProjectData) -> list[np.ndarray]:
    """The test part's inputs in the model's input order (the train part when there is no test part)."""
    part = data.prepared.test if data.prepared.test is not None else data.prepared.train
    return [np.ascontiguousarray(part.inputs[i]) for i in model.input_ids]


def predict(model, inputs: list[np.ndarray]) -> list[np.ndarray]:
    model.eval()
    with torch.no_grad():
        return [o.numpy() for o in model(*[torch.from_numpy(x) for x in inputs])]


def run_python(code: str, cwd: Path, timeout: float = 180, args: tuple = ()) -> subprocess.CompletedProcess:
    """Run Python in a fresh process with the repository importable."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, *args, "-c", code] if code else [sys.executable, *args]
    # A session of its own, so a timeout ends the launcher's worker processes too (torchrun starts several).
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
