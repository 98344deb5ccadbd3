"""Conventional parallel read (many rows at once, ADC per column group) for SRAM and eNVM sub-arrays."""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from neurocim.arch.subarray import sram_read_v21
from neurocim.arch.subarray.subarray_common import (
    BIG_RAMP,
    SubArrayArea,
    VectorCosts,
    adc_energy_per_vector,
    adder_step,
    column_band_width,
    idiv_ceil,
    pipelined_accum_cycles,
    shift_add_step,
)
from neurocim.arch.subarray.subarray_geometry import (
    WIRE_CAP_PER_M,
    ArrayGeometry,
    fdiv_rows,
    repeater_latency,
    switch_line_resistance,
)
from neurocim.arch.subarray.subarray_parts import ColumnMux, ShiftAdders, WriteLevelShifters, build_adc
from neurocim.arch.subarray.subarray_sram import SramColumn, sram_cell_leakage
from neurocim.circuits.adc.mlsa_timing_v21 import MlsaTimingV21, chip_read_law
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.new_switch_matrix import NewSwitchMatrix
from neurocim.circuits.drivers.switch_matrix import SwitchMatrix, SwitchMode
from neurocim.circuits.logic.adder import Adder
from neurocim.circuits.logic.dff import DFF
from neurocim.config.chip import AccessType, CellType

SHIFT_ADD_READ_COUNTS = "v21_shift_add_read_counts"


class ParallelArray:
    """Periphery, area, sensing cycle and per-vector costs of a conventional-parallel sub-array."""

    def __init__(self, ctx: CircuitContext, geo: ArrayGeometry, clk_freq: float, cols_muxed: int) -> None:
        p, cell = ctx.p, ctx.cell
        self.ctx, self.geo, self.clk_freq = ctx, geo, clk_freq
        self.sram = cell.type is CellType.SRAM
        # V2.1's SRAM read (timed in seconds: its model has no synchronous clock)
        self.v21_sram = self.sram and p.quirk("v21_sram_parallel_read") and not p.chip.clock.synchronous
        self.one_t_one_r = not self.sram and cell.access is AccessType.CMOS
        # V2.1 charges an eNVM array's read bit lines again in every vector (V1.4 leaves them to the converter)
        self.v21_bit_lines = not self.sram and p.quirk("v21_parallel_bit_line_energy")
        self.cols_muxed = ncm = cols_muxed
        self.num_add = p.read_groups
        self.num_adc = geo.num_col // ncm
        level = p.chip.adc.levels
        rep = geo.repeaters
        self.wl_switch: SwitchMatrix | None = None
        self.wl_new_switch: NewSwitchMatrix | None = None
        self.sl_switch: SwitchMatrix | None = None
        self.sram_column: SramColumn | None = None
        if self.sram:
            res_wl = rep.section_res if rep.count > 0 else geo.res_row
            self.wl_switch = SwitchMatrix(ctx, SwitchMode.ROW, geo.num_row, res_wl, clk_freq)
            # the mux TG is sized for half of the parallel rows conducting (V2.1: for twice all rows)
            res_mux = fdiv_rows(geo.res_cell_access, p.chip.array.rows_in_parallel)
            if p.quirk("v21_mux_sizing"):
                res_mux = geo.res_cell_access / geo.num_row / 2
            weight_bits = int(math.log2(level) + math.ceil(math.log2(self.num_add)))
            input_bits = weight_bits + p.cols_per_weight
            self.sram_column = SramColumn(ctx, geo)
            reference_energy = geo.cap_row1 / p.chip.array.cols * ctx.tech.vdd * ctx.tech.vdd * geo.num_row
        else:
            res_tg = geo.res_mem_cell_avg / p.chip.array.rows_in_parallel
            res_line = switch_line_resistance(ctx, geo)
            if self.one_t_one_r:
                self.wl_new_switch = NewSwitchMatrix(ctx, geo.num_row, clk_freq)
            else:
                self.wl_switch = SwitchMatrix(ctx, SwitchMode.ROW, geo.num_row, res_line / geo.num_col, clk_freq)
            self.sl_switch = SwitchMatrix(ctx, SwitchMode.COL, geo.num_col, res_line, clk_freq)
            res_mux = geo.res_mem_cell_on / geo.num_row if p.quirk("v21_mux_sizing") else res_tg
            weight_bits = int(math.log2(level))
            input_bits = int(math.log2(level) + p.cols_per_weight)
            reference_energy = 0.0  # only SRAM arrays set param->reference_energy_peri
        self.level_shifters = WriteLevelShifters(ctx, geo.num_row, geo.num_col) if not self.sram else None
        self.column_mux = ColumnMux(ctx, self.num_adc, ncm, res_mux)
        # the SRAM flash-ADC references start from the access resistance (param->resCellAccess; NeuroSim sets that
        # global only when a mux exists, so with cols_muxed = 1 it would read an unset value: we pass the real one)
        self.adc = build_adc(ctx, geo, self.num_adc, level, clk_freq, True,
                             reference_energy_peri=reference_energy, res_cell_access=geo.res_cell_access)  # fmt: skip
        # partial sums of several parallel-row groups
        self.adder_bits = int(math.log2(level) + math.ceil(math.log2(self.num_add)))
        self.dff = DFF(ctx, self.adder_bits * self.num_adc) if self.num_add > 1 else None
        self.adder = Adder(ctx, self.adder_bits - 1, self.num_adc) if self.num_add > 1 else None
        self.shift_adders = ShiftAdders(ctx, self.num_adc, weight_bits, input_bits, p.cols_per_weight)
        self.leakage, self.leakage_sram_in_use = self._leakage()
        self._latency_memo: dict[float, tuple[float, float, float]] = {}
        self.read_timing = self._v21_read_timing()

    # ---------------------------------------------------------------- area
    def layout(self) -> SubArrayArea:
        geo, p = self.geo, self.ctx.p
        h_arr, w_arr = geo.length_col, geo.length_row
        rep = geo.repeaters
        if self.sram_column is not None:
            self.sram_column.layout(w_arr)
        if self.level_shifters is not None:
            self.level_shifters.layout(h_arr, w_arr)
        row_driver = self.wl_new_switch or self.wl_switch
        assert row_driver is not None
        row_driver.layout(h_arr, 0.0)
        if self.sl_switch is not None:
            self.sl_switch.layout(0.0, w_arr)
        self.column_mux.layout(w_arr)
        self.adc.layout(w_arr)
        self.shift_adders.layout(w_arr)
        partial = 0.0
        partial_h = 0.0
        if self.adder is not None and self.dff is not None:
            self.adder.layout(0.0, w_arr)
            self.dff.layout(0.0, w_arr)
            partial, partial_h = self.adder.area + self.dff.area, self.adder.height + self.dff.height
        buffer_area = rep.height * rep.width * rep.count * 2 * p.chip.array.rows
        mux = self.column_mux
        if self.sram_column is not None:
            col = self.sram_column
            height = col.height_top + h_arr + self.adc.height + self.shift_adders.height + partial_h + mux.height
            row_width = row_driver.width
            area_adc = self.adc.area + col.precharger.area
            area_other = row_driver.area + col.write_driver.area + mux.area + buffer_area
        else:
            assert self.sl_switch is not None and self.level_shifters is not None
            ls = self.level_shifters
            height = ls.col_height + self.sl_switch.height + h_arr + mux.height + self.adc.height
            height += self.shift_adders.height + partial_h
            row_width = ls.row_width + row_driver.width
            area_adc = self.adc.area
            area_other = ls.area + row_driver.area + self.sl_switch.area + mux.area + buffer_area
        widths = [self.shift_adders.width] + [u.width for u in (self.adder, self.dff) if u is not None]
        if self.sram_column is not None:
            widths += [self.sram_column.precharger.width, self.sram_column.write_driver.width]
        w_band = column_band_width(w_arr, *widths)
        width = max(row_width, mux.decoder_width) + w_band + buffer_area / geo.length_col
        area_accum = self.shift_adders.area + partial
        used = geo.area + area_adc + area_accum + area_other
        return SubArrayArea(height * width, height, width, area_adc, area_accum, area_other, geo.area, used)

    def _leakage(self) -> tuple[float, float]:
        geo, p = self.geo, self.ctx.p
        parts = [self.adc.leakage, self.shift_adders.leakage, self.column_mux.leakage]
        parts += [u.leakage for u in (self.wl_switch, self.wl_new_switch, self.sl_switch, self.dff, self.adder) if u]
        if self.sram_column is not None:
            cell = sram_cell_leakage(self.ctx)
            total = cell * (geo.num_row * geo.num_col) + self.sram_column.leakage + sum(parts)
            # cells outside the rows and columns being read leak while the array computes
            idle = geo.num_row * geo.num_col - p.chip.array.rows_in_parallel * idiv_ceil(geo.num_col, self.cols_muxed)
            return total, cell * idle
        rep = geo.repeaters
        # NeuroSim quirk: the repeater leakage is a current (no Vdd) added to a power
        return rep.leakage_current * rep.count * 2 * p.chip.array.rows + sum(parts), 0.0

    # ---------------------------------------------------------------- latency
    def _row_parts(self) -> tuple[float, float]:
        """(WL switch-matrix delay, WL repeater-chain delay) in s."""
        geo, p = self.geo, self.ctx.p
        rep = geo.repeaters
        ncs = p.chip.array.cols
        if self.wl_new_switch is not None:
            if rep.count > 0:
                unit_cap, unit_res = geo.cap_row2 / ncs, geo.res_row / ncs
                cap_load = geo.cap_row2 / (rep.count + 1) + rep.cap_in
                t = self.wl_new_switch.latency(BIG_RAMP, cap_load, unit_res * (ncs / (rep.count + 1)), 1)
                return t, repeater_latency(geo, unit_cap, unit_res, ncs)
            return self.wl_new_switch.latency(BIG_RAMP, geo.cap_row2, geo.res_row, 1), 0.0
        assert self.wl_switch is not None
        if self.sram and rep.count > 0:  # NeuroSim refreshes param->unitcap from the loaded WL here
            unit_cap, unit_res = geo.cap_row1 / ncs, geo.res_row / ncs
            t = self.wl_switch.latency(unit_cap, unit_res, rep.cap_in, 1)
            return t, repeater_latency(geo, unit_cap, unit_res, ncs)
        # param->unitcap/unitres as Initialize left them (0 for crossbar arrays); no repeaters
        return self.wl_switch.latency(geo.unit_cap, geo.unit_res, 0.0, 1), 0.0

    def _v21_read_timing(self) -> MlsaTimingV21 | None:
        """V2.1's per-read sense-amp time and energy law (quirk v21_mlsa_read_time, asynchronous flash MLSA); else
        None."""
        p, flash = self.ctx.p, self.adc.flash
        if not p.quirk("v21_mlsa_read_time") or flash is None or p.chip.clock.synchronous:
            return None
        return chip_read_law(p, p.chip.adc.levels, p.chip.array.rows)

    def timed_latency(
        self, column_resistance: np.ndarray, clk_freq: float, read_latency_s: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(ADC, accumulation) latency (s) of every vector when each read converts in V2.1's data-dependent time
        (read_timing; `read_latency_s` when the caller has it already) instead of the MLSA's fixed conversion time;
        the accumulation overlaps as in vector_latency."""
        assert self.read_timing is not None and self.adc.flash is not None
        lat_adc, lat_accum, lat_other = self.vector_latency(clk_freq)
        per_read = self.cols_muxed * self.ctx.p.beta * self.num_add
        fixed = self.adc.flash.latency(1, 1)
        if read_latency_s is None:
            read_latency_s = self.read_timing.read_latency(column_resistance)
        adc = lat_adc + (read_latency_s - fixed) * per_read
        if self._shift_add_after_read:
            return adc, np.full_like(adc, lat_accum)
        accum = self._accumulation_latency()
        return adc, np.maximum(accum - adc - lat_other, 0.0)

    def _conversion_energy(self, column_resistance: np.ndarray, read_latency_s: np.ndarray | None) -> np.ndarray:
        """ADC energy (J) of one read of every vector: V2.1's column power for the read's time under read_timing
        (`read_latency_s`: that time, when known), else the converter's energy per conversion over the columns."""
        if self.read_timing is not None:
            return self.read_timing.read_energy(column_resistance, read_latency_s)
        return adc_energy_per_vector(self.adc.converter, column_resistance)

    def col_delay(self) -> float:
        """Bit-line settling (s); computed in parallel mode but only counted by the asynchronous ADC latency."""
        if self.sram_column is not None:
            return self.sram_column.col_delay()
        geo = self.geo
        if self.ctx.p.quirk("v21_column_settling_mean_resistance"):
            mean = (geo.res_mem_cell_on + geo.res_mem_cell_off) / 2  # V2.1: over half the rows
            return geo.cap_col * mean / (geo.num_row / 2) * 0.2
        tau = geo.cap_col * fdiv_rows(geo.res_mem_cell_avg, self.ctx.p.chip.array.rows_in_parallel)
        return tau * 0.2  # a 15-20 % swing is enough to sense

    def sensing_latency(self) -> float:
        """Sensing cycle (s) that sets the clock (CalculateLatency with CalculateclkFreq = true)."""
        t = max(sum(self._row_parts()), self.column_mux.latency())
        if self.sram_column is not None:
            t += self.sram_column.precharge_latency()
        t += self.adc.latency()
        return t * self.ctx.p.beta

    @cached_property
    def _adder_steps(self) -> tuple[float, float, float]:
        """(partial-sum adder, weight shift-add, input shift-add) step latencies (s); read-only after layout."""
        t_add = adder_step(self.adder, self.dff.cap_tg_drain) if self.adder is not None and self.dff else 0.0
        return t_add, shift_add_step(self.shift_adders.weight), shift_add_step(self.shift_adders.inputs)

    def vector_latency(self, clk_freq: float) -> tuple[float, float, float]:
        """(ADC, accumulation, other) latency of one input vector: cycles if synchronous, else seconds."""
        if clk_freq not in self._latency_memo:  # pure in clk_freq: computed once per clock
            self._latency_memo[clk_freq] = self._vector_latency(clk_freq)
        return self._latency_memo[clk_freq]

    def _vector_latency(self, clk_freq: float) -> tuple[float, float, float]:
        p = self.ctx.p
        if self.v21_sram:
            return sram_read_v21.fixed_latency(self, clk_freq)
        ncm, n_add, cps = self.cols_muxed, self.num_add, p.cols_per_weight
        per_synapse = idiv_ceil(ncm, cps)
        t_add, t_weight, t_input = self._adder_steps
        if p.chip.clock.synchronous:
            adc = float(ncm * n_add)
            accum = 0.0
            if n_add > 1:  # the partial-sum adder is pipelined with the ADC
                accum += ncm * (n_add - 1) * (math.ceil(t_add * clk_freq) - 1)
            steps = []
            if cps > 1:
                steps.append(((cps - 1) * per_synapse, t_weight, ncm))
            if p.chip.precision.input_bits > 1:
                steps.append((per_synapse, t_input, per_synapse))
            return adc, float(pipelined_accum_cycles(adc, accum, steps, clk_freq)), 0.0
        v21_other = self._v21_other_latency(clk_freq)
        if self.sram_column is not None:
            t_conv = self.sram_column.precharge_latency() + self.col_delay() + self.adc.latency()
        elif v21_other is not None:  # the bit-line settling counts in "other"
            t_conv = self.adc.latency()
        else:
            t_conv = self.adc.latency() + self.col_delay()
        adc = t_conv * ncm * p.beta * n_add
        if v21_other is not None:
            other = v21_other * p.beta
        else:
            other = max(self._row_parts()[0] * n_add, self.column_mux.latency()) * ncm * p.beta
        if self._shift_add_after_read:
            return adc, self._v21_shift_add_latency(clk_freq), other
        return adc, max(self._accumulation_latency() - adc - other, 0.0), other

    def _shift_add_reads(self) -> tuple[int, int]:
        """Reads of the weight and input shift-adds per input bit: (cells per weight - 1) and 1 per weight of the muxed
        columns (C's `ceil(int / int)`: muxed columns // cells per weight weights); NeuroSim V2.1 (quirk
        v21_shift_add_read_counts) reads the weight shift-add once per muxed column."""
        ncm, cps = self.cols_muxed, self.ctx.p.cols_per_weight
        per_synapse = idiv_ceil(ncm, cps)
        weight = ncm if self.ctx.p.quirk(SHIFT_ADD_READ_COUNTS) else (cps - 1) * per_synapse
        return weight, per_synapse

    @property
    def _shift_add_after_read(self) -> bool:
        """Whether the shift-adds are timed after the conversions (V2.1, a single read group) or overlap them."""
        return self.ctx.p.quirk("v21_shift_add_after_read") and self.num_add == 1

    def _v21_shift_add_latency(self, clk_freq: float) -> float:
        """NeuroSim V2.1's shift-add time (s) of one input vector (quirk v21_shift_add_after_read): per unit one adder
        step and half a clock of its register after the reads, and each further step's excess over the read pulse."""
        p = self.ctx.p
        ncm, cps = self.cols_muxed, p.cols_per_weight
        _, t_weight, t_input = self._adder_steps
        pulse = p.chip.cell.read_pulse_width_s
        total = 0.0
        units = ((self.shift_adders.weight, t_weight, ncm), (self.shift_adders.inputs, t_input, idiv_ceil(ncm, cps)))
        for unit, step, reads in units:
            if unit is not None:
                one = step + 1 / clk_freq / 2
                total += one + max(one - pulse, 0.0) * (reads - 1)
        return total

    def _v21_other_latency(self, clk_freq: float) -> float | None:
        """NeuroSim V2.1's non-ADC time (s) of one input vector of an eNVM array (quirk v21_read_other_latency): the
        slower of the WL switch matrix (with its register's half clock per read; 1T1R: the new switch matrix on the
        access gates, crossbar: the switch matrix on the word line) and the column mux with its decoder spread over
        the input's bit pulses, plus the bit-line settling of each muxed column spread likewise; None where the
        quirk or its array does not apply."""
        p, geo = self.ctx.p, self.geo
        if not p.quirk("v21_read_other_latency") or self.sram_column is not None:
            return None
        ncm, pulses = self.cols_muxed, p.chip.precision.input_bits
        if self.wl_new_switch is not None:
            row = self.wl_new_switch.v21_latency(geo.cap_row2, geo.res_row, ncm, clk_freq)
        else:
            assert self.wl_switch is not None
            row = self.wl_switch.v21_latency(geo.cap_row1, geo.res_row, ncm, clk_freq)
        mux = self.column_mux.latency() * ncm if ncm > 1 else 0.0
        return max(row, mux / pulses) + self.col_delay() * ncm / pulses

    def _accumulation_latency(self) -> float:
        """Partial-sum and shift-add latency (s) of one input vector (asynchronous), before the ADC overlaps it."""
        ncm, n_add, cps = self.cols_muxed, self.num_add, self.ctx.p.cols_per_weight
        per_synapse = idiv_ceil(ncm, cps)
        t_add, t_weight, t_input = self._adder_steps
        return t_add * ncm * (n_add - 1) + t_weight * (cps - 1) * per_synapse + t_input * per_synapse

    # ---------------------------------------------------------------- energy
    def _bit_line_energy(self) -> float:
        """Energy (J) of one vector's read bit lines charged to the read voltage: every ADC's bit line at each of the
        muxed columns, over the sub-array's laid-out columns (quirk v21_parallel_bit_line_energy)."""
        geo, v_read = self.geo, self.ctx.p.read_voltage_v
        bit_lines = math.ceil(geo.num_col / self.cols_muxed) * self.cols_muxed
        return geo.length_col * WIRE_CAP_PER_M * v_read * v_read * bit_lines

    def vector_costs(self, activity: np.ndarray, column_resistance: np.ndarray | None, clk_freq: float,
                     adc_levels: int, adc_energy: float | np.ndarray | None = None) -> VectorCosts:  # fmt: skip
        """Per-vector costs; only the WL/array terms and the ADC depend on the vector in parallel mode.
        `adc_energy` (J per vector), when given, replaces the ADC energy computed from column_resistance."""
        geo, p, vdd = self.geo, self.ctx.p, self.ctx.tech.vdd
        ncm, n_add = self.cols_muxed, self.num_add
        act = np.asarray(activity, dtype=float)
        row_switch = self.wl_new_switch or self.wl_switch
        assert row_switch is not None
        e_row = row_switch.energy(ncm, act)
        e_mux, e_dec = self.column_mux.energies(ncm)
        if p.quirk("v21_mux_energy_per_input_bits"):  # V2.1: spread over the input's bit pulses
            e_mux, e_dec = e_mux / p.chip.precision.input_bits, e_dec / p.chip.precision.input_bits
        e_adc: float | np.ndarray
        # V2.1's per-read conversion time, computed once for the latency and the ADC energy
        read_s = None
        if self.read_timing is not None and column_resistance is not None:
            read_s = self.read_timing.read_latency(column_resistance)
        if adc_energy is None:
            if column_resistance is None:
                raise ValueError("vector_costs needs column_resistance when adc_energy is not given")
            e_adc = self._conversion_energy(column_resistance, read_s) * n_add
        else:
            e_adc = adc_energy
        if self.v21_sram:
            return sram_read_v21.vector_costs(self, act, e_adc, clk_freq, read_s)
        e_enc = self.adc.encoder.energy(ncm * n_add) if self.adc.encoder is not None else 0.0
        e_adder = e_dff = 0.0
        if self.adder is not None and self.dff is not None:
            reads = ncm * (n_add - 1)
            e_adder = self.adder.energy(reads, self.num_adc)
            per_op = self.num_adc * (math.log2(adc_levels) + math.ceil(math.log2(n_add)) / 2)
            e_dff = self.dff.energy(reads, per_op, p.chip.calibration.validated)
        e_weight, e_input = self.shift_adders.energies(*self._shift_add_reads())
        rep = geo.repeaters
        cap_wl = geo.cap_row1 if self.sram else geo.cap_row2
        e_array = cap_wl * vdd * vdd * geo.num_row * act
        e_array = (e_array + (rep.cap_in + rep.cap_out) * vdd * vdd * rep.count * 2 * geo.num_row * act) * ncm
        if self.v21_bit_lines:
            e_array = e_array + self._bit_line_energy()
        total = e_row + e_array + e_adc + e_enc + e_mux + e_dec + e_adder + e_dff + e_weight + e_input
        fixed_adc, fixed_accum, lat_other = self.vector_latency(clk_freq)
        lat_adc: np.ndarray | float = fixed_adc
        lat_accum: np.ndarray | float = fixed_accum
        if read_s is not None:
            assert column_resistance is not None  # read times come from the columns' resistances
            lat_adc, lat_accum = self.timed_latency(column_resistance, clk_freq, read_s)
        return VectorCosts(
            latency_adc=lat_adc,
            latency_accum=lat_accum,
            latency_other=lat_other,
            energy=total,
            energy_adc=e_array + e_adc + e_enc,
            energy_accum=e_weight + e_input + e_adder + e_dff,
            energy_other=e_row + e_mux + e_dec,
        )
