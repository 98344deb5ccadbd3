"""Standard-cell layout helpers (formula.cpp): gate footprint, transmission-gate footprint, device up-sizing."""

from __future__ import annotations

from neurocim.circuits.constants import (
    CPP_BY_NODE,
    MAX_TRANSISTOR_HEIGHT,
    MIN_GAP_BET_FIELD_POLY,
    MIN_GAP_BET_GATE_POLY,
    MIN_GAP_BET_P_AND_N_DIFFS,
    MIN_GAP_BET_P_AND_N_DIFFS_BY_NODE,
    MIN_NMOS_SIZE,
    MIN_POLY_EXT_DIFF,
    OUTER_HEIGHT_REGION_BY_NODE,
    POLY_WIDTH,
)
from neurocim.circuits.gates import gates_v21_finfet as v21
from neurocim.circuits.gates.gates_common import (
    GateType,
    c_idiv,
    c_int,
    ceil_int,
    cpp_advanced,
    fdiv,
    is_bulk,
    is_special_layout,
    max_fins_and_sheets,
    node_key,
    pn_ratio,
    scaled_cell_height,
    split_fins,
    stacked_width,
)
from neurocim.tech.technology import Technology

_CPP_BULK = POLY_WIDTH + MIN_GAP_BET_GATE_POLY  # contacted poly pitch of bulk cells, in F


def bulk_max_widths(ratio: float, height_region: float, tech: Technology) -> tuple[float, float]:
    """Largest unfolded PMOS and NMOS widths (m) that fit a bulk cell of the given height."""
    f = tech.feature_size
    if ratio == 0:
        return 0.0, height_region - (MIN_POLY_EXT_DIFF + MIN_GAP_BET_FIELD_POLY / 2) * 2 * f
    if ratio == 1:
        return height_region - (MIN_POLY_EXT_DIFF + MIN_GAP_BET_FIELD_POLY / 2) * 2 * f, 0.0
    max_p = ratio * (
        height_region - MIN_GAP_BET_P_AND_N_DIFFS * f - (MIN_POLY_EXT_DIFF + MIN_GAP_BET_FIELD_POLY / 2) * 2 * f
    )
    return max_p, max_p / ratio * (1 - ratio)


def _bulk_region(width: float, max_width: float, f: float) -> tuple[float, int]:
    """Diffusion-region width (m) and fold count of one bulk device."""
    if not width > 0:
        return 0.0, 1
    if width <= max_width:
        return 2 * _CPP_BULK * f, 1
    folds = ceil_int(fdiv(width, max_width))
    return (folds + 1) * _CPP_BULK * f, folds


def _fin_region(count: int, max_count: float, cpp: float, f: float, int_division: bool) -> tuple[float, int]:
    """Region width (m) and fold count of a FinFET (integer fold division) or GAA device."""
    if count <= 0:
        return 0.0, 1
    if count <= max_count:
        return 2 * cpp * f, 1
    quotient = c_idiv(count, int(max_count)) if int_division else fdiv(count, max_count)
    folds = ceil_int(quotient)
    return (folds + 1) * cpp * f, folds


def gate_area(
    gate: GateType, num_input: int, width_n: float, width_p: float, height_region: float, tech: Technology
) -> tuple[float, float, float]:
    """Footprint of a static gate in a fixed-height cell: (area m^2, height m, width m). CalculateGateArea."""
    if tech.v21_finfet:
        return v21.gate_area(gate, num_input, width_n, width_p, height_region, tech)
    f = tech.feature_size
    special = is_special_layout(height_region, tech)
    if f <= 14 * 1e-9:
        width_n = width_n * 1 / (2 * f)  # now in fins / sheets
        width_p = width_p * 1 / (2 * f)
        height_region = scaled_cell_height(height_region, tech)
    ratio = pn_ratio(width_p, width_n)
    cpp = cpp_advanced(tech)
    if is_bulk(tech):
        max_p, max_n = bulk_max_widths(ratio, height_region, tech)
        region_p, folds_p = _bulk_region(width_p, max_p, f)
        region_n, folds_n = _bulk_region(width_n, max_n, f)
        pitch = _CPP_BULK
    else:
        max_fin, max_sheet = max_fins_and_sheets(height_region, tech, special)
        p_fin, n_fin, p_sheet, n_sheet = split_fins(ratio, max_fin, max_sheet, tech)
        if f >= 3 * 1e-9:  # FinFET folds by integer division of fin counts
            region_p, folds_p = _fin_region(ceil_int(width_p), p_fin, cpp, f, True)
            region_n, folds_n = _fin_region(ceil_int(width_n), n_fin, cpp, f, True)
        else:
            region_p, folds_p = _fin_region(ceil_int(width_p), p_sheet, cpp, f, False)
            region_n, folds_n = _fin_region(ceil_int(width_n), n_sheet, cpp, f, False)
        pitch = cpp
    width = stacked_width(gate, num_input, region_p, region_n, folds_p == 1 and folds_n == 1, f * pitch)
    return width * height_region, height_region, width


def pass_gate_area(width_n: float, width_p: float, tech: Technology, num_fold: int) -> tuple[float, float, float]:
    """Transmission-gate footprint, height set by its folding: (area, height, width). CalculatePassGateArea."""
    if tech.v21_finfet:
        return v21.pass_gate_area(width_n, width_p, tech, num_fold)
    f = tech.feature_size
    if is_bulk(tech):
        width = (num_fold + 1) * (POLY_WIDTH + MIN_GAP_BET_GATE_POLY) * f
        height = (
            fdiv(width_p, num_fold)
            + fdiv(width_n, num_fold)
            + MIN_GAP_BET_P_AND_N_DIFFS * f
            + (MIN_POLY_EXT_DIFF + MIN_GAP_BET_FIELD_POLY / 2) * 2 * f
        )
        return width * height, height, width
    key = node_key(tech)
    if key is None:
        raise ValueError(f"no FinFET/GAA layout rules for feature size {f} m")
    width = (num_fold + 1) * CPP_BY_NODE[key] * f
    fins_p = ceil_int(fdiv(ceil_int(width_p / (2 * f)), num_fold))
    fins_n = ceil_int(fdiv(ceil_int(width_n / (2 * f)), num_fold))
    height_p = (fins_p - 1) * tech.pitch_fin + 2 * tech.width_fin / 2
    height_n = (fins_n - 1) * tech.pitch_fin + 2 * tech.width_fin / 2
    height = height_p + height_n + MIN_GAP_BET_P_AND_N_DIFFS_BY_NODE[key] * f
    if f >= 3 * 1e-9:
        height += OUTER_HEIGHT_REGION_BY_NODE[key] * 2 * f
    else:  # GAA counts the outer region once
        height += OUTER_HEIGHT_REGION_BY_NODE[key] * f
    return width * height, height, width


def enlarge_size(width_n: float, width_p: float, height_region: float, tech: Technology) -> tuple[float, float]:
    """Grow minimum-size devices to use the full cell height at no area cost: (width_n, width_p). EnlargeSize."""
    f = tech.feature_size
    ratio = pn_ratio(width_p, width_n)
    if tech.v21_finfet:  # V2.1 has no such up-sizing
        return width_n, width_p
    if is_bulk(tech):
        max_p, max_n = bulk_max_widths(ratio, height_region, tech)
        if ratio == 0 and width_n < max_n:
            width_n = max_n
        elif ratio == 1 and width_p < max_p:
            width_p = max_p
        elif 0 < width_p < max_p and 0 < width_n < max_n:
            width_p, width_n = max_p, max_n
        return width_n, width_p
    if f <= 14 * 1e-9 and f >= 3 * 1e-9:
        return _enlarge_finfet(width_n, width_p, ratio, tech)
    return _enlarge_gaa(width_n, width_p, ratio, tech)


def cell_widths(tech: Technology, n_mult: float = 1, p_mult: float = 1) -> tuple[float, float]:
    """(width_n, width_p) in m of a gate of `n_mult` minimum NMOS and `p_mult` pn-ratio PMOS widths, enlarged
    to fill the default 28 F standard cell (NeuroSim's usual EnlargeSize call)."""
    return enlarge_size(*minimum_widths(tech, n_mult, p_mult), tech.feature_size * MAX_TRANSISTOR_HEIGHT, tech)


def minimum_widths(tech: Technology, n_mult: float = 1, p_mult: float = 1) -> tuple[float, float]:
    """(width_n, width_p) in m of a gate of `n_mult` minimum NMOS and `p_mult` pn-ratio PMOS widths, as drawn (not
    enlarged)."""
    f = tech.feature_size
    return n_mult * MIN_NMOS_SIZE * f, p_mult * tech.pn_size_ratio * MIN_NMOS_SIZE * f


def _enlarge_finfet(width_n: float, width_p: float, ratio: float, tech: Technology) -> tuple[float, float]:
    f = tech.feature_size
    max_fin = c_int(tech.max_fin_num)
    fins_p = ceil_int(width_p / (2.0 * f))
    fins_n = ceil_int(width_n / (2.0 * f))
    if ratio == 0 and fins_n <= max_fin:
        return float(max_fin) * 2 * f, width_p
    if ratio == 1 and fins_p <= max_fin:
        return width_n, float(max_fin) * 2 * f
    if 0 < fins_p <= max_fin and 0 < fins_n <= max_fin:
        # Fill the fin limit only when the other type's fin count stays integral.
        if ratio >= 0.5:
            other = max_fin / ratio * (1 - ratio)
            if other - c_int(other) == 0:
                fins_n, fins_p = c_int(other), max_fin
        else:
            other = max_fin / (1 - ratio) * ratio
            if other - c_int(other) == 0:
                fins_p, fins_n = c_int(other), max_fin
        return float(fins_n) * 2 * f, float(fins_p) * 2 * f
    return width_n, width_p


def _enlarge_gaa(width_n: float, width_p: float, ratio: float, tech: Technology) -> tuple[float, float]:
    f = tech.feature_size
    sheets_p = ceil_int(width_p / (2 * f))
    sheets_n = ceil_int(width_n / (2 * f))
    if ratio == 0 and sheets_n <= 2:  # single device: fixed to 2 sheets
        return 2.0 * 2 * f, width_p
    if ratio == 1 and sheets_p <= 2:
        return width_n, 2.0 * 2 * f
    if 0 < sheets_p <= 1 and 0 < sheets_n <= 1:  # pair: fixed to 1 sheet each
        return 1.0 * 2 * f, 1.0 * 2 * f
    return width_n, width_p
