"""Fixtures shared by the GUI tests."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def gui_thread_collector(qapp):
    """Python's collector runs only in the GUI thread for the whole GUI suite, as in the app (gc_guard.py):
    leftovers of one test's windows are never destroyed by a later test's training thread."""
    from nnstudio.gui import gc_guard
    collector = gc_guard.install(qapp)
    collector.freeze_survivors()  # pytest, torch and the test modules are loaded: full collections stay cheap
    yield collector
    collector.uninstall()


@pytest.fixture
def one_thread():
    """Tiny networks train about 10× faster on one torch thread on this busy 2-core machine."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
