"""Hyperparameter search speed: 24 iris trials with 2 worker processes against 1, and the time per trial against a
bare Trainer.fit of the same settings (both ratios measured side by side in one run)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from nnstudio.core import examples
from nnstudio.core.project import save_project
from nnstudio.core.tuning.space import Dimension, SearchSpace

TRIALS = 24
GOAL_SPEEDUP, GOAL_OVERHEAD = 1.7, 0.10


def small_iris(folder: Path, epochs: int):
    project = examples.iris()   # 4-16-3 MLP, Adam, batch 16
    project.training.epochs = epochs
    save_project(project, folder / "iris.nnstudio")
    return project


def search(folder: Path, epochs: int, workers: int, pruner: str = "none") -> tuple[float, float, float]:
    """Wall seconds of a whole study; seconds per trial in the workers (first start to last end / trials, so the
    time between trials counts); and seconds per epoch trained (the same span / the epochs the trials ran)."""
    from nnstudio.engine.tuning.objective import EPOCHS_RUN
    from nnstudio.engine.tuning.workers import run_study

    folder.mkdir(parents=True)
    project = small_iris(folder, epochs)
    # The learning rate varies (it does not change a trial's cost). Without pruning every trial is whole; with
    # the median pruner some stop early, hence the time per epoch.
    space = SearchSpace([Dimension("training:learning_rate", "float", 1e-3, 1e-1, log=True)], strategy="random",
                        pruner=pruner, trials=TRIALS, workers=workers)
    started = time.perf_counter()
    study = run_study(project.path, space, workers=workers)
    wall = time.perf_counter() - started
    trials = study.get_trials(deepcopy=False)
    assert len(trials) == TRIALS and all(t.state.name in ("COMPLETE", "PRUNED") for t in trials)
    assert pruner != "none" or all(t.state.name == "COMPLETE" for t in trials)
    first = min(t.datetime_start for t in trials)
    last = max(t.datetime_complete for t in trials)
    span = (last - first).total_seconds() * workers
    return wall, span / TRIALS, span / sum(t.user_attrs[EPOCHS_RUN] for t in trials)


def bare_fits(folder: Path, epochs: int, repeats: int) -> float:
    """Seconds per trial-sized run with nothing around it: compile the network and Trainer.fit, one torch thread
    as in a worker, on data read once."""
    import torch

    from nnstudio.engine.pipeline import (
        build_model,
        effective_settings,
        load_project_data,
    )
    from nnstudio.engine.training import Trainer

    torch.set_num_threads(1)
    folder.mkdir(parents=True)
    project = small_iris(folder, epochs)
    data = load_project_data(project)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        settings = effective_settings(project)
        model = build_model(project, data.context, settings.seed)
        Trainer(model, settings).fit(data.prepared.train, data.prepared.validation)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:] if len(times) > 2 else times)


def _nothing() -> None:
    pass


def start_worker_server() -> float:
    """Seconds until the first worker can start: the fork server's imports, paid once per app session (the
    Experiments panel starts it when it opens) and so not part of either side's trials."""
    from nnstudio.core.tuning.worker_start import warm_up_workers, worker_context

    started = time.perf_counter()
    warm_up_workers()
    process = worker_context().Process(target=_nothing)
    process.start()
    process.join()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=60, help="epochs per trial (default 60: about a second)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = start_worker_server()
        bare = bare_fits(root / "bare", args.epochs, repeats=6)
        one_wall, one_per_trial, _ = search(root / "one", args.epochs, workers=1)
        two_wall, _, _ = search(root / "two", args.epochs, workers=2)
        _, _, median_per_epoch = search(root / "median", args.epochs, workers=1, pruner="median")
    speedup = one_wall / two_wall
    overhead = one_per_trial / bare - 1
    print(f"{TRIALS} iris trials, {args.epochs} epochs each, {os.cpu_count()} cores")
    print(f"  worker server start, once per session: {server:.2f} s")
    print(f"  1 worker : {one_wall:7.2f} s    2 workers: {two_wall:7.2f} s    speed-up {speedup:.2f}x "
          f"(goal >= {GOAL_SPEEDUP})")
    print(f"  per trial in the search: {one_per_trial:.3f} s    bare Trainer.fit: {bare:.3f} s    overhead "
          f"{overhead:+.1%} (goal <= {GOAL_OVERHEAD:.0%})")
    median_overhead = median_per_epoch / (bare / args.epochs) - 1
    print(f"  with median pruning (the panel's default; not a goal of its own): per epoch "
          f"{median_per_epoch * 1000:.2f} ms vs {bare / args.epochs * 1000:.2f} ms bare, {median_overhead:+.1%}")
    ok = speedup >= GOAL_SPEEDUP and overhead <= GOAL_OVERHEAD
    print("  both goals met" if ok else "  a goal was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
