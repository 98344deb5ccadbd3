"""Test-session settings: one PyTorch thread (the tests' tensors are small; a second thread only contends)."""

from __future__ import annotations

import torch

torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    """Tests marked slow run only when asked: `-m slow` or NEUROCIM_SLOW=1."""
    import os

    import pytest

    if os.environ.get("NEUROCIM_SLOW") == "1" or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow or NEUROCIM_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
