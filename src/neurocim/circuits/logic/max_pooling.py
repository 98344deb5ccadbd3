"""Max-pooling unit built from a tree of bit-serial comparators (NeuroSim V1.4 MaxPooling model)."""

from __future__ import annotations

import math

from neurocim.circuits.adc.comparator import MINIMUM_GATES, Comparator, gate_cells
from neurocim.circuits.base import Footprint, Layout, spread_over_width
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import GateType, Mos, cell_widths, gate_leakage, minimum_widths, on_resistance
from neurocim.circuits.logic.adder import stage_delay

# NeuroSim V2.1: one unit per conventional tile column, read for the windows alone (its chip's counts)
POOLING_COUNTS = "v21_max_pooling_counts"


def comparator_tree(window: int) -> tuple[int, int]:
    """(N-bit comparators, stages) of one pooling unit, counted as NeuroSim does."""
    num_comparator = num_stage = 0
    n, odd = window, window % 2
    while n != 0:
        num_comparator += n // 2
        num_stage += 1
        n //= 2
    return num_comparator + odd, num_stage + odd


class MaxPooling:
    """`num_max_pooling` units, each taking the max of `window` values of `num_bit` bits."""

    def __init__(self, ctx: CircuitContext, num_bit: int, window: int, num_max_pooling: int) -> None:
        self.ctx = ctx
        self.num_bit = int(num_bit)
        self.window = int(window)
        self.num_max_pooling = int(num_max_pooling)
        self.num_comparator, self.num_stage = comparator_tree(self.window)
        tech = ctx.tech
        f = tech.feature_size
        region = f * MAX_TRANSISTOR_HEIGHT
        widths = minimum_widths if ctx.p.quirk(MINIMUM_GATES) else cell_widths
        self.width_inv_n, self.width_inv_p = widths(tech)
        self.width_nand_n, self.width_nand_p = widths(tech, 2)
        self.width_nor_n, self.width_nor_p = widths(tech, 4)
        self.width_nor2_n, self.width_nor2_p = widths(tech, self.num_bit * 2)
        self.comparator = Comparator(ctx, 1, 1)
        gates = (
            (GateType.INV, 1, self.width_inv_n, self.width_inv_p),
            (GateType.NAND, 2, self.width_nand_n, self.width_nand_p),
            (GateType.NOR, 2, self.width_nor_n, self.width_nor_p),
            (GateType.NOR, self.num_bit, self.width_nor2_n, self.width_nor2_p),
        )
        cells, caps = gate_cells(gates, region, tech)
        (h_inv, w_inv), (h_nand, w_nand), (h_nor, w_nor), (h_nor2, w_nor2) = cells
        # per bit: a 1-bit comparator with 4 TG + 1 INV enables; per N-bit comparator: 3 TG, 3 INV, AND, NOR, OR
        unit = (self.comparator.area_unit + (h_inv * w_inv) * 5) * self.num_bit
        unit += ((h_inv * w_inv) * 6) + (h_nand * w_nand + h_inv * w_inv) + (h_nor * w_nor) + (h_nor2 * w_nor2)
        self.area_unit = unit * self.num_comparator
        (self.cap_inv_input, self.cap_inv_output), (self.cap_nand_input, self.cap_nand_output) = caps[:2]
        (self.cap_nor_input, self.cap_nor_output), (self.cap_nor2_input, self.cap_nor2_output) = caps[2:]
        # NeuroSim counts only one inverter per comparator (the comparator leakage is left out)
        current = gate_leakage(*gates[0], ctx.temperature, tech)
        self.leakage = current * tech.vdd * self.num_comparator * self.num_max_pooling
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """All pooling units spread over the given width (NeuroSim's CalculateArea(widthArray))."""
        fp = spread_over_width("MaxPooling", self.area_unit * self.num_max_pooling, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self, ramp_input: float, cap_load: float, num_read: float, clk_freq: float) -> float:
        """Cycles (synchronous) or seconds of `num_read` poolings through all comparator stages."""
        ctx, tech, temp = self.ctx, self.ctx.tech, self.ctx.temperature
        latency = 0.0
        # the bit-serial comparison is assumed to stop half way
        latency += self.comparator.latency(ramp_input, self.cap_inv_output * 2, 1) * self.num_bit / 2
        r_nor = on_resistance(self.width_nor2_n, Mos.NMOS, temp, tech) * 2
        load = self.cap_inv_input * 2 + self.num_bit * self.cap_inv_output
        d, _ = stage_delay(ctx, r_nor, self.width_nor2_n, Mos.NMOS, load, 1e20)
        latency += d
        r_inv = on_resistance(self.width_inv_n, Mos.NMOS, temp, tech) * 2
        d, ramp = stage_delay(ctx, r_inv, self.width_inv_n, Mos.NMOS, self.cap_inv_input + self.cap_nor2_output, 1e20)
        latency += d
        d, _ = stage_delay(ctx, r_inv, self.width_inv_n, Mos.NMOS, self.cap_inv_input * 2 + cap_load, ramp)
        latency += d  # transmission gate, sized as the inverter NMOS
        if ctx.p.chip.clock.synchronous:
            latency = float(math.ceil(latency * clk_freq))
        latency *= self.num_stage
        return latency * num_read

    def energy(self, num_read: float) -> float:
        """Dynamic energy (J) of `num_read` poolings of all units."""
        p, vdd = self.ctx.p, self.ctx.tech.vdd
        c_inv_out = self.cap_inv_output
        e = 0.0
        e += (self.cap_nand_input + c_inv_out) * vdd * vdd  # AND
        e += (self.cap_nor_input + c_inv_out) * vdd * vdd  # NOR
        e += (self.cap_inv_input + c_inv_out) * vdd * vdd * 2  # INV
        e += (self.cap_nor2_input + c_inv_out) * vdd * vdd  # wide NOR
        if p.chip.calibration.validated:
            e *= p.epsilon  # control-logic switching activity
        e += self.comparator.energy(1, 1) * self.num_bit / 2
        e *= self.num_comparator
        e *= self.num_max_pooling
        return e * num_read
