"""On-chip training: device-update optimizer, training loop, per-epoch records."""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

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


class _CallableModule(types.ModuleType):
    """Once this package is imported, `neurocim.train` is the package: calling it still trains (the public API)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return __getattr__("train")(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
