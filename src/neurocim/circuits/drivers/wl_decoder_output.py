"""WL decoder output stage: NOR2, INV, TG and a pull-down NMOS per row (NeuroSim V1.4 WLDecoderOutput)."""

# V1.4 never instantiates this module: its initialisation passes a null PMOS width to EnlargeSize, which would crash.
# Here the pull-down NMOS is enlarged as a single NMOS (PMOS width 0).

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.driver_common import WlRowDriver, fits_height
from neurocim.circuits.drivers.mux import tg_cell_height
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    cell_widths,
    gate_area,
    gate_capacitance,
    gate_leakage,
    horowitz,
    on_resistance,
)
from neurocim.circuits.gates.gates_common import c_max


class WLDecoderOutput(WlRowDriver):
    """Per-row output of a WL decoder; `multifunctional and not neuro` is the one-row memory mode."""

    def __init__(self, ctx: CircuitContext, num_wl_row: int, multifunctional: bool, neuro: bool):
        super().__init__(ctx, num_wl_row)
        self.memory_mode = multifunctional and not neuro
        tech = ctx.tech
        self.width_nor = cell_widths(tech, 1, 2)
        self.width_nmos = cell_widths(tech, 1, 0)[0]
        t = ctx.temperature
        res_n = on_resistance(self.width_tg[0], Mos.NMOS, t, tech)
        res_p = on_resistance(self.width_tg[1], Mos.PMOS, t, tech)
        self.res_tg = 1 / (1 / res_n + 1 / res_p)
        self.cap_nor_in = self.cap_nor_out = self.cap_nmos_gate = self.cap_nmos_drain = 0.0  # set by layout
        vdd, n = tech.vdd, num_wl_row
        leak = 0.0
        leak += gate_leakage(GateType.NOR, 2, *self.width_nor, t, tech) * vdd * n
        leak += gate_leakage(GateType.INV, 1, *self.width_inv, t, tech) * vdd * n
        leak += gate_leakage(GateType.INV, 1, self.width_nmos, 0.0, t, tech) * vdd * n
        self.leakage = leak

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        tech = self.ctx.tech
        min_height = tg_cell_height(tech)
        _, h_nor, w_nor = gate_area(GateType.NOR, 2, *self.width_nor, min_height, tech)
        _, h_inv, w_inv = gate_area(GateType.INV, 1, *self.width_inv, min_height, tech)
        _, h_nmos, w_nmos = gate_area(GateType.INV, 1, self.width_nmos, 0.0, min_height, tech)
        h_tg, w_tg = self._tg_cell(new_height, mode)
        # NeuroSim sums the cells in another order when it fits a height; kept for bit-exact parity
        if fits_height(new_height, mode):
            h_unit, w_unit = c_max(c_max(h_inv, h_nor), c_max(h_nmos, h_tg)), w_nor + w_inv + w_nmos + w_tg
        else:
            h_unit, w_unit = c_max(c_max(h_inv, h_nor), c_max(h_tg, h_nmos)), w_nor + w_inv + w_tg + w_nmos
        height, width = self._stack(h_unit, w_unit, new_height, mode)
        self.cap_nor_in, self.cap_nor_out = gate_capacitance(GateType.NOR, 2, *self.width_nor, h_nor, tech)
        self.cap_nmos_gate, self.cap_nmos_drain = gate_capacitance(GateType.INV, 1, self.width_nmos, 0.0, h_nmos, tech)
        return self._place(height, width, h_inv, h_tg, new_height, new_width, mode)

    def latency(self, ramp_input: float, cap_load: float, res_load: float, num_read: float) -> float:
        """NOR2 then TG delay (s) onto the WL (cap_load, res_load), times num_read."""
        tech, t = self.ctx.tech, self.ctx.temperature
        r_up = on_resistance(self.width_nor[1], Mos.PMOS, t, tech) * 2
        tr = r_up * (self.cap_nor_out + self.cap_inv_in + self.cap_tg_gate_p + self.cap_nmos_gate)
        delay = 0.0
        delay += horowitz(tr, 0.5, ramp_input)[0]
        tr = self.res_tg * (self.cap_tg_drain + self.cap_nmos_drain + cap_load) + res_load * cap_load / 2
        delay += horowitz(tr, 0.0, 1e20)[0]
        return delay * num_read

    def energy(self, num_read: float) -> float:
        """Read energy (J): one row (memory mode) or all rows opening (neuro mode) per read."""
        vdd, v_acc = self.ctx.tech.vdd, self.ctx.cell.access_voltage_v
        n = self.num_wl_row
        e = 0.0
        if self.memory_mode:
            e += self.cap_nor_in * vdd * vdd
            e += (self.cap_inv_out + self.cap_tg_gate_n) * vdd * vdd
            e += self.cap_tg_drain * v_acc * v_acc
        else:
            e += self.cap_nor_in * vdd * vdd * n
            e += (self.cap_inv_out + self.cap_tg_gate_n) * vdd * vdd * (n - 1)
            e += self.cap_tg_drain * v_acc * v_acc * (n - 1)
        return e * num_read
