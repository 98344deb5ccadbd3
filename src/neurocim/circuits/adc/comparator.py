"""Ripple magnitude comparator of INV/NAND2/NAND3 gates (NeuroSim V1.4 Comparator model)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, spread_over_width
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    cell_widths,
    gate_area,
    gate_capacitance,
    gate_leakage,
    minimum_widths,
    on_resistance,
)
from neurocim.circuits.logic.adder import stage_delay
from neurocim.tech.technology import Technology

Gate = tuple[GateType, int, float, float]  # (type, inputs, NMOS width, PMOS width)
MINIMUM_GATES = "v21_pooling_minimum_gates"  # the max-pooling unit's gates, comparators included, not enlarged


def gate_cells(
    gates: tuple[Gate, ...], height_region: float, tech: Technology
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Cell (height, width) in m and (input, output) capacitance in F of each gate in a cell of `height_region`."""
    cells = [gate_area(*g, height_region, tech)[1:] for g in gates]
    caps = [gate_capacitance(*g, h, tech) for g, (h, _) in zip(gates, cells, strict=True)]
    return cells, caps


class Comparator:
    """`num_comparator` comparators of `num_bit` bits; per bit 4 INV, 4 NAND2 and 3 NAND3."""

    def __init__(self, ctx: CircuitContext, num_bit: int, num_comparator: int) -> None:
        self.ctx = ctx
        self.num_bit = int(num_bit)
        self.num_comparator = int(num_comparator)
        tech = ctx.tech
        f = tech.feature_size
        height_region = f * MAX_TRANSISTOR_HEIGHT
        widths = minimum_widths if ctx.p.quirk(MINIMUM_GATES) else cell_widths
        self.width_inv_n, self.width_inv_p = widths(tech)
        self.width_nand2_n, self.width_nand2_p = widths(tech, 2)
        self.width_nand3_n, self.width_nand3_p = widths(tech, 3)
        gates = (
            (GateType.INV, 1, self.width_inv_n, self.width_inv_p),
            (GateType.NAND, 2, self.width_nand2_n, self.width_nand2_p),
            (GateType.NAND, 3, self.width_nand3_n, self.width_nand3_p),
        )
        cells, caps = gate_cells(gates, height_region, tech)
        (h_inv, w_inv), (h_nand2, w_nand2), (h_nand3, w_nand3) = cells
        self.area_unit = ((h_inv * w_inv) * 4 + (h_nand2 * w_nand2) * 4 + (h_nand3 * w_nand3) * 3) * self.num_bit
        (self.cap_inv_input, self.cap_inv_output), (self.cap_nand2_input, self.cap_nand2_output) = caps[:2]
        self.cap_nand3_input, self.cap_nand3_output = caps[2]
        leakage = 0.0
        leakage += gate_leakage(*gates[0], ctx.temperature, tech) * tech.vdd * 4 * self.num_bit * self.num_comparator
        leakage += gate_leakage(*gates[1], ctx.temperature, tech) * tech.vdd * 4 * self.num_bit * self.num_comparator
        leakage += gate_leakage(*gates[2], ctx.temperature, tech) * tech.vdd * 3 * self.num_bit * self.num_comparator
        self.leakage = leakage
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """All comparators spread over the given width (NeuroSim's CalculateArea(widthArray))."""
        fp = spread_over_width("Comparator", self.area_unit * self.num_comparator, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self, ramp_input: float, cap_load: float, num_read: float) -> float:
        """Latency (s) of `num_read` comparisons along the G-in to G-out path of every bit."""
        ctx, tech = self.ctx, self.ctx.tech
        r_nand2 = on_resistance(self.width_nand2_n, Mos.NMOS, ctx.temperature, tech) * 2
        r_nand3 = on_resistance(self.width_nand3_p, Mos.PMOS, ctx.temperature, tech)
        load_nand2 = self.cap_nand2_output + self.cap_nand3_input
        load_nand3 = self.cap_nand3_output + self.cap_nand2_input

        def bit(ramp: float, nand3_load: float) -> tuple[float, float, float]:
            d2, ramp = stage_delay(ctx, r_nand2, self.width_nand2_n, Mos.NMOS, load_nand2, ramp)
            d3, ramp = stage_delay(ctx, r_nand3, self.width_nand3_p, Mos.PMOS, nand3_load, ramp)
            return d2, d3, ramp

        d2, d3, ramp = bit(ramp_input, load_nand3)
        latency = 0.0
        latency += d2
        latency += d3
        d2, d3, ramp = bit(ramp, load_nand3)
        middle = 0.0
        middle += d2
        middle += d3
        # NeuroSim quirk: no guard on num_bit - 2, so a 1-bit comparator subtracts one middle stage.
        latency += middle * (self.num_bit - 2)
        d2, d3, ramp = bit(ramp, self.cap_nand3_output + cap_load)
        latency += d2
        latency += d3
        return latency * num_read

    def energy(self, num_read: float, num_comparator_per_operation: int) -> float:
        """Dynamic energy (J) of `num_read` operations of `num_comparator_per_operation` comparators."""
        vdd = self.ctx.tech.vdd
        e = 0.0
        e += ((self.cap_inv_input + self.cap_inv_output) * 4) * vdd * vdd
        e += ((self.cap_nand2_input + self.cap_nand2_output) * 4) * vdd * vdd
        e += ((self.cap_nand3_input + self.cap_nand3_output) * 3) * vdd * vdd
        per_op = int(num_comparator_per_operation)
        active = per_op if per_op < self.num_comparator else self.num_comparator
        e *= self.num_bit * active * num_read
        if self.ctx.p.chip.calibration.validated:
            e *= self.ctx.p.epsilon  # control-logic switching activity
        return e
