"""neurocim: end-to-end benchmarking of compute-in-memory deep-learning accelerators."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Public API, imported on first use so that `import neurocim` stays light (no torch until needed).
_LAZY = {
    "load_config": "neurocim.config.run",
    "RunConfig": "neurocim.config.run",
    "convert_": "neurocim.nn.convert",
    "evaluate": "neurocim.nn.evaluate",
    "run_accuracy": "neurocim.accuracy",
    "run": "neurocim.runner",
    "RunResult": "neurocim.runner",
    "AccuracyResult": "neurocim.report.accuracy",
    "estimate": "neurocim.estimate",
    "Estimator": "neurocim.estimate",
    "prepare": "neurocim.workload.prepared",
    "PreparedWorkload": "neurocim.workload.prepared",
    "explore": "neurocim.explore",  # callable package: neurocim.explore(SWEEP, OUT) -> pandas DataFrame
    "train": "neurocim.train.loop",
}
__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'neurocim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
