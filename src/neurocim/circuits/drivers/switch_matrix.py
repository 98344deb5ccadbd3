"""WL/BL/SL switch matrix: one transmission-gate pair per line plus a DFF scan register (NeuroSim V1.4)."""

from __future__ import annotations

from enum import Enum

import numpy as np

from neurocim.circuits.base import Footprint, Layout
from neurocim.circuits.constants import IR_DROP_TOLERANCE, LINEAR_REGION_RATIO
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.mux import sized_tg_widths, tg_resistance, tg_row_fold, v21_tg_sizing
from neurocim.circuits.drivers.tg_switch import TgSwitchBank
from neurocim.circuits.gates.gates import horowitz, pass_gate_area


class SwitchMode(Enum):
    ROW = "row"  # drives the rows (word lines), stacked along the array height
    COL = "col"  # drives the columns (bit/source lines), spread along the array width


class SwitchMatrix(TgSwitchBank):
    """Switch matrix of NeuroSim V1.4 (SwitchMatrix), neuro (in-memory compute) mode.

    `res_tg` is the resistance the line presents (the caller passes the row wire or the column load); the TG
    is sized to `res_tg * switch_matrix_size_ratio` (quirk v21_switch_matrix_sizing: V2.1's, `v21_tg_sizing` of a
    quarter of the line).
    """

    def __init__(self, ctx: CircuitContext, mode: SwitchMode, num_output: int, res_tg: float, clk_freq: float):
        if ctx.p.quirk("v21_switch_matrix_sizing"):
            width_n, width_p, res = v21_tg_sizing(ctx, res_tg * IR_DROP_TOLERANCE)
        else:
            width_n, width_p = sized_tg_widths(ctx, res_tg * ctx.p.switch_matrix_ratio, LINEAR_REGION_RATIO)
            res = tg_resistance(ctx, width_n, width_p)
        super().__init__(ctx, num_output, clk_freq, width_n, width_p, res)
        self.mode = mode

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        if self.mode is SwitchMode.ROW:
            height, width, h_tg = self._row_stack(2, new_height, mode)
        else:
            height, width, h_tg = self._col_stack(new_width, mode)
        return self._place(height, width, h_tg, new_height, new_width, mode)

    def _col_stack(self, new_width: float, mode: Layout) -> tuple[float, float, float]:
        """(height, width, TG cell height) of the TG pairs spread along the width, the DFF row below them."""
        tech = self.ctx.tech
        n = self.num_output
        if new_width and mode is Layout.NONE:
            num_rows, num_fold = tg_row_fold(new_width, n, 2, tech)  # two TGs per pair
            _, h_tg, _ = pass_gate_area(self.width_tg_n, self.width_tg_p, tech, num_fold)
            self.dff.layout(0.0, new_width, Layout.NONE)
            return h_tg * num_rows + self.dff.height, new_width, h_tg
        _, h_tg, w_tg = pass_gate_area(self.width_tg_n, self.width_tg_p, tech, 1)
        width = w_tg * 2 * n
        self.dff.layout(0.0, width, Layout.NONE)
        return h_tg + self.dff.height, width, h_tg

    def latency(self, unit_cap: float, unit_res: float, drive_cap_in: float, num_read: float) -> float:
        """Distributed-RC delay (s) of the TG driving a row section, times num_read.

        unit_cap / unit_res: row wire capacitance and resistance per cell (SubArray's param->unitcap/unitres);
        drive_cap_in: input capacitance of a WL repeater (param->drivecapin, used only with repeaters).
        """
        p = self.ctx.p
        cap_output = self._cap_output()
        section = p.chip.array.cols // (p.wl_repeaters + 1)  # cells per repeater section (int division)
        # NeuroSim V1.4 switch-matrix model: 0.69 RC of the TG + 0.38 RC of the distributed wire section
        tr = self.res_tg * cap_output * 0.69 + unit_cap * section * (0.69 * self.res_tg + 0.38 * unit_res * section)
        if p.wl_repeaters != 0:
            tr += (unit_cap * section * 0.69 + 0.69 * self.res_tg) * drive_cap_in
        return tr * num_read

    def v21_latency(self, cap_load: float, res_load: float, num_read: float, clk_freq: float) -> float:
        """NeuroSim V2.1's read delay (s) of num_read line selections: the TG charging three drain loads and the
        line (Horowitz, step input), plus half a clock period of its DFF register per read."""
        tr = self.res_tg * (self.cap_tg_drain * 3 + cap_load) + res_load * cap_load / 2
        return (horowitz(tr, 0.0, 1e20)[0] + 1 / clk_freq / 2) * num_read

    def energy(self, num_read: float, activity_row_read: float | np.ndarray) -> float | np.ndarray:
        """Read energy (J): the selected rows' TGs switch (ROW mode only) plus the scan register."""
        e: float | np.ndarray = 0.0
        if self.mode is SwitchMode.ROW:
            vdd, v_read = self.ctx.tech.vdd, self.ctx.cell.read_voltage_v
            e += (self.cap_tg_drain * 3) * v_read * v_read * self.num_output * activity_row_read
            e += (self.cap_tg_gate_n + self.cap_tg_gate_p) * vdd * vdd * self.num_output * activity_row_read
        return self._with_scan(e, num_read)
