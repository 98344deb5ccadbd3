"""Test-session settings: one PyTorch thread (the tests' tensors are small; a second thread only contends)."""

from __future__ import annotations

import torch

torch.set_num_threads(1)
