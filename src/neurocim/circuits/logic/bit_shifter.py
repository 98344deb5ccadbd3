"""ReLU/bit-shift unit: a register bank that passes or clears activations (NeuroSim V1.4 BitShifter model)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.dff import DFF


class BitShifter:
    """`num_unit` units of `num_bit` DFFs each."""

    def __init__(self, ctx: CircuitContext, num_unit: int, num_bit: int) -> None:
        self.ctx = ctx
        self.num_unit = int(num_unit)
        self.num_bit = int(num_bit)
        self.num_dff = self.num_bit * self.num_unit
        self.dff = DFF(ctx, self.num_dff)
        self.leakage = self.dff.leakage
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """The DFF area reshaped to the given width (preferred) or height."""
        area = self.dff.layout().area
        if new_width and mode is Layout.NONE:
            width, height = new_width, area / new_width
        else:
            height, width = new_height, area / new_height
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self, num_read: float, clk_freq: float) -> float:
        """Cycles (synchronous) or seconds of `num_read` parallel read-outs.

        `clk_freq` is the frequency the unit was initialised with: NeuroSim's run-time clock update does not
        reach the inner DFF.
        """
        return self.dff.latency(1, clk_freq) * num_read

    def energy(self, num_read: float) -> float:
        """Dynamic energy (J) of `num_read` read-outs of all DFFs (no DFF activity factor)."""
        return self.dff.energy(num_read, self.num_dff, False)
