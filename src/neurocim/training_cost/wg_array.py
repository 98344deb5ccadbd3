"""One SRAM sub-array of the weight-gradient unit with its read-out: area, and per-operation latency and energy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurocim.arch.subarray.subarray_common import BIG_RAMP, log2_ceil
from neurocim.arch.subarray.subarray_geometry import WIRE_CAP_PER_M
from neurocim.arch.subarray.subarray_parts import ColumnMux
from neurocim.arch.subarray.subarray_sram import sram_cell_leakage
from neurocim.circuits.adc.flash_adc import FlashAdc
from neurocim.circuits.adc.mlsa_encoder_v21 import mlsa_encoder
from neurocim.circuits.adc.mlsa_timing_v21 import MlsaTimingV21, chip_read_law
from neurocim.circuits.adc.sar_adc import SarAdc
from neurocim.circuits.adc.sense_amp import SenseAmp
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.precharger import Precharger
from neurocim.circuits.drivers.row_decoder import DecoderMode, RowDecoder
from neurocim.circuits.drivers.sram_write_driver import SRAMWriteDriver
from neurocim.circuits.drivers.switch_matrix import SwitchMatrix, SwitchMode
from neurocim.circuits.gates.gates import Mos, drain_cap, gate_cap, horowitz, on_resistance, transconductance
from neurocim.circuits.logic.adder import Adder
from neurocim.circuits.logic.dff import DFF
from neurocim.circuits.logic.shift_add import ShiftAdd
from neurocim.config.chip import AdcType, SenseMode
from neurocim.training_cost.quirks import (
    ADC_EVERY_COLUMN,
    SENSE_AMP_ENABLE_CLOCK,
    WRITE_ACTIVITY_UNSET,
    WRITE_SELECT_READ_COUNT,
    has_quirk,
)


@dataclass(frozen=True)
class ArrayOp:
    """Latency (s) and energy (J) of one array action, with the energy split into ADC, accumulation and other."""

    latency_s: float = 0.0
    energy_adc_j: float = 0.0
    energy_accum_j: float = 0.0
    energy_other_j: float = 0.0

    @property
    def energy_j(self) -> float:
        return self.energy_adc_j + self.energy_accum_j + self.energy_other_j


@dataclass(frozen=True)
class SramWires:
    """Geometry and parasitics of one SRAM sub-array of `rows` x `cols` cells."""

    rows: int
    cols: int
    length_row_m: float
    length_col_m: float
    cap_row_f: float
    cap_col_f: float
    res_row_ohm: float
    res_col_ohm: float
    res_cell_access_ohm: float
    cap_cell_access_f: float
    cap_sram_cell_f: float

    @staticmethod
    def of(ctx: CircuitContext, rows: int, cols: int) -> SramWires:
        p, tech = ctx.p, ctx.tech
        f = tech.feature_size
        cell_w, cell_h = p.sram_width_f * f, p.sram_height_f * f
        length_row, length_col = cols * cell_w, rows * cell_h
        unit_res = p.wires.unit_resistance
        w_access, w_n, w_p = (x * f for x in (p.sram_access_width_f, p.sram_nmos_width_f, p.sram_pmos_width_f))
        cap_access = drain_cap(w_access, Mos.NMOS, cell_w, tech)
        cap_cell = cap_access + drain_cap(w_n, Mos.NMOS, cell_w, tech) + drain_cap(w_p, Mos.PMOS, cell_w, tech)
        cap_cell += gate_cap(w_n, tech) + gate_cap(w_p, tech)
        return SramWires(
            rows, cols, length_row, length_col, length_row * WIRE_CAP_PER_M, length_col * WIRE_CAP_PER_M,
            length_row * unit_res, length_col * unit_res,
            on_resistance(w_access, Mos.NMOS, ctx.temperature, tech), cap_access, cap_cell,
        )  # fmt: skip


def tg_line_delay(switch: SwitchMatrix, cap_load: float, res_load: float) -> float:
    """Delay (s) of a switch-matrix TG charging one line of capacitance cap_load behind wire res_load."""
    tr = switch.res_tg * (switch.cap_tg_drain * 3 + cap_load) + res_load * cap_load / 2
    return horowitz(tr, 0.0, BIG_RAMP)[0]


class WgArray:
    """One weight-gradient SRAM sub-array and its periphery (the structure of NeuroSim V2.1's WeightGradientUnit).

    Activations are written into the array (one word line per output position, `input_bits` columns per input
    channel); errors are applied on the word lines bit by bit and every column is read out, either all rows at once
    through ADCs shared by `rows_per_adc` columns (`parallel`) or row by row through sense amplifiers and adders."""

    def __init__(self, ctx: CircuitContext, rows: int, cols: int, parallel: bool, adc_levels: int,
                 rows_per_adc: int) -> None:  # fmt: skip
        self.ctx, self.parallel = ctx, parallel
        self.adc_levels, self.rows_per_adc = adc_levels, rows_per_adc
        self.w = w = SramWires.of(ctx, rows, cols)
        p = ctx.p
        self.input_bits = p.chip.precision.input_bits
        self.enable_clock = has_quirk(p, SENSE_AMP_ENABLE_CLOCK)
        self.precharger = Precharger(ctx, cols, w.res_col_ohm, cols)
        self.write_driver = SRAMWriteDriver(ctx, cols)
        clk = p.chip.clock.max_frequency_hz
        self.wl_switch = SwitchMatrix(ctx, SwitchMode.ROW, rows, w.res_cell_access_ohm, clk)
        self.num_adc = max(cols // rows_per_adc, 1)
        if parallel:
            self._init_parallel()
        else:
            self._init_sequential()

    def _init_parallel(self) -> None:
        ctx, w, p = self.ctx, self.w, self.ctx.p
        self.mux = ColumnMux(ctx, math.ceil(w.cols / self.rows_per_adc), self.rows_per_adc, w.res_cell_access_ohm)
        self.flash = self.encoder = self.sar = None
        if p.chip.adc.type is AdcType.SAR:
            self.sar = SarAdc(ctx, self.num_adc, self.adc_levels, p.chip.clock.max_frequency_hz, w.cols)
        else:
            self.flash = FlashAdc(
                ctx, self.num_adc, self.adc_levels, p.chip.clock.max_frequency_hz, w.cols, True,
                p.chip.adc.sense_mode is SenseMode.CURRENT,
                column_cap=w.cap_col_f, array_height=w.length_col_m, array_width_unit=w.length_row_m / w.cols,
                res_cell_access=w.res_cell_access_ohm,
            )  # fmt: skip
            self.encoder = mlsa_encoder(ctx, self.adc_levels, self.num_adc)
        self.sum_bits = int(math.log2(self.adc_levels)) + self.input_bits + 1
        units = math.ceil(w.cols / self.rows_per_adc)
        self.shift_add = ShiftAdd(ctx, units, self.sum_bits, self.input_bits) if self.input_bits > 1 else None

    def _init_sequential(self) -> None:
        ctx, w, p = self.ctx, self.w, self.ctx.p
        self.wl_decoder = RowDecoder(ctx, DecoderMode.REGULAR_ROW, log2_ceil(w.rows), False, False)
        self.sense_amp = SenseAmp(ctx, w.cols, p.chip.cell.min_sense_voltage_v, w.length_row_m / w.cols, w.cols)
        adder_bits = log2_ceil(w.rows) + 1
        self.num_adder = max(w.cols // self.input_bits, 1)
        self.dff = DFF(ctx, (adder_bits + 1) * self.num_adder)
        self.adder = Adder(ctx, adder_bits, self.num_adder)
        self.sum_bits = int(math.log2(w.rows)) + self.input_bits + 1
        bits = adder_bits + self.input_bits + 1
        self.shift_add = ShiftAdd(ctx, self.num_adder, bits, self.input_bits) if self.input_bits > 1 else None

    # ---- area -------------------------------------------------------------------------------------------------
    def layout(self) -> float:
        """Area (m^2) of the array with its periphery."""
        w = self.w
        width = w.length_row_m
        area = w.length_row_m * w.length_col_m
        area += self.precharger.layout(0.0, width).area + self.write_driver.layout(0.0, width).area
        if self.shift_add is not None:
            area += self.shift_add.layout(0.0, width).area
        if not self.parallel:
            area += self.wl_decoder.layout(w.length_col_m, 0.0).area
            area += self.sense_amp.layout(0.0, width, Layout.MAGIC).area
            return area + self.adder.layout(0.0, width).area + self.dff.layout(0.0, width).area
        area += self.wl_switch.layout(w.length_col_m, 0.0).area
        self.mux.layout(width)
        area += self.mux.area
        for unit in (self.flash, self.encoder, self.sar):
            if unit is not None:
                area += unit.layout(0.0, width).area
        return area

    @property
    def leakage_w(self) -> float:
        """Leakage (W): cells (two inverters each) and the periphery that leaks."""
        leak = sram_cell_leakage(self.ctx) * self.w.rows * self.w.cols
        leak += self.precharger.leakage + self.write_driver.leakage
        units: list[Any] = [self.shift_add]
        units += (
            [self.wl_switch, self.flash, self.encoder]
            if self.parallel
            else [self.wl_decoder, self.sense_amp, self.dff, self.adder]
        )
        return leak + sum(u.leakage for u in units if u is not None)

    # ---- read: one error vector applied bit by bit --------------------------------------------------------------
    def _bitline_delay(self, ramp: float = BIG_RAMP) -> float:
        """Bit-line discharge through an access and pull-down transistor to half the sense swing (s)."""
        ctx, w = self.ctx, self.w
        tech, p = ctx.tech, ctx.p
        f = tech.feature_size
        res_pd = on_resistance(p.sram_nmos_width_f * f, Mos.NMOS, ctx.temperature, tech)
        tau = (w.res_cell_access_ohm + res_pd) * (w.cap_cell_access_f + w.cap_col_f) + w.res_col_ohm * w.cap_col_f / 2
        tau *= math.log(tech.vdd / (tech.vdd - p.chip.cell.min_sense_voltage_v / 2))
        beta = 1 / (res_pd * transconductance(p.sram_access_width_f * f, Mos.NMOS, tech))
        return horowitz(tau, beta, ramp)[0]

    def column_resistance(self, activity: float) -> float:
        """Resistance (ohm) of a column with the active rows conducting (an average trace)."""
        w = self.w
        conducting = math.ceil(w.rows * activity)
        if conducting == 0:
            return math.inf
        return (w.res_cell_access_ohm + self.ctx.p.wire_resistance_col_ohm) / conducting

    def read(self, activity: float) -> ArrayOp:
        """One error vector read out of the array (all its bits), without the tree across arrays."""
        return self._read_parallel(activity) if self.parallel else self._read_sequential(activity)

    def _read_parallel(self, activity: float) -> ArrayOp:
        ctx, w = self.ctx, self.w
        n = self.rows_per_adc * self.input_bits  # conversions per ADC
        clk = ctx.p.chip.clock.max_frequency_hz
        t_switch = tg_line_delay(self.wl_switch, w.cap_row_f, w.res_row_ohm) * n
        t_switch += self.wl_switch.dff.latency(n, clk)
        t = max(t_switch, self.mux.latency() * n) + self.precharger.latency(w.cap_col_f, n)
        t += self._bitline_delay() * self.input_bits
        e_adc = 0.0
        columns = w.cols if has_quirk(ctx.p, ADC_EVERY_COLUMN) else self.num_adc
        resistance = np.full(columns, self.column_resistance(activity))
        timing = self._v21_timing()
        if timing is not None and self.encoder is not None:  # V2.1's sense-amp time and energy law
            t_read = timing.read_latency(resistance[None, :])
            t += float(t_read[0]) * n + self.encoder.latency(BIG_RAMP, n)
            e_adc += float(timing.read_energy(resistance[None, :], t_read)[0]) * n + self.encoder.energy(n)
        elif self.flash is not None and self.encoder is not None:
            t += self.flash.latency(n, 1) + self.encoder.latency(BIG_RAMP, n)
            e_adc += self.flash.energy(resistance, n) + self.encoder.energy(n)
        if self.sar is not None:
            t += self.sar.latency(n)
            e_adc += self.sar.energy(resistance, n)
        e_accum = 0.0
        if self.shift_add is not None:
            t += self.shift_add.latency(n, clk)
            e_accum += self.shift_add.energy(n)
        e_mux, e_dec = self.mux.energies(n)
        e_other = float(self.wl_switch.energy(n, activity)) + self.precharger.energy(w.cap_col_f, n) + e_mux + e_dec
        return ArrayOp(t, e_adc, e_accum, e_other)

    def _v21_timing(self) -> MlsaTimingV21 | None:
        """NeuroSim V2.1's data-dependent sense-amp time and energy (quirk v21_mlsa_read_time, asynchronous current
        or voltage flash MLSA): references from the forward cell's resistances over the forward array's rows."""
        p = self.ctx.p
        if self.flash is None or not p.quirk("v21_mlsa_read_time") or p.chip.clock.synchronous:
            return None
        return chip_read_law(p, self.adc_levels, p.chip.array.rows)

    def _read_sequential(self, activity: float) -> ArrayOp:
        ctx, w = self.ctx, self.w
        clk = ctx.p.chip.clock.max_frequency_hz
        n = w.rows * activity * self.input_bits  # active rows read one by one, bit by bit
        ramp = self.wl_decoder.ramp_output(BIG_RAMP, w.cap_row_f, 0.0, 0.0, w.cols)
        t = self.wl_decoder.latency(BIG_RAMP, w.cap_row_f, 0.0, 0.0, w.cols, n)
        t += self.precharger.latency(w.cap_col_f, n) + self.sense_amp.latency(n)
        if self.enable_clock:  # V2.1's sense amplifiers wait one clock for their enable at every read
            t += n / clk
        t += self._bitline_delay(ramp) * n
        t += self.adder.latency(BIG_RAMP, self.dff.cap_tg_drain, n) + self.dff.latency(n, clk)
        e_accum = self.adder.energy(n, w.cols) + self.dff.energy(n, w.cols * (self.adder.num_bit + 1), False)
        if self.shift_add is not None:
            t += self.shift_add.latency(self.input_bits, clk)
            e_accum += self.shift_add.energy(n)
        e_adc = self.precharger.energy(w.cap_col_f, n) + self.sense_amp.energy(n)
        return ArrayOp(t, e_adc, e_accum, self.wl_decoder.energy(n))

    # ---- write: one window position's activations ----------------------------------------------------------------
    def write(self, activity: float) -> ArrayOp:
        """Writing the activations of the active rows (row by row) into the array."""
        ctx, w = self.ctx, self.w
        tech, p = ctx.tech, ctx.p
        vdd = tech.vdd
        rows_written = w.rows * activity
        col_activity = 0.0 if has_quirk(p, WRITE_ACTIVITY_UNSET) else activity
        t = sram_rows_write_latency(ctx, self.precharger, self.write_driver, w, rows_written)
        t += self._write_select_latency(rows_written)
        cols_written = min(w.cols, w.cols * col_activity)
        e = w.cap_sram_cell_f * vdd * vdd * 2 * (w.cols * activity) * rows_written  # flip Q and Q-bar
        e += w.cap_col_f * vdd * vdd * cols_written * rows_written  # bit lines recharged
        drv = self.write_driver
        e += (drv.cap_output + drv.cap_input) * vdd * vdd * cols_written * rows_written
        e += self._write_select_energy(rows_written)
        return ArrayOp(t, 0.0, 0.0, e)

    def _write_select_latency(self, rows_written: float) -> float:
        clk = self.ctx.p.chip.clock.max_frequency_hz
        if not self.parallel:
            return self.wl_decoder.latency(BIG_RAMP, self.w.cap_row_f, 0.0, 0.0, self.w.cols, rows_written)
        sw = self.wl_switch
        return tg_line_delay(sw, self.w.cap_row_f, self.w.res_row_ohm) * 2 * rows_written + sw.dff.latency(
            self._scans(rows_written), clk
        )

    def _scans(self, rows_written: float) -> float:
        """Loads of the row-select register while writing: one per row switched (NeuroSim: one per read step)."""
        if has_quirk(self.ctx.p, WRITE_SELECT_READ_COUNT):
            return self.rows_per_adc * self.input_bits
        return 2 * rows_written

    def _write_select_energy(self, rows_written: float) -> float:
        if not self.parallel:
            return self.wl_decoder.write_energy(rows_written)
        sw, vdd = self.wl_switch, self.ctx.tech.vdd
        per_row = (sw.cap_tg_gate_n + sw.cap_tg_gate_p) * vdd * vdd * 2  # one line off, the next on
        return per_row * 2 * rows_written + sw.dff.energy(self._scans(rows_written), sw.num_output, False)


def sram_rows_write_latency(
    ctx: CircuitContext, precharger: Precharger, driver: SRAMWriteDriver, w: SramWires, rows_written: float
) -> float:
    """Writing `rows_written` rows of an SRAM array one after another (s): each row's cells flip, the precharger
    restores the bit lines and the write driver pulls them (the row select is the caller's)."""
    tech, p, t_k = ctx.tech, ctx.p, ctx.temperature
    f = tech.feature_size
    w_n, w_p = p.sram_nmos_width_f * f, p.sram_pmos_width_f * f
    res_pull = (on_resistance(w_n, Mos.NMOS, t_k, tech) + on_resistance(w_p, Mos.PMOS, t_k, tech)) / 2
    gm = (transconductance(w_n, Mos.NMOS, tech) + transconductance(w_p, Mos.PMOS, tech)) / 2
    t = horowitz(res_pull * w.cap_sram_cell_f, 1 / (res_pull * gm), BIG_RAMP)[0] * rows_written
    return t + precharger.latency(w.cap_col_f, rows_written) + _driver_latency(ctx, driver, w) * rows_written


def _driver_latency(ctx: CircuitContext, drv: SRAMWriteDriver, w: SramWires) -> float:
    """One write through the write driver: its first inverter, then the second pulling the bit line down (s)."""
    tech, t_k = ctx.tech, ctx.temperature
    r_up = on_resistance(drv.width_p, Mos.PMOS, t_k, tech)
    beta_up = 1 / (r_up * transconductance(drv.width_p, Mos.PMOS, tech))
    d1, ramp = horowitz(r_up * (drv.cap_output + drv.cap_input), beta_up, BIG_RAMP)
    r_dn = on_resistance(drv.width_n, Mos.NMOS, t_k, tech)
    tr = r_dn * (w.cap_col_f + drv.cap_output) + w.res_col_ohm * w.cap_col_f / 2
    d2, _ = horowitz(tr, 1 / (r_dn * transconductance(drv.width_n, Mos.NMOS, tech)), ramp)
    return d1 + d2
