"""The prepared workload: a network's layer table and traces, copied read-only, with the cache its estimates share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from neurocim.workload.cache import WorkloadCache, read_only
from neurocim.workload.network import Layer
from neurocim.workload.traces import LayerTrace, check_traces


@dataclass(frozen=True, eq=False)
class PreparedWorkload:
    """Layers and their traces, immutable: the arrays are private read-only copies, so editing the arrays a workload
    was prepared from cannot change its results. Re-costs the same workload under many chips; what the estimates
    derive from the traces (cell digits, input bit planes, read statistics) is kept in its own cache, keyed by value
    (which layer, which block, which settings). The cost half's `Estimator` (neurocim.estimate) re-costs it under
    many chips."""

    layers: tuple[Layer, ...]
    traces: tuple[LayerTrace, ...]
    cache: WorkloadCache = field(default_factory=WorkloadCache, repr=False)


def prepare(layers: Sequence[Layer], traces: Sequence[LayerTrace], *, copy: bool = True) -> PreparedWorkload:
    """A PreparedWorkload of layers and their traces (checked against each other), with private read-only copies.

    `copy=False` takes the traces' arrays over instead, made read-only in place: for traces nothing else holds (just
    loaded from a file), it saves the copy."""
    layers, traces = tuple(layers), tuple(traces)
    check_traces(layers, traces)
    own = _copy if copy else read_only
    return PreparedWorkload(layers, tuple(_frozen(t, own) for t in traces))


def _frozen(trace: LayerTrace, own: Callable[[np.ndarray], np.ndarray]) -> LayerTrace:
    codes = None if trace.weight_codes is None else own(trace.weight_codes)
    return LayerTrace(
        own(trace.weights),
        own(trace.input_codes),
        trace.input_bits,
        trace.name,
        weight_codes=codes,
        weight_step=trace.weight_step,
    )


def _copy(a: np.ndarray) -> np.ndarray:
    return read_only(np.array(a, copy=True))
