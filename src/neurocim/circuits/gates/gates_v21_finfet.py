"""NeuroSim V2.1's FinFET device rules (14, 10 and 7 nm): fins counted by the fin pitch, bulk-style cells."""

from __future__ import annotations

import math

from neurocim.circuits.constants import (
    MIN_GAP_BET_FIELD_POLY,
    MIN_GAP_BET_GATE_POLY_FINFET,
    MIN_GAP_BET_P_AND_N_DIFFS,
    MIN_POLY_EXT_DIFF,
    POLY_WIDTH_FINFET,
)
from neurocim.circuits.gates.gates_common import (
    GateType,
    c_idiv,
    c_int,
    ceil_int,
    fdiv,
    pitch_width,
    pn_ratio,
    stacked_width,
)
from neurocim.tech.technology import Technology

CPP_FINFET = POLY_WIDTH_FINFET + MIN_GAP_BET_GATE_POLY_FINFET  # contacted poly pitch, in F
# V2.1 scales the cell height by its FinFET/planar height ratio with integer constants (34 / 28 == 1): unscaled.


def _outer(f: float) -> float:
    return (MIN_POLY_EXT_DIFF + MIN_GAP_BET_FIELD_POLY / 2) * 2 * f


def max_fins(ratio: float, height_region: float, tech: Technology) -> tuple[int, int]:
    """Most (PMOS, NMOS) fins that fit the cell height unfolded, shared by the width ratio."""
    f, pitch = tech.feature_size, tech.pitch_fin
    if ratio == 0:
        return 0, c_int(math.floor((height_region - _outer(f)) / pitch)) + 1
    if ratio == 1:
        return c_int(math.floor((height_region - _outer(f)) / pitch)) + 1, 0
    free = height_region - MIN_GAP_BET_P_AND_N_DIFFS * f - _outer(f)
    if math.isnan(ratio):
        return c_int(ratio), c_int(ratio)
    return c_int(math.floor(ratio * free / pitch)) + 1, c_int(math.floor((1 - ratio) * free / pitch)) + 1


def _folds(count: int, max_count: int) -> int:
    """Fold count: V2.1 divides the fin counts as integers before rounding up; a cell too low for one fin holds
    one per fold (V2.1 divides by zero or goes negative there)."""
    return 1 if count <= max_count else c_idiv(count, max(max_count, 1))


def _region(count: int, max_count: int, f: float) -> tuple[float, int]:
    """Diffusion-region width (m) and fold count of one device."""
    if count <= 0:
        return 0.0, 1
    if count <= max_count:
        return 2 * CPP_FINFET * f, 1
    folds = _folds(count, max_count)
    return (folds + 1) * CPP_FINFET * f, folds


def gate_area(
    gate: GateType, num_input: int, width_n: float, width_p: float, height_region: float, tech: Technology
) -> tuple[float, float, float]:
    """(area m^2, height m, width m) of a static gate in a cell of the given height."""
    f = tech.feature_size
    width_n, width_p = pitch_width(width_n, tech), pitch_width(width_p, tech)
    max_p, max_n = max_fins(pn_ratio(width_p, width_n), height_region, tech)
    region_p, folds_p = _region(ceil_int(width_p / tech.pitch_fin), max_p, f)
    region_n, folds_n = _region(ceil_int(width_n / tech.pitch_fin), max_n, f)
    width = stacked_width(gate, num_input, region_p, region_n, folds_p == 1 and folds_n == 1, f * CPP_FINFET)
    return width * height_region, height_region, width


def drain(count: int, max_count: int, tech: Technology) -> tuple[float, float, float, int]:
    """(unit drain width m, unit source width m, drain height m, folds) of one device of `count` fins."""
    f, gap = tech.feature_size, MIN_GAP_BET_GATE_POLY_FINFET
    if count <= 0:
        return 0.0, 0.0, 0.0, 1
    if count <= max_count:
        unit = f * gap
        return unit, unit, (count - 1) * tech.pitch_fin + 2 * tech.width_fin / 2, 1
    folds = _folds(count, max_count)
    unit_drain = ceil_int((folds + 1) / 2) * f * gap
    unit_source = c_int(math.floor((folds + 1) / 2)) * f * gap
    height = (max(max_count, 1) - 1) * tech.pitch_fin + 2 * tech.width_fin / 2
    return unit_drain, unit_source, height, folds


def drains(
    width_n: float, width_p: float, height_region: float, tech: Technology
) -> tuple[tuple[float, float, float, int], tuple[float, float, float, int], float, float]:
    """(NMOS drain, PMOS drain, NMOS width, PMOS width) of a gate, widths in pitch units as V2.1 keeps them."""
    width_n, width_p = pitch_width(width_n, tech), pitch_width(width_p, tech)
    max_p, max_n = max_fins(pn_ratio(width_p, width_n), height_region, tech)
    dn = drain(ceil_int(width_n / tech.pitch_fin), max_n, tech)
    dp = drain(ceil_int(width_p / tech.pitch_fin), max_p, tech)
    return dn, dp, width_n, width_p


def pass_gate_area(width_n: float, width_p: float, tech: Technology, num_fold: int) -> tuple[float, float, float]:
    """(area, height, width) of a transmission gate folded `num_fold` times; V2.1 counts its fins by the fin
    perimeter rather than the pitch."""
    f = tech.feature_size
    width = (num_fold + 1) * CPP_FINFET * f
    fins_p = ceil_int(fdiv(ceil_int(pitch_width(width_p, tech) / tech.effective_width), num_fold))
    fins_n = ceil_int(fdiv(ceil_int(pitch_width(width_n, tech) / tech.effective_width), num_fold))
    height_p = (fins_p - 1) * tech.pitch_fin + 2 * tech.width_fin / 2
    height_n = (fins_n - 1) * tech.pitch_fin + 2 * tech.width_fin / 2
    height = height_p + height_n + MIN_GAP_BET_P_AND_N_DIFFS * f + _outer(f)
    return width * height, height, width
