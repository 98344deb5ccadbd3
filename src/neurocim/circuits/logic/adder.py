"""Ripple-carry adder of NAND2 gates (NeuroSim V1.4 Adder model), plus shared helpers of the digital circuits."""

from __future__ import annotations

import math

from neurocim.circuits.base import Footprint, Layout, Reads, fit
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    enlarge_size,
    gate_area,
    gate_capacitance,
    gate_capacitance_gaa,
    gate_leakage,
    horowitz,
    on_resistance,
    transconductance,
)

NAND_PER_BIT = 9
# GAA special-layout NAND2 capacitance tuning (gate factor, NMOS drain factor, PMOS drain factor) per node (nm).
NAND2_GAA_TUNING = {2: (1.0, 22.0 / 15.0, 8.0 / 15.0), 1: (1.0, 23.0 / 15.0, 7.0 / 15.0)}


def gaa_special(ctx: CircuitContext) -> bool:
    """True when the GAA special standard-cell layout applies to areas and resistances (<= 2 nm)."""
    return ctx.tech.feature_size <= 2e-9 and bool(ctx.p.chip.sizing.special_layout)


def gaa_tuned_node(ctx: CircuitContext) -> int | None:
    """2 or 1 when the special-layout capacitance/leakage tuning applies (exact node match), else None."""
    if not ctx.p.chip.sizing.special_layout:
        return None
    f = ctx.tech.feature_size
    if f == 2e-9:
        return 2
    if f == 1e-9:
        return 1
    return None


def stage_delay(
    ctx: CircuitContext, resistance: float, width: float, mos: Mos, cap: float, ramp_input: float
) -> tuple[float, float]:
    """Horowitz delay and output ramp of one gate stage driving `cap` through `resistance`."""
    beta = 1 / (resistance * transconductance(width, mos, ctx.tech))
    return horowitz(resistance * cap, beta, ramp_input)


class Adder:
    """`num_adder` ripple-carry adders of `num_bit` bits, 9 NAND2 per bit."""

    def __init__(self, ctx: CircuitContext, num_bit: int, num_adder: int) -> None:
        self.ctx = ctx
        self.num_bit = int(num_bit)
        self.num_adder = int(num_adder)
        tech = ctx.tech
        f = tech.feature_size
        self.packed = ctx.p.quirk("v21_adder_sizing")  # V2.1: minimum NAND2s, whole adders per column/row
        self.width_nand_n, self.width_nand_p = 2 * MIN_NMOS_SIZE * f, tech.pn_size_ratio * MIN_NMOS_SIZE * f
        if not self.packed:
            self.width_nand_n, self.width_nand_p = enlarge_size(
                self.width_nand_n, self.width_nand_p, f * MAX_TRANSISTOR_HEIGHT, tech
            )
        wn, wp = self.width_nand_n, self.width_nand_p
        if gaa_special(ctx):
            wn, wp = MIN_NMOS_SIZE * f, MIN_NMOS_SIZE * f
        _, self.h_nand, self.w_nand = gate_area(GateType.NAND, 2, wn, wp, f * MAX_TRANSISTOR_HEIGHT, tech)
        node = gaa_tuned_node(ctx)
        if node is not None:
            self.cap_nand_input, self.cap_nand_output = gate_capacitance_gaa(
                GateType.NAND, 2, MIN_NMOS_SIZE * f, MIN_NMOS_SIZE * f, self.h_nand, tech, *NAND2_GAA_TUNING[node]
            )
            current = gate_leakage(GateType.NAND, 2, MIN_NMOS_SIZE * f, MIN_NMOS_SIZE * f, ctx.temperature, tech)
        else:
            self.cap_nand_input, self.cap_nand_output = gate_capacitance(
                GateType.NAND, 2, self.width_nand_n, self.width_nand_p, self.h_nand, tech
            )
            current = gate_leakage(GateType.NAND, 2, self.width_nand_n, self.width_nand_p, ctx.temperature, tech)
        self.leakage = current * tech.vdd * NAND_PER_BIT * self.num_bit * self.num_adder
        self._energy_per_add = self._switching_energy()
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """Adders in columns of the given height, rows of the given width, or one row by default. A side shorter
        than one adder holds one per column/row and the footprint overhangs it (NeuroSim warns and leaves 0 area)."""
        if new_height and mode is Layout.NONE:
            h_adder, w_adder = self.h_nand, self.w_nand * NAND_PER_BIT * self.num_bit
            height = max(new_height, h_adder)
            spread = w_adder * h_adder * self.num_adder / height
            width = w_adder * self._packed(height, h_adder) if self.packed else spread
        elif new_width and mode is Layout.NONE:
            h_adder, w_adder = self.h_nand * self.num_bit, self.w_nand * NAND_PER_BIT
            width = max(new_width, w_adder)
            spread = w_adder * h_adder * self.num_adder / width
            height = h_adder * self._packed(width, w_adder) if self.packed else spread
        else:
            h_adder, w_adder = self.h_nand, self.w_nand * NAND_PER_BIT * self.num_bit
            width, height = w_adder * self.num_adder, h_adder
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def _packed(self, side: float, unit: float) -> int:
        """Columns (rows) of whole adders along a side that holds int(side / unit) of them."""
        per_line = max(min(int(side / unit), self.num_adder), 1)
        return math.ceil(self.num_adder / per_line)

    def delay(self, ramp_input: float, cap_load: float) -> tuple[float, float]:
        """Critical-path delay (s) of one addition and the output ramp (1/s)."""
        # NeuroSim V1.4 critical path for A=11..1, B=10..0, Cin=1: carry chain of alternating NAND2 stages.
        ctx, tech = self.ctx, self.ctx.tech
        temp = ctx.temperature
        wn, wp = self.width_nand_n, self.width_nand_p
        c_in, c_out = self.cap_nand_input, self.cap_nand_output
        r_down = on_resistance(wn, Mos.NMOS, temp, tech) * 2
        r_up = on_resistance(wp, Mos.PMOS, temp, tech)
        if gaa_special(ctx):
            r_down = r_down * 3.0 / 2.0
            r_up = r_up * 3.0 / 2.0
        latency = 0.0
        d, ramp = stage_delay(ctx, r_down, wn, Mos.NMOS, c_out + c_in * 3, ramp_input)
        latency += d
        d, ramp = stage_delay(ctx, r_up, wp, Mos.PMOS, c_out + c_in * 2, ramp)
        latency += d
        carry = 0.0
        d, ramp = stage_delay(ctx, r_down, wn, Mos.NMOS, c_out + c_in * 3, ramp)
        carry += d
        d, ramp = stage_delay(ctx, r_up, wp, Mos.PMOS, c_out + c_in * 2, ramp)
        carry += d
        if self.num_bit > 2:
            latency += carry * (self.num_bit - 2)
        d, ramp = stage_delay(ctx, r_down, wn, Mos.NMOS, c_out + c_in * 3, ramp)
        latency += d
        d, ramp = stage_delay(ctx, r_up, wp, Mos.PMOS, c_out + c_in, ramp)
        latency += d
        d, ramp = stage_delay(ctx, r_down, wn, Mos.NMOS, c_out + cap_load, ramp)
        latency += d
        return latency, ramp

    def latency(self, ramp_input: float, cap_load: float, num_read: float) -> float:
        """Latency (s) of `num_read` sequential additions (never in cycles)."""
        return self.delay(ramp_input, cap_load)[0] * num_read

    def ramp_output(self, ramp_input: float, cap_load: float) -> float:
        return self.delay(ramp_input, cap_load)[1]

    def _switching_energy(self) -> float:
        """Energy (J) of one addition before the activity factors (0-to-1 transitions only)."""
        c_in, c_out, vdd = self.cap_nand_input, self.cap_nand_output, self.ctx.tech.vdd
        rest = self.num_bit - 1
        e = 0.0
        e += (c_in * 6) * vdd * vdd  # first bit: inputs
        e += (c_out * 2) * vdd * vdd
        e += (c_in * 7) * vdd * vdd * rest  # later bits
        e += (c_out * 3) * vdd * vdd * rest
        e += (c_out + c_in) * vdd * vdd * 2  # hidden transitions, first bit
        e += (c_out + c_in * 2) * vdd * vdd
        e += (c_out + c_in * 3) * vdd * vdd
        e += (c_out + c_in) * vdd * vdd
        e += (c_out + c_in * 3) * vdd * vdd * rest  # hidden transitions, later bits
        e += (c_out + c_in) * vdd * vdd * rest
        e += (c_out + c_in) * vdd * vdd * 2 * rest
        return e

    def energy(self, num_read: Reads, num_adder_per_operation: int) -> Reads:
        """Dynamic energy (J) of `num_read` operations of `num_adder_per_operation` adders each."""
        per_op = int(num_adder_per_operation)
        active = per_op if per_op < self.num_adder else self.num_adder
        e = self._energy_per_add * (active * num_read)
        if self.ctx.p.chip.calibration.validated:
            e *= self.ctx.p.delta  # adder switching activity
        return e
