"""Shared part of the per-row WL drivers: an inverter and a transmission gate per row, rows stacked in columns."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.mux import tg_cell_height
from neurocim.circuits.gates.gates import GateType, cell_widths, gate_area, gate_cap, gate_capacitance
from neurocim.circuits.gates.gates_common import ceil_int, fdiv, units_along


def fit_tg_height(new_height: float, num_row: int, min_height: float) -> float:
    """TG cell height when `num_row` TGs share `new_height`: folded into extra columns if a row is too low."""
    tg_height = new_height / num_row
    if tg_height < min_height:
        num_cols = ceil_int(min_height / tg_height)
        tg_height = new_height / ceil_int(fdiv(num_row, num_cols))
    return tg_height


def fits_height(new_height: float, mode: Layout) -> bool:
    """True when the rows are to be fitted into a given height (natural layout mode)."""
    return bool(new_height) and mode is Layout.NONE


class WlRowDriver:
    """`num_wl_row` rows, each with a minimum inverter and a minimum TG enlarged to the standard cell."""

    def __init__(self, ctx: CircuitContext, num_wl_row: int) -> None:
        self.ctx = ctx
        self.num_wl_row = num_wl_row
        self.width_inv = cell_widths(ctx.tech)
        self.width_tg = cell_widths(ctx.tech)
        self.cap_tg_gate_n = gate_cap(self.width_tg[0], ctx.tech)
        self.cap_tg_gate_p = gate_cap(self.width_tg[1], ctx.tech)
        self.cap_inv_in = self.cap_inv_out = self.cap_tg_drain = 0.0  # set by layout
        self.area = self.height = self.width = 0.0

    def _tg_cell(self, new_height: float, mode: Layout) -> tuple[float, float]:
        """(height, width) of the TG cell: the minimum cell, or the one that fits all rows into `new_height`."""
        tech = self.ctx.tech
        tg_height = tg_cell_height(tech)
        if fits_height(new_height, mode):
            tg_height = fit_tg_height(new_height, self.num_wl_row, tg_height)
        _, h_tg, w_tg = gate_area(GateType.INV, 1, *self.width_tg, tg_height, tech)
        return h_tg, w_tg

    def _stack(self, h_unit: float, w_unit: float, new_height: float, mode: Layout) -> tuple[float, float]:
        """(height, width) of the rows (units h_unit x w_unit) in one column, or in as many as `new_height` needs."""
        if fits_height(new_height, mode):
            num_cols = ceil_int(self.num_wl_row / units_along(new_height, h_unit))
            return max(new_height, h_unit), w_unit * num_cols
        return h_unit * self.num_wl_row, w_unit

    def _place(
        self, height: float, width: float, h_inv: float, h_tg: float, new_height: float, new_width: float, mode: Layout
    ) -> Footprint:
        """Fit the box to the layout mode, store it, and size the inverter and TG capacitances for their cells."""
        tech = self.ctx.tech
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        self.cap_inv_in, self.cap_inv_out = gate_capacitance(GateType.INV, 1, *self.width_inv, h_inv, tech)
        _, self.cap_tg_drain = gate_capacitance(GateType.INV, 1, *self.width_tg, h_tg, tech)
        return fp
