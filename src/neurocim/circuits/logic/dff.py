"""Master-slave D flip-flop bank (NeuroSim V1.4 DFF model: 12 minimum inverters of area per DFF)."""

from __future__ import annotations

import math

from neurocim.circuits.base import Footprint, Layout, Reads, fit
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    gate_area,
    gate_cap,
    gate_capacitance,
    gate_capacitance_gaa,
    gate_leakage,
)
from neurocim.circuits.logic.adder import gaa_tuned_node

INV_PER_DFF_AREA = 12
INV_PER_DFF_LEAKAGE = 8
# GAA special-layout inverter tuning (gate factor, NMOS drain factor, PMOS drain factor) per node (nm).
INV_GAA_TUNING = {2: (1.0 / 2.0, 4.5 / 15.0, 4.5 / 15.0), 1: (10.5 / 16.0, 4.5 / 10.0, 4.5 / 10.0)}


class DFF:
    """`num_dff` flip-flops clocked together."""

    def __init__(self, ctx: CircuitContext, num_dff: int) -> None:
        self.ctx = ctx
        self.num_dff = int(num_dff)
        tech = ctx.tech
        f = tech.feature_size
        # NeuroSim V1.4 does not enlarge the DFF transistors.
        self.width_tg_n = self.width_inv_n = MIN_NMOS_SIZE * f
        self.width_tg_p = self.width_inv_p = tech.pn_size_ratio * MIN_NMOS_SIZE * f
        _, h_inv, w_inv = gate_area(
            GateType.INV, 1, self.width_inv_n, self.width_inv_p, f * MAX_TRANSISTOR_HEIGHT, tech
        )
        self.h_dff, self.w_dff = h_inv, w_inv * INV_PER_DFF_AREA
        current = gate_leakage(GateType.INV, 1, self.width_inv_n, self.width_inv_p, ctx.temperature, tech)
        node = gaa_tuned_node(ctx)
        if node is not None:
            gate_factor = INV_GAA_TUNING[node][0]
            self.cap_inv_input, self.cap_inv_output = gate_capacitance_gaa(
                GateType.INV, 1, MIN_NMOS_SIZE * f, MIN_NMOS_SIZE * f, h_inv, tech, *INV_GAA_TUNING[node]
            )
            self.cap_tg_gate_n = gate_cap(self.width_tg_n, tech) * gate_factor
            self.cap_tg_gate_p = gate_cap(self.width_tg_p, tech) * gate_factor
            self.cap_tg_drain = self.cap_inv_output
            self.leakage = current * tech.vdd * INV_PER_DFF_LEAKAGE * self.num_dff * gate_factor
        else:
            self.cap_inv_input, self.cap_inv_output = gate_capacitance(
                GateType.INV, 1, self.width_inv_n, self.width_inv_p, h_inv, tech
            )
            self.cap_tg_gate_n = gate_cap(self.width_tg_n, tech)
            self.cap_tg_gate_p = gate_cap(self.width_tg_p, tech)
            self.cap_tg_drain = gate_capacitance(GateType.INV, 1, self.width_tg_n, self.width_tg_p, h_inv, tech)[1]
            self.leakage = current * tech.vdd * INV_PER_DFF_LEAKAGE * self.num_dff
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """DFFs in columns of the given height, rows of the given width, or one row by default. A side shorter
        than one DFF holds one per column/row and the footprint overhangs it (NeuroSim stops there)."""
        if new_height and mode is Layout.NONE:
            per_col = max(min(int(new_height / self.h_dff), self.num_dff), 1)
            height, width = max(new_height, self.h_dff), self.w_dff * math.ceil(self.num_dff / per_col)
        elif new_width and mode is Layout.NONE:
            per_row = max(min(int(new_width / self.w_dff), self.num_dff), 1)
            width, height = max(new_width, self.w_dff), self.h_dff * math.ceil(self.num_dff / per_row)
        else:
            width, height = self.w_dff * self.num_dff, self.h_dff
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self, num_read: Reads, clk_freq: float) -> Reads:
        """Cycles (synchronous mode) or seconds (asynchronous: half a clock period per read)."""
        if self.ctx.p.chip.clock.synchronous:
            return num_read
        return 1 / clk_freq / 2 * num_read

    def energy(self, num_read: Reads, num_dff_per_operation: float, validated: bool) -> Reads:
        """Dynamic energy (J): clock load of every DFF plus the D-to-Q path of the active ones (D = 1)."""
        tech = self.ctx.tech
        vdd, n = tech.vdd, self.num_dff
        c_in, c_out, c_drain = self.cap_inv_input, self.cap_inv_output, self.cap_tg_drain
        active = num_dff_per_operation if num_dff_per_operation < n else n
        e = 0.0
        e += (c_in + c_out) * vdd * vdd * 4 * n  # clock inverters
        e += self.cap_tg_gate_n * vdd * vdd * 2 * n  # clock transmission gates
        e += self.cap_tg_gate_p * vdd * vdd * 2 * n
        e += (c_drain * 3 + c_in) * vdd * vdd * active  # D input side
        e += (c_drain + c_out) * vdd * vdd * active  # feedback side
        e += (c_in + c_out) * vdd * vdd * active  # Q output side
        energy = e * num_read
        if validated:
            energy *= self.ctx.p.gamma  # DFF switching activity
        return energy
