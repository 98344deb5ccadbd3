"""Bit-line precharger of SRAM arrays: two pull-up PMOS and one equaliser per column."""

from __future__ import annotations

from neurocim.circuits.base import Reads
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.column_units import ColumnUnits
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    drain_cap,
    enlarge_size,
    gate_area,
    gate_leakage,
    horowitz,
    on_resistance,
    transconductance,
)


class Precharger(ColumnUnits):
    """Per-column bit-line precharge and equalisation; NeuroSim V1.4 Precharger model (V2.1's under the quirk
    v21_precharger: unenlarged devices, one precharge PMOS and two equalisers per column, both lines recharged)."""

    def __init__(self, ctx: CircuitContext, num_col: int, res_load: float, num_read_cell_per_operation: int):
        super().__init__(ctx, num_col)
        tech = ctx.tech
        f = tech.feature_size
        self.res_load = res_load  # bit-line wire resistance (ohm)
        self.num_read_cell_per_operation = num_read_cell_per_operation
        cell_height = f * MAX_TRANSISTOR_HEIGHT
        self.v21 = ctx.p.quirk("v21_precharger")
        self.width_pmos_equal, self.width_pmos_precharge = MIN_NMOS_SIZE * f, 6 * f
        if not self.v21:  # V1.4 grows both devices to the cell height
            _, self.width_pmos_equal = enlarge_size(0.0, self.width_pmos_equal, cell_height, tech)
            _, self.width_pmos_precharge = enlarge_size(0.0, self.width_pmos_precharge, cell_height, tech)
        _, h_pre, w_pre = gate_area(GateType.INV, 1, 0.0, self.width_pmos_precharge, cell_height, tech)
        _, h_eq, w_eq = gate_area(GateType.INV, 1, 0.0, self.width_pmos_equal, cell_height, tech)
        # a precharge PMOS per bit line and the equaliser between them (V2.1 stacks one and two)
        self.unit_height = h_pre + h_eq * 2 if self.v21 else h_pre * 2 + h_eq
        self.unit_width = max(w_pre, w_eq)
        self.cap_output = drain_cap(self.width_pmos_precharge, Mos.PMOS, h_pre, tech) + drain_cap(
            self.width_pmos_equal, Mos.PMOS, h_eq, tech
        )
        leak = gate_leakage(GateType.INV, 1, 0.0, self.width_pmos_precharge, ctx.temperature, tech)
        self.leakage = (1 if self.v21 else 2) * leak * tech.vdd * num_col

    def latency(self, cap_load: float, num_read: float = 1.0) -> float:
        """Precharge time (s) of a bit line of capacitance `cap_load`, times `num_read`."""
        tech = self.ctx.tech
        res_pull_up = on_resistance(self.width_pmos_precharge, Mos.PMOS, self.ctx.temperature, tech)
        tau = res_pull_up * (cap_load + self.cap_output) + self.res_load * cap_load / 2
        beta = 1 / (res_pull_up * transconductance(self.width_pmos_precharge, Mos.PMOS, tech))
        delay, _ = horowitz(tau, beta, 1e20)
        return delay * num_read

    def energy(self, cap_load: float, num_read: Reads) -> Reads:
        """Read energy (J): every precharged bit line recharged to Vdd, `num_read` times (V2.1: both lines of a
        column, BL and BL_bar)."""
        vdd = self.ctx.tech.vdd
        lines = 2 if self.v21 else 1
        return cap_load * vdd * vdd * min(self.num_read_cell_per_operation, self.num_col) * lines * num_read
