"""Per-layer traces (weights and activation codes), their NeuroSim encodings, and the npz trace file."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from neurocim.workload.network import Layer, WorkloadError


class TraceError(WorkloadError):
    """A trace that does not fit its layer or cannot be read or written."""


@dataclass(frozen=True, eq=False)
class LayerTrace:
    """Weights (rows x out_channels, algorithm values) and activation codes (rows x windows) of one layer.

    Treat a trace as immutable: estimates keep arrays derived from it for as long as the trace object lives."""

    weights: np.ndarray  # float64, in [weight_min, weight_max]
    input_codes: np.ndarray  # unsigned integer codes, one column per sliding window written
    input_bits: int
    name: str = ""
    # quantised weights: integer codes with weights = codes * weight_step (set by from_weight_codes)
    weight_codes: np.ndarray | None = field(default=None, repr=False)
    weight_step: float = 0.0

    @classmethod
    def from_weight_codes(
        cls,
        codes: np.ndarray,
        step: float,
        input_codes: np.ndarray,
        input_bits: int,
        name: str = "",
        negative_zeros: np.ndarray | None = None,
    ) -> LayerTrace:
        """A trace of quantised weights, integer codes times `step` (flat indices `negative_zeros` hold -0.0):
        mapping them to cell digits is then one table entry per code."""
        codes = np.asarray(codes)
        if not np.issubdtype(codes.dtype, np.integer):
            raise TraceError(f"{name or 'trace'}: weight codes must be integers, got {codes.dtype}")
        if not (math.isfinite(step) and step > 0):
            raise TraceError(f"{name or 'trace'}: weight_step must be a positive number, got {step}")
        weights = codes.astype(np.float64) * step
        if negative_zeros is not None:
            weights.reshape(-1)[negative_zeros] = -0.0
        return cls(weights, input_codes, input_bits, name, weight_codes=codes, weight_step=step)

    def __post_init__(self) -> None:
        label = self.name or "trace"
        w = np.asarray(self.weights, dtype=np.float64)
        codes = np.asarray(self.input_codes)
        if w.ndim != 2:
            raise TraceError(f"{label}: weights must be 2-D (rows, out_channels), got shape {w.shape}")
        if self.weight_codes is None and not np.isfinite(w).all():  # codes times a step are finite
            raise TraceError(f"{label}: weights must be finite numbers (the trace holds NaN or infinity)")
        if codes.ndim != 2 or not np.issubdtype(codes.dtype, np.integer):
            raise TraceError(f"{label}: input_codes must be a 2-D integer array, got {codes.dtype} {codes.shape}")
        if not 1 <= self.input_bits <= 32:
            raise TraceError(f"{label}: input_bits must be in 1..32, got {self.input_bits}")
        if codes.size and (codes.min() < 0 or int(codes.max()) >= 1 << self.input_bits):
            raise TraceError(f"{label}: input codes must lie in [0, {(1 << self.input_bits) - 1}]")
        if self.weight_codes is not None and self.weight_codes.shape != w.shape:
            raise TraceError(f"{label}: weight codes have shape {self.weight_codes.shape}, the weights {w.shape}")
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "input_codes", codes)

    @property
    def rows(self) -> int:
        return self.weights.shape[0]

    @property
    def num_windows_written(self) -> int:
        """Windows present in the trace (may exceed what NeuroSim reads, see Layer.num_windows)."""
        return self.input_codes.shape[1]

    def input_bit_planes(self, num_windows: int | None = None) -> np.ndarray:
        """NeuroSim's input matrix for the first `num_windows` windows: uint8 (rows, num_windows*input_bits).

        Column w*input_bits + b holds bit b of window w, b = 0 the most significant bit.
        """
        n = self.num_windows_written if num_windows is None else num_windows
        if not 0 <= n <= self.num_windows_written:
            raise TraceError(f"{self.name or 'trace'}: {n} windows requested, {self.num_windows_written} written")
        return codes_to_bit_planes(self.input_codes[:, :n], self.input_bits)

    def weight_levels(self, weight_bits: int, weight_min: float = -1.0, weight_max: float = 1.0) -> np.ndarray:
        """Integer levels NeuroSim's LoadInWeightData derives from these weights, before cell splitting."""
        return self.map_weights(lambda w: weight_to_levels(w, weight_bits, weight_min, weight_max))

    def map_weights(self, fn) -> np.ndarray:
        """fn over the weights, elementwise (fn maps (n,) to (n, ...)), evaluated once per distinct weight value
        when the weights are quantised; the result has shape weights.shape + fn's trailing shape."""
        codes = self.weight_codes
        low, high = (int(codes.min(initial=0)), int(codes.max(initial=0))) if codes is not None else (0, 0)
        if codes is None or high - low >= _GRID_SPAN:
            return map_distinct(self.weights, fn)
        table = fn(np.arange(low, high + 1) * self.weight_step)
        flat = codes.ravel()
        index = np.empty(min(_GRID_BLOCK, flat.size), dtype=np.intp)

        def rows_of(i: int) -> np.ndarray:
            block = flat[i : i + _GRID_BLOCK]
            return np.subtract(block, low, out=index[: block.size], dtype=np.intp)

        return _table_lookup(table, flat.size, rows_of).reshape(codes.shape + table.shape[1:])


# Weights on the grid k / 2^GRID_BITS (every quantised trace) are mapped through a table over their range.
GRID_BITS = 16
_GRID_SPAN = 1 << 18  # widest range of k tabulated (weights within +-2)
_GRID_BLOCK = 1 << 16  # values scaled at a time


def map_distinct(values: np.ndarray, fn) -> np.ndarray:
    """fn(values) for an elementwise fn, evaluated over a table when the values lie on a fine binary grid.

    fn takes a 1-D array (n,) and returns (n, ...); the result has shape values.shape + that trailing shape.
    fn must treat -0.0 like 0.0. Values off the grid (or spread too wide) go through fn directly.
    """
    v = np.asarray(values, dtype=np.float64)
    scale = float(1 << GRID_BITS)  # multiplying by a power of two is exact
    if v.size == 0 or not np.isfinite(lo := float(v.min()) * scale) or not np.isfinite(hi := float(v.max()) * scale):
        return _apply_flat(fn, v)
    flat = v.ravel()
    starts = range(0, flat.size, _GRID_BLOCK)
    k, rounded = np.empty(min(_GRID_BLOCK, flat.size)), np.empty(min(_GRID_BLOCK, flat.size))

    def scaled(i: int) -> np.ndarray:  # grid index of a cache-sized block, in a reused buffer
        part = flat[i : i + _GRID_BLOCK]
        return np.multiply(part, scale, out=k[: part.size])

    def on_grid(i: int) -> bool:
        block = scaled(i)
        return np.array_equal(np.rint(block, out=rounded[: block.size]), block)

    if not (hi - lo < _GRID_SPAN and all(on_grid(i) for i in starts)):
        return _apply_flat(fn, v)
    table = fn((np.arange(int(hi - lo) + 1) + lo) / scale)

    def rows_of(i: int) -> np.ndarray:
        block = scaled(i)
        block -= lo
        return block.astype(np.int32)

    return _table_lookup(table, flat.size, rows_of).reshape(v.shape + table.shape[1:])


def _table_lookup(table: np.ndarray, size: int, rows_of: Callable[[int], np.ndarray]) -> np.ndarray:
    """(size, ...) rows of `table`: rows_of(i) gives the table rows of elements i .. i + _GRID_BLOCK - 1."""
    out = np.empty((size,) + table.shape[1:], dtype=table.dtype)
    rows, rows_out = _as_words(table), _as_words(out)  # gather whole rows as one word each where they fit in one
    for i in range(0, size, _GRID_BLOCK):
        # the indices lie in the table by construction: 'clip' skips the bounds check of the default mode
        np.take(rows, rows_of(i), axis=0, out=rows_out[i : i + _GRID_BLOCK], mode="clip")
    return out


def _as_words(a: np.ndarray) -> np.ndarray:
    """a (n, ...) viewed as (n,) unsigned integers holding a row each, when a row is 1, 2, 4 or 8 bytes; else a."""
    row_bytes = a.dtype.itemsize * (a[0].size if a.shape[0] else 0)
    if a.ndim < 2 or row_bytes not in (1, 2, 4, 8) or not a.flags.c_contiguous:
        return a
    return a.reshape(a.shape[0], -1).view(f"u{row_bytes}").reshape(a.shape[0])


def _apply_flat(fn, v: np.ndarray) -> np.ndarray:
    out = fn(v.ravel())
    return out.reshape(v.shape + out.shape[1:])


def codes_to_bit_planes(codes: np.ndarray, bits: int) -> np.ndarray:
    """(rows, n) codes -> uint8 (rows, n*bits), window-major, most significant bit first."""
    rows, n = codes.shape
    planes = np.empty((rows, n, bits), dtype=np.uint8)
    for b in range(bits):
        planes[:, :, b] = (codes >> (bits - 1 - b)) & 1
    return planes.reshape(rows, n * bits)


def bit_planes_to_codes(planes: np.ndarray, bits: int) -> np.ndarray:
    """Inverse of codes_to_bit_planes: uint8 (rows, n*bits) -> unsigned codes (rows, n)."""
    rows, cols = planes.shape
    if cols % bits:
        raise TraceError(f"bit matrix has {cols} columns, not a multiple of {bits} input bits")
    dtype = np.uint8 if bits <= 8 else np.uint16 if bits <= 16 else np.uint32 if bits <= 32 else np.uint64
    stacked = planes.reshape(rows, cols // bits, bits).astype(dtype)
    codes = np.zeros((rows, cols // bits), dtype=dtype)
    for b in range(bits):
        codes |= stacked[:, :, b] << np.array(bits - 1 - b, dtype=dtype)
    return codes


def weight_to_levels(
    weights: np.ndarray, weight_bits: int, weight_min: float = -1.0, weight_max: float = 1.0
) -> np.ndarray:
    """NeuroSim's weight normalisation: [weight_min, weight_max] -> integers in [0, 2^weight_bits], half away."""
    normalized_max = float(2**weight_bits)
    scale = (normalized_max - 0.0) / (weight_max - weight_min)
    v = scale * (np.asarray(weights, dtype=np.float64) - weight_max) + normalized_max
    v = np.where(v >= 0, v + 0.5, v - 0.5)
    return np.trunc(v).astype(np.int64)  # C++ double -> int conversion truncates toward zero


def _layer_label(layer: Layer, index: int | None) -> str:
    if index is None:
        return f"layer {layer.name}" if layer.name else "layer"
    return f"layer {index + 1}" + (f" ({layer.name})" if layer.name else "")


def check_trace(
    layer: Layer, trace: LayerTrace, *, check_columns: bool = True, rows_per_synapse: int = 1, index: int | None = None
) -> None:
    """Raise TraceError unless `trace` has the shapes NeuroSim expects for `layer` (`index` 0-based, for messages)."""
    label = _layer_label(layer, index)
    rows = layer.rows * rows_per_synapse
    w_rows, w_cols = trace.weights.shape
    if w_rows != rows or (check_columns and w_cols != layer.out_channels):
        expected = f"({rows}, {layer.out_channels})" if check_columns else f"({rows}, *)"
        raise TraceError(f"{label}: weights have shape {trace.weights.shape}, expected {expected}")
    c_rows, c_windows = trace.input_codes.shape
    if c_rows != rows or c_windows < layer.num_windows:
        raise TraceError(
            f"{label}: input_codes have shape {trace.input_codes.shape}, "
            f"expected ({rows}, >= {layer.num_windows}) (rows, windows NeuroSim reads)"
        )


def check_traces(layers: Sequence[Layer], traces: Sequence[LayerTrace], *, check_columns: bool = True) -> None:
    """check_trace for every layer; the two lists must have the same length."""
    if len(layers) != len(traces):
        raise TraceError(f"{len(layers)} layers but {len(traces)} traces")
    for i, (layer, trace) in enumerate(zip(layers, traces, strict=True)):
        check_trace(layer, trace, check_columns=check_columns, index=i)


def weights_to_ints(weights: np.ndarray, weight_bits: int, label: str = "trace") -> np.ndarray:
    """Weights k / 2^(weight_bits-1) -> the integers k (exact), smallest signed dtype that holds them."""
    k = np.asarray(weights, dtype=np.float64) * 2.0 ** (weight_bits - 1)
    ki = np.rint(k)
    if not np.array_equal(ki, k):
        raise TraceError(
            f"{label}: weights are not multiples of 1/2^{weight_bits - 1}; the npz layout cannot hold them"
        )
    if ki.size and np.abs(ki).max() > 2.0**31 - 1:
        raise TraceError(f"{label}: weights reach {np.abs(weights).max()}, beyond what {weight_bits}-bit codes hold")
    low, high = (ki.min(), ki.max()) if ki.size else (0, 0)
    # a weight of exactly 1.0 is the code +2^(bits-1): one more than int8 holds at 8 bits
    dtype = next(t for t in (np.int8, np.int16, np.int32) if np.iinfo(t).min <= low and high <= np.iinfo(t).max)
    return ki.astype(dtype)
