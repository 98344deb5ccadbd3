"""WL/BL/SL switch matrix: one transmission-gate pair per line plus a DFF scan register (NeuroSim V1.4)."""

from __future__ import annotations

from enum import Enum

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import LINEAR_REGION_RATIO
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.dff import DFF
from neurocim.circuits.gates import GateType, gate_area, gate_cap, gate_capacitance, pass_gate_area
from neurocim.circuits.gates_common import c_int, ceil_int, fdiv
from neurocim.circuits.mux import sized_tg_widths, tg_cell_height, tg_cell_width, tg_resistance


class SwitchMode(Enum):
    ROW = "row"  # drives the rows (word lines), stacked along the array height
    COL = "col"  # drives the columns (bit/source lines), spread along the array width


class SwitchMatrix:
    """Switch matrix of NeuroSim V1.4 (SwitchMatrix), neuro (in-memory compute) mode.

    `res_tg` is the resistance the line presents (the caller passes the row wire or the column load); the TG
    is sized to `res_tg * switch_matrix_size_ratio`.
    """

    def __init__(self, ctx: CircuitContext, mode: SwitchMode, num_output: int, res_tg: float, clk_freq: float):
        self.ctx = ctx
        self.mode = mode
        self.num_output = num_output
        self.clk_freq = clk_freq
        self.dff = DFF(ctx, num_output)  # scan-in register of the line selection
        target = res_tg * ctx.p.switch_matrix_size_ratio
        self.width_tg_n, self.width_tg_p = sized_tg_widths(ctx, target, LINEAR_REGION_RATIO)
        self.res_tg = tg_resistance(ctx, self.width_tg_n, self.width_tg_p)
        self.cap_tg_gate_n = gate_cap(self.width_tg_n, ctx.tech)
        self.cap_tg_gate_p = gate_cap(self.width_tg_p, ctx.tech)
        self.cap_tg_drain = 0.0  # set by layout (depends on the TG cell height)
        self.leakage = self.dff.leakage  # the TGs are taken as leakage-free
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        tech = self.ctx.tech
        n = self.num_output
        if self.mode is SwitchMode.ROW:
            min_height = tg_cell_height(tech)
            if new_height and mode is Layout.NONE:
                per_col = c_int(new_height / min_height)
                num_cols = ceil_int(fdiv(n, per_col))
                per_col = ceil_int(fdiv(n, num_cols))
                tg_height = fdiv(new_height, per_col)
                _, h_tg, w_tg = gate_area(GateType.INV, 1, self.width_tg_n, self.width_tg_p, tg_height, tech)
                self.dff.layout(new_height, 0.0, Layout.NONE)
                height, width = new_height, (w_tg * 2) * num_cols + self.dff.width
            else:
                _, h_tg, w_tg = gate_area(GateType.INV, 1, self.width_tg_n, self.width_tg_p, min_height, tech)
                height = h_tg * n
                self.dff.layout(height, 0.0, Layout.NONE)
                width = (w_tg * 2) + self.dff.width
        else:
            if new_width and mode is Layout.NONE:
                min_width = tg_cell_width(tech)
                per_row = c_int(new_width / (min_width * 2))
                num_rows = ceil_int(fdiv(n, per_row))
                per_row = ceil_int(fdiv(n, num_rows))
                tg_width = fdiv(new_width, per_row) / 2  # two TGs per pair
                num_fold = c_int(tg_width / (0.5 * min_width)) - 1
                _, h_tg, w_tg = pass_gate_area(self.width_tg_n, self.width_tg_p, tech, num_fold)
                self.dff.layout(0.0, new_width, Layout.NONE)
                height, width = h_tg * num_rows + self.dff.height, new_width
            else:
                _, h_tg, w_tg = pass_gate_area(self.width_tg_n, self.width_tg_p, tech, 1)
                width = w_tg * 2 * n
                self.dff.layout(0.0, width, Layout.NONE)
                height = h_tg + self.dff.height
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        _, self.cap_tg_drain = gate_capacitance(GateType.INV, 1, self.width_tg_n, self.width_tg_p, h_tg, tech)
        return fp

    def latency(self, unit_cap: float, unit_res: float, drive_cap_in: float, num_read: float) -> float:
        """Distributed-RC delay (s) of the TG driving a row section, times num_read.

        unit_cap / unit_res: row wire capacitance and resistance per cell (SubArray's param->unitcap/unitres);
        drive_cap_in: input capacitance of a WL repeater (param->drivecapin, used only with repeaters).
        """
        p = self.ctx.p
        cap_output = self.cap_tg_drain * 2 + self.cap_tg_gate_n * 0.5 + self.cap_tg_gate_p * 0.5
        section = p.num_col_sub_array // (p.buffer_number + 1)  # cells per repeater section (int division)
        # NeuroSim V1.4 switch-matrix model: 0.69 RC of the TG + 0.38 RC of the distributed wire section
        tr = self.res_tg * cap_output * 0.69 + unit_cap * section * (0.69 * self.res_tg + 0.38 * unit_res * section)
        if p.buffer_number != 0:
            tr += (unit_cap * section * 0.69 + 0.69 * self.res_tg) * drive_cap_in
        return tr * num_read

    def energy(self, num_read: float, activity_row_read: float) -> float:
        """Read energy (J): the selected rows' TGs switch (ROW mode only) plus the scan register."""
        e = 0.0
        if self.mode is SwitchMode.ROW:
            vdd, v_read = self.ctx.tech.vdd, self.ctx.cell.read_voltage
            e += (self.cap_tg_drain * 3) * v_read * v_read * self.num_output * activity_row_read
            e += (self.cap_tg_gate_n + self.cap_tg_gate_p) * vdd * vdd * self.num_output * activity_row_read
        e *= num_read
        e += self.dff.energy(num_read, self.num_output, False)
        return e
