"""How a search's worker processes start: forked from a server that has torch imported (no torch imported here)."""

from __future__ import annotations

import multiprocessing
import sys

# What every worker needs before its first trial. A worker started afresh ("spawn") imports these itself: about
# 3 s (torch's first optimizer alone imports torch._dynamo, 1.5 to 3.5 s), the time of several iris trials. A
# fork server imports them once, in a clean process of its own, and each worker is a fork of it that starts at
# once. The server is never a fork of the app (forking a process with Qt's threads is unsafe).
PRELOAD = ["torch", "torch._dynamo", "optuna", "sklearn.datasets", "nnstudio.engine.pipeline",
           "nnstudio.engine.tuning.objective"]


def worker_context():
    """How worker processes start: from the fork server on Linux; spawned elsewhere. macOS has a fork server too,
    but its system libraries (Accelerate, which torch uses, and Objective-C) are not safe to use in a fork, which
    is why Python itself spawns there."""
    if sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def warm_up_workers() -> None:
    """Start the fork server now, so that it has its imports done by the time the user starts a search (the
    Experiments panel calls this when it opens). Returns at once: the server imports in its own process."""
    context = worker_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver
        forkserver.ensure_running()
