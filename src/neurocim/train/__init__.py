"""On-chip training: device-update optimizer, training loop, per-epoch records."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from neurocim.verbs import make_callable

# Imported on first use, so that `neurocim --help` does not load torch.
_LAZY = {
    "train": "neurocim.train.loop",
    "train_run": "neurocim.train.run",
    "TrainResult": "neurocim.train.records",
    "EpochRecord": "neurocim.train.records",
}
__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'neurocim.train' has no attribute {name!r}")


make_callable(__name__, "neurocim.train.loop:train")
