"""Shared pieces of the gate helpers: C-style arithmetic, node classes, cell-height and fin-count rules."""

from __future__ import annotations

import math
from enum import IntEnum

from neurocim.circuits.constants import (
    CPP_BY_NODE,
    MAX_TRANSISTOR_HEIGHT,
    MAX_TRANSISTOR_HEIGHT_BY_NODE,
    MAX_TRANSISTOR_HEIGHT_FINFET,
    MIN_GAP_BET_GATE_POLY_FINFET,
    MIN_GAP_BET_P_AND_N_DIFFS_BY_NODE,
    OUTER_HEIGHT_REGION_BY_NODE,
    POLY_WIDTH_BY_NODE,
    POLY_WIDTH_FINFET,
)
from neurocim.tech.technology import Technology

ADVANCED_NODES_NM = (14, 10, 7, 5, 3, 2, 1)
_INT_MIN = -(2**31)


class GateType(IntEnum):
    INV = 0
    NOR = 1
    NAND = 2


class Mos(IntEnum):
    NMOS = 0
    PMOS = 1


# --- C arithmetic -------------------------------------------------------------------------------------------------


def c_int(x: float) -> int:
    """C++ double-to-int conversion: truncation; NaN and out-of-range give INT_MIN as on x86-64."""
    if math.isnan(x) or x >= 2.0**31 or x < -(2.0**31):
        return _INT_MIN
    return int(x)


def ceil_int(x: float) -> int:
    """C++ (int)ceil(x)."""
    return c_int(math.ceil(x)) if math.isfinite(x) else _INT_MIN


def units_along(side: float, unit: float) -> int:
    """Whole units that fit along a side, at least one: a side shorter than one unit holds one and is overhung
    (NeuroSim's count is 0 there, and its layouts divide by it)."""
    return max(c_int(side / unit), 1)


def c_idiv(a: int, b: int) -> int:
    """C++ integer division (truncates toward zero); division by zero raises like the C++ crashes."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def c_mod(a: int, b: int) -> int:
    """C++ integer remainder (sign of the dividend)."""
    return a - b * c_idiv(a, b)


def fdiv(a: float, b: float) -> float:
    """IEEE double division: x/0 gives +-inf or NaN instead of raising."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def c_max(a: float, b: float) -> float:
    """C-style `a > b ? a : b` (keeps NeuroSim's operand order where NaN could appear)."""
    return a if a > b else b


def pn_ratio(width_p: float, width_n: float) -> float:
    """PMOS share of the total width, NaN when both widths are zero (as in C++)."""
    return fdiv(width_p, width_p + width_n)


# --- node classes (NeuroSim compares the feature size in metres) ---------------------------------------------------


def is_bulk(tech: Technology) -> bool:
    return tech.feature_size >= 22 * 1e-9


def fin_rules(tech: Technology) -> bool:
    """NeuroSim V1.4's FinFET/GAA rules apply (<= 14 nm); V2.1's FinFETs keep the planar circuit rules."""
    return tech.feature_size <= 14 * 1e-9 and not tech.v21_finfet


def fin_factor(tech: Technology) -> int:
    """Feature sizes per unit of drawn width: V1.4 draws FinFET/GAA devices 2 F per fin, planar ones 1 F."""
    return 2 if fin_rules(tech) else 1


def node_key(tech: Technology) -> int | None:
    """The FinFET/GAA node whose per-node layout constants apply, or None (planar nodes, V2.1's FinFETs)."""
    if tech.v21_finfet:
        return None
    for nm in ADVANCED_NODES_NM:
        if tech.feature_size == nm * 1e-9:
            return nm
    return None


def fins_per_width(width: float, tech: Technology) -> float:
    """Width in units of 2F (fins or sheets), written as NeuroSim's `w *= 1/(2F)`."""
    return width * (1 / (2 * tech.feature_size))


def pitch_width(width: float, tech: Technology) -> float:
    """NeuroSim V2.1's FinFETs: a drawn width (m) as fins (one per 2F) times the fin pitch."""
    return width * (tech.pitch_fin / (2 * tech.feature_size))


def effective_width(width: float, tech: Technology) -> float:
    """Electrical width: drawn width (bulk), fins * W_eff (FinFET) or sheets * W_eff * stack (GAA)."""
    if is_bulk(tech):
        return width
    if tech.v21_finfet:
        return float(ceil_int(pitch_width(width, tech) / tech.pitch_fin)) * tech.effective_width
    count = ceil_int(fins_per_width(width, tech))
    if tech.feature_size >= 3 * 1e-9:
        return count * tech.effective_width
    return count * tech.effective_width * tech.max_sheet_num / tech.max_fin_per_gaa


def gate_cap(width: float, tech: Technology) -> float:
    """Gate capacitance (F) of a transistor of the given drawn width (m); formula.cpp CalculateGateCap."""
    return (tech.cap_ideal_gate + tech.cap_overlap + tech.cap_fringe) * effective_width(width, tech) + (
        tech.phy_gate_length * tech.cap_polywire
    )


# --- standard-cell rules for FinFET/GAA ----------------------------------------------------------------------------


def scaled_cell_height(height_region: float, tech: Technology) -> float:
    """Map a height given in bulk units (28 F cells) to the node's FinFET/GAA cell height."""
    height_region *= MAX_TRANSISTOR_HEIGHT_FINFET / MAX_TRANSISTOR_HEIGHT
    key = node_key(tech)
    if key is not None:
        height_region *= MAX_TRANSISTOR_HEIGHT_BY_NODE[key] / MAX_TRANSISTOR_HEIGHT_FINFET
    return height_region


def is_special_layout(height_region: float, tech: Technology) -> bool:
    """A cell height other than the default switches on the fin-count-from-height rule."""
    return height_region != tech.feature_size * MAX_TRANSISTOR_HEIGHT


def cpp_advanced(tech: Technology) -> float:
    """Contacted poly pitch (in F) of a FinFET/GAA node."""
    key = node_key(tech)
    return CPP_BY_NODE[key] if key is not None else POLY_WIDTH_FINFET + MIN_GAP_BET_GATE_POLY_FINFET


def poly_width_advanced(tech: Technology) -> float:
    key = node_key(tech)
    return POLY_WIDTH_BY_NODE[key] if key is not None else POLY_WIDTH_FINFET


def fins_from_height(height_region: float, tech: Technology, key: int) -> float:
    """Fins (or sheets) per device type that fit a cell of the given (scaled) height."""
    gap = MIN_GAP_BET_P_AND_N_DIFFS_BY_NODE[key] * tech.feature_size
    outer = OUTER_HEIGHT_REGION_BY_NODE[key] * tech.feature_size
    return math.floor((height_region - gap - outer + tech.pitch_fin) / 2.0 / (tech.width_fin + tech.pitch_fin))


def max_fins_and_sheets(height_region: float, tech: Technology, special: bool) -> tuple[int, float]:
    """Per-type limit before the P/N split: (fins, sheets); the unused one is 0."""
    key = node_key(tech)
    if key is None:
        return 0, 0.0
    if special:
        count = fins_from_height(height_region, tech, key)
        return (c_int(count), 0.0) if key >= 3 else (0, float(count))
    return (c_int(tech.max_fin_num), 0.0) if key >= 3 else (0, tech.max_fin_per_gaa)


def split_fins(ratio: float, max_fin: int, max_sheet: float, tech: Technology) -> tuple[int, int, float, float]:
    """Share the fin/sheet limit between PMOS and NMOS by their width ratio.

    Returns (max P fins, max N fins, max P sheets, max N sheets); both types start from the same limit.
    """
    temp_fin = 2 * max_fin
    temp_sheet = 2 * max_sheet
    if ratio == 0:
        return 0, c_int(temp_fin), 0.0, temp_sheet
    if ratio == 1:
        return c_int(temp_fin), 0, temp_sheet, 0.0
    per_gaa = c_int(tech.max_fin_per_gaa)  # GAA: one fin per device whatever the ratio
    if ratio > 0.5:
        n_fin = c_int(temp_fin * (1 - ratio))
        p_fin = c_int(temp_fin - n_fin)
    else:
        p_fin = c_int(temp_fin * ratio)
        n_fin = c_int(temp_fin - p_fin)
    p_sheet = n_sheet = per_gaa
    # NeuroSim guards against a zero share by giving it one fin and the rest to the other type.
    if p_fin == 0:
        p_fin = 1
        n_fin = 2 * max_fin - p_fin
    if n_fin == 0:
        n_fin = 1
        p_fin = 2 * max_fin - n_fin
    if p_sheet == 0:
        p_sheet = 1
        n_sheet = c_int(2 * max_sheet - p_sheet)
    if n_sheet == 0:
        n_sheet = 1
        p_sheet = c_int(2 * max_sheet - n_sheet)
    return p_fin, n_fin, float(p_sheet), float(n_sheet)


def stacked_width(
    gate: GateType, num_input: int, region_p: float, region_n: float, unfolded: bool, shared_m: float
) -> float:
    """A gate's drawn width (m) from its P and N regions: an INV is its wider region, a NAND/NOR `num_input` regions
    side by side, sharing `shared_m` of source/drain between neighbours when no device is folded; other gates 0."""
    if gate == GateType.INV:
        total_p, total_n = region_p, region_n
    elif gate in (GateType.NOR, GateType.NAND):
        total_p, total_n = region_p * num_input, region_n * num_input
        if unfolded:
            total_p -= (num_input - 1) * shared_m
            total_n -= (num_input - 1) * shared_m
    else:
        total_p = total_n = 0.0
    return total_n if total_n > total_p else total_p
