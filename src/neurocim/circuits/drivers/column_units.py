"""Column periphery made of one equal unit per column (precharger, SRAM write driver) and its packing."""

from __future__ import annotations

import math

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.context import CircuitContext


def pack_units(num_unit: int, unit_height: float, unit_width: float, new_width: float) -> tuple[float, float]:
    """(height, width) of `num_unit` equal cells packed in rows of the given width (NeuroSim column periphery);
    a width narrower than one unit holds one per row and the footprint overhangs it (NeuroSim stops there)."""
    per_row = max(min(int(new_width / unit_width), num_unit), 1)
    rows = int(math.ceil(num_unit / per_row))
    return rows * unit_height, max(new_width, unit_width)


class ColumnUnits:
    """`num_col` units of `unit_height` x `unit_width` (m), one per column; subclasses size the unit."""

    def __init__(self, ctx: CircuitContext, num_col: int) -> None:
        self.ctx = ctx
        self.num_col = num_col
        self.unit_height = self.unit_width = 0.0  # set by the subclass
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
