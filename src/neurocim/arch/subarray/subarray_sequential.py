"""Conventional sequential read (one row at a time) for SRAM and eNVM sub-arrays."""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from neurocim.arch.subarray.subarray_common import (
    BIG_RAMP,
    SubArrayArea,
    VectorCosts,
    adc_energy_per_vector,
    adder_step,
    column_band_width,
    idiv_ceil,
    log2_ceil,
    pipelined_accum_cycles,
    shift_add_step,
)
from neurocim.arch.subarray.subarray_geometry import WIRE_CAP_PER_M, ArrayGeometry
from neurocim.arch.subarray.subarray_parts import ColumnMux, ShiftAdders, WriteLevelShifters, build_adc
from neurocim.arch.subarray.subarray_sram import SramColumn, sram_cell_leakage
from neurocim.circuits.adc.mlsa_timing_v21 import MlsaTimingV21, chip_read_law
from neurocim.circuits.adc.sense_amp import SenseAmp
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.decoder_driver import DecoderDriver
from neurocim.circuits.drivers.row_decoder import DecoderMode, RowDecoder
from neurocim.circuits.drivers.switch_matrix import SwitchMatrix, SwitchMode
from neurocim.circuits.drivers.wl_new_decoder_driver import WLNewDecoderDriver
from neurocim.circuits.logic.adder import Adder
from neurocim.circuits.logic.dff import DFF
from neurocim.config.chip import AccessType, CellType

SEQUENTIAL_READ = "v21_sequential_read"


class SequentialArray:
    """Periphery, area, sensing cycle and per-vector costs of a conventional-sequential sub-array.

    SRAM: WL decoder, a sense amplifier per column and an adder per column. eNVM: WL decoder + driver,
    SL switch matrix, column mux, a 2^cellBit-level ADC per column group and its adders."""

    def __init__(self, ctx: CircuitContext, geo: ArrayGeometry, clk_freq: float, cols_muxed: int) -> None:
        p, cell = ctx.p, ctx.cell
        self.ctx, self.geo, self.clk_freq = ctx, geo, clk_freq
        self.sram = cell.type is CellType.SRAM
        self.cols_muxed = ncm = cols_muxed
        cps = p.cols_per_weight
        self.wl_decoder = RowDecoder(ctx, DecoderMode.REGULAR_ROW, log2_ceil(geo.num_row), False, False)
        self.wl_new_driver: WLNewDecoderDriver | None = None
        self.wl_driver: DecoderDriver | None = None
        self.sl_switch: SwitchMatrix | None = None
        self.sense_amp: SenseAmp | None = None
        self.sram_column: SramColumn | None = None
        self.level_shifters: WriteLevelShifters | None = None
        if self.sram:
            self.sram_column = SramColumn(ctx, geo)
            pitch = geo.length_row / geo.num_col
            self.sense_amp = SenseAmp(ctx, geo.num_col, cell.min_sense_voltage_v, pitch, geo.num_col)
            self.adder_bits = log2_ceil(geo.num_row) + 1
            self.num_adder = geo.num_col  # no mux: one adder per column
            num_unit = geo.num_col // cps
            self.column_mux = ColumnMux(ctx, 0, 1, 0.0)
            self.adc = None
            self.shift_adders = ShiftAdders(ctx, num_unit, self.adder_bits, self.adder_bits + cps, cps)
        else:
            self.level_shifters = WriteLevelShifters(ctx, geo.num_row, geo.num_col)
            self.num_adder = idiv_ceil(geo.num_col, ncm)
            res_tg = geo.res_mem_cell_on
            self.adder_bits = log2_ceil(geo.num_row) + p.cell_bits
            if cell.access is AccessType.CMOS:
                self.wl_new_driver = WLNewDecoderDriver(ctx, geo.num_row)
            else:
                self.wl_driver = DecoderDriver(ctx, SwitchMode.ROW, geo.num_row, geo.num_col, geo.res_mem_cell_on)
            self.sl_switch = SwitchMatrix(ctx, SwitchMode.COL, geo.num_col, res_tg, clk_freq)
            self.column_mux = ColumnMux(ctx, self.num_adder, ncm, res_tg)
            levels = 2**p.cell_bits
            self.adc = build_adc(ctx, geo, geo.num_col // ncm, levels, clk_freq, False, reference_energy_peri=0.0,
                                 res_cell_access=geo.res_cell_access, with_encoder=p.cell_bits > 1)  # fmt: skip
            # each extra cell of a weight shifts by cellBit; +1 compensates the shift-add's own -1
            pulses = (cps - 1) * p.cell_bits + 1
            self.shift_adders = ShiftAdders(ctx, self.num_adder, self.adder_bits, self.adder_bits + pulses, pulses)
        # V2.1 (eNVM): the row adders take the full count width, their registers one bit more
        v21 = not self.sram and p.quirk(SEQUENTIAL_READ)
        self.dff = DFF(ctx, (self.adder_bits + v21) * self.num_adder)
        self.adder = Adder(ctx, self.adder_bits - 1 + v21, self.num_adder)
        self.leakage, self.leakage_sram_in_use = self._leakage()
        self.read_timing = self._v21_read_timing()

    def _v21_read_timing(self) -> MlsaTimingV21 | None:
        """V2.1's sequential read (quirk v21_sequential_read, asynchronous eNVM flash MLSA): its per-read sense-amp
        law, one cell's resistance against the references; else None."""
        p = self.ctx.p
        if self.adc is None or self.adc.flash is None or p.chip.clock.synchronous:
            return None
        if not (p.quirk(SEQUENTIAL_READ) and p.quirk("v21_mlsa_read_time")):
            return None
        return chip_read_law(p, 2**p.cell_bits, 1)

    def _row_units(self) -> list:
        return [u for u in (self.wl_decoder, self.wl_new_driver, self.wl_driver) if u is not None]

    # ---------------------------------------------------------------- area
    def layout(self) -> SubArrayArea:
        geo = self.geo
        h_arr, w_arr = geo.length_col, geo.length_row
        for unit in self._row_units():
            unit.layout(h_arr, 0.0)
        self.dff.layout(0.0, w_arr)
        self.adder.layout(0.0, w_arr)
        self.shift_adders.layout(w_arr)
        row_width = sum(u.width for u in self._row_units())
        row_area = sum(u.area for u in self._row_units())
        accum = self.shift_adders.area
        w_band = column_band_width(w_arr, self.dff.width, self.adder.width, self.shift_adders.width)
        if self.sram_column is not None and self.sense_amp is not None:
            self.sram_column.layout(w_arr)
            self.sense_amp.layout(0.0, w_arr, Layout.MAGIC)
            col = self.sram_column
            w_band = column_band_width(w_band, col.precharger.width, col.write_driver.width)
            # two DFF banks: one behind the adders, one pipelining the weight shift-add
            height = col.height_top + h_arr + self.sense_amp.height + self.adder.height + self.dff.height * 2
            height += self.shift_adders.height
            width = row_width + w_band
            area_adc = self.sense_amp.area + col.precharger.area
            area_accum = self.adder.area + self.dff.area * 2 + accum
            area_other = row_area + col.write_driver.area
        else:
            assert self.level_shifters is not None and self.sl_switch is not None and self.adc is not None
            ls = self.level_shifters
            ls.layout(h_arr, w_arr)
            self.sl_switch.layout(0.0, w_arr)
            self.column_mux.layout(w_arr)
            self.adc.layout(w_arr)
            height = ls.col_height + self.sl_switch.height + h_arr + self.column_mux.height + self.adc.height
            height += self.adder.height + self.dff.height + self.shift_adders.height
            width = max(ls.row_width + row_width, self.column_mux.decoder_width) + w_band
            area_adc = self.adc.area
            area_accum = self.adder.area + self.dff.area + accum
            area_other = ls.area + row_area + self.sl_switch.area + self.column_mux.area
        used = geo.area + area_adc + area_accum + area_other
        return SubArrayArea(height * width, height, width, area_adc, area_accum, area_other, geo.area, used)

    def _leakage(self) -> tuple[float, float]:
        geo = self.geo
        parts = [u.leakage for u in self._row_units()]
        parts += [self.dff.leakage, self.adder.leakage, self.shift_adders.leakage]
        if self.sram_column is not None and self.sense_amp is not None:
            cell = sram_cell_leakage(self.ctx)
            total = cell * (geo.num_row * geo.num_col) + self.sram_column.leakage + self.sense_amp.leakage + sum(parts)
            return total, cell * ((geo.num_row - 1) * geo.num_col)
        assert self.sl_switch is not None and self.adc is not None
        parts += [self.sl_switch.leakage, self.column_mux.leakage, self.adc.leakage]
        return sum(parts), 0.0

    # ---------------------------------------------------------------- latency
    def _row_latency(self) -> float:
        """WL decoder (+ driver) delay of one row (s)."""
        geo = self.geo
        if self.sram:
            return self.wl_decoder.latency(BIG_RAMP, geo.cap_row1, 0.0, geo.res_row, geo.num_col, 1)
        res_load = 0.0 if self.ctx.p.quirk(SEQUENTIAL_READ) else geo.res_row  # V2.1: no WL wire on the decoder
        t = self.wl_decoder.latency(BIG_RAMP, geo.cap_row2, 0.0, res_load, geo.num_col, 1)
        ramp = self.wl_decoder.ramp_output(BIG_RAMP, geo.cap_row2, 0.0, res_load, geo.num_col)
        if self.wl_new_driver is not None:
            return t + self.wl_new_driver.latency(ramp, geo.cap_row2, geo.res_row, 1)
        assert self.wl_driver is not None
        return t + self.wl_driver.latency(ramp, geo.cap_row1, geo.res_row, 1)

    def row_decode_latency(self) -> float:
        """Decoding and driving one row (s): the WL decoder and its driver."""
        return self._row_latency()

    def col_delay(self) -> float:
        """Bit-line delay (s): SRAM Elmore discharge, eNVM 20 % of the column RC."""
        if self.sram_column is not None:
            return self.sram_column.col_delay()
        geo = self.geo
        if self.ctx.p.quirk(SEQUENTIAL_READ):  # V2.1: through the arithmetic mean of an on and an off cell
            return geo.cap_col * (geo.res_mem_cell_on + geo.res_mem_cell_off) / 2 * 0.2
        return geo.cap_col * geo.res_mem_cell_avg * 0.2

    def _conversion_latency(self) -> float:
        """One eNVM conversion (s): the ADC (+ encoder)."""
        assert self.adc is not None
        return self.adc.latency()

    def sensing_latency(self) -> float:
        """Sensing cycle (s) that sets the clock (CalculateLatency with CalculateclkFreq = true)."""
        if self.sram:
            t = self._row_latency() + self._sram_sense_latency()
        else:
            t = max(self._row_latency(), self.column_mux.latency()) + self.col_delay() + self._conversion_latency()
        return t * self.ctx.p.beta

    def _sram_sense_latency(self) -> float:
        """Precharge, bit-line discharge and sense-amp latch of one SRAM read (s)."""
        assert self.sram_column is not None and self.sense_amp is not None
        return self.sram_column.precharge_latency() + self.col_delay() + self.sense_amp.latency(1)

    @cached_property
    def _adder_steps(self) -> tuple[float, float, float]:
        """(row adder, weight shift-add, input shift-add) step latencies (s); read-only after layout."""
        t_add = adder_step(self.adder, self.dff.cap_tg_drain)
        return t_add, shift_add_step(self.shift_adders.weight), shift_add_step(self.shift_adders.inputs)

    def _v21_latency(
        self, rows: np.ndarray, read_s: np.ndarray, clk_freq: float
    ) -> tuple[np.ndarray | float, np.ndarray | float, np.ndarray | float]:
        """V2.1's (ADC, accumulation, other) time (s) of each vector read row by row (quirk v21_sequential_read):
        every muxed column of every active row converts in its slowest column's time, then the row adders and their
        registers step once per read and the shift-adds once per muxed column, all in series; the row decode per
        read against the column mux and the bit-line settling of the muxed columns, both over the input's pulses."""
        assert self.adc is not None
        p = self.ctx.p
        ncm, pulses = self.cols_muxed, p.chip.precision.input_bits
        reads = rows * ncm
        adc = read_s * reads
        if self.adc.encoder is not None:
            adc = adc + self.adc.encoder.latency(BIG_RAMP, 1) * reads
        accum = adder_step(self.adder, self.dff.cap_tg_drain) * reads + self.dff.latency(reads, clk_freq)
        weight, inputs = self.shift_adders.weight, self.shift_adders.inputs
        if weight is not None:
            accum = accum + weight.latency(ncm, clk_freq)
        if inputs is not None:
            accum = accum + inputs.latency(idiv_ceil(ncm, p.cols_per_weight), clk_freq)
        mux = self.column_mux.latency() * ncm if ncm > 1 else 0.0
        other = np.maximum(self._row_latency() * reads, mux / pulses) + self.col_delay() * ncm / pulses
        return adc, accum, other

    def _latency(
        self, rows: np.ndarray, clk_freq: float
    ) -> tuple[np.ndarray | float, np.ndarray | float, np.ndarray | float]:
        """(ADC, accumulation, other) latency per vector; rows = active rows per vector (numRow * activity)."""
        p = self.ctx.p
        ncm, cps = self.cols_muxed, p.cols_per_weight
        t_add, t_weight, t_input = self._adder_steps
        if self.sram:  # one read operation per row: no column sharing
            if p.chip.clock.synchronous:
                adc = 1 * rows
                accum = 1 * (rows - 1) * (math.ceil(t_add * clk_freq) - 1)
                hidden = math.ceil((t_weight * (cps - 1) + t_input) * clk_freq) - (adc + accum)
                return adc, accum + np.maximum(hidden, 0.0), 0.0
            adc = self._sram_sense_latency() * 1 * rows * p.beta
            other = self._row_latency() * rows * p.beta
            accum = t_add * (1 * rows - 1) + t_weight * (cps - 1) + t_input - adc - other
            return adc, np.maximum(accum, 0.0), other
        per_synapse = idiv_ceil(ncm, cps)
        if p.chip.clock.synchronous:
            adc = rows * ncm
            accum = ncm * (rows - 1) * (math.ceil(t_add * clk_freq) - 1)
            steps = []
            if cps > 1:
                steps.append(((cps - 1) * per_synapse, t_weight, ncm))
            if p.chip.precision.input_bits > 1:
                steps.append((per_synapse, t_input, per_synapse))
            return adc, pipelined_accum_cycles(adc, accum, steps, clk_freq), 0.0
        adc = (self._conversion_latency() + self.col_delay()) * (rows * ncm) * p.beta
        other = np.maximum(self._row_latency() * rows, self.column_mux.latency()) * ncm * p.beta
        accum = t_add * ncm * (rows - 1) + t_weight * (cps - 1) * per_synapse + t_input * per_synapse - adc - other
        return adc, np.maximum(accum, 0.0), other

    # ---------------------------------------------------------------- energy
    def vector_costs(self, activity: np.ndarray, column_resistance: np.ndarray, clk_freq: float,
                     adc_levels: int) -> VectorCosts:  # fmt: skip
        """Per-vector costs; the number of active rows sets how many rows are read one after another."""
        geo, p, vdd = self.geo, self.ctx.p, self.ctx.tech.vdd
        ncm, cps = self.cols_muxed, p.cols_per_weight
        act = np.asarray(activity, dtype=float)
        rows = geo.num_row * act
        read_s = None if self.read_timing is None else self.read_timing.read_latency(column_resistance)
        if read_s is not None:
            lat_adc, lat_accum, lat_other = self._v21_latency(rows, read_s, clk_freq)
        else:
            lat_adc, lat_accum, lat_other = self._latency(rows, clk_freq)
        if self.sram_column is not None and self.sense_amp is not None:
            reads = 1.0 * rows  # one read operation per row (all columns sensed at once)
            e_row = self.wl_decoder.energy(rows)
            e_pre = self.sram_column.precharge_energy(reads)
            per_op = geo.num_col // cps
            e_adder = self.adder.energy(reads, per_op)
            e_dff = self.dff.energy(
                reads, per_op * (math.ceil(math.log2(geo.num_row)) / 2 + 1), p.chip.calibration.validated
            )
            e_sa = self.sense_amp.energy(reads)
            e_weight, e_input = self.shift_adders.energies(cps - 1, 1)
            e_array = geo.cap_row1 * vdd * vdd * geo.num_row * act
            return VectorCosts(
                latency_adc=lat_adc, latency_accum=lat_accum, latency_other=lat_other,
                energy=e_row + e_pre + e_array + e_adder + e_dff + e_sa + e_weight + e_input,
                energy_adc=e_pre + e_array + e_sa,
                energy_accum=e_adder + e_dff + e_weight + e_input,
                energy_other=e_row,
            )  # fmt: skip
        assert self.adc is not None
        num_read_cells = math.ceil(geo.num_col / ncm)
        reads = rows * ncm
        e_row = self.wl_decoder.energy(reads)
        if self.wl_new_driver is not None:
            e_row = e_row + self.wl_new_driver.energy(reads)
        elif self.wl_driver is not None:
            e_row = e_row + self.wl_driver.energy(num_read_cells, reads)
        e_mux, e_dec = self.column_mux.energies(ncm)
        if p.quirk("v21_mux_energy_per_input_bits"):  # V2.1: spread over the input's bit pulses
            e_mux, e_dec = e_mux / p.chip.precision.input_bits, e_dec / p.chip.precision.input_bits
        e_enc = self.adc.encoder.energy(reads) if self.adc.encoder is not None else 0.0
        e_adder = self.adder.energy(reads, num_read_cells)
        dff_per_op = num_read_cells * (math.ceil(math.log2(geo.num_row)) / 2 + p.cell_bits)
        if read_s is not None:  # V2.1: every register bit of the read adders clocks
            assert self.read_timing is not None
            e_adc = self.read_timing.read_energy(column_resistance, read_s) * rows
            dff_per_op = num_read_cells * (self.adder_bits + 1)
        else:
            e_adc = adc_energy_per_vector(self.adc.converter, column_resistance) * rows
        e_dff = self.dff.energy(reads, dff_per_op, p.chip.calibration.validated)
        per_synapse = idiv_ceil(ncm, cps)
        e_weight, e_input = self.shift_adders.energies((cps - 1) * per_synapse, per_synapse)
        cap_bl = geo.length_col * WIRE_CAP_PER_M
        v_read = self.ctx.cell.read_voltage_v
        e_array = (cap_bl * v_read * v_read * num_read_cells + geo.cap_row2 * vdd * vdd) * rows * ncm
        e_accum = e_adder + e_dff + e_weight + e_input
        # V2.1 books the sense amplifiers and encoders to the ADC share but leaves them out of the read's energy
        converters = 0.0 if read_s is not None else e_adc + e_enc
        return VectorCosts(
            latency_adc=lat_adc, latency_accum=lat_accum, latency_other=lat_other,
            energy=e_row + e_mux + e_dec + e_accum + e_array + converters,
            energy_adc=e_array + e_adc + e_enc,
            energy_accum=e_accum,
            energy_other=e_row + e_mux + e_dec,
        )  # fmt: skip
