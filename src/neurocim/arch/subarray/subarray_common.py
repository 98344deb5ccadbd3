"""Records and helpers shared by the parallel and sequential sub-array models."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from neurocim.circuits.adc.flash_adc import FlashAdc
from neurocim.circuits.adc.piecewise_fit import as_float_array
from neurocim.circuits.adc.sar_adc import SarAdc
from neurocim.circuits.logic.adder import Adder
from neurocim.circuits.logic.shift_add import ShiftAdd

BIG_RAMP = 1e20  # a step input (NeuroSim's rampInput = 1e20)
# Column resistances converted per block by adc_energy_per_vector (sized to stay in the CPU cache).
ADC_BLOCK_ELEMENTS = 1 << 17


@dataclass(frozen=True)
class SubArrayArea:
    """Bounding box of the sub-array and the used-area breakdown (m^2, m); the breakdown omits empty space."""

    area: float
    height: float
    width: float
    area_adc: float
    area_accum: float
    area_other: float
    area_array: float
    used_area: float


@dataclass(frozen=True)
class SubArrayRead:
    """Sums over the input bit-vectors of one block: latencies in cycles (synchronous) or seconds, energies in J.

    NeuroSim names: readLatency(ADC/Accum/Other) and readDynamicEnergy(ADC/Accum/Other)."""

    num_vectors: float
    latency: float
    latency_adc: float
    latency_accum: float
    latency_other: float
    energy: float
    energy_adc: float
    energy_accum: float
    energy_other: float


@dataclass(frozen=True)
class VectorCosts:
    """Per-vector latency and energy breakdowns: arrays of shape (n_vectors,) or per-vector constants."""

    latency_adc: np.ndarray | float
    latency_accum: np.ndarray | float
    latency_other: np.ndarray | float
    energy: np.ndarray | float
    energy_adc: np.ndarray | float
    energy_accum: np.ndarray | float
    energy_other: np.ndarray | float

    def per_vector(self, n: int) -> np.ndarray:
        """(n, 8) costs of every vector: latency, its ADC/accumulation/other parts, energy and its parts."""
        lat = np.asarray(self.latency_adc) + np.asarray(self.latency_accum) + np.asarray(self.latency_other)
        parts = (
            lat,
            self.latency_adc,
            self.latency_accum,
            self.latency_other,
            self.energy,
            self.energy_adc,
            self.energy_accum,
            self.energy_other,
        )
        out = np.empty((n, len(parts)))
        for k, x in enumerate(parts):
            out[:, k] = x  # a constant per vector broadcasts
        return out

    def total(self, n: int, counts: np.ndarray | None = None) -> SubArrayRead:
        """Sum over the n vectors, vector k weighted by counts[k] (its number of repetitions) if given."""
        weights = None if counts is None else np.asarray(counts, dtype=float)
        num = float(n) if weights is None else float(weights.sum())

        def summed(x: np.ndarray | float) -> float:
            arr = np.asarray(x, dtype=float)
            if arr.ndim == 0:  # constant per vector
                return float(arr) * num
            return float(arr.sum()) if weights is None else float(arr @ weights)

        lat = np.asarray(self.latency_adc) + np.asarray(self.latency_accum) + np.asarray(self.latency_other)
        return SubArrayRead(
            num_vectors=num,
            latency=summed(lat),
            latency_adc=summed(self.latency_adc),
            latency_accum=summed(self.latency_accum),
            latency_other=summed(self.latency_other),
            energy=summed(self.energy),
            energy_adc=summed(self.energy_adc),
            energy_accum=summed(self.energy_accum),
            energy_other=summed(self.energy_other),
        )


def column_band_width(width_array: float, *widths: float) -> float:
    """Width (m) of the array and the column periphery under it: the array's, unless a unit that cannot be split
    (one DFF, adder or precharger) is wider than the array's columns."""
    return max(width_array, *widths)


def idiv_ceil(a: int, b: int) -> int:
    """C++ `ceil(a/b)` of two ints: the integer division happens first (NeuroSim quirk)."""
    return a // b


def log2_ceil(n: int) -> int:
    """(int)ceil(log2(n))."""
    return int(math.ceil(math.log2(n)))


def adder_step(adder: Adder, cap_load: float) -> float:
    """One addition (s) from a step input into `cap_load` (Adder::CalculateLatency(1e20, cap, 1))."""
    return adder.latency(BIG_RAMP, cap_load, 1)


def shift_add_step(shift_add: ShiftAdd | None) -> float:
    """Latency (s) of the adder inside a shift-add unit; 0 when the unit does not exist (never initialised)."""
    if shift_add is None:
        return 0.0
    return adder_step(shift_add.adder, shift_add.dff.cap_tg_drain)


def adc_energy_per_vector(adc: FlashAdc | SarAdc | None, column_resistance: np.ndarray) -> np.ndarray:
    """ADC energy of one conversion of every mapped column, per vector (J).

    column_resistance has shape (n_vectors, n_cols), float32 or float64 (the per-column energies are computed in
    that precision, in cache-sized row blocks, and summed in float64); the result has shape (n_vectors,)."""
    r = as_float_array(column_resistance)
    n, cols = r.shape
    if adc is None or cols == 0:
        return np.zeros(n)
    out = np.empty(n)
    step = max(1, ADC_BLOCK_ELEMENTS // cols)
    for start in range(0, n, step):  # row blocks that stay in cache, not a loop over vectors
        block = np.ascontiguousarray(r[start : start + step])  # column slices of a strip are strided
        if isinstance(adc, FlashAdc):
            out[start : start + step] = adc.static_energy(block).sum(axis=1, dtype=np.float64)
        else:
            out[start : start + step] = adc.column_energy(block).sum(axis=1, dtype=np.float64)
    if isinstance(adc, FlashAdc):
        out += adc.column_switching_energy * cols
    return out


def pipelined_accum_cycles(
    adc: np.ndarray | float,
    accum: np.ndarray | float,
    steps: Sequence[tuple[float, float, float]],
    clk_freq: float,
) -> np.ndarray | float:
    """Add shift-add cycles that the ADC/adder pipeline cannot hide (synchronous mode).

    Each step is (count, adder latency s, divisor): count * max(ceil(t * f) - (adc + accum) / divisor, 0)."""
    for count, t_add, divisor in steps:
        hidden = np.ceil(t_add * clk_freq) - np.asarray(adc + accum) / divisor if divisor else -math.inf
        accum = accum + count * np.maximum(hidden, 0.0)
    return accum
