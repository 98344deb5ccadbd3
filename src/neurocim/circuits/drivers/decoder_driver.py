"""Decoder driver: an inverter and TGs per line that pass the read voltage (NeuroSim V1.4 DecoderDriver)."""

from __future__ import annotations

from neurocim.circuits.base import Footprint, Layout, Reads, fit
from neurocim.circuits.constants import IR_DROP_TOLERANCE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.mux import tg_cell_height, tg_column_fit, tg_resistance, tg_row_fold
from neurocim.circuits.drivers.switch_matrix import SwitchMode
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    cell_widths,
    gate_area,
    gate_cap,
    gate_capacitance,
    gate_leakage,
    horowitz,
    on_resistance_normal,
    pass_gate_area,
)
from neurocim.circuits.gates.gates_common import c_max, ceil_int, fin_factor, units_along
from neurocim.config.chip import AccessType


class DecoderDriver:
    """WL/BL decoder driver of the sequential eNVM arrays. `res_mem_cell_on` is the on-state cell resistance
    including the access device (SubArray's cell.resMemCellOn); the TG takes an IR-drop share of it."""

    def __init__(self, ctx: CircuitContext, mode: SwitchMode, num_output: int, num_load: int, res_mem_cell_on: float):
        self.ctx = ctx
        self.mode = mode
        self.num_output = num_output
        tech = ctx.tech
        f = tech.feature_size
        self.width_inv_n, self.width_inv_p = cell_widths(tech)
        res_tg = res_mem_cell_on / num_load * IR_DROP_TOLERANCE
        w_min = fin_factor(tech) * f
        # sized like the mux TG, without the FinFET rounding or minimum width
        self.width_tg_n = on_resistance_normal(w_min, Mos.NMOS, ctx.temperature, tech) * f / (res_tg * 2)
        self.width_tg_p = on_resistance_normal(w_min, Mos.PMOS, ctx.temperature, tech) * f / (res_tg * 2)
        self.res_tg = tg_resistance(ctx, self.width_tg_n, self.width_tg_p)
        self.cap_tg_gate_n = gate_cap(self.width_tg_n, tech)
        self.cap_tg_gate_p = gate_cap(self.width_tg_p, tech)
        self.cap_inv_in = self.cap_inv_out = self.cap_tg_drain = 0.0  # set by layout
        vdd = tech.vdd
        self.leakage = gate_leakage(GateType.INV, 1, self.width_inv_n, self.width_inv_p, ctx.temperature, tech)
        self.leakage *= vdd * num_output
        self.area = self.height = self.width = 0.0

    def _tg_footprint(self, new_height: float, new_width: float, mode: Layout) -> tuple[float, float]:
        tech = self.ctx.tech
        n = self.num_output
        if new_height and mode is Layout.NONE:
            _, tg_height = tg_column_fit(new_height, n, tech)
            _, h, w = gate_area(GateType.INV, 1, self.width_tg_n, self.width_tg_p, tg_height, tech)
        elif new_width and mode is Layout.NONE:
            _, num_fold = tg_row_fold(new_width, n, 1, tech)
            _, h, w = pass_gate_area(self.width_tg_n, self.width_tg_p, tech, num_fold)
        else:
            _, h, w = gate_area(GateType.INV, 1, self.width_tg_n, self.width_tg_p, tg_cell_height(tech), tech)
        return h, w

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        tech = self.ctx.tech
        n = self.num_output
        h_tg, w_tg = self._tg_footprint(new_height, new_width, mode)
        _, h_inv, w_inv = gate_area(GateType.INV, 1, self.width_inv_n, self.width_inv_p, tg_cell_height(tech), tech)
        num_tg = 3 if self.ctx.cell.access is AccessType.CMOS else 2  # 1T1R: WL, BL and SL gates
        if self.mode is SwitchMode.ROW:
            h_unit, w_unit = c_max(h_inv, h_tg), w_inv + w_tg * num_tg
        else:
            h_unit, w_unit = h_inv + h_tg * num_tg, c_max(w_inv, w_tg)
        if self.mode is SwitchMode.ROW:
            if new_height and mode is Layout.NONE:
                num_cols = ceil_int(n / units_along(new_height, h_unit))
                num_cols = n if num_cols > n else num_cols
                height, width = max(new_height, h_unit), w_unit * num_cols
            else:
                height, width = h_unit * n, w_unit
        else:
            if new_width and mode is Layout.NONE:
                num_rows = ceil_int(n / units_along(new_width, w_unit))
                num_rows = n if num_rows > n else num_rows
                height, width = h_unit * num_rows, max(new_width, w_unit)
            else:
                height, width = h_unit, w_unit * n
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        self.cap_inv_in, self.cap_inv_out = gate_capacitance(
            GateType.INV, 1, self.width_inv_n, self.width_inv_p, h_inv, tech
        )
        _, self.cap_tg_drain = gate_capacitance(GateType.INV, 1, self.width_tg_n, self.width_tg_p, h_tg, tech)
        return fp

    def latency(self, ramp_input: float, cap_load: float, res_load: float, num_read: float) -> float:
        """Horowitz delay (s) of the TG driving the worst-case line load (cap_load, res_load), times num_read."""
        cap_output = self.cap_tg_drain * 4 + self.cap_tg_gate_n * 0.5 + self.cap_tg_gate_p * 0.5
        tr = self.res_tg * (cap_output + cap_load) + res_load * cap_load / 2
        return horowitz(tr, 0.0, ramp_input)[0] * num_read

    def energy(self, num_read_cell_per_op: float, num_read: Reads) -> Reads:
        """Read energy (J) of num_read operations selecting num_read_cell_per_op lines each."""
        vdd, v_read = self.ctx.tech.vdd, self.ctx.cell.read_voltage_v
        c_n, c_p = self.cap_tg_gate_n, self.cap_tg_gate_p
        k = num_read_cell_per_op
        e = 0.0
        if self.ctx.cell.access is AccessType.CMOS:  # selected lines float, unselected are grounded
            e += (self.cap_inv_in + c_n * 2 + c_p) * vdd * vdd * k
            e += (self.cap_inv_out + c_p * 2 + c_n) * vdd * vdd * k
        else:  # cross-point: unselected lines sit at the read voltage
            e += (self.cap_inv_in + c_n + c_p) * vdd * vdd * k
            e += (self.cap_inv_out + c_p + c_n) * vdd * vdd * k
            e += (self.cap_tg_drain * 2) * v_read * v_read * (self.num_output - k)
        return e * num_read
