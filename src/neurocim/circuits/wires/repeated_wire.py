"""Repeated on-chip wires shared by the H-tree and the buses: repeater sizing and per-length delay/energy/leakage."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    gate_area,
    gate_capacitance,
    gate_leakage,
    on_resistance,
)
from neurocim.tech.wires import RESISTIVITY_TEMP_COEFF, barrier_corrected, resistance_per_metre

WIRE_CAP_PER_M = 0.2e-15 / 1e-6  # 0.2 fF/um, NeuroSim's global-wire capacitance
SWITCHING_ACTIVITY = 0.5  # fraction of bits that switch per transfer (before any toggle-rate factor)
V21_SWITCHING_ACTIVITY = 0.25  # NeuroSim V2.1's H-tree and bus energy factor (it has no toggle rates)
WIRE_ELMORE = 0.54  # distributed-RC coefficient of a repeated wire segment (NeuroSim V1.4; V2.1: 0.5)
V21_WIRE_ELMORE = 0.5

# Wire width (nm) lower bound -> (aspect ratio, bulk resistivity ohm*m, barrier thickness m), widest first.
# NeuroSim V1.4 interconnect table (HTree/XYBus); it differs from Param.cpp's below 12 nm.
_WIRE_TABLE = (
    (175, 1.6, 2.01e-8, 10.0e-9),
    (110, 1.6, 2.20e-8, 10.0e-9),
    (105, 1.7, 2.21e-8, 7.0e-9),
    (80, 1.7, 2.37e-8, 5.0e-9),
    (56, 1.8, 2.63e-8, 4.0e-9),
    (40, 1.9, 2.97e-8, 3.0e-9),
    (32, 2.0, 3.25e-8, 2.5e-9),
    (22, 2.0, 3.95e-8, 2.5e-9),
    (20, 2.0, 4.17e-8, 2.5e-9),
    (15, 2.0, 4.98e-8, 2.0e-9),
    (12, 2.0, 5.8e-8, 1.5e-9),
    (10, 3.0, 6.65e-8, 0.5e-9),
    (8, 3.0, 7.87e-8, 0.5e-9),
)


class Relax(Enum):
    """How the repeater size shrinks while trading delay for energy."""

    HALVE = "halve"  # H-tree and XY bus: integer halving, no floor
    DECREMENT = "decrement"  # PE bus: minus one, stops at zero


def wire_resistance_per_length(ctx: CircuitContext, length: float) -> float:
    """Resistance per metre of a global wire whose width is picked by its length (ohm/m).

    Wires of >= 1e5 F use 4x, >= 1e4 F 2x the minimum wire width (NeuroSim V1.4 HTree/XYBus GetUnitLengthRes).
    """
    # NeuroSim quirk: `return width, resistance;` is the comma operator, so callers never see the chosen width
    ratio = length / ctx.tech.feature_size
    base = ctx.p.wires.wire_width_nm
    if ctx.p.quirk("wire_range_tests_always_true"):
        return _chained_comparison_resistance(ratio, base, ctx.p.chip.technology.temperature_k)
    if ratio >= 100000:
        width = 4 * base
    elif 10000 <= ratio <= 100000:
        width = 2 * base
    else:
        width = 1 * base
    row = next((r for r in _WIRE_TABLE if width >= r[0]), None)
    if row is None:
        raise ValueError(f"wire width {width} nm is out of range")
    _, ar, rho, barrier = row
    rho = barrier_corrected(rho, width, ar, barrier)
    rho *= 1 + RESISTIVITY_TEMP_COEFF * (ctx.p.chip.technology.temperature_k - 300)  # no abs() here, unlike Param.cpp
    return resistance_per_metre(rho, width, ar)


def _chained_comparison_resistance(ratio: float, base_nm: float, temperature_k: int) -> float:
    """NeuroSim V2.1's H-tree wire: its range tests `a <= x <= b` are always true in C++, so a wire below 1e5 F is
    2x the wire width and any width below 200 nm takes AR 2.30 and 2.73e-8 ohm*m (no barrier correction)."""
    width = 4 * base_nm if ratio >= 100000 else 2 * base_nm
    ar, rho = (2.10, 2.42e-8) if width >= 200 else (2.30, 2.73e-8)
    rho *= 1 + RESISTIVITY_TEMP_COEFF * (temperature_k - 300)
    return resistance_per_metre(rho, width, ar)


@dataclass(frozen=True)
class _Inverter:
    cap_input: float
    cap_output: float
    res_on: float
    wire_elmore: float = WIRE_ELMORE  # distributed-RC coefficient of the wire segment it drives


def _inverter(ctx: CircuitContext, width_n: float, width_p: float) -> tuple[_Inverter, float, float]:
    """Capacitances and mean N/P on-resistance of an inverter, plus its standard-cell (height, width). NeuroSim V2.1
    (quirk v21_repeater_delay) takes the sum of the N and P on-resistances and a wire coefficient of 0.5."""
    tech = ctx.tech
    _, height, width = gate_area(GateType.INV, 1, width_n, width_p, tech.feature_size * MAX_TRANSISTOR_HEIGHT, tech)
    cap_in, cap_out = gate_capacitance(GateType.INV, 1, width_n, width_p, height, tech)
    t = ctx.temperature
    res = on_resistance(width_n, Mos.NMOS, t, tech) + on_resistance(width_p, Mos.PMOS, t, tech)
    if ctx.p.quirk("v21_repeater_delay"):
        return _Inverter(cap_in, cap_out, res, V21_WIRE_ELMORE), height, width
    return _Inverter(cap_in, cap_out, res / 2), height, width


def _unit_delay(inv: _Inverter, wire_res: float, spacing: float) -> float:
    """Delay per metre of a repeated wire (0.7 * Elmore of one repeater stage / stage length)."""
    c_w = WIRE_CAP_PER_M
    return (
        0.7
        * (
            inv.res_on * (inv.cap_input + inv.cap_output + c_w * spacing)
            + inv.wire_elmore * wire_res * spacing * c_w * spacing
            + wire_res * spacing * inv.cap_input
        )
        / spacing
    )


@dataclass(frozen=True)
class Repeaters:
    """A repeater design for a bus: size (x minimum inverter), spacing and the final inverter's parasitics."""

    size: int  # NeuroSim repeaterSize after relaxation (may be 0; the inverter then uses size 1)
    spacing: float  # m between repeaters (NeuroSim minDist)
    width_n: float
    width_p: float
    height: float  # standard-cell height of one repeater (m)
    width: float  # standard-cell width of one repeater (m)
    inverter: _Inverter
    leakage_per_length: float  # W per metre per bit
    vdd: float
    activity: float = SWITCHING_ACTIVITY  # fraction of a transfer's energy that switches

    def delay_per_length(self, wire_res: float) -> float:
        """Delay per metre (s/m) with repeaters, for a wire of `wire_res` ohm/m."""
        return _unit_delay(self.inverter, wire_res, self.spacing)

    def wire_delay_per_length(self, wire_res: float) -> float:
        """Delay per metre (s/m) of the bare wire (the branch for segments without repeaters)."""
        d = self.spacing
        return 0.7 * wire_res * d * WIRE_CAP_PER_M * d / d

    def segment_delay(self, length: float, wire_res: float) -> float:
        """Delay (s) of one segment; segments with no repeater (length <= 0) take the bare-wire rate."""
        if math.ceil(length / self.spacing) > 0:
            return length * self.delay_per_length(wire_res)
        return length * self.wire_delay_per_length(wire_res)

    @property
    def energy_per_length(self) -> float:
        """Dynamic energy per metre per bit transfer (J/m), switching activity included."""
        inv, v = self.inverter, self.vdd
        return (inv.cap_input + inv.cap_output + WIRE_CAP_PER_M * self.spacing) * v * v / self.spacing * self.activity

    @property
    def wire_energy_per_length(self) -> float:
        """Dynamic energy per metre per bit of a bare wire (J/m)."""
        return (WIRE_CAP_PER_M * self.spacing) * self.vdd * self.vdd / self.spacing * self.activity

    def segment_energy(self, length: float, scale: float = 1.0) -> float:
        """Energy (J) of one bit over one segment; `scale` multiplies the per-length energy (toggle rate)."""
        if math.ceil(length / self.spacing) > 0:
            return length * (self.energy_per_length * scale)
        return length * (self.wire_energy_per_length * scale)


def size_repeaters(ctx: CircuitContext, delay_tolerance: float, relax: Relax) -> Repeaters:
    """Minimum-delay repeater design (size and spacing), then relaxed to (1 + tolerance) x the optimal delay.

    NeuroSim V1.4 repeated-wire model (HTree/Bus/XYBus Initialize), wire resistance = Param's unit resistance.
    """
    tech = ctx.tech
    f = tech.feature_size
    wire_res = ctx.p.wires.unit_resistance
    c_w = WIRE_CAP_PER_M
    min_inv, _, _ = _inverter(ctx, MIN_NMOS_SIZE * f, tech.pn_size_ratio * MIN_NMOS_SIZE * f)
    size = int(math.floor(math.sqrt(min_inv.res_on * c_w / min_inv.cap_input / wire_res)))
    spacing = math.sqrt(2 * min_inv.res_on * (min_inv.cap_output + min_inv.cap_input) / (wire_res * c_w))

    def sized(n: int) -> _Inverter:
        return _inverter(ctx, MIN_NMOS_SIZE * f * n, tech.pn_size_ratio * MIN_NMOS_SIZE * f * n)[0]

    if delay_tolerance:
        target = _unit_delay(sized(size), wire_res, spacing) * (1 + delay_tolerance)
        delay = 0.0
        while delay < target and (relax is Relax.HALVE or size >= 1):
            size = size // 2 if relax is Relax.HALVE else size - 1
            spacing *= 0.9
            # a zero-width repeater has infinite on-resistance: the loop always stops there
            delay = _unit_delay(sized(size), wire_res, spacing) if size > 0 else math.inf

    n = max(1, size)
    width_n = n * MIN_NMOS_SIZE * f
    width_p = n * tech.pn_size_ratio * MIN_NMOS_SIZE * f
    inv, height, width = _inverter(ctx, width_n, width_p)
    leak = gate_leakage(GateType.INV, 1, width_n, width_p, ctx.temperature, tech) * tech.vdd / spacing
    activity = V21_SWITCHING_ACTIVITY if ctx.p.quirk("v21_wire_activity") else SWITCHING_ACTIVITY
    return Repeaters(size, spacing, width_n, width_p, height, width, inv, leak, tech.vdd, activity)


def cycles(latency: float, synchronous: bool, clk_freq: float) -> float:
    """A latency in seconds, or rounded up to whole clock cycles in synchronous mode."""
    return math.ceil(latency * clk_freq) if synchronous else latency
