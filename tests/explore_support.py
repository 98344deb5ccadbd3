"""Shared pieces of the explore tests: a tiny two-layer workload and sweep files over it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from neurocim.workload.network import Layer
from neurocim.workload.trace_files import save_traces_npz
from neurocim.workload.traces import LayerTrace


def write_tiny_traces(path: Path) -> Path:
    """A conv (8x8x4, 3x3, 16 out, pooled) and a linear layer (256 -> 10), random 8-bit traces, as an npz."""
    save_traces_npz(path, *tiny_workload())
    return path


def tiny_workload() -> tuple[list[Layer], list[LayerTrace]]:
    """The layers and random 8-bit traces of write_tiny_traces."""
    rng = np.random.default_rng(0)
    layers = [Layer(8, 8, 4, 3, 3, 16, True, 1, name="conv1"), Layer(1, 1, 256, 1, 1, 10, name="fc")]
    traces = []
    for layer in layers:
        weights = np.round(rng.uniform(-1, 1, (layer.rows, layer.out_channels)) * 127) / 128
        codes = rng.integers(0, 256, (layer.rows, layer.num_windows))
        traces.append(LayerTrace(weights, codes, 8, layer.name))
    return layers, traces


def tiny_sweep(traces: Path, **overrides: Any) -> dict[str, Any]:
    """A cost-only sweep of an RRAM chip: 3 ADC precisions x 3 cell precisions x 2 sub-array sizes (18 points,
    6 of them refused by the cell-bits constraint)."""
    sweep = {
        "base": {"chip": {"cell": {"type": "rram"}}},
        "workload": {"traces": str(traces)},
        "space": {
            "chip.adc.bits": [3, 4, 5],
            "chip.cell.bits_per_cell": [1, 2, 3],
            "chip.array.rows": [64, 128],
        },
        "constraints": ["chip.precision.weight_bits % chip.cell.bits_per_cell == 0"],
    }
    sweep.update(overrides)
    return sweep
