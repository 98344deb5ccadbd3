"""Design-space exploration: sweep files, strategies, a results store, local and Ray backends, Pareto fronts."""

# The package is callable: `neurocim.explore(sweep, out, ...)` is `neurocim.explore.api.explore` and returns the
# results table (pandas). Submodules load on first use, so importing the package stays light.

from __future__ import annotations

import sys

from neurocim.verbs import make_callable

make_callable(__name__, "neurocim.explore.api:explore")
explore = sys.modules[__name__]  # `from neurocim.explore import explore` and neurocim's lazy export: this package
