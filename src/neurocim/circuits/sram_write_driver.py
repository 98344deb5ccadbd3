"""SRAM write driver: three inverters per column (area and leakage; no read-path cost)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates import GateType, enlarge_size, gate_area, gate_capacitance, gate_leakage
from neurocim.circuits.precharger import pack_units

INVERTERS_PER_COLUMN = 3  # two drive BL, one drives BL-bar


class SRAMWriteDriver:
    """Per-column write driver; NeuroSim V1.4 SRAMWriteDriver model (write energy/latency not modelled here)."""

    def __init__(self, ctx: CircuitContext, num_col: int):
        tech = ctx.tech
        f = tech.feature_size
        self.ctx = ctx
        self.num_col = num_col
        cell_height = f * MAX_TRANSISTOR_HEIGHT
        self.width_n, self.width_p = enlarge_size(
            MIN_NMOS_SIZE * f, tech.pn_size_ratio * MIN_NMOS_SIZE * f, cell_height, tech
        )
        _, h_inv, w_inv = gate_area(GateType.INV, 1, self.width_n, self.width_p, cell_height, tech)
        self.unit_height = h_inv * INVERTERS_PER_COLUMN
        self.unit_width = w_inv
        self.cap_input, self.cap_output = gate_capacitance(GateType.INV, 1, self.width_n, self.width_p, h_inv, tech)
        leak = gate_leakage(GateType.INV, 1, self.width_n, self.width_p, ctx.temperature, tech)
        self.leakage = leak * tech.vdd * INVERTERS_PER_COLUMN * num_col
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """One unit per column, packed into rows of `new_width` (natural layout: a single row)."""
        if new_width and mode is Layout.NONE:
            height, width = pack_units(self.num_col, self.unit_height, self.unit_width, new_width)
        else:
            height, width = self.unit_height, self.num_col * self.unit_width
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self) -> float:
        """Read latency (s): the write driver is idle during inference reads."""
        return 0.0

    def energy(self) -> float:
        """Read energy (J): the write driver is idle during inference reads."""
        return 0.0
