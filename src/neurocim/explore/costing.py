"""The workload a sweep costs, and the one function that costs points on it (the prepared workload's estimate)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from neurocim.config.chip import ChipConfig
from neurocim.config.run import RunConfig
from neurocim.estimate import estimate
from neurocim.explore.metrics import chip_metrics
from neurocim.workload.network import Layer
from neurocim.workload.traces import LayerTrace

if TYPE_CHECKING:
    from neurocim.workload.prepared import PreparedWorkload

# Python's cyclic garbage collector runs after every 700 new container objects by default; one point's estimate makes
# tens of thousands (cost records, memo keys), and each collection walks the young objects and now and then every
# evaluation the workload keeps: about a sixth of a read-independent sweep's time (benchmarks/bench_explore.py).
# While a sweep runs (and a worker costs points), collections run this much less often (generation 0, 1, 2
# thresholds; restored after).
SPACED_GC_THRESHOLDS = (50_000, 20, 10)

# Errors of one point's estimate: recorded as a failed point with the message; anything else is a bug and raises.
POINT_ERRORS = (ValueError, ArithmeticError, RuntimeError)


@dataclass(frozen=True)
class Workload:
    """The network's layer table and its recorded traces, as sent to workers (each prepares it once)."""

    layers: tuple[Layer, ...]
    traces: tuple[LayerTrace, ...]

    @property
    def input_bits(self) -> int:
        """Precision of the recorded input codes; a chip must read them at this precision."""
        return self.traces[0].input_bits

    def prepared(self) -> PreparedWorkload:
        """The prepared (immutable, cached) workload that re-costs these traces under many chips."""
        from neurocim.workload.prepared import prepare

        return prepare(self.layers, self.traces)


@dataclass(frozen=True)
class CostOutcome:
    """One point's chip figures, or why it has none."""

    metrics: dict[str, float] | None
    message: str
    seconds: float


def load_workload(traces: Path | None, base: RunConfig) -> Workload:
    """Traces from an .npz holding its layer table, else recorded by running the base configuration once."""
    if traces is not None:
        from neurocim.workload.trace_files import load_traces_npz

        layers, layer_traces = load_traces_npz(traces)
        return Workload(tuple(layers), tuple(layer_traces))
    from neurocim.runner import run

    result = run(base, repeats=1, progress=False)
    return Workload(tuple(result.chip_layers), tuple(result.traces))


def cost_points(workload: PreparedWorkload, chips: Sequence[ChipConfig]) -> list[CostOutcome]:
    """The chip figures of every configuration on the workload, in order; a failing point keeps its message.

    Each chip is estimated on its own (Estimator.sweep's loop, with a time and an error per point); the
    trace-derived work is shared through the workload's cache."""
    out = []
    with spaced_collections():
        for chip in chips:
            start = time.perf_counter()
            try:
                metrics = chip_metrics(estimate(chip, workload))
            except POINT_ERRORS as err:
                out.append(CostOutcome(None, f"{type(err).__name__}: {err}", time.perf_counter() - start))
                continue
            out.append(CostOutcome(metrics, "", time.perf_counter() - start))
    return out


@contextmanager
def spaced_collections() -> Iterator[None]:
    """Garbage collections at least SPACED_GC_THRESHOLDS apart inside the block (thresholds already higher are
    kept); the thresholds before it are restored after it, also when it raises."""
    before = gc.get_threshold()
    gc.set_threshold(*(max(spaced, now) for spaced, now in zip(SPACED_GC_THRESHOLDS, before, strict=True)))
    try:
        yield
    finally:
        gc.set_threshold(*before)
