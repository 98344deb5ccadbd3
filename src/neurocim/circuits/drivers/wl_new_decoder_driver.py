"""1T1R WL decoder driver: NAND2-INV-NAND2 select logic and two TGs per row (NeuroSim V1.4 WLNewDecoderDriver)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, Reads
from neurocim.circuits.constants import LINEAR_REGION_RATIO
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.driver_common import WlRowDriver
from neurocim.circuits.drivers.mux import tg_cell_height
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    cell_widths,
    gate_area,
    gate_cap,
    gate_capacitance,
    gate_leakage,
    horowitz,
    minimum_widths,
    on_resistance,
    on_resistance_normal,
)
from neurocim.circuits.gates.gates_common import c_max


class WLNewDecoderDriver(WlRowDriver):
    """WL driver behind the row decoder of sequential 1T1R arrays."""

    def __init__(self, ctx: CircuitContext, num_wl_row: int):
        super().__init__(ctx, num_wl_row)
        tech, t = ctx.tech, ctx.temperature
        self.width_nand = cell_widths(tech, 2)
        if ctx.p.quirk("v21_decoder_sizing"):  # V2.1: gates drawn at minimum size, the TGs' saturated resistance
            self.width_nand, self.width_inv, self.width_tg = minimum_widths(tech, 2), *[minimum_widths(tech)] * 2
            self.cap_tg_gate_n, self.cap_tg_gate_p = gate_cap(self.width_tg[0], tech), gate_cap(self.width_tg[1], tech)
            res_n = on_resistance(self.width_tg[0], Mos.NMOS, t, tech)
            res_p = on_resistance(self.width_tg[1], Mos.PMOS, t, tech)
        else:
            res_n = on_resistance_normal(self.width_tg[0], Mos.NMOS, t, tech) * LINEAR_REGION_RATIO
            res_p = on_resistance_normal(self.width_tg[1], Mos.PMOS, t, tech) * LINEAR_REGION_RATIO
        self.res_tg = 1 / (1 / res_n + 1 / res_p)
        self.cap_nand_in = self.cap_nand_out = 0.0  # set by layout
        vdd = tech.vdd
        leak = 0.0
        leak += gate_leakage(GateType.NAND, 2, *self.width_nand, t, tech) * vdd * num_wl_row * 2
        leak += gate_leakage(GateType.INV, 1, *self.width_inv, t, tech) * vdd * num_wl_row * 2
        self.leakage = leak  # the TGs are taken as leakage-free

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        tech = self.ctx.tech
        min_height = tg_cell_height(tech)
        _, h_nand, w_nand = gate_area(GateType.NAND, 2, *self.width_nand, min_height, tech)
        _, h_inv, w_inv = gate_area(GateType.INV, 1, *self.width_inv, min_height, tech)
        h_tg, w_tg = self._tg_cell(new_height, mode)
        h_unit = c_max(c_max(h_inv, h_nand), h_tg)
        height, width = self._stack(h_unit, 3 * w_nand + w_inv + 2 * w_tg, new_height, mode)
        self.cap_nand_in, self.cap_nand_out = gate_capacitance(GateType.NAND, 2, *self.width_nand, h_nand, tech)
        return self._place(height, width, h_inv, h_tg, new_height, new_width, mode)

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

    def energy(self, num_read: Reads, line_voltage_v: float | None = None) -> Reads:
        """Read energy (J): one row switches per read; `line_voltage_v` (default: the read voltage) is what its pass
        gate's drain swings to (a write: the write voltage)."""
        vdd = self.ctx.tech.vdd
        v_read = self.ctx.cell.read_voltage_v if line_voltage_v is None else line_voltage_v
        e = 0.0
        e += self.cap_nand_in * vdd * vdd
        e += (self.cap_inv_out + self.cap_tg_gate_n) * vdd * vdd
        e += (self.cap_nand_out + self.cap_tg_gate_n + self.cap_tg_gate_p) * vdd * vdd
        e += self.cap_tg_drain * v_read * v_read
        return e * num_read
