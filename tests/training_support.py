"""Synthetic training traces for the training-cost tests: random input and weight codes on the 1/16 grid."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neurocim.workload.network import Layer
from neurocim.workload.traces import LayerTrace
from neurocim.workload.training_traces import TrainingLayerTrace, TrainingTraces


def synthetic_training_traces(layers: Sequence[Layer], seed: int, drift: float) -> TrainingTraces:
    """Per layer: 8-bit input codes of every window, 5-bit weight codes, and the weights before the last update
    within `drift` of the new ones (activity 0.2)."""
    rng = np.random.default_rng(seed)
    out = []
    for layer in layers:
        inputs = rng.integers(0, 256, size=(layer.rows, layer.num_windows))
        codes = rng.integers(-15, 16, size=(layer.rows, layer.out_channels))
        trace = LayerTrace.from_weight_codes(codes, 1 / 16, inputs, 8)
        old = codes / 16 + rng.uniform(-drift, drift, size=codes.shape)
        out.append(TrainingLayerTrace(layer, trace, np.clip(old, -1, 1), 0.2))
    return TrainingTraces(tuple(out), 5, 8)
