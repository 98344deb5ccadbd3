"""Straight repeated bus across the sub-arrays of a PE (input bus horizontal, output bus vertical)."""

from __future__ import annotations

import math
from enum import Enum

from neurocim.circuits.base import Footprint
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.wires.repeated_wire import Relax, cycles, size_repeaters


class BusMode(Enum):
    HORIZONTAL = "horizontal"  # along a row of units: length = unit width x (columns - 1)
    VERTICAL = "vertical"  # along a column of units: length = unit height x (rows - 1)


class Bus:
    """Repeated bus over a grid of equal units; NeuroSim V1.4 Bus model (PE level)."""

    def __init__(
        self,
        ctx: CircuitContext,
        mode: BusMode,
        num_row: int,
        num_col: int,
        delay_tolerance: float,
        bus_width: float,
        unit_height: float,
        unit_width: float,
    ):
        self.ctx = ctx
        self.mode = mode
        self.num_row = num_row
        self.num_col = num_col
        self.bus_width = bus_width
        self.repeaters = size_repeaters(ctx, delay_tolerance, Relax.DECREMENT)
        if mode is BusMode.HORIZONTAL:
            self.wire_length = unit_width * (num_col - 1)
        else:
            self.wire_length = unit_height * (num_row - 1)
        self.num_repeater = math.ceil(self.wire_length / self.repeaters.spacing)
        self.area = self.height = self.width = 0.0
        self.leakage = self.leakage_for(bus_width)

    def layout(self, folded_ratio: float = 1.0, overlap: bool = True) -> Footprint:
        """Bus area: zero when it runs over the units (`overlap`, as ProcessingUnit lays it out)."""
        if overlap or self.num_repeater <= 0:
            # (a bus without repeaters has zero length; NeuroSim's width there is an uninitialised member)
            self.area = 0.0
        else:
            # NeuroSim quirk: the width is added to an uninitialised member, taken as zero here
            wire_width = self.bus_width * self.repeaters.width / folded_ratio
            self.area = self.num_row * self.wire_length * wire_width
        return Footprint(self.area, self.height, self.width)

    def leakage_for(self, num_bit_access: float) -> float:
        """Repeater leakage (W) of `num_bit_access` wires (PE: bus width in, rows x bus width out)."""
        return self.repeaters.leakage_per_length * self.wire_length * num_bit_access

    def latency(self, num_read: float, clk_freq: float) -> float:
        """Latency of `num_read` transfers: seconds, or clock cycles when synchronous."""
        one = self.repeaters.segment_delay(self.wire_length, self.ctx.p.wires.unit_resistance)
        return cycles(one, self.ctx.p.chip.clock.synchronous, clk_freq) * num_read

    def energy(self, num_bit_access: float, num_read: float, is_input: bool) -> float:
        """Dynamic energy (J) of `num_read` transfers of `num_bit_access` bits, weighted by the toggle rate."""
        p = self.ctx.p
        toggle = p.input_toggle if is_input else p.output_toggle
        energy = self.repeaters.segment_energy(self.wire_length, toggle)
        return energy * (num_bit_access * num_read)
