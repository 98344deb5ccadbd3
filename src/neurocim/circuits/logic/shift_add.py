"""Shift-and-add accumulator of bit-serial partial sums (NeuroSim V1.4 ShiftAdd model, binary mode)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MAX_TRANSISTOR_HEIGHT_BY_NODE, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import GateType, gate_area
from neurocim.circuits.logic.adder import Adder, gaa_special
from neurocim.circuits.logic.dff import DFF


class ShiftAdd:
    """`num_unit` adders of `num_adder_bit` bits with their shift registers, over `num_read_pulse` input bits.

    Only NeuroSim's non-spiking (binary) mode is modelled; it is the one the inference flow uses.
    """

    def __init__(self, ctx: CircuitContext, num_unit: int, num_adder_bit: int, num_read_pulse: int) -> None:
        self.ctx = ctx
        self.num_unit = self.num_adder = int(num_unit)
        self.num_adder_bit = int(num_adder_bit)
        self.num_read_pulse = int(num_read_pulse)
        # one more bit for the adder carry-out, num_read_pulse - 1 for the shift extension
        self.num_dff = (self.num_adder_bit + 1 + self.num_read_pulse - 1) * self.num_unit
        self.dff = DFF(ctx, self.num_dff)
        self.adder = Adder(ctx, self.num_adder_bit, self.num_adder)
        tech = ctx.tech
        f = tech.feature_size
        # PISO glue: one INV per unit and NAND2s per shift stage (area only; their delay and energy are ignored)
        self.width_inv_n = MIN_NMOS_SIZE * f
        self.width_inv_p = tech.pn_size_ratio * MIN_NMOS_SIZE * f
        self.width_nand_n = 2 * MIN_NMOS_SIZE * f
        self.width_nand_p = tech.pn_size_ratio * MIN_NMOS_SIZE * f
        nand_n = self.width_nand_n / 2.0 if gaa_special(ctx) else self.width_nand_n
        height_region = f * MAX_TRANSISTOR_HEIGHT
        _, _, self.w_inv = gate_area(GateType.INV, 1, self.width_inv_n, self.width_inv_p, height_region, tech)
        _, _, self.w_nand = gate_area(GateType.NAND, 2, nand_n, self.width_nand_p, height_region, tech)
        self.leakage = self.adder.leakage + self.dff.leakage
        self.area = self.height = self.width = 0.0

    def _cell_height(self) -> float:
        """Standard-cell row height (m) of the INV/NAND2 glue."""
        f = self.ctx.tech.feature_size
        height = MAX_TRANSISTOR_HEIGHT
        for node, node_height in MAX_TRANSISTOR_HEIGHT_BY_NODE.items():
            if f == node * 1e-9 and not self.ctx.tech.v21_finfet:
                height *= node_height / MAX_TRANSISTOR_HEIGHT
                break
        return f * height

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """Adders, one glue row and DFFs stacked in the given width, or side by side in the given height."""
        if new_width and mode is Layout.NONE:
            adder = self.adder.layout(0.0, new_width)
            dff = self.dff.layout(0.0, new_width)
            height, width = adder.height + self._cell_height() + dff.height, max(new_width, adder.width, dff.width)
        else:
            adder = self.adder.layout(new_height, 0.0)
            dff = self.dff.layout(new_height, 0.0)
            height, width = new_height, adder.width + self.w_inv + self.w_nand + dff.width
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self, num_read: float, clk_freq: float) -> float:
        """Cycles (synchronous: one per read) or seconds; all but one shift-add hide under the read pulses.

        `clk_freq` is the frequency the inner DFF was initialised with (the sub-array's, at initialisation).
        """
        if self.ctx.p.chip.clock.synchronous:
            return num_read
        step = self.adder.latency(1e20, self.dff.cap_tg_drain, 1) + self.dff.latency(1, clk_freq)
        pulse = self.ctx.cell.read_pulse_width_s
        latency = 0.0
        if step > pulse:
            latency += (step - pulse) * (num_read - 1)
        return latency + step

    def energy(self, num_read: float) -> float:
        """Dynamic energy (J) of `num_read` shift-and-add operations of all units."""
        e_adder = self.adder.energy(num_read, self.num_adder)
        return e_adder + self.dff.energy(num_read, self.num_dff, self.ctx.p.chip.calibration.validated)
