"""Hyperparameter search speed: the time of a trial against a bare Trainer.fit of the same settings, and 24 iris
trials with 2 worker processes against 1 (every ratio measured side by side in one run).

This machine is shared and its speed drifts by a third within a minute, so each ratio comes from things run next
to each other: a trial and a bare fit in turn, 24 pairs (the median pair's ratio); and rounds of a 1-worker and a
2-worker search in alternating order (the median round's ratio), beside two plain processes against one, which is
what the machine itself allows."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
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
    folder.mkdir(parents=True, exist_ok=True)
    save_project(project, folder / "iris.nnstudio")
    return project


def learning_rate_search(workers: int, pruner: str = "none") -> SearchSpace:
    # The learning rate varies (it does not change a trial's cost). Without pruning every trial is whole.
    return SearchSpace([Dimension("training:learning_rate", "float", 1e-3, 1e-1, log=True)], strategy="random",
                       pruner=pruner, trials=TRIALS, workers=workers)


class BareFit:
    """A trial-sized run with nothing around it: compile the network and Trainer.fit, one torch thread as in a
    worker, on data read once."""

    def __init__(self, folder: Path, epochs: int) -> None:
        import torch

        from nnstudio.engine.pipeline import load_project_data

        torch.set_num_threads(1)
        self.project = small_iris(folder, epochs)
        self.data = load_project_data(self.project)

    def __call__(self) -> float:
        from nnstudio.engine.pipeline import build_model, effective_settings
        from nnstudio.engine.training import Trainer

        started = time.perf_counter()
        settings = effective_settings(self.project)
        model = build_model(self.project, self.data.context, settings.seed)
        Trainer(model, settings).fit(self.data.prepared.train, self.data.prepared.validation)
        return time.perf_counter() - started


class SearchTrial:
    """One trial as a worker takes it (budget lock, sampler, Objective, journal writes), in this process."""

    def __init__(self, folder: Path, epochs: int, pruner: str) -> None:
        from nnstudio.engine.tuning.objective import Objective
        from nnstudio.engine.tuning.study import open_study, study_folder

        self.project = small_iris(folder, epochs)
        self.space = learning_rate_search(1, pruner)
        self.space.trials = 10_000   # the budget is counted by run_trials' total below, one trial at a time
        self.folder = study_folder(self.project.path)
        self.study = open_study(self.project, self.space, folder=self.folder)
        self.objective = Objective(self.project, self.space)
        self.objective.prepare()
        self.taken = 0

    def __call__(self) -> tuple[float, int]:
        """Seconds of one trial, and the epochs it trained (fewer when the pruner stopped it)."""
        from nnstudio.engine.tuning.objective import EPOCHS_RUN
        from nnstudio.engine.tuning.workers import run_trials

        started = time.perf_counter()
        self.taken += 1
        run_trials(self.study, self.objective, self.taken, None, threading.Event(), self.folder)
        seconds = time.perf_counter() - started
        return seconds, self.study.get_trials(deepcopy=False)[-1].user_attrs[EPOCHS_RUN]


def trial_overhead(root: Path, epochs: int, pairs: int, pruner: str = "none") -> float:
    """Median over adjacent (trial, bare fit) pairs, in alternating order, of trial time / bare time - 1, per
    epoch trained (a pruned trial trains fewer epochs)."""
    bare, trial = BareFit(root / f"bare-{pruner}", epochs), SearchTrial(root / f"trial-{pruner}", epochs, pruner)
    bare(), trial()   # the first of each in this process pays one-off costs
    ratios = []
    for pair in range(pairs):
        if pair % 2 == 0:
            (seconds_trial, epochs_run), seconds_bare = trial(), bare()
        else:
            seconds_bare, (seconds_trial, epochs_run) = bare(), trial()
        ratios.append((seconds_trial / epochs_run) / (seconds_bare / epochs) - 1)
    return statistics.median(ratios)


def search(folder: Path, epochs: int, workers: int) -> tuple[float, float]:
    """Wall seconds of a whole study in worker processes, and of its fixed part: from the call to the first
    trial's start, plus from the last trial's end to the return."""
    from datetime import datetime

    from nnstudio.engine.tuning.workers import run_study

    project = small_iris(folder, epochs)
    called, started = datetime.now(), time.perf_counter()
    study = run_study(project.path, learning_rate_search(workers), workers=workers)
    wall, returned = time.perf_counter() - started, datetime.now()
    trials = study.get_trials(deepcopy=False)
    assert len(trials) == TRIALS and all(t.state.name == "COMPLETE" for t in trials)
    first, last = min(t.datetime_start for t in trials), max(t.datetime_complete for t in trials)
    return wall, (first - called).total_seconds() + (returned - last).total_seconds()


def _plain_fits(folder: str, epochs: int, count: int, results) -> None:
    fit = BareFit(Path(folder), epochs)
    fit()
    started = time.perf_counter()
    for _ in range(count):
        fit()
    results.put(time.perf_counter() - started)


def plain_processes(root: Path, epochs: int, processes: int) -> float:
    """Wall seconds for `processes` worker-started processes to share 24 bare fits (each timed after its own
    warm-up fit): what the machine allows with no search around the fits."""
    from nnstudio.core.tuning.worker_start import worker_context

    context = worker_context()
    results = context.Queue()
    started = [context.Process(target=_plain_fits, args=(str(root / f"plain{i}-{time.time()}"), epochs,
                                                         TRIALS // processes, results)) for i in range(processes)]
    for process in started:
        process.start()
    seconds = max(results.get() for _ in started)
    for process in started:
        process.join()
    return seconds


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
    parser.add_argument("--epochs", type=int, default=60, help="epochs per trial (default 60: about half a second)")
    parser.add_argument("--pairs", type=int, default=TRIALS, help="adjacent (trial, bare fit) pairs")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of 1-worker and 2-worker searches")
    args = parser.parse_args()
    print(f"{TRIALS} iris trials, {args.epochs} epochs each, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"  worker server start, once per session (the Experiments panel starts it when it opens): "
              f"{start_worker_server():.2f} s")
        overhead = trial_overhead(root, args.epochs, args.pairs)
        print(f"  time of a trial vs a bare Trainer.fit ({args.pairs} adjacent pairs, median): {overhead:+.1%} "
              f"(goal <= {GOAL_OVERHEAD:.0%})")
        pruned = trial_overhead(root, args.epochs, max(4, args.pairs // 3), pruner="median")
        print(f"  the same per epoch trained, with median pruning (the panel's default): {pruned:+.1%}")
        speedups, ceilings = [], []
        for round_ in range(args.rounds):
            runs = {}
            for workers in ((1, 2) if round_ % 2 == 0 else (2, 1)):
                runs[workers] = search(root / f"search{round_}-{workers}", args.epochs, workers)
                runs[-workers] = plain_processes(root, args.epochs, workers)
            (one, fixed), (two, _) = runs[1], runs[2]
            speedups.append(one / two)
            ceilings.append(runs[-1] / runs[-2])
            print(f"  round {round_ + 1}: search with 1 worker {one:6.2f} s (of which {fixed:.2f} s before the first "
                  f"and after the last trial), 2 workers {two:6.2f} s: {speedups[-1]:.2f}x;  24 plain fits in 1 "
                  f"process {runs[-1]:6.2f} s, in 2 {runs[-2]:6.2f} s: {ceilings[-1]:.2f}x")
    speedup = statistics.median(speedups)
    print(f"  speed-up, 2 workers vs 1 (median round): {speedup:.2f}x (goal >= {GOAL_SPEEDUP}); "
          f"the machine's own with plain processes: {statistics.median(ceilings):.2f}x")
    ok = speedup >= GOAL_SPEEDUP and overhead <= GOAL_OVERHEAD
    print("  both goals met" if ok else "  a goal was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
