"""1T1R WL switch matrix: four transmission gates per row (WL and BL) plus a DFF register (NeuroSim V1.4)."""

from __future__ import annotations

import numpy as np

from neurocim.circuits.base import Footprint, Layout
from neurocim.circuits.constants import LINEAR_REGION_RATIO, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.tg_switch import TgSwitchBank
from neurocim.circuits.gates.gates import Mos, horowitz, on_resistance, on_resistance_normal


class NewSwitchMatrix(TgSwitchBank):
    """Row switch matrix of 1T1R arrays (NeuroSim NewSwitchMatrix); TGs of 2 F x new_switch_matrix_size_ratio."""

    def __init__(self, ctx: CircuitContext, num_output: int, clk_freq: float):
        tech = ctx.tech
        f = tech.feature_size
        ratio = ctx.p.new_switch_matrix_ratio
        width_n = MIN_NMOS_SIZE * f * ratio
        width_p = tech.pn_size_ratio * MIN_NMOS_SIZE * f * ratio
        r_n = on_resistance_normal(width_n, Mos.NMOS, ctx.temperature, tech)
        # NeuroSim quirk: the PMOS branch of the TG is evaluated with the NMOS on-current
        r_p = on_resistance_normal(width_p, Mos.NMOS, ctx.temperature, tech)
        super().__init__(ctx, num_output, clk_freq, width_n, width_p, 1 / (1 / r_n + 1 / r_p))

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        height, width, h_tg = self._row_stack(4, new_height, mode)  # four TGs per row: WL and BL pairs
        return self._place(height, width, h_tg, new_height, new_width, mode)

    def latency(self, ramp_input: float, cap_load: float, res_load: float, num_read: float) -> float:
        """Horowitz delay (s) of the TG charging the row (Elmore RC of TG + wire), times num_read."""
        cap_output = self._cap_output()
        tr = self.res_tg * (cap_output + cap_load) + res_load * cap_load / 2
        return horowitz(tr, 0.0, ramp_input)[0] * num_read

    def v21_latency(self, cap_load: float, res_load: float, num_read: float, clk_freq: float) -> float:
        """NeuroSim V2.1's read delay (s) of num_read row selections: a minimum-size NMOS TG (linear-region
        resistance) charging five drain loads and the row, plus half a clock period of its DFF register per read."""
        tech = self.ctx.tech
        res_tg = on_resistance(MIN_NMOS_SIZE * tech.feature_size, Mos.NMOS, self.ctx.temperature, tech)
        tr = res_tg * LINEAR_REGION_RATIO * (self.cap_tg_drain * 5 + cap_load) + res_load * cap_load / 2
        return (horowitz(tr, 0.0, 1e20)[0] + 1 / clk_freq / 2) * num_read

    def energy(self, num_read: float, activity_row_read: float | np.ndarray) -> float | np.ndarray:
        """Read energy (J): per selected row one TG passes V_access, two pass V_read, three gates open."""
        tech, cell = self.ctx.tech, self.ctx.cell
        vdd, v_acc, v_read = tech.vdd, cell.access_voltage_v, cell.read_voltage_v
        n = self.num_output
        e: float | np.ndarray = 0.0
        e += (self.cap_tg_drain * 2) * v_acc * v_acc * n * activity_row_read
        read_loads = 5 if self.ctx.p.quirk("v21_wl_switch_five_drain_loads") else 3
        e += (self.cap_tg_drain * read_loads) * v_read * v_read * n * activity_row_read
        e += (self.cap_tg_gate_n + self.cap_tg_gate_p) * 3 * vdd * vdd * n * activity_row_read
        return self._with_scan(e, num_read)
