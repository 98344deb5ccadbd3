"""WL decoder output stage: NOR2, INV, TG and a pull-down NMOS per row (NeuroSim V1.4 WLDecoderOutput).

V1.4 never instantiates this module: its initialisation passes a null PMOS width to EnlargeSize, which
would crash. Here the pull-down NMOS is enlarged as a single NMOS (PMOS width 0)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates import (
    GateType,
    Mos,
    enlarge_size,
    gate_area,
    gate_cap,
    gate_capacitance,
    gate_leakage,
    horowitz,
    on_resistance,
)
from neurocim.circuits.gates_common import c_int, ceil_int, fdiv
from neurocim.circuits.mux import tg_cell_height
from neurocim.circuits.wl_new_decoder_driver import fit_tg_height


def _cmax(a: float, b: float) -> float:
    return a if a > b else b


class WLDecoderOutput:
    """Per-row output of a WL decoder; `multifunctional and not neuro` is the one-row memory mode."""

    def __init__(self, ctx: CircuitContext, num_wl_row: int, multifunctional: bool, neuro: bool):
        self.ctx = ctx
        self.num_wl_row = num_wl_row
        self.memory_mode = multifunctional and not neuro
        tech = ctx.tech
        f = tech.feature_size
        pn = tech.pn_size_ratio
        cell_h = f * MAX_TRANSISTOR_HEIGHT
        self.width_nor = enlarge_size(MIN_NMOS_SIZE * f, 2 * pn * MIN_NMOS_SIZE * f, cell_h, tech)
        self.width_inv = enlarge_size(MIN_NMOS_SIZE * f, pn * MIN_NMOS_SIZE * f, cell_h, tech)
        self.width_tg = enlarge_size(MIN_NMOS_SIZE * f, pn * MIN_NMOS_SIZE * f, cell_h, tech)
        self.width_nmos = enlarge_size(MIN_NMOS_SIZE * f, 0.0, cell_h, tech)[0]
        t = ctx.temperature
        res_n = on_resistance(self.width_tg[0], Mos.NMOS, t, tech)
        res_p = on_resistance(self.width_tg[1], Mos.PMOS, t, tech)
        self.res_tg = 1 / (1 / res_n + 1 / res_p)
        self.cap_tg_gate_n = gate_cap(self.width_tg[0], tech)
        self.cap_tg_gate_p = gate_cap(self.width_tg[1], tech)
        self.cap_nor_in = self.cap_nor_out = self.cap_inv_in = self.cap_inv_out = 0.0  # set by layout
        self.cap_tg_drain = self.cap_nmos_gate = self.cap_nmos_drain = 0.0
        vdd, n = tech.vdd, num_wl_row
        leak = 0.0
        leak += gate_leakage(GateType.NOR, 2, *self.width_nor, t, tech) * vdd * n
        leak += gate_leakage(GateType.INV, 1, *self.width_inv, t, tech) * vdd * n
        leak += gate_leakage(GateType.INV, 1, self.width_nmos, 0.0, t, tech) * vdd * n
        self.leakage = leak
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        tech = self.ctx.tech
        min_height = tg_cell_height(tech)
        _, h_nor, w_nor = gate_area(GateType.NOR, 2, *self.width_nor, min_height, tech)
        _, h_inv, w_inv = gate_area(GateType.INV, 1, *self.width_inv, min_height, tech)
        _, h_tg, w_tg = gate_area(GateType.INV, 1, *self.width_tg, min_height, tech)
        _, h_nmos, w_nmos = gate_area(GateType.INV, 1, self.width_nmos, 0.0, min_height, tech)
        if new_height and mode is Layout.NONE:
            tg_height = fit_tg_height(new_height, self.num_wl_row, min_height)
            _, h_tg, w_tg = gate_area(GateType.INV, 1, *self.width_tg, tg_height, tech)
            h_unit = _cmax(_cmax(h_inv, h_nor), _cmax(h_nmos, h_tg))
            num_cols = ceil_int(fdiv(self.num_wl_row, c_int(new_height / h_unit)))
            height, width = new_height, (w_nor + w_inv + w_nmos + w_tg) * num_cols
        else:
            height = _cmax(_cmax(h_inv, h_nor), _cmax(h_tg, h_nmos)) * self.num_wl_row
            width = w_nor + w_inv + w_tg + w_nmos
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        self.cap_nor_in, self.cap_nor_out = gate_capacitance(GateType.NOR, 2, *self.width_nor, h_nor, tech)
        self.cap_inv_in, self.cap_inv_out = gate_capacitance(GateType.INV, 1, *self.width_inv, h_inv, tech)
        _, self.cap_tg_drain = gate_capacitance(GateType.INV, 1, *self.width_tg, h_tg, tech)
        self.cap_nmos_gate, self.cap_nmos_drain = gate_capacitance(GateType.INV, 1, self.width_nmos, 0.0, h_nmos, tech)
        return fp

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
        vdd, v_acc = self.ctx.tech.vdd, self.ctx.cell.access_voltage
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
