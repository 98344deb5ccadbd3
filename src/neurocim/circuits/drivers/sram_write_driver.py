"""SRAM write driver: three inverters per column (area and leakage; no read-path cost)."""

from __future__ import annotations

from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.column_units import ColumnUnits
from neurocim.circuits.gates.gates import (
    GateType,
    cell_widths,
    gate_area,
    gate_capacitance,
    gate_leakage,
    minimum_widths,
)

INVERTERS_PER_COLUMN = 3  # two drive BL, one drives BL-bar


class SRAMWriteDriver(ColumnUnits):
    """Per-column write driver; NeuroSim V1.4 SRAMWriteDriver model (write energy/latency not modelled here), V2.1's
    minimum-size inverters under the quirk v21_sram_write_driver."""

    def __init__(self, ctx: CircuitContext, num_col: int):
        super().__init__(ctx, num_col)
        tech = ctx.tech
        cell_height = tech.feature_size * MAX_TRANSISTOR_HEIGHT
        widths = minimum_widths if ctx.p.quirk("v21_sram_write_driver") else cell_widths
        self.width_n, self.width_p = widths(tech)
        _, h_inv, w_inv = gate_area(GateType.INV, 1, self.width_n, self.width_p, cell_height, tech)
        self.unit_height = h_inv * INVERTERS_PER_COLUMN
        self.unit_width = w_inv
        self.cap_input, self.cap_output = gate_capacitance(GateType.INV, 1, self.width_n, self.width_p, h_inv, tech)
        leak = gate_leakage(GateType.INV, 1, self.width_n, self.width_p, ctx.temperature, tech)
        self.leakage = leak * tech.vdd * INVERTERS_PER_COLUMN * num_col

    def latency(self) -> float:
        """Read latency (s): the write driver is idle during inference reads."""
        return 0.0

    def energy(self) -> float:
        """Read energy (J): the write driver is idle during inference reads."""
        return 0.0
