"""Tiny saved projects and in-process studies for the tuning tests (iris or XOR, a few epochs)."""

import threading

from nnstudio.core import examples
from nnstudio.core.project import save_project
from nnstudio.core.tuning.space import Dimension, SearchSpace
from nnstudio.engine.tuning.objective import Objective
from nnstudio.engine.tuning.study import open_study, study_folder
from nnstudio.engine.tuning.workers import run_trials


def saved_iris(tmp_path, epochs=3, name="iris"):
    project = examples.iris()
    project.training.epochs = epochs
    tmp_path.mkdir(parents=True, exist_ok=True)
    save_project(project, tmp_path / f"{name}.nnstudio")
    return project


def hidden_id(project):
    return project.graph.node_by_name("hidden").id


def space_of(*dims, **settings):
    return SearchSpace(list(dims), **settings)


def units(project, low=16, high=64, **kw):
    return Dimension(f"layer:{hidden_id(project)}:units", "int", low, high, **kw)


def learning_rate(low=1e-3, high=1e-1):
    return Dimension("training:learning_rate", "float", low, high, log=True)


def run_here(project, space, total=None):
    """The worker's own loop, in this process: open the study beside the project and take trials."""
    folder = study_folder(project.path)
    study = open_study(project, space, folder=folder)
    run_trials(study, Objective(project, space), total if total is not None else space.trials, None,
               threading.Event(), folder)
    return study


def crashing_worker(*args):
    """Stands in for the worker function in a worker process: fails before any trial, as a worker did when the
    app's files changed on disk while it ran (its signature no longer matched the caller's)."""
    raise TypeError("_worker() missing 1 required positional argument: 'language'")
