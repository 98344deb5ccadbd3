"""Test-session settings: one PyTorch thread (the tests' tensors are small; a second thread only contends), and the
slow tests, left out by default (pyproject's `-m 'not slow'`), run with NEUROCIM_SLOW=1 or `-m slow`."""

from __future__ import annotations

import os

import torch

torch.set_num_threads(1)


def pytest_configure(config):
    """NEUROCIM_SLOW=1 lifts the default `-m 'not slow'`, so every test runs (an explicit -m still wins)."""
    if os.environ.get("NEUROCIM_SLOW") == "1" and config.option.markexpr == "not slow":
        config.option.markexpr = ""
