"""XY bus among the tiles of a chip: inputs travel along X, outputs along Y (the default global interconnect)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.wires.repeated_wire import Relax, cycles, size_repeaters, wire_resistance_per_length


class XYBus:
    """Repeated X (input) and Y (output) buses over a tile grid; NeuroSim V1.4 XYBus model."""

    def __init__(self, ctx: CircuitContext, num_row: int, num_col: int, delay_tolerance: float, bus_width: float):
        self.ctx = ctx
        self.num_row = num_row
        self.num_col = num_col
        self.bus_width = bus_width
        self.repeaters = size_repeaters(ctx, delay_tolerance, Relax.HALVE)
        self.wire_res_x: float | None = None  # ohm/m of the X and Y buses, fixed by layout()
        self.wire_res_y: float | None = None
        self.area = self.height = self.width = 0.0

    def layout(self, unit_height: float, unit_width: float, folded_ratio: float) -> Footprint:
        """Area of the full-length X and Y buses over a grid of units of the given size (m)."""
        rep = self.repeaters
        length_y = unit_height * self.num_row
        length_x = unit_width * self.num_col
        # NeuroSim quirk: latency uses wire widths picked here from the full bus lengths, not the routed ones
        self.wire_res_y = wire_resistance_per_length(self.ctx, length_y)
        self.wire_res_x = wire_resistance_per_length(self.ctx, length_x)
        area = (self.bus_width * rep.width / folded_ratio) * length_y
        area += (self.bus_width * rep.height / folded_ratio) * length_x
        self.area = area
        return Footprint(area, self.height, self.width)

    def _lengths(self, x_end: int, y_init: int, unit_height: float, unit_width: float) -> tuple[float, float]:
        """(X, Y) route lengths (m): to column `x_end` and from row `y_init` to the last row."""
        return unit_width * x_end, unit_height * (self.num_row - y_init - 1)

    def latency(
        self,
        x_end: int,
        y_init: int,
        unit_height: float,
        unit_width: float,
        num_read_input: float,
        num_read_output: float,
        clk_freq: float,
    ) -> float:
        """Latency of the input (X) and output (Y) transfers: seconds, or clock cycles when synchronous."""
        if self.wire_res_x is None or self.wire_res_y is None:
            raise RuntimeError("XYBus.layout() must run before latency(): it fixes the wire widths")
        length_x, length_y = self._lengths(x_end, y_init, unit_height, unit_width)
        sync = self.ctx.p.chip.clock.synchronous
        t_in = cycles(self.repeaters.segment_delay(length_x, self.wire_res_x), sync, clk_freq)
        t_out = cycles(self.repeaters.segment_delay(length_y, self.wire_res_y), sync, clk_freq)
        return t_in * num_read_input + t_out * num_read_output

    def energy(
        self,
        x_end: int,
        y_init: int,
        unit_height: float,
        unit_width: float,
        input_bits: float,
        num_bit_output: float,
    ) -> float:
        """Dynamic energy (J) of `input_bits` bits over the X route and `num_bit_output` bits over the Y route."""
        length_x, length_y = self._lengths(x_end, y_init, unit_height, unit_width)
        rep = self.repeaters
        return rep.segment_energy(length_x) * input_bits + rep.segment_energy(length_y) * num_bit_output

    def leakage_at(self, x_end: int, y_init: int, unit_height: float, unit_width: float) -> float:
        """Repeater leakage (W) of the bus-width wires along the X and Y routes (the chip never adds it)."""
        length_x, length_y = self._lengths(x_end, y_init, unit_height, unit_width)
        return self.repeaters.leakage_per_length * (length_x + length_y) * self.bus_width
