"""NeuroSim V2.1's data-dependent multilevel sense-amplifier timing: per read, the slowest column's conversion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Per node (nm): T_max(R) = (a ln(R / 1 kohm) + b) ns, and the factor on T_max as a cubic in ratio = Rref / R below
# LOW_RATIO and a quartic above it (highest power first); NeuroSim V2.1's Cadence fits (LSTP current mode).
_FITS: dict[int, tuple[tuple[float, float], tuple[float, ...], tuple[float, ...]]] = {
    130: ((0.2679, 0.0478), (3.915, -5.3996, 2.4653, 0.3856), (0.0004, -0.0087, 0.0742, -0.2725, 1.2211)),
    90: ((0.0586, 1.41), (3.726, -5.651, 2.8249, 0.3574), (0.0000008, -0.00007, 0.0017, -0.0188, 0.9835)),
    65: ((0.1239, 0.6642), (1.3899, -2.6913, 2.0483, 0.3202), (0.0036, -0.0363, 0.1043, -0.0346, 1.0512)),
    45: ((0.0714, 0.7651), (3.7949, -5.6685, 2.6492, 0.4807), (0.000001, -0.00006, 0.0001, -0.0171, 1.0057)),
}
_FITS[32] = _FITS[45]
LOW_RATIO = 0.9  # V2.1 meant a flat T_max within 0.9 ..1.1; its `a <= x <= b` test is always true in C++
FIXED_S = 1e-9  # conversion time outside the fits' ratio range, on the HP roadmap, at 22 nm and below
RATIO_RANGE = (0.05, 20.0)  # comparators whose reference is this far from R convert in FIXED_S
READ_CLAMP_S = (1e-9, 10e-9)  # a read takes its slowest column's time, clamped to this range
CHARACTERISATION_READ_VOLTAGE = 0.5  # V: the fits take R scaled to this read voltage


def v21_references(level_output: int, r_on: float, r_off: float, rows_in_parallel: int) -> tuple[float, ...]:
    """The L - 1 comparator references (ohm) of V2.1's MLSA: linear in resistance, Ron/N + (i + 1) Roff/(N L)."""
    n = rows_in_parallel
    return tuple(r_on / n + (i + 1) * r_off / (n * level_output) for i in range(level_output - 1))


@dataclass(frozen=True)
class MlsaTimingV21:
    """V2.1's sense-amp timing law (hashable: a cache key). A column of finite resistance R converts in the slowest
    of its comparators 1..L-2 (the fits' T_max times a polynomial in Rref / R; FIXED_S outside RATIO_RANGE); no fit
    (HP roadmap, nodes of 22 nm and below): FIXED_S. A column with no conducting row takes no time."""

    references_ohm: tuple[float, ...]
    node_nm: int
    fitted: bool  # LSTP roadmap at a node with fits
    current_mode: bool
    resistance_scale: float  # CHARACTERISATION_READ_VOLTAGE / read voltage

    @classmethod
    def build(cls, references_ohm, node_nm: int, lstp: bool, current_mode: bool, read_voltage_v: float):
        if read_voltage_v <= 0:
            raise ValueError(f"read voltage must be > 0 V, got {read_voltage_v}")
        fitted = lstp and node_nm in _FITS
        scale = CHARACTERISATION_READ_VOLTAGE / read_voltage_v
        return cls(tuple(float(r) for r in references_ohm), node_nm, fitted, current_mode, scale)

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
        for ref in self.references_ohm[1:-1]:
            ratio = ref / safe
            factor = np.where(ratio <= LOW_RATIO, np.polyval(low, ratio), np.polyval(high, ratio))
            t = np.where((ratio >= RATIO_RANGE[1]) | (ratio <= RATIO_RANGE[0]), FIXED_S, t_max * factor)
            np.maximum(out, t, out=out)
        return np.where(live, out, 0.0)

    def read_latency(self, column_resistance: np.ndarray) -> np.ndarray:
        """Conversion time (s) of every read (rows: reads, columns: the sub-array's columns): its slowest column's,
        clamped to READ_CLAMP_S (a NaN resistance is skipped); FIXED_S in voltage mode."""
        r = np.atleast_2d(np.asarray(column_resistance, dtype=np.float64))
        if not self.current_mode:
            return np.full(r.shape[0], FIXED_S)
        slowest = self.column_latency(np.where(np.isnan(r), np.inf, r)).max(axis=1, initial=0.0)
        return np.clip(slowest, *READ_CLAMP_S)
