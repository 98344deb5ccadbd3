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
    """Per-column bit-line precharge and equalisation; NeuroSim V1.4 Precharger model.

    `v21` builds NeuroSim V2.1's older model instead: the PMOS at their drawn widths (not enlarged to the cell
    height), one precharger and two equalisers per unit, one precharger's leakage per column, and each read
    recharging both bit lines (BL and BL-bar) of every column."""

    def __init__(self, ctx: CircuitContext, num_col: int, res_load: float, num_read_cell_per_operation: int,
                 v21: bool = False):  # fmt: skip
        super().__init__(ctx, num_col)
        tech = ctx.tech
        f = tech.feature_size
        self.res_load = res_load  # bit-line wire resistance (ohm)
        self.num_read_cell_per_operation = num_read_cell_per_operation
        self.lines_per_read = 2 if v21 else 1
        cell_height = f * MAX_TRANSISTOR_HEIGHT
        self.width_pmos_equal, self.width_pmos_precharge = MIN_NMOS_SIZE * f, 6 * f
        if not v21:
            _, self.width_pmos_equal = enlarge_size(0.0, self.width_pmos_equal, cell_height, tech)
            _, self.width_pmos_precharge = enlarge_size(0.0, self.width_pmos_precharge, cell_height, tech)
        _, h_pre, w_pre = gate_area(GateType.INV, 1, 0.0, self.width_pmos_precharge, cell_height, tech)
        _, h_eq, w_eq = gate_area(GateType.INV, 1, 0.0, self.width_pmos_equal, cell_height, tech)
        self.unit_height = h_pre + h_eq * 2 if v21 else h_pre * 2 + h_eq
        self.unit_width = max(w_pre, w_eq)
        self.cap_output = drain_cap(self.width_pmos_precharge, Mos.PMOS, h_pre, tech) + drain_cap(
            self.width_pmos_equal, Mos.PMOS, h_eq, tech
        )
        leak = gate_leakage(GateType.INV, 1, 0.0, self.width_pmos_precharge, ctx.temperature, tech)
        self.leakage = (1 if v21 else 2) * leak * tech.vdd * num_col

    def latency(self, cap_load: float, num_read: float = 1.0) -> float:
        """Precharge time (s) of a bit line of capacitance `cap_load`, times `num_read`."""
        tech = self.ctx.tech
        res_pull_up = on_resistance(self.width_pmos_precharge, Mos.PMOS, self.ctx.temperature, tech)
        tau = res_pull_up * (cap_load + self.cap_output) + self.res_load * cap_load / 2
        beta = 1 / (res_pull_up * transconductance(self.width_pmos_precharge, Mos.PMOS, tech))
        delay, _ = horowitz(tau, beta, 1e20)
        return delay * num_read

    def energy(self, cap_load: float, num_read: Reads) -> Reads:
        """Read energy (J): every precharged bit line recharged to Vdd, `num_read` times."""
        vdd = self.ctx.tech.vdd
        lines = min(self.num_read_cell_per_operation, self.num_col) * self.lines_per_read
        return cap_load * vdd * vdd * lines * num_read
