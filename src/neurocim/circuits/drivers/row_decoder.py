"""Row decoder (WL, mux and buffer decoders): 2-bit predecode, NAND2 and NOR stages and an output driver."""

from __future__ import annotations

from enum import Enum

from neurocim.circuits.base import Footprint, Layout, Reads, fit
from neurocim.circuits.constants import (
    M2_PITCH,
    M2_PITCH_BY_NODE,
    M3_PITCH,
    M3_PITCH_BY_NODE,
    MAX_TRANSISTOR_HEIGHT,
    MIN_NMOS_SIZE,
)
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    cell_widths,
    gate_area,
    gate_capacitance,
    gate_leakage,
    horowitz,
    minimum_widths,
    on_resistance,
)
from neurocim.circuits.gates.gates_common import c_int, c_max, c_mod, ceil_int, fdiv, node_key


class DecoderMode(Enum):
    REGULAR_ROW = "row"  # outputs stacked along the array height
    REGULAR_COL = "col"  # outputs spread along the array width


class RowDecoder:
    """Address decoder of NeuroSim V1.4 (RowDecoder). `mux` selects the mux-enable output stage (NAND + 2 INV)
    instead of the two-inverter WL driver; `parallel` is the 8x-wide mux-of-mux decoder."""

    def __init__(self, ctx: CircuitContext, mode: DecoderMode, num_addr_row: int, mux: bool, parallel: bool):
        self.ctx = ctx
        self.mode = mode
        self.num_addr_row = n = num_addr_row
        self.mux = mux
        self.parallel = parallel
        tech = ctx.tech
        f = tech.feature_size
        pn = tech.pn_size_ratio
        self.num_nor_input = ceil_int(n / 2)
        self.num_inv = n  # address inverters (the driver inverters are counted apart)
        self.num_nand = 4 * c_int(n // 2)
        self.num_nor = 2**n if n > 2 else 0
        self.num_metal_connection = self.num_nand + c_mod(n, 2) * 2 if n > 2 else 0
        if parallel:
            self.width_inv = (8 * MIN_NMOS_SIZE * f, 8 * pn * MIN_NMOS_SIZE * f)
            self.width_nand = (8 * 2 * MIN_NMOS_SIZE * f, 8 * pn * MIN_NMOS_SIZE * f)
            self.width_nor = (8 * MIN_NMOS_SIZE * f, 8 * self.num_nor_input * pn * MIN_NMOS_SIZE * f)
            self.width_driver = (8 * 3 * MIN_NMOS_SIZE * f, 8 * 3 * pn * MIN_NMOS_SIZE * f)
        elif ctx.p.quirk("v21_decoder_sizing"):  # V2.1: minimum gates, a 3x minimum output driver
            self.width_inv = minimum_widths(tech)
            self.width_nand = minimum_widths(tech, 2)
            self.width_nor = minimum_widths(tech, 1, self.num_nor_input)
            self.width_driver = minimum_widths(tech, 3, 3)
        else:
            self.width_inv = cell_widths(tech)
            self.width_nand = cell_widths(tech, 2)
            self.width_nor = cell_widths(tech, 1, self.num_nor_input)
            # V1.4: the final driver is sized by a per-node factor (mux decoder) or the WL-decoder factor
            s = ctx.p.mux_driver_factor if mux else ctx.p.wl_decoder_factor
            self.width_driver = (2 * MIN_NMOS_SIZE * f * s, 2 * pn * MIN_NMOS_SIZE * f * s)
        # NeuroSim V2.1 (quirk v21_mux_enable_inverters): a mux decoder's enable stage is two address-size inverters
        self.enable_is_inv = mux and not parallel and ctx.p.quirk("v21_mux_enable_inverters")
        self._gate_footprints()
        self._capacitances()
        self.leakage = self._leakage()
        self.area = self.height = self.width = 0.0

    def _gate_footprints(self) -> None:
        tech = self.ctx.tech
        cell_h = tech.feature_size * MAX_TRANSISTOR_HEIGHT
        _, self.h_inv, self.w_inv = gate_area(GateType.INV, 1, *self.width_inv, cell_h, tech)
        _, self.h_nand, self.w_nand = gate_area(GateType.NAND, 2, *self.width_nand, cell_h, tech)
        _, self.h_nor, self.w_nor = gate_area(GateType.NOR, self.num_nor_input, *self.width_nor, cell_h, tech)
        _, self.h_driver, self.w_driver = gate_area(GateType.INV, 1, *self.width_driver, cell_h, tech)

    def _capacitances(self) -> None:
        tech = self.ctx.tech
        self.cap_inv_in, self.cap_inv_out = gate_capacitance(GateType.INV, 1, *self.width_inv, self.h_inv, tech)
        self.cap_nand_in = self.cap_nand_out = 0.0
        if self.num_nand:
            self.cap_nand_in, self.cap_nand_out = gate_capacitance(
                GateType.NAND, 2, *self.width_nand, self.h_nand, tech
            )
        self.cap_nor_in = self.cap_nor_out = 0.0
        if self.num_nor:
            self.cap_nor_in, self.cap_nor_out = gate_capacitance(
                GateType.NOR, self.num_nor_input, *self.width_nor, self.h_nor, tech
            )
        self.cap_driver_in, self.cap_driver_out = gate_capacitance(
            GateType.INV, 1, *self.width_driver, self.h_driver, tech
        )
        inv = self.enable_is_inv
        self.width_enable = self.width_inv if inv else self.width_driver  # the mux-enable inverters
        self.cap_enable_in = self.cap_inv_in if inv else self.cap_driver_in
        self.cap_enable_out = self.cap_inv_out if inv else self.cap_driver_out
        self.w_enable = self.w_inv if inv else self.w_driver
        self.h_enable = self.h_inv if inv else self.h_driver

    def _leakage(self) -> float:
        tech, t = self.ctx.tech, self.ctx.temperature
        vdd = tech.vdd
        leak = 0.0
        leak += gate_leakage(GateType.INV, 1, *self.width_inv, t, tech) * vdd * self.num_inv
        leak += gate_leakage(GateType.NAND, 2, *self.width_nand, t, tech) * vdd * self.num_nand
        leak += gate_leakage(GateType.NOR, self.num_nor_input, *self.width_nor, t, tech) * vdd * self.num_nor
        if self.mux:
            leak += gate_leakage(GateType.NAND, 2, *self.width_nand, t, tech) * vdd * self.num_nor
            # NeuroSim quirk: the mux-enable inverters leak with the address-inverter widths, not the driver's
            leak += gate_leakage(GateType.INV, 1, *self.width_inv, t, tech) * vdd * 2 * self.num_nor
        else:
            leak += gate_leakage(GateType.INV, 1, *self.width_driver, t, tech) * vdd * 2 * self.num_nor
        return leak

    def _metal_pitches(self) -> tuple[float, float]:
        """M2 (along the width) and M3 (along the height) pitches in F."""
        m2, m3 = M2_PITCH, M3_PITCH
        key = node_key(self.ctx.tech)
        if key is not None:
            m2 *= M2_PITCH_BY_NODE[key] / M2_PITCH
            m3 *= M3_PITCH_BY_NODE[key] / M3_PITCH
        return m2, m3

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        f = self.ctx.tech.feature_size
        m2, m3 = self._metal_pitches()
        if self.mode is DecoderMode.REGULAR_ROW:
            if new_height and mode is Layout.NONE:
                cols_nor = self._stack_count(new_height, self.h_nor, self.num_nor)
                cols_nand = self._stack_count(new_height, self.h_nand, self.num_nand)
                cols_inv = 0  # NeuroSim quirk: the INV column count is guarded by itself, so it stays 0
                height = new_height
                width = self.w_inv * cols_inv + self.w_nand * cols_nand + m3 * self.num_metal_connection * f
                width += self.w_nor * cols_nor
                width += ((self.w_nand + self.w_enable * 2) if self.mux else (self.w_driver * 2)) * cols_nor
            else:
                height = c_max(self.h_nor * self.num_nor, self.h_nand * self.num_nand)
                width = self.w_inv + self.w_nand + m3 * self.num_metal_connection * f + self.w_nor
                width += (self.w_nand + self.w_enable * 2) if self.mux else self.w_driver * 2
        else:
            if new_width and mode is Layout.NONE:
                rows_nor = self._stack_count(new_width, self.w_nor, self.num_nor)
                rows_nand = self._stack_count(new_width, self.w_nand, self.num_nand)
                per_row = c_int(fdiv(new_width, self.w_inv))
                if per_row > self.num_inv:
                    per_row = self.num_inv
                rows_inv = ceil_int(fdiv(self.num_inv, per_row))
                width = new_width
                height = self.h_inv * rows_inv + self.h_nand * rows_nand + m2 * self.num_metal_connection * f
                height += self.h_nor * rows_nor
                height += ((self.h_nand + self.h_enable * 2) if self.mux else (self.h_driver * 2)) * rows_nor
            else:
                height = self.h_inv + self.h_nand + m2 * self.num_metal_connection * f + self.h_nor
                width = c_max(self.w_nor * self.num_nor, self.w_nand * self.num_nand)
                height += (self.h_nand + self.h_enable * 2) if self.mux else self.h_driver * 2
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    @staticmethod
    def _stack_count(length: float, unit: float, count: int) -> int:
        """Number of columns (rows) needed for `count` gates of size `unit` stacked along `length`."""
        per_stack = c_int(fdiv(length, unit))
        if per_stack > count:
            per_stack = count
        return ceil_int(count / per_stack) if per_stack > 0 else 0

    def _delay(
        self, ramp_input: float, cap_load1: float, cap_load2: float, res_load: float, col_num: float
    ) -> tuple[float, float]:
        """One decode: (delay s, output ramp). cap_load1 = general load (mux: NMOS TG gates), cap_load2 = PMOS
        TG gates of a mux; res_load/col_num add the distributed WL wire of a regular driver."""
        tech, t = self.ctx.tech, self.ctx.temperature
        delay = 0.0
        ramp_nand = ramp_nor = 1e20  # a missing stage passes a step on
        r = on_resistance(self.width_inv[0], Mos.NMOS, t, tech)
        tr = r * (self.cap_inv_out + self.cap_nand_in * 2) if self.num_nand else r * (self.cap_inv_out + cap_load1)
        d, ramp_inv = horowitz(tr, 0.5, ramp_input)
        delay += d
        if self.num_nand:
            r = on_resistance(self.width_nand[0], Mos.NMOS, t, tech) * 2
            load = self.cap_nor_in * self.num_nor / 4 if self.num_nor else cap_load1
            d, ramp_nand = horowitz(r * (self.cap_nand_out + load), 0.5, ramp_inv)
            delay += d
        if self.num_nor:
            r = on_resistance(self.width_nor[1], Mos.PMOS, t, tech) * 2
            load = self.cap_nand_in if self.mux else self.cap_inv_in
            d, ramp_nor = horowitz(r * (self.cap_nor_out + load), 0.5, ramp_nand)
            delay += d
        if self.mux:  # mux enable: NAND, then a driver INV pair on the NMOS / PMOS TG gates
            r = on_resistance(self.width_nand[0], Mos.NMOS, t, tech)
            d, ramp_nand = horowitz(r * (self.cap_nand_out + self.cap_inv_in), 0.5, ramp_nor)
            delay += d
            r = on_resistance(self.width_enable[1], Mos.PMOS, t, tech)
            d, ramp_inv = horowitz(r * (self.cap_enable_out + self.cap_enable_in + cap_load1), 0.5, ramp_nand)
            delay += d
            r = on_resistance(self.width_enable[0], Mos.NMOS, t, tech)
            d, _ = horowitz(r * (self.cap_enable_out + cap_load2), 0.5, ramp_inv)
            delay += d
        else:  # two-inverter driver; V1.4 adds the resistive WL load to the last stage
            r = on_resistance(self.width_driver[0], Mos.NMOS, t, tech)
            d, ramp_inv = horowitz(r * (self.cap_driver_out + self.cap_driver_in), 0.5, ramp_nor)
            delay += d
            r = on_resistance(self.width_driver[1], Mos.PMOS, t, tech)
            tr = r * (self.cap_driver_out + cap_load1) + (res_load * (cap_load1 + fdiv(cap_load1, col_num))) / 2
            d, _ = horowitz(tr, 0.5, ramp_inv)
            delay += d
        # NeuroSim quirk: the reported output ramp is that of the driver's first inverter
        return delay, ramp_inv

    def latency(
        self, ramp_input: float, cap_load1: float, cap_load2: float, res_load: float, col_num: float, num_read: float
    ) -> float:
        """Decode delay (s) times num_read (RowDecoder::CalculateLatency read part)."""
        return self._delay(ramp_input, cap_load1, cap_load2, res_load, col_num)[0] * num_read

    def ramp_output(
        self, ramp_input: float, cap_load1: float, cap_load2: float, res_load: float, col_num: float
    ) -> float:
        """Output ramp the next stage (a WL driver) receives."""
        return self._delay(ramp_input, cap_load1, cap_load2, res_load, col_num)[1]

    def _switching_energy(self) -> float:
        """Energy (J) of one decode, all address bits switching 0 to 1."""
        n = self.num_addr_row
        vdd = self.ctx.tech.vdd
        e = 0.0
        e += (self.cap_inv_in + self.cap_nand_in * 2) * vdd * vdd * (n // 2) * 2
        e += (self.cap_inv_in + self.cap_nor_in * self.num_nor / 2) * vdd * vdd * (n - (n // 2) * 2)
        e += (self.cap_nand_out + self.cap_nor_in * self.num_nor / 4) * vdd * vdd * self.num_nand / 4
        # one NOR output switches
        e += (self.cap_nor_out + (self.cap_nand_in if self.mux else self.cap_inv_in)) * vdd * vdd
        if self.mux:
            e += (self.cap_nand_out + self.cap_enable_in) * vdd * vdd
            e += (self.cap_enable_out + self.cap_enable_in) * vdd * vdd
            e += self.cap_enable_out * vdd * vdd
        else:
            e += (self.cap_driver_in + self.cap_driver_out) * vdd * vdd * 2
        return e

    def energy(self, num_read: Reads) -> Reads:
        """Read dynamic energy (J) of num_read decodes; scaled by epsilon (control activity) when validated."""
        e = self._switching_energy() * num_read
        if self.ctx.p.chip.calibration.validated:
            e *= self.ctx.p.epsilon
        return e

    def write_energy(self, num_write: float) -> float:
        """Write-path decode energy (J); NeuroSim applies no epsilon here (used by the buffers)."""
        return self._switching_energy() * num_write
