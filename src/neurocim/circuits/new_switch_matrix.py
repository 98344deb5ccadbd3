"""1T1R WL switch matrix: four transmission gates per row (WL and BL) plus a DFF register (NeuroSim V1.4)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.dff import DFF
from neurocim.circuits.gates import GateType, Mos, gate_area, gate_cap, gate_capacitance, horowitz, on_resistance_normal
from neurocim.circuits.gates_common import c_int, ceil_int, fdiv
from neurocim.circuits.mux import tg_cell_height


class NewSwitchMatrix:
    """Row switch matrix of 1T1R arrays (NeuroSim NewSwitchMatrix); TGs of 2 F x new_switch_matrix_size_ratio."""

    def __init__(self, ctx: CircuitContext, num_output: int, clk_freq: float):
        self.ctx = ctx
        self.num_output = num_output
        self.clk_freq = clk_freq
        self.dff = DFF(ctx, num_output)
        tech = ctx.tech
        f = tech.feature_size
        ratio = ctx.p.new_switch_matrix_size_ratio
        self.width_tg_n = MIN_NMOS_SIZE * f * ratio
        self.width_tg_p = tech.pn_size_ratio * MIN_NMOS_SIZE * f * ratio
        r_n = on_resistance_normal(self.width_tg_n, Mos.NMOS, ctx.temperature, tech)
        # NeuroSim quirk: the PMOS branch of the TG is evaluated with the NMOS on-current
        r_p = on_resistance_normal(self.width_tg_p, Mos.NMOS, ctx.temperature, tech)
        self.res_tg = 1 / (1 / r_n + 1 / r_p)
        self.cap_tg_gate_n = gate_cap(self.width_tg_n, tech)
        self.cap_tg_gate_p = gate_cap(self.width_tg_p, tech)
        self.cap_tg_drain = 0.0  # set by layout (depends on the TG cell height)
        self.leakage = self.dff.leakage  # the TGs are taken as leakage-free
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        tech = self.ctx.tech
        n = self.num_output
        min_height = tg_cell_height(tech)
        if new_height and mode is Layout.NONE:
            per_col = c_int(new_height / min_height)
            num_cols = ceil_int(fdiv(n, per_col))
            per_col = ceil_int(fdiv(n, num_cols))
            tg_height = fdiv(new_height, per_col)
            _, h_tg, w_tg = gate_area(GateType.INV, 1, self.width_tg_n, self.width_tg_p, tg_height, tech)
            self.dff.layout(new_height, 0.0, Layout.NONE)
            height, width = new_height, (w_tg * 4) * num_cols + self.dff.width
        else:
            _, h_tg, w_tg = gate_area(GateType.INV, 1, self.width_tg_n, self.width_tg_p, min_height, tech)
            height = h_tg * n
            self.dff.layout(height, 0.0, Layout.NONE)
            width = (w_tg * 4) + self.dff.width
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        _, self.cap_tg_drain = gate_capacitance(GateType.INV, 1, self.width_tg_n, self.width_tg_p, h_tg, tech)
        return fp

    def latency(self, ramp_input: float, cap_load: float, res_load: float, num_read: float) -> float:
        """Horowitz delay (s) of the TG charging the row (Elmore RC of TG + wire), times num_read."""
        cap_output = self.cap_tg_drain * 2 + self.cap_tg_gate_n * 0.5 + self.cap_tg_gate_p * 0.5
        tr = self.res_tg * (cap_output + cap_load) + res_load * cap_load / 2
        return horowitz(tr, 0.0, ramp_input)[0] * num_read

    def energy(self, num_read: float, activity_row_read: float) -> float:
        """Read energy (J): per selected row one TG passes V_access, two pass V_read, three gates open."""
        tech, cell = self.ctx.tech, self.ctx.cell
        vdd, v_acc, v_read = tech.vdd, cell.access_voltage, cell.read_voltage
        n = self.num_output
        e = 0.0
        e += (self.cap_tg_drain * 2) * v_acc * v_acc * n * activity_row_read
        e += (self.cap_tg_drain * 3) * v_read * v_read * n * activity_row_read
        e += (self.cap_tg_gate_n + self.cap_tg_gate_p) * 3 * vdd * vdd * n * activity_row_read
        e *= num_read
        e += self.dff.energy(num_read, n, False)
        return e
