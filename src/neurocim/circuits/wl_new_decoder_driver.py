"""1T1R WL decoder driver: NAND2-INV-NAND2 select logic and two TGs per row (NeuroSim V1.4 WLNewDecoderDriver)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import LINEAR_REGION_RATIO, MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
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
    on_resistance_normal,
)
from neurocim.circuits.gates_common import c_int, ceil_int, fdiv
from neurocim.circuits.mux import tg_cell_height


def _cmax(a: float, b: float) -> float:
    return a if a > b else b


def fit_tg_height(new_height: float, num_row: int, min_height: float) -> float:
    """TG cell height when `num_row` TGs share `new_height`: folded into extra columns if a row is too low."""
    tg_height = new_height / num_row
    if tg_height < min_height:
        num_cols = ceil_int(min_height / tg_height)
        tg_height = new_height / ceil_int(fdiv(num_row, num_cols))
    return tg_height


class WLNewDecoderDriver:
    """WL driver behind the row decoder of sequential 1T1R arrays."""

    def __init__(self, ctx: CircuitContext, num_wl_row: int):
        self.ctx = ctx
        self.num_wl_row = num_wl_row
        tech = ctx.tech
        f = tech.feature_size
        pn = tech.pn_size_ratio
        cell_h = f * MAX_TRANSISTOR_HEIGHT
        self.width_nand = enlarge_size(2 * MIN_NMOS_SIZE * f, pn * MIN_NMOS_SIZE * f, cell_h, tech)
        self.width_inv = enlarge_size(MIN_NMOS_SIZE * f, pn * MIN_NMOS_SIZE * f, cell_h, tech)
        self.width_tg = enlarge_size(MIN_NMOS_SIZE * f, pn * MIN_NMOS_SIZE * f, cell_h, tech)
        t = ctx.temperature
        res_n = on_resistance_normal(self.width_tg[0], Mos.NMOS, t, tech) * LINEAR_REGION_RATIO
        res_p = on_resistance_normal(self.width_tg[1], Mos.PMOS, t, tech) * LINEAR_REGION_RATIO
        self.res_tg = 1 / (1 / res_n + 1 / res_p)
        self.cap_tg_gate_n = gate_cap(self.width_tg[0], tech)
        self.cap_tg_gate_p = gate_cap(self.width_tg[1], tech)
        self.cap_nand_in = self.cap_nand_out = self.cap_inv_in = self.cap_inv_out = self.cap_tg_drain = 0.0
        vdd = tech.vdd
        leak = 0.0
        leak += gate_leakage(GateType.NAND, 2, *self.width_nand, t, tech) * vdd * num_wl_row * 2
        leak += gate_leakage(GateType.INV, 1, *self.width_inv, t, tech) * vdd * num_wl_row * 2
        self.leakage = leak  # the TGs are taken as leakage-free
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        tech = self.ctx.tech
        min_height = tg_cell_height(tech)
        _, h_nand, w_nand = gate_area(GateType.NAND, 2, *self.width_nand, min_height, tech)
        _, h_inv, w_inv = gate_area(GateType.INV, 1, *self.width_inv, min_height, tech)
        _, h_tg, w_tg = gate_area(GateType.INV, 1, *self.width_tg, min_height, tech)
        if new_height and mode is Layout.NONE:
            tg_height = fit_tg_height(new_height, self.num_wl_row, min_height)
            _, h_tg, w_tg = gate_area(GateType.INV, 1, *self.width_tg, tg_height, tech)
            h_unit = _cmax(_cmax(h_inv, h_nand), h_tg)
            num_cols = ceil_int(fdiv(self.num_wl_row, c_int(new_height / h_unit)))
            height, width = new_height, (3 * w_nand + w_inv + 2 * w_tg) * num_cols
        else:
            height = _cmax(_cmax(h_inv, h_nand), h_tg) * self.num_wl_row
            width = 3 * w_nand + w_inv + 2 * w_tg
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        self.cap_nand_in, self.cap_nand_out = gate_capacitance(GateType.NAND, 2, *self.width_nand, h_nand, tech)
        self.cap_inv_in, self.cap_inv_out = gate_capacitance(GateType.INV, 1, *self.width_inv, h_inv, tech)
        _, self.cap_tg_drain = gate_capacitance(GateType.INV, 1, *self.width_tg, h_tg, tech)
        return fp

    def latency(self, ramp_input: float, cap_load: float, res_load: float, num_read: float) -> float:
        """NAND2 -> INV -> NAND2 -> TG delay (s) onto the WL (cap_load, res_load), times num_read.

        Every logic stage sees `ramp_input` (NeuroSim does not chain the ramps here); the TG stage a step."""
        tech, t = self.ctx.tech, self.ctx.temperature
        r_nand = on_resistance(self.width_nand[0], Mos.NMOS, t, tech) * 2  # two NMOS in series
        r_inv = on_resistance(self.width_inv[1], Mos.PMOS, t, tech)
        delay = 0.0
        delay += horowitz(r_nand * (self.cap_nand_out + self.cap_inv_in), 0.5, ramp_input)[0]
        delay += horowitz(r_inv * (self.cap_inv_out + 2 * self.cap_nand_in), 0.5, ramp_input)[0]
        load = self.cap_nand_out + self.cap_tg_gate_p + self.cap_tg_gate_n
        delay += horowitz(r_nand * load, 0.5, ramp_input)[0]
        tr = self.res_tg * (2 * self.cap_tg_drain + cap_load) + res_load * cap_load / 2
        delay += horowitz(tr, 0.0, 1e20)[0]
        return delay * num_read

    def energy(self, num_read: float) -> float:
        """Read energy (J): one row switches per read."""
        vdd, v_read = self.ctx.tech.vdd, self.ctx.cell.read_voltage
        e = 0.0
        e += self.cap_nand_in * vdd * vdd
        e += (self.cap_inv_out + self.cap_tg_gate_n) * vdd * vdd
        e += (self.cap_nand_out + self.cap_tg_gate_n + self.cap_tg_gate_p) * vdd * vdd
        e += self.cap_tg_drain * v_read * v_read
        return e * num_read
