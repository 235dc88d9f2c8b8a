"""Fixtures shared by the GUI tests."""

import pytest


@pytest.fixture
def one_thread():
    """Tiny networks train about 10× faster on one torch thread on this busy 2-core machine."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
