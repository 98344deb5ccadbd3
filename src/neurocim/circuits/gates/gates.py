"""Device and gate helpers of the NeuroSim cost model (formula.cpp): capacitance, area, leakage, resistance, delay."""

from __future__ import annotations

import math

from neurocim.circuits.constants import (
    AVG_RATIO_LEAK_2INPUT_NAND,
    AVG_RATIO_LEAK_2INPUT_NOR,
    AVG_RATIO_LEAK_3INPUT_NAND,
    AVG_RATIO_LEAK_3INPUT_NOR,
)
from neurocim.circuits.gates.gates_common import (
    GateType,
    Mos,
    c_int,
    ceil_int,
    effective_width,
    fdiv,
    gate_cap,
    is_bulk,
)
from neurocim.circuits.gates.gates_drain import drain_cap, gate_capacitance, gate_capacitance_gaa
from neurocim.circuits.gates.gates_layout import cell_widths, enlarge_size, gate_area, minimum_widths, pass_gate_area
from neurocim.tech.technology import Technology

__all__ = [
    "GateType",
    "Mos",
    "cell_widths",
    "drain_cap",
    "enlarge_size",
    "gate_area",
    "gate_cap",
    "gate_capacitance",
    "gate_capacitance_gaa",
    "gate_leakage",
    "horowitz",
    "minimum_widths",
    "on_resistance",
    "on_resistance_normal",
    "pass_gate_area",
    "transconductance",
]


def _temperature_index(temperature: float) -> int:
    index = c_int(temperature) - 300
    if index > 100 or index < 0:
        raise ValueError(f"temperature {temperature} K is out of range; allowed: 300..400 K")
    return index


def gate_leakage(
    gate: GateType, num_input: int, width_n: float, width_p: float, temperature: float, tech: Technology
) -> float:
    """Average off current (A) of a static gate; multiply by Vdd for power. formula.cpp CalculateGateLeakage."""
    index = _temperature_index(temperature)
    width_n_eff = effective_width(width_n, tech)
    width_p_eff = effective_width(width_p, tech)
    if gate == GateType.INV:
        return (width_n_eff * tech.current_off_nmos[index] + width_p_eff * tech.current_off_pmos[index]) / 2
    if gate == GateType.NOR:  # parallel NMOS pull-down leaks; stacking factor for the series PMOS
        leakage = width_n_eff * tech.current_off_nmos[index] * num_input
        return (AVG_RATIO_LEAK_2INPUT_NOR if num_input == 2 else AVG_RATIO_LEAK_3INPUT_NOR) * leakage
    if gate == GateType.NAND:
        leakage = width_p_eff * tech.current_off_pmos[index] * num_input
        return (AVG_RATIO_LEAK_2INPUT_NAND if num_input == 2 else AVG_RATIO_LEAK_3INPUT_NAND) * leakage
    return 0.0


def _on_width(width: float, tech: Technology) -> float:
    """Effective width for on-resistance (same as effective_width but with NeuroSim's `w / 2F` rounding)."""
    if is_bulk(tech) or tech.v21_finfet:
        return effective_width(width, tech)
    count = math.ceil(width / (2 * tech.feature_size))
    if tech.feature_size >= 3 * 1e-9:
        return count * tech.effective_width
    return count * tech.effective_width * tech.max_sheet_num / tech.max_fin_per_gaa


def on_resistance(width: float, mos: Mos, temperature: float, tech: Technology) -> float:
    """Effective switching resistance (ohm) of a transistor, including the Vdsat multiplier (CACTI)."""
    index = _temperature_index(temperature)
    current = tech.current_on_nmos[index] if mos == Mos.NMOS else tech.current_on_pmos[index]
    return fdiv(tech.effective_resistance_multiplier * tech.vdd, current * _on_width(width, tech))


def on_resistance_normal(width: float, mos: Mos, temperature: float, tech: Technology) -> float:
    """Vdd / Ion resistance (ohm) without the multiplier; NeuroSim uses it for transmission gates."""
    index = _temperature_index(temperature)
    current = tech.current_on_nmos[index] if mos == Mos.NMOS else tech.current_on_pmos[index]
    return fdiv(tech.vdd, current * _on_width(width, tech))


def transconductance(width: float, mos: Mos, tech: Technology) -> float:
    """Transconductance (S) of a transistor; formula.cpp CalculateTransconductance."""
    if is_bulk(tech) or tech.v21_finfet:  # V2.1: the drawn width and gm per metre at every node
        width_eff = width
    elif tech.feature_size <= 14 * 1e-9 and tech.feature_size >= 3 * 1e-9:
        # NeuroSim quirk: height_fin is 0 at 5 and 3 nm, so only the fin top counts there.
        width_eff = ceil_int(width / (2 * tech.feature_size)) * (2 * tech.height_fin + tech.width_fin)
    else:
        count = ceil_int(width / (2 * tech.feature_size))
        width_eff = count * tech.effective_width * tech.max_sheet_num / tech.max_fin_per_gaa
    if tech.feature_size >= 22 * 1e-9 or tech.v21_finfet:
        current_gm = tech.current_gm_nmos if mos == Mos.NMOS else tech.current_gm_pmos
        return fdiv(2 * current_gm * width_eff, 0.7 * tech.vdd - tech.vth)
    return tech.gm_oncurrent * width_eff


def horowitz(tr: float, beta: float, ramp_input: float) -> tuple[float, float]:
    """Horowitz gate delay (s) and output ramp (1/s) for time constant tr and input ramp (CACTI form).

    NeuroSim ignores beta and uses 0.5 (the argument is kept for signature parity).
    """
    alpha = fdiv(fdiv(1, ramp_input), tr)
    vs = 0.5  # normalised switching voltage
    beta = 0.5
    delay = tr * math.sqrt(math.log(vs) * math.log(vs) + 2 * alpha * beta * (1 - vs))
    return delay, fdiv(1 - vs, delay)
