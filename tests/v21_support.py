"""A small two-layer workload (a pooled convolution and a classifier) for the NeuroSim V2.1 unit tests."""

from __future__ import annotations

import functools

import numpy as np

from neurocim.workload.network import Layer
from neurocim.workload.prepared import PreparedWorkload, prepare
from neurocim.workload.traces import LayerTrace

SMALL = (Layer(8, 8, 16, 3, 3, 32, pooled=True, name="conv"), Layer(1, 1, 512, 1, 1, 10, name="fc"))


@functools.cache
def small_workload() -> PreparedWorkload:
    """SMALL prepared with seeded random weight codes (1/16 steps) and 8-bit inputs over 36 windows."""
    rng = np.random.default_rng(3)
    traces = [
        LayerTrace.from_weight_codes(
            rng.integers(-15, 16, size=(ly.rows, ly.out_channels)), 1 / 16, rng.integers(0, 256, (ly.rows, 36)), 8
        )
        for ly in SMALL
    ]
    return prepare(SMALL, traces)
