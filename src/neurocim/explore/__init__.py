"""Design-space exploration: sweep files, strategies, a results store, local and Ray backends, Pareto fronts.

The package is callable: `neurocim.explore(sweep, out, ...)` is `neurocim.explore.api.explore` and returns the
results table (pandas). Submodules load on first use, so importing the package stays light.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    """This package's module type: calling it runs a sweep (neurocim.explore.api.explore)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from neurocim.explore.api import explore as run_sweep

        return run_sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
explore = sys.modules[__name__]  # `from neurocim.explore import explore` and neurocim's lazy export: this package
