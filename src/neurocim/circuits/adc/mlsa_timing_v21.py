"""NeuroSim V2.1's data-dependent multilevel sense-amplifier read: its time (the slowest column's) and energy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

import numpy as np

from neurocim.circuits.adc.mlsa_read_kernel import (
    BINS_PER_OCTAVE,
    FIXED_S,
    IDLE_POWER_W,
    LOW_RATIO,
    RATIO_RANGE,
    READ_CLAMP_S,
    column_time_bounds,
    slowest_reads,
)
from neurocim.config.chip import Roadmap, SenseMode

if TYPE_CHECKING:
    from neurocim.config.derived import Derived

# Per node (nm): T_max(R) = (a ln(R / 1 kohm) + b) ns, and the factor on T_max as a cubic in ratio = Rref / R below
# LOW_RATIO and a quartic above it (highest power first); NeuroSim V2.1's Cadence fits (LSTP current mode).
_FITS: dict[int, tuple[tuple[float, float], tuple[float, ...], tuple[float, ...]]] = {
    130: ((0.2679, 0.0478), (3.915, -5.3996, 2.4653, 0.3856), (0.0004, -0.0087, 0.0742, -0.2725, 1.2211)),
    90: ((0.0586, 1.41), (3.726, -5.651, 2.8249, 0.3574), (0.0000008, -0.00007, 0.0017, -0.0188, 0.9835)),
    65: ((0.1239, 0.6642), (1.3899, -2.6913, 2.0483, 0.3202), (0.0036, -0.0363, 0.1043, -0.0346, 1.0512)),
    45: ((0.0714, 0.7651), (3.7949, -5.6685, 2.6492, 0.4807), (0.000001, -0.00006, 0.0001, -0.0171, 1.0057)),
}
_FITS[32] = _FITS[45]
# V2.1's static power of a column per node (nm): (per comparator in uW, k, exponent) of
# P(R) = per_comparator (L - 1) + k exp(exponent log10 R), for (HP, LSTP) x (current, voltage) sensing.
_POWER: dict[tuple[bool, bool], dict[int, tuple[float, float, float]]] = {
    (True, True): {130: (19.898, 0.17452, -2.367), 90: (13.09, 0.149, -2.345), 65: (9.9579, 0.1083, -2.321),
                   45: (7.7017, 0.0754, -2.296), 32: (3.9648, 0.079, -2.313), 22: (1.8939, 0.073, -2.311),
                   14: (1.2, 0.0584, -2.311), 10: (0.8, 0.0318, -2.311), 7: (0.5, 0.021, -2.311)},
    (False, True): {130: (18.09, 0.138, -2.303), 90: (12.612, 0.1023, -2.303), 65: (8.4147, 0.0972, -2.303),
                    45: (6.3162, 0.075, -2.303), 32: (3.0875, 0.0649, -2.297), 22: (1.7, 0.0631, -2.303),
                    14: (1.0, 0.0508, -2.303), 10: (0.55, 0.0315, -2.303), 7: (0.35, 0.0235, -2.303)},
    (True, False): {130: (27.84, 0.207452, -2.367), 90: (22.2, 0.1649, -2.345), 65: (13.058, 0.128483, -2.321),
                    45: (8.162, 0.097754, -2.296), 32: (4.76, 0.083709, -2.313), 22: (2.373, 0.084273, -2.311),
                    14: (1.467, 0.060584, -2.311), 10: (0.9077, 0.049418, -2.311), 7: (0.5614, 0.04031, -2.311)},
    (False, False): {130: (23.4, 0.16938, -2.303), 90: (14.42, 0.144323, -2.303), 65: (10.18, 0.121272, -2.303),
                     45: (7.062, 0.100225, -2.303), 32: (3.692, 0.079449, -2.297), 22: (1.866, 0.072341, -2.303),
                     14: (1.126, 0.061085, -2.303), 10: (0.6917, 0.05158, -2.303), 7: (0.4211, 0.043555, -2.303)},
}  # fmt: skip
TEMPERATURE_COEFF = 1.3e-3  # per K above 300 K
CHARACTERISATION_READ_VOLTAGE = 0.5  # V: the fits take R scaled to this read voltage
BOUNDED_READS_FROM = 4096  # resistances in a call from which the compiled pass bounds the columns' times first


def v21_references(adc_levels: int, r_on: float, r_off: float, rows_in_parallel: int) -> tuple[float, ...]:
    """The L - 1 comparator references (ohm) of V2.1's MLSA: linear in resistance, Ron/N + (i + 1) Roff/(N L)."""
    n = rows_in_parallel
    return tuple(r_on / n + (i + 1) * r_off / (n * adc_levels) for i in range(adc_levels - 1))


def chip_read_law(p: Derived, adc_levels: int, rows_in_parallel: int) -> MlsaTimingV21:
    """V2.1's law for a chip's converters of `adc_levels` levels reading `rows_in_parallel` rows at once: references
    from its cell's resistances, its node, roadmap, sense mode, read voltage and temperature."""
    cell, tech = p.chip.cell, p.chip.technology
    refs = v21_references(adc_levels, cell.r_on_ohm, cell.r_off_ohm, rows_in_parallel)
    lstp, current = tech.roadmap is Roadmap.LSTP, p.chip.adc.sense_mode is SenseMode.CURRENT
    return MlsaTimingV21.build(refs, tech.node_nm, lstp, current, p.read_voltage_v, tech.temperature_k)


@dataclass(frozen=True)
class MlsaTimingV21:
    """V2.1's sense-amp timing law (hashable: a cache key). A column of finite resistance R converts in the slowest
    of its comparators but the first (references 1..L-2, counted from 0, as V2.1's loop runs: the fits' T_max times
    a polynomial in Rref / R; FIXED_S outside RATIO_RANGE); no fit (HP roadmap, nodes of 22 nm and below): FIXED_S.
    A column with no conducting row takes no time."""

    references_ohm: tuple[float, ...]
    node_nm: int
    fitted: bool  # LSTP roadmap at a node with fits
    current_mode: bool
    resistance_scale: float  # CHARACTERISATION_READ_VOLTAGE / read voltage
    power: tuple[float, float, float] = (0.0, 0.0, 0.0)  # (W of the comparators, k, exponent) of the column power
    power_factor: float = 1.0  # temperature scaling of the power

    @classmethod
    def build(cls, references_ohm, node_nm: int, lstp: bool, current_mode: bool, read_voltage_v: float,
              temperature_k: float = 300.0):  # fmt: skip
        if read_voltage_v <= 0:
            raise ValueError(f"read voltage must be > 0 V, got {read_voltage_v}")
        fitted = lstp and node_nm in _FITS
        scale = CHARACTERISATION_READ_VOLTAGE / read_voltage_v
        table = _POWER[(not lstp, current_mode)]
        per_comparator, k, exponent = table.get(node_nm, table[7])  # below 7 nm: its 7 nm fit
        comparators_w = per_comparator * 1e-6 * len(references_ohm)  # L - 1 comparators
        factor = 1 + TEMPERATURE_COEFF * (temperature_k - 300)
        refs = tuple(float(r) for r in references_ohm)
        return cls(refs, node_nm, fitted, current_mode, scale, (comparators_w, k, exponent), factor)

    def column_latency(self, column_resistance: np.ndarray) -> np.ndarray:
        """Conversion time (s) of every column, element-wise (R = inf or 0: no conversion, 0 s)."""
        r = np.asarray(column_resistance, dtype=np.float64) * self.resistance_scale
        live = np.isfinite(r) & (r > 0)
        if not self.fitted:
            return np.where(live, FIXED_S, 0.0)
        (a, b), low, high = _FITS[self.node_nm]
        safe = np.where(live, r, 1e3)
        t_max = (a * np.log(safe / 1e3) + b) * 1e-9
        out = np.zeros(r.shape)
        for ref in self.references_ohm[1:]:
            ratio = ref / safe
            factor = np.where(ratio <= LOW_RATIO, np.polyval(low, ratio), np.polyval(high, ratio))
            t = np.where((ratio >= RATIO_RANGE[1]) | (ratio <= RATIO_RANGE[0]), FIXED_S, t_max * factor)
            np.maximum(out, t, out=out)
        return np.where(live, out, 0.0)

    def read_latency(self, column_resistance: np.ndarray) -> np.ndarray:
        """Conversion time (s) of every read (rows: reads, columns: the sub-array's columns): its slowest column's,
        clamped to READ_CLAMP_S (a NaN resistance is skipped); FIXED_S in voltage mode. The compiled form of
        clamp(max over columns of column_latency) (the tests keep that as its oracle)."""
        return self._compiled_reads(column_resistance, with_energy=False)[0]

    def read_latency_energy(self, column_resistance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(read_latency, read_energy) of every read, in one compiled pass over the resistances where the fits apply
        (the same numbers to rounding: the energy's sum over columns is taken in another order)."""
        return self._compiled_reads(column_resistance, with_energy=True)

    def _compiled_reads(self, column_resistance: np.ndarray, with_energy: bool) -> tuple[np.ndarray, np.ndarray]:

        r = np.atleast_2d(np.asarray(column_resistance))
        if r.dtype.kind != "f":
            r = r.astype(np.float64)
        law = self._compiled_law
        if law is None:  # every live column converts in FIXED_S (or no comparator is timed): the clamp's floor
            t = np.full(r.shape[0], max(FIXED_S, READ_CLAMP_S[0]))
            return t, (self.read_energy(r, t) if with_energy else np.zeros(0))
        # the bounds pay for themselves over many columns (a sweep's few-column reads time every column); references
        # of 0 or inf ohm (a cell of infinite resistance) convert in FIXED_S and leave every column timed
        bounded = r.size >= BOUNDED_READS_FROM and law[0][0] > 0 and law[0][-1] < math.inf
        bounds = self._time_bounds if bounded else (0, np.zeros(0))
        t, e = np.empty(r.shape[0]), np.zeros(r.shape[0] if with_energy else 0)
        power = (*self.power, self.power_factor) if with_energy else (0.0, 0.0, 0.0, 0.0)
        slowest_reads(r, self.resistance_scale, *law, *bounds, power, t, e)  # type: ignore[call-arg]
        return t, e

    @cached_property
    def _compiled_law(self) -> tuple | None:
        """What the compiled read pass takes (None where no comparator is timed by the fits): the sorted references,
        the fit (a, b, cubic, quartic) and the monotone breaks with their sides. Kept on the instance, as
        `_time_bounds` (not fields: equality and hashing ignore them)."""
        refs = np.sort(np.array(self.references_ohm[1:], dtype=np.float64))
        if not self.current_mode or not self.fitted or not len(refs):
            return None
        (a, b), low, high = _FITS[self.node_nm]
        return (refs, (a, b, tuple(low), tuple(high)), *_monotone_breaks(self.node_nm))

    @cached_property
    def _time_bounds(self) -> tuple[int, np.ndarray]:
        """`_column_time_bounds` (the first bin, the bounds), built on the first large read."""
        assert self._compiled_law is not None
        return _column_time_bounds(self._compiled_law[0], self.node_nm)

    def column_power(self, column_resistance: np.ndarray) -> np.ndarray:
        """Static power (W) of every column, element-wise: V2.1's fit of R; R = inf: 1 uW; R = 0 or NaN: 0."""
        r = np.asarray(column_resistance, dtype=np.float64) * self.resistance_scale
        live = np.isfinite(r) & (r > 0)
        comparators_w, k, exponent = self.power
        with np.errstate(divide="ignore", invalid="ignore"):
            p = comparators_w + k * np.exp(exponent * np.log10(np.where(live, r, 1.0)))
        p = np.where(live, p, np.where(np.isinf(r), IDLE_POWER_W, 0.0))
        return p * self.power_factor

    def read_energy(self, column_resistance: np.ndarray, read_latency_s: np.ndarray | None = None) -> np.ndarray:
        """Energy (J) of every read (rows: reads): each column's power for the read's time, none below zero.
        `read_latency_s`: the reads' read_latency when the caller has it already."""
        r = np.atleast_2d(np.asarray(column_resistance, dtype=np.float64))
        t = self.read_latency(r) if read_latency_s is None else np.asarray(read_latency_s, dtype=np.float64)
        if t.shape != (r.shape[0],):
            raise ValueError(f"read_latency_s needs one time per read ({r.shape[0]}), got shape {t.shape}")
        return np.maximum(self.column_power(r) * t[:, None], 0.0).sum(axis=1)


@cache
def _monotone_breaks(node_nm: int) -> tuple[tuple[float, ...], tuple[bool, ...]]:
    """Ratios Rref / R between which the factor on T_max is monotone or constant: the fits' range ends, the boundary
    of the two pieces and each piece's critical points inside its interval (real roots of its derivative; a complex
    pair is a derivative that keeps its sign); with each, whether a ratio equal to it counts as above it (the range's
    top, where `ratio >= 20` converts in FIXED_S). A constant of the node's fit, computed once per process."""
    _, low, high = _FITS[node_nm]
    found = [(RATIO_RANGE[0], False), (LOW_RATIO, False), (RATIO_RANGE[1], True)]
    for poly, lo, hi in ((low, RATIO_RANGE[0], LOW_RATIO), (high, LOW_RATIO, RATIO_RANGE[1])):
        for root in np.roots(np.polyder(poly)):
            if abs(root.imag) <= 1e-6 * abs(root.real) and lo < root.real < hi:
                found.append((float(root.real), False))
    found.sort()
    return tuple(x for x, _ in found), tuple(at for _, at in found)




def _column_time_bounds(refs: np.ndarray, node_nm: int) -> tuple[int, np.ndarray]:
    """(first bin, bounds): an upper bound on the conversion time (s) of a column whose scaled resistance lies in each
    bin (0.3 % wide), over the resistances where some reference's ratio lies inside RATIO_RANGE (elsewhere every
    comparator converts in FIXED_S); `column_time_bounds` computes them."""

    (a, b), low, high = _FITS[node_nm]
    first, last = _bin(refs[0] / RATIO_RANGE[1] * (1 - 1e-6)), _bin(refs[-1] / RATIO_RANGE[0] * (1 + 1e-6))
    e, j = np.divmod(np.arange(first, last + 1), BINS_PER_OCTAVE)
    x0, x1 = (np.ldexp(0.5 + (j + k) / (2 * BINS_PER_OCTAVE), e) for k in (0, 1))  # the bins' ends
    bounds = np.empty(len(x0))
    column_time_bounds(refs, (a, b, tuple(low), tuple(high)), np.array(_monotone_breaks(node_nm)[0]), x0, x1, bounds)
    return first, bounds


def _bin(x: float) -> int:
    """The bin of a scaled resistance x (ohm) in _column_time_bounds (the compiled pass computes it alike)."""
    m, e = math.frexp(x)
    return e * BINS_PER_OCTAVE + int((m - 0.5) * 2 * BINS_PER_OCTAVE)
