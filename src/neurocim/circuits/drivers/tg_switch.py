"""Shared part of the switch matrices: transmission-gate switches per line behind a DFF scan register."""

from __future__ import annotations

import numpy as np

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.mux import tg_cell_height, tg_column_fit
from neurocim.circuits.gates.gates import GateType, gate_area, gate_cap, gate_capacitance
from neurocim.circuits.logic.dff import DFF


class TgSwitchBank:
    """`num_output` lines, each switched by transmission gates of the given widths (m) and on-resistance (ohm)."""

    def __init__(
        self, ctx: CircuitContext, num_output: int, clk_freq: float, width_tg_n: float, width_tg_p: float,
        res_tg: float,
    ) -> None:  # fmt: skip
        self.ctx = ctx
        self.num_output = num_output
        self.clk_freq = clk_freq
        self.dff = DFF(ctx, num_output)  # scan-in register of the line selection
        self.width_tg_n, self.width_tg_p, self.res_tg = width_tg_n, width_tg_p, res_tg
        self.cap_tg_gate_n = gate_cap(width_tg_n, ctx.tech)
        self.cap_tg_gate_p = gate_cap(width_tg_p, ctx.tech)
        self.cap_tg_drain = 0.0  # set by layout (depends on the TG cell height)
        self.leakage = self.dff.leakage  # the TGs are taken as leakage-free
        self.area = self.height = self.width = 0.0

    def _row_stack(self, tg_per_line: int, new_height: float, mode: Layout) -> tuple[float, float, float]:
        """(height, width, TG cell height) of the lines stacked along the height, the DFF column beside them.

        A given height (natural mode) spreads the lines over as many columns as needed."""
        tech = self.ctx.tech
        n = self.num_output
        if new_height and mode is Layout.NONE:
            num_cols, tg_height = tg_column_fit(new_height, n, tech)
            _, h_tg, w_tg = gate_area(GateType.INV, 1, self.width_tg_n, self.width_tg_p, tg_height, tech)
            self.dff.layout(new_height, 0.0, Layout.NONE)
            return new_height, (w_tg * tg_per_line) * num_cols + self.dff.width, h_tg
        _, h_tg, w_tg = gate_area(GateType.INV, 1, self.width_tg_n, self.width_tg_p, tg_cell_height(tech), tech)
        height = h_tg * n
        self.dff.layout(height, 0.0, Layout.NONE)
        return height, (w_tg * tg_per_line) + self.dff.width, h_tg

    def _place(
        self, height: float, width: float, h_tg: float, new_height: float, new_width: float, mode: Layout
    ) -> Footprint:
        """Fit the natural box to the layout mode, store it, and size the TG drains for a cell of height h_tg."""
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        tech = self.ctx.tech
        _, self.cap_tg_drain = gate_capacitance(GateType.INV, 1, self.width_tg_n, self.width_tg_p, h_tg, tech)
        return fp

    def _cap_output(self) -> float:
        """Capacitance (F) of a TG output node: two drains and half of each gate."""
        return self.cap_tg_drain * 2 + self.cap_tg_gate_n * 0.5 + self.cap_tg_gate_p * 0.5

    def _with_scan(self, line_energy: float | np.ndarray, num_read: float) -> float | np.ndarray:
        """Energy (J) of `num_read` reads: the lines' energy per read plus the scan register."""
        return line_energy * num_read + self.dff.energy(num_read, self.num_output, False)
