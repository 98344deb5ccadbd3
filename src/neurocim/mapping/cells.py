"""Weights into cells: integer weight levels split over cell digits (cells per weight), digits to conductances."""

from __future__ import annotations

import numpy as np

from neurocim.workload.traces import weight_to_levels

# NeuroSim V1.4 LoadInWeightData, conventional modes


def levels_to_cells(levels: np.ndarray, cell_bits: int, cols_per_weight: int) -> np.ndarray:
    """Split integer weight levels into `cols_per_weight` base-2^cell_bits digits, most significant first.

    Uses C integer semantics (remainder and quotient truncate toward zero). Only the lowest
    cols_per_weight digits are kept, so the top level 2^weight_bits wraps to all-zero digits when
    cols_per_weight*cell_bits == weight_bits (NeuroSim quirk: weight +1.0 is stored as 0).
    Digits come as int8 when they fit (cell_bits <= 7), else int16.
    """
    value = np.asarray(levels, dtype=np.int64)
    rows, cols = value.shape
    cps, mask = cols_per_weight, (1 << cell_bits) - 1
    dtype = np.int8 if cell_bits <= 7 else np.int16
    cells = np.empty((rows, cols, cps), dtype=dtype)
    if value.size == 0 or value.min() >= 0:
        if cell_bits == 1 and cps <= 64:  # binary digits: unpack the bits of a big-endian word
            width = next(w for w in (1, 2, 4, 8) if 8 * w >= cps)
            word = (value & ((1 << cps) - 1) if cps < 64 else value).astype(f">u{width}")
            bits = np.unpackbits(word.view(np.uint8).reshape(rows, cols, width), axis=-1)
            return bits[:, :, 8 * width - cps :].astype(dtype).reshape(rows, cols * cps)
        value = value.astype(np.int32) if value.max() < 2**31 else value
        for z in range(cps):  # non-negative: digit z is a bit field
            cells[:, :, cps - 1 - z] = (value >> (cell_bits * z)) & mask
    else:
        for z in range(cps):
            rem = np.fmod(value, mask + 1)
            cells[:, :, cps - 1 - z] = rem
            value = (value - rem) // (mask + 1)  # exact, so equal to C's truncating division
    return cells.reshape(rows, cols * cps)


def levels_to_quotient_cells(levels: np.ndarray, cell_bits: int, cols_per_weight: int) -> np.ndarray:
    """NeuroSim V2.1's split of non-negative integer weight levels (quirk v21_weight_digits_quotient), as digits that
    `cells_to_conductance` reads: cell k (most significant first) keeps the running quotient
    q = level >> (cell_bits*(cols_per_weight - k)), and its conductance steps by the integer quotient q // (2^c - 1),
    so the digit is that step times 2^c - 1 (it can pass the cell's top level: conductances above g_max).
    Always int16, so the digits are never taken for one-bit cells' 0/1."""
    value = np.asarray(levels, dtype=np.int64)
    rows, cols = value.shape
    cps, top = cols_per_weight, (1 << cell_bits) - 1
    if value.size and value.min() < 0:
        raise ValueError(f"weight levels must be non-negative, got {value.min()}")
    cells = np.stack([(value >> (cell_bits * (cps - k))) // top * top for k in range(cps)], axis=-1)
    return cells.astype(np.int16).reshape(rows, cols * cps)


def cells_to_conductance(
    cells: np.ndarray, cell_bits: int, g_max: float, g_min: float, steps: int | None = None
) -> np.ndarray:
    """Cell digit d -> conductance d/steps*(g_max - g_min) + g_min (S); steps: 2^cell_bits - 1 unless given (NeuroSim
    V2.1 maps a one-cell weight's levels 0..2^weight_bits over 2^weight_bits steps)."""
    d = np.asarray(cells)
    span = (1 << cell_bits) - 1 if steps is None else steps
    if d.dtype.kind in "iu" and d.size:
        lo, hi = int(d.min()), int(d.max())
        levels = np.arange(lo, hi + 1, dtype=np.float64)
        table = levels / span * (g_max - g_min) + g_min
        return table[d.astype(np.int64, copy=False) - lo] if lo else table[d]
    return d.astype(np.float64) / span * (g_max - g_min) + g_min


def weights_to_conductance(
    weights: np.ndarray,
    weight_bits: int,
    cell_bits: int,
    cols_per_weight: int,
    g_max: float,
    g_min: float,
    weight_min: float = -1.0,
    weight_max: float = 1.0,
) -> np.ndarray:
    """Algorithm weights (rows x out_channels) -> cell conductances (rows x out_channels*cols_per_weight)."""
    levels = weight_to_levels(weights, weight_bits, weight_min, weight_max)
    return cells_to_conductance(levels_to_cells(levels, cell_bits, cols_per_weight), cell_bits, g_max, g_min)
