"""Input and output (drain junction) capacitance of static gates (formula.cpp CalculateGateCapacitance*)."""

from __future__ import annotations

import math

from neurocim.circuits.constants import MIN_GAP_BET_GATE_POLY
from neurocim.circuits.gates import gates_v21_finfet as v21
from neurocim.circuits.gates.gates_common import (
    GateType,
    Mos,
    c_idiv,
    c_int,
    c_mod,
    ceil_int,
    cpp_advanced,
    fdiv,
    fins_per_width,
    gate_cap,
    is_bulk,
    is_special_layout,
    max_fins_and_sheets,
    node_key,
    pn_ratio,
    poly_width_advanced,
    scaled_cell_height,
    split_fins,
)
from neurocim.circuits.gates.gates_layout import bulk_max_widths
from neurocim.tech.technology import Technology

# (unit drain width m, unit source width m, drain height m, number of folds) of one device
_Drain = tuple[float, float, float, int]
_NO_DRAIN: _Drain = (0.0, 0.0, 0.0, 1)


def _folded(folds: int, f: float, gap: float) -> tuple[float, float]:
    """Drain and source widths of a folded device: drain fingers >= source fingers."""
    return ceil_int((folds + 1) / 2) * f * gap, c_int(math.floor((folds + 1) / 2)) * f * gap


def _bulk_drain(width: float, max_width: float, f: float) -> _Drain:
    if not width > 0:
        return _NO_DRAIN
    if width <= max_width:
        unit = f * MIN_GAP_BET_GATE_POLY
        return unit, unit, width, 1
    folds = ceil_int(fdiv(width, max_width))
    drain, source = _folded(folds, f, MIN_GAP_BET_GATE_POLY)
    return drain, source, max_width, folds


def _fin_drain(count: int, max_count: float, gap: float, f: float, fin_height: float) -> _Drain:
    """Drain of a FinFET/GAA device; NeuroSim folds by integer division of the fin (sheet) counts."""
    max_count = int(max_count)
    if count <= 0:
        return _NO_DRAIN
    if count <= max_count:
        unit = f * gap
        return unit, unit, count * fin_height, 1
    folds = ceil_int(c_idiv(count, max_count))
    drain, source = _folded(folds, f, gap)
    return drain, source, max_count * fin_height, folds


def _stack(series: bool, present: bool, d: _Drain, num_input: int, shared: bool) -> tuple[float, float]:
    """Drain width and drain sidewall length of one device type of a NOR/NAND gate."""
    unit_drain, unit_source, height, folds = d
    if not present:
        return 0.0, 0.0
    if shared and series:  # source and drain regions shared along the stack
        width = unit_drain * num_input
        return width, width * 2 + height
    if shared:  # parallel devices share drains pairwise
        width = unit_drain * c_int(math.floor((num_input + 1) / 2))
        return width, width * 2 + height * (1 - c_mod(num_input + 1, 2))
    if series:  # folded: every internal source node of the stack adds junction
        width = unit_drain * num_input + (num_input - 1) * unit_source
        side = width * 2 + height * (1 + c_mod(folds + 1, 2)) * num_input
        return width, side + height * (1 - c_mod(folds + 1, 2)) * (num_input - 1)
    width = unit_drain * num_input
    return width, width * 2 + height * (1 + c_mod(folds + 1, 2)) * num_input


def _output_cap(
    gate: GateType, num_input: int, width_n: float, width_p: float, dn: _Drain, dp: _Drain, tech: Technology
) -> float:
    wd_n = wd_p = side_n = side_p = 0.0
    folds_n, folds_p = dn[3], dp[3]
    if gate == GateType.INV:
        if width_p > 0:
            wd_p = dp[0]
            side_p = wd_p * 2 + dp[2] * (1 + c_mod(folds_p + 1, 2))
        if width_n > 0:
            wd_n = dn[0]
            # NeuroSim quirk: the NMOS sidewall uses the PMOS fold count.
            side_n = wd_n * 2 + dn[2] * (1 + c_mod(folds_p + 1, 2))
    elif gate in (GateType.NOR, GateType.NAND):
        shared = folds_p == 1 and folds_n == 1
        nor = gate == GateType.NOR  # NOR: series PMOS, parallel NMOS; NAND the reverse
        wd_p, side_p = _stack(nor, width_p > 0, dp, num_input, shared)
        wd_n, side_n = _stack(not nor, width_n > 0, dn, num_input, shared)
    bottom_n = wd_n * dn[2] * tech.cap_junction
    bottom_p = wd_p * dp[2] * tech.cap_junction
    if tech.feature_size <= 14 * 1e-9 and not tech.v21_finfet:  # V1.4's FinFET/GAA: bottom junction only
        return bottom_n + bottom_p
    sidewall_p = side_p * tech.cap_sidewall
    sidewall_n = side_n * tech.cap_sidewall
    channel_n = folds_n * dn[2] * tech.cap_drain_to_channel
    channel_p = folds_p * dp[2] * tech.cap_drain_to_channel
    return bottom_n + bottom_p + sidewall_n + sidewall_p + channel_n + channel_p


def gate_capacitance(
    gate: GateType, num_input: int, width_n: float, width_p: float, height_region: float, tech: Technology
) -> tuple[float, float]:
    """Input capacitance (F, one input) and output drain capacitance (F) of a static gate."""
    if tech.v21_finfet:
        dn, dp, width_n, width_p = v21.drains(width_n, width_p, height_region, tech)
        # V2.1 takes the input capacitance of the widths already in pitch units (scaled twice)
        cap_in = gate_cap(width_n, tech) + gate_cap(width_p, tech)
        return cap_in, _output_cap(gate, num_input, width_n, width_p, dn, dp, tech)
    f = tech.feature_size
    cap_in = gate_cap(width_n, tech) + gate_cap(width_p, tech)
    special = is_special_layout(height_region, tech)
    if f <= 14 * 1e-9:
        width_n = fins_per_width(width_n, tech)
        width_p = fins_per_width(width_p, tech)
        height_region = scaled_cell_height(height_region, tech)
    ratio = pn_ratio(width_p, width_n)
    if is_bulk(tech):
        max_p, max_n = bulk_max_widths(ratio, height_region, tech)
        dp = _bulk_drain(width_p, max_p, f)
        dn = _bulk_drain(width_n, max_n, f)
    else:
        max_fin, max_sheet = max_fins_and_sheets(height_region, tech, special)
        p_fin, n_fin, p_sheet, n_sheet = split_fins(ratio, max_fin, max_sheet, tech)
        gap = cpp_advanced(tech) - poly_width_advanced(tech)
        max_p, max_n = (p_fin, n_fin) if f >= 3 * 1e-9 else (p_sheet, n_sheet)
        dp = _fin_drain(ceil_int(width_p), max_p, gap, f, tech.width_fin)
        dn = _fin_drain(ceil_int(width_n), max_n, gap, f, tech.width_fin)
    return cap_in, _output_cap(gate, num_input, width_n, width_p, dn, dp, tech)


def gate_capacitance_gaa(
    gate: GateType,
    num_input: int,
    width_n: float,
    width_p: float,
    height_region: float,
    tech: Technology,
    gate_factor: float,
    n_tune: float,
    p_tune: float,
) -> tuple[float, float]:
    """GAA special-layout variant: input cap scaled by gate_factor, drain heights by the N/P tuning factors.

    Defined for the 2 nm and 1 nm nodes only (NeuroSim reads uninitialised sheet limits elsewhere).
    """
    if node_key(tech) not in (2, 1):
        raise ValueError(f"gate_capacitance_gaa needs a GAA node (2 or 1 nm), got {tech.node_nm} nm")
    f = tech.feature_size
    cap_in = gate_factor * (gate_cap(width_n, tech) + gate_cap(width_p, tech))
    special = is_special_layout(height_region, tech)
    width_n = fins_per_width(width_n, tech)
    width_p = fins_per_width(width_p, tech)
    height_region = scaled_cell_height(height_region, tech)
    ratio = pn_ratio(width_p, width_n)
    max_fin, max_sheet = max_fins_and_sheets(height_region, tech, special)
    _, _, p_sheet, n_sheet = split_fins(ratio, max_fin, max_sheet, tech)
    gap = cpp_advanced(tech) - poly_width_advanced(tech)
    dp = _fin_drain(ceil_int(width_p), p_sheet, gap, f, tech.width_fin * p_tune)
    dn = _fin_drain(ceil_int(width_n), n_sheet, gap, f, tech.width_fin * n_tune)
    return cap_in, _output_cap(gate, num_input, width_n, width_p, dn, dp, tech)


def drain_cap(width: float, mos: Mos, height_region: float, tech: Technology) -> float:
    """Drain capacitance (F) of a single transistor (an inverter with only that device). CalculateDrainCap."""
    if mos == Mos.NMOS:
        return gate_capacitance(GateType.INV, 1, width, 0.0, height_region, tech)[1]
    return gate_capacitance(GateType.INV, 1, 0.0, width, height_region, tech)[1]
