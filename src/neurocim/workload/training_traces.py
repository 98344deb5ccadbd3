"""Training traces: each layer's forward trace plus its weights before the last update and its input activity."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurocim.workload.network import Layer
from neurocim.workload.npz_file import NpzArchive
from neurocim.workload.trace_npz import read_npz_traces
from neurocim.workload.traces import LayerTrace, TraceError

# Old weights may be stored three ways: integer codes on the new weights' grid, plain values, or (NeuroSim V2.1
# reference layout) the 5-decimal printed value x 1e5 minus the new code x (1e5 x step).
_OLD_CODE, _OLD_VALUE, _OLD_DELTA_E5 = "_weight_old_code", "_weight_old", "_weight_old_delta_e5"


@dataclass(frozen=True, eq=False)
class TrainingLayerTrace:
    """One layer of a training step: forward trace (weights after the update), weights before it, input activity."""

    layer: Layer
    trace: LayerTrace
    old_weights: np.ndarray  # float64 (rows, out_channels), algorithm values before the last update
    activity: float  # fraction of 1 bits in the layer's input (what the weight-gradient unit reads and writes)

    def __post_init__(self) -> None:
        label = f"layer {self.layer.name or '?'}"
        old = np.asarray(self.old_weights, dtype=np.float64)
        if old.shape != self.trace.weights.shape:
            raise TraceError(f"{label}: old weights have shape {old.shape}, the new ones {self.trace.weights.shape}")
        if not np.isfinite(old).all():
            raise TraceError(f"{label}: old weights must be finite numbers (they hold NaN or infinity)")
        if not (math.isfinite(self.activity) and 0.0 <= self.activity <= 1.0):
            raise TraceError(f"{label}: input activity must be a fraction in [0, 1], got {self.activity}")
        old.setflags(write=False)
        object.__setattr__(self, "old_weights", old)


@dataclass(frozen=True, eq=False)
class TrainingTraces:
    """What the training-cost model reads: the network and one traced training step per layer."""

    layers: tuple[TrainingLayerTrace, ...]
    weight_bits: int
    input_bits: int

    @property
    def network(self) -> list[Layer]:
        return [t.layer for t in self.layers]

    @property
    def forward_traces(self) -> list[LayerTrace]:
        return [t.trace for t in self.layers]


def bit_activity(trace: LayerTrace, windows: int | None = None) -> float:
    """Fraction of 1 bits over the input codes of the first `windows` windows (all when None)."""
    codes = trace.input_codes if windows is None else trace.input_codes[:, :windows]
    if codes.size == 0:
        return 0.0
    ones = np.unpackbits(codes.astype(np.uint64).view(np.uint8)).sum(dtype=np.int64)
    return float(ones) / (codes.size * trace.input_bits)


def _old_weights(archive: NpzArchive, i: int, trace: LayerTrace, label: str) -> np.ndarray:
    keys = [f"L{i}{suffix}" for suffix in (_OLD_CODE, _OLD_VALUE, _OLD_DELTA_E5)]
    present = [k for k in keys if k in archive]
    if len(present) != 1:
        found = "none" if not present else ", ".join(present)
        raise TraceError(f"{label}: needs exactly one of {', '.join(keys)} (weights before the update); found {found}")
    key = present[0]
    stored = archive.read(key)
    if stored.shape != trace.weights.shape:
        raise TraceError(f"{label}: {key} has shape {stored.shape}, L{i}_weight {trace.weights.shape}")
    if key.endswith(_OLD_VALUE):
        if stored.dtype.kind != "f":
            raise TraceError(f"{label}: {key} must hold floating-point weights, got {stored.dtype}")
        return stored.astype(np.float64)
    if stored.dtype.kind not in "iu":
        raise TraceError(f"{label}: {key} must be an integer array, got {stored.dtype}")
    if key.endswith(_OLD_CODE):
        return stored.astype(np.float64) * trace.weight_step
    if trace.weight_codes is None:
        raise TraceError(f"{label}: {key} is relative to integer weight codes, which the trace lacks")
    per_code_e5 = round(trace.weight_step * 1e5)
    return (trace.weight_codes.astype(np.int64) * per_code_e5 + stored.astype(np.int64)) / 1e5


def _activity(archive: NpzArchive, i: int, trace: LayerTrace, label: str) -> float:
    key = f"L{i}_activity"
    if key not in archive:
        return bit_activity(trace)
    value = archive.read(key)
    if value.shape != () or value.dtype.kind not in "fiu":
        raise TraceError(f"{label}: {key} must be one number, got {value.dtype} of shape {value.shape}")
    return float(value)


def read_training_npz(
    path: str | Path,
    *,
    layers: Sequence[Layer] | None = None,
    weight_bits: int | None = None,
    input_bits: int | None = None,
) -> TrainingTraces:
    """Training traces from an npz: the forward trace layout plus old weights and (optional) activity per layer.

    Old weights are `L{i}_weight_old_code` (codes on the new weights' grid), `L{i}_weight_old` (values) or
    `L{i}_weight_old_delta_e5` (NeuroSim V2.1's reference layout); a missing `L{i}_activity` is computed from the
    input codes. Precisions come from meta_json (`wl_weight`, `wl_activate`) or the scalars of the same names.
    """
    with NpzArchive(path) as archive:
        weight_bits = weight_bits or _scalar_bits(archive, "wl_weight")
        input_bits = input_bits or _scalar_bits(archive, "wl_activate")
    network, traces = read_npz_traces(path, layers=layers, weight_bits=weight_bits, input_bits=input_bits)
    with NpzArchive(path) as archive:
        out = []
        for i, (layer, trace) in enumerate(zip(network, traces, strict=True), start=1):
            label = f"{archive.path}: layer {i}" + (f" ({layer.name})" if layer.name else "")
            out.append(
                TrainingLayerTrace(
                    layer, trace, _old_weights(archive, i, trace, label), _activity(archive, i, trace, label)
                )
            )
    resolved_weight_bits = 1 - round(math.log2(traces[0].weight_step))  # codes x 2^-(bits-1)
    return TrainingTraces(tuple(out), resolved_weight_bits, traces[0].input_bits)


def _scalar_bits(archive: NpzArchive, key: str) -> int | None:
    if key not in archive:
        return None
    value = archive.read(key)
    if value.shape != () or value.dtype.kind not in "iu":
        raise TraceError(f"{archive.path}: {key} must be one integer, got {value.dtype} of shape {value.shape}")
    return int(value)
