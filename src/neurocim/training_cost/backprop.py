"""Transposable sub-arrays: the second read-out that computes activation gradients (errors through W transposed)."""

# Interface (what the chip and epoch composers call):
#
# * `TransposedReadout(ctx, training)`: the extra periphery of one forward sub-array (`ctx` = the chip's
#   `CircuitContext`, `training` = `ChipConfig.training`). Errors are applied along the columns and every row is read
#   out, through ADCs shared by `backprop.rows_per_adc` rows (parallel) or row by row (sequential); SRAM arrays become
#   8T cells with their own word-line switches, precharger and write driver along the other edge, eNVM arrays reuse
#   the source-line switches. `.area` is a `BackpropArea` (per sub-array, m^2, with the ADC / accumulation / other
#   parts and the extra width the sub-array grows by).
# * `backprop_area(ctx, training) -> BackpropArea`, the same record for a chip.
# * `training_chip_area(chip, area, gradient_buffer_bits=0) -> ChipArea`: the forward `ChipModel`'s floorplan laid out
#   again over sub-arrays grown by `area` (a `BackpropArea`), with the global buffer grown to hold weight gradients:
#   the PEs' adder trees and buffers span the wider sub-arrays, the tiles' and chip's periphery and H-trees the
#   larger PEs and tiles (NeuroSim V2.1 sizes its training chip so).
# * `TransposedReadout.vector_cost(resistances, counts) -> Cost`: one sub-array reading `counts[i]` error bit-vectors
#   whose ADCs see the resistances `resistances[i]` (ohm, one per conversion), in seconds and joules;
#   `.stats_cost(stats, vectors)` the same from the `ColumnStats` the forward read pass collects per block for
#   `readout.converter.read_statistic()` (how the PE pass can cost it without a second read of the traces).
# * `activation_gradient_cost(ctx, training, index, layer, trace, windows=None, duplication=1.0) -> Cost`: per image,
#   the sub-arrays of layer `index` computing its activation gradient (zero for the first layer), slowest sub-array
#   divided by the layer's weight duplication, energies summed; the sub-arrays alone, cut by the layer's matrix.
#   `training_cost.ag_pass.ActivationGradientPass` composes the reads through the chip's PEs, tiles and periphery.

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from neurocim.arch.chip import ChipModel
from neurocim.arch.chip_periphery import ChipArea, ChipPeriphery
from neurocim.arch.cost import Cost, Part
from neurocim.arch.subarray.block_stats import iter_vector_stats
from neurocim.arch.subarray.column_model import ColumnModel, effective_conductance
from neurocim.arch.subarray.sram_read_v21 import line_discharge_delay
from neurocim.arch.subarray.subarray_common import BIG_RAMP
from neurocim.arch.subarray.subarray_geometry import (
    WIRE_CAP_PER_M,
    ArrayGeometry,
    array_geometry,
    switch_line_resistance,
)
from neurocim.arch.subarray.subarray_parts import ColumnMux
from neurocim.arch.subarray.subarray_sram import SramColumn
from neurocim.arch.tile_sets import build_tiles
from neurocim.arch.tile_work import _cell_digits, cell_digit_key
from neurocim.circuits.adc.converter import ColumnStats
from neurocim.circuits.adc.flash_adc import FlashAdc
from neurocim.circuits.adc.mlsa_encoder import MlsaEncoder
from neurocim.circuits.adc.mlsa_encoder_v21 import MlsaEncoderV21, mlsa_encoder
from neurocim.circuits.adc.mlsa_timing_v21 import MlsaTimingV21, chip_read_law
from neurocim.circuits.adc.sar_adc import SarAdc
from neurocim.circuits.adc.sense_amp import SenseAmp
from neurocim.circuits.base import Layout
from neurocim.circuits.constants import IR_DROP_TOLERANCE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.precharger import Precharger
from neurocim.circuits.drivers.sram_write_driver import SRAMWriteDriver
from neurocim.circuits.drivers.switch_matrix import SwitchMatrix, SwitchMode
from neurocim.circuits.gates.gates import Mos, drain_cap, horowitz
from neurocim.circuits.logic.adder import Adder
from neurocim.circuits.logic.dff import DFF
from neurocim.circuits.logic.shift_add import ShiftAdd
from neurocim.config.chip import AccessType, AdcType, CellType, SenseMode
from neurocim.config.derived import Derived
from neurocim.config.training_hw import BackpropConfig, TrainingHardwareConfig
from neurocim.training_cost.quirks import (
    AG_FORWARD_COLUMNS,
    AG_LEAKAGE_FORWARD_SWITCH,
    AG_LEAKAGE_NO_WRITE_DRIVER,
    AG_MUX_ENERGY_AS_LATENCY,
    AG_MUX_UNFOLDED_ROW,
    AG_SEQUENTIAL_LINES_PER_ROW,
    AG_SRAM_DFF_FORWARD_ADDER,
    AG_SRAM_PERIPHERY_UNFOLDED,
    AG_SWITCH_IR_DROP,
    SENSE_AMP_ENABLE_CLOCK,
    has_quirk,
)
from neurocim.training_cost.wg_array import tg_line_delay
from neurocim.workload.network import Layer
from neurocim.workload.traces import LayerTrace

ERROR_ACTIVITY = 0.5  # fraction of error bits that are 1 (no error traces exist: NeuroSim's assumption)


@dataclass(frozen=True)
class BackpropArea:
    """Extra area of one sub-array for the transposed read-out (m^2) by part, and the width and height it adds (m):
    the read-out beside the array, SRAM word-line switches for the columns below it."""

    adc_m2: float
    accumulation_m2: float
    other_m2: float
    width_m: float
    height_m: float = 0.0

    @property
    def total_m2(self) -> float:
        return self.adc_m2 + self.accumulation_m2 + self.other_m2


def transposed_read_parallel(p: Derived, bp: BackpropConfig) -> bool:
    """Whether the transposed read-out reads its rows in parallel: only when asked for and the forward array reads in
    parallel too; a conventional-sequential array has no parallel read-out and reads its transposed side row by row."""
    return bp.parallel and p.parallel_read


class TransposedReadout:
    """The transposed read-out of one forward sub-array."""

    def __init__(self, ctx: CircuitContext, training: TrainingHardwareConfig) -> None:
        ctx = replace(ctx, p=ctx.p.with_synchronous_clock(False))  # timed in seconds, as the weight-gradient unit
        p = ctx.p
        self.ctx, self.bp = ctx, training.backprop
        self.geo: ArrayGeometry = array_geometry(ctx, p.chip.array.rows, p.chip.array.cols)
        self.sram = p.chip.cell.type is CellType.SRAM
        self.parallel = transposed_read_parallel(p, self.bp)
        rows, cols, rpa = self.geo.num_row, self.geo.num_col, self.bp.rows_per_adc
        self.units = math.ceil(rows / rpa)
        self.num_adc = max(rows // rpa, 1)
        clk = p.chip.clock.max_frequency_hz
        self.mux, self.sl_switch = None, None
        self.wl_switch = self.precharger = self.write_driver = None
        if self.sram:
            self.wl_switch = SwitchMatrix(ctx, SwitchMode.ROW, cols, self.geo.res_col, clk)
            self.precharger = Precharger(ctx, rows, self.geo.res_row, rows)
            self.write_driver = SRAMWriteDriver(ctx, rows)
            if self.parallel:
                self.mux = ColumnMux(ctx, self.units, rpa, self.geo.res_cell_access / cols / 2)
        else:
            res_line = switch_line_resistance(ctx, self.geo)
            self.sl_switch = SwitchMatrix(ctx, SwitchMode.COL, cols, res_line, clk)  # the forward one, reused
            self.sl_switch.layout(0.0, self.geo.length_row)  # along the array's width, as the forward sub-array's
            self.mux = ColumnMux(ctx, self.units, rpa, self.geo.res_mem_cell_on / cols)
        self._init_converters()
        self.timing = self._v21_timing()
        self.area = self._layout()

    def _v21_timing(self) -> MlsaTimingV21 | None:
        """V2.1's data-dependent sense-amp time and energy (quirk v21_mlsa_read_time, flash MLSA): comparator
        references from the cell's resistances over the forward array's rows (parallel) or of one cell (sequential)."""
        p = self.ctx.p
        if self.flash is None or not p.quirk("v21_mlsa_read_time"):
            return None
        return chip_read_law(p, self.levels, p.chip.array.rows if self.parallel else 1)

    @property
    def conversions_per_vector(self) -> float:
        """Reads of the converters' inputs per error bit-vector: every row group once (parallel), or once per driven
        column (sequential, NeuroSim's activity of half the columns)."""
        return 1.0 if self.parallel else self.geo.num_col * ERROR_ACTIVITY

    def timed_reads(self, resistances: np.ndarray, counts: np.ndarray) -> tuple[float, float]:
        """Under V2.1's law (`timing`): the conversion time (s) summed over `counts[i]` bit-vectors whose converters
        see `resistances[i]` (ohm), and their energy (J), each column's power for its read's time."""
        assert self.timing is not None
        counts = np.asarray(counts, dtype=np.float64).reshape(-1)
        t, e = self.timing.read_latency_energy(resistances)
        return float(t @ counts), float(e @ counts) * self.conversions_per_vector

    def _init_converters(self) -> None:
        ctx, p, geo, bp = self.ctx, self.ctx.p, self.geo, self.bp
        clk, cps = p.chip.clock.max_frequency_hz, p.cols_per_weight
        self.sense_amp = self.dff = self.adder = None
        self.flash = self.sar = None
        self.encoder: MlsaEncoder | MlsaEncoderV21 | None = None
        if self.sram and not self.parallel:
            self.levels = 2
            self.sense_amp = SenseAmp(ctx, geo.num_col, p.chip.cell.min_sense_voltage_v, geo.length_col / geo.num_row,
                                      geo.num_col)  # fmt: skip
            self.units = max(geo.num_row // cps, 1)
        else:
            self.levels = bp.adc_levels if self.parallel else 2**p.cell_bits
            if p.chip.adc.type is AdcType.SAR:
                self.sar = SarAdc(ctx, self.num_adc, self.levels, clk, geo.num_col)
            else:
                self.flash = FlashAdc(
                    ctx, self.num_adc, self.levels, clk, geo.num_col, self.parallel,
                    p.chip.adc.sense_mode is SenseMode.CURRENT,
                    column_cap=geo.cap_row1, array_height=geo.length_row, array_width_unit=geo.length_col / geo.num_row,
                    res_cell_access=geo.res_cell_access,
                )  # fmt: skip
                if self.levels > 2:
                    self.encoder = mlsa_encoder(ctx, self.levels, self.num_adc)
        # bits of a row's partial sum: the ADC code (parallel), or the count over the columns read one by one
        cell_sum = 1 if self.sram else p.cell_bits
        sum_bits = int(math.log2(self.levels)) if self.parallel else math.ceil(math.log2(geo.num_col)) + cell_sum
        if not self.parallel:
            self.dff = DFF(ctx, (sum_bits + 1) * self.units)
            self.adder = Adder(ctx, sum_bits, self.units)
        self.shift_weight = ShiftAdd(ctx, self.units, sum_bits, cps) if cps > 1 else None
        self.shift_input = ShiftAdd(ctx, self.units, sum_bits + cps, bp.error_bits) if bp.error_bits > 1 else None

    def _layout(self) -> BackpropArea:
        """Everything along the array's height (one more column of periphery beside the array)."""
        h = self.geo.length_col
        adc = accum = other = width = 0.0
        for unit in (self.flash, self.encoder, self.sar, self.sense_amp):
            if unit is not None:
                fp = unit.layout(h, 0.0)
                adc, width = adc + fp.area, width + fp.width
        for logic in (self.shift_weight, self.shift_input, self.dff, self.adder):
            if logic is not None:
                fp = logic.layout(h, 0.0)
                accum, width = accum + fp.area, width + fp.width
        if self.mux is not None and self.mux.present:
            mux_width = self._layout_mux(h)
            other, width = other + self.mux.area, width + mux_width
        if self.sram:
            assert self.wl_switch is not None and self.precharger is not None and self.write_driver is not None
            switch = self.wl_switch.layout(0.0, self.geo.length_row)
            width += self._layout_sram_columns(h)
            adc += self.precharger.area
            other += self.write_driver.area + switch.area
            return BackpropArea(adc, accum, other, width, switch.height)
        return BackpropArea(adc, accum, other, width)

    def _layout_sram_columns(self, h: float) -> float:
        """Lays the SRAM precharger and write driver (one unit per row) out beside the array of height `h` (m):
        their units packed along the height, or (V2.1, AG_SRAM_PERIPHERY_UNFOLDED) each as one row of its units at
        right angles to the array's edge; returns the width they add (m)."""
        assert self.precharger is not None and self.write_driver is not None
        if has_quirk(self.ctx.p, AG_SRAM_PERIPHERY_UNFOLDED):
            return sum(unit.layout(h, 0.0).width for unit in (self.precharger, self.write_driver))
        return sum(unit.layout(0.0, h).height for unit in (self.precharger, self.write_driver))

    def _layout_mux(self, h: float) -> float:
        """Lays the row mux out beside the array of height `h` (m); returns the width it adds (m)."""
        assert self.mux is not None and self.mux.mux is not None and self.mux.decoder is not None
        if not has_quirk(self.ctx.p, AG_MUX_UNFOLDED_ROW):
            self.mux.layout(h)  # the pass gates folded into a strip along the height
            return self.mux.height
        mux, decoder = self.mux.mux, self.mux.decoder
        mux.layout()
        decoder.layout()
        mux.layout(h, max(decoder.width, mux.width), Layout.OVERRIDE)
        return mux.width

    # ---- one error bit-vector --------------------------------------------------------------------------------
    def _select_latency(self, steps: float) -> float:
        """Driving the error lines and selecting the ADC inputs for `steps` conversions (s)."""
        ctx, geo, clk = self.ctx, self.geo, self.ctx.p.chip.clock.max_frequency_hz
        switch = self.wl_switch if self.sram else self.sl_switch
        assert switch is not None
        if not self.sram and has_quirk(ctx.p, AG_SWITCH_IR_DROP):  # V2.1: the TG at the resistance it is sized for
            res_tg = geo.res_mem_cell_on * IR_DROP_TOLERANCE
            tr = res_tg * (switch.cap_tg_drain * 3 + geo.cap_col) + geo.res_col * geo.cap_col / 2
            t_line = horowitz(tr, 0.0, BIG_RAMP)[0] * steps + switch.dff.latency(steps, clk)
        else:
            t_line = tg_line_delay(switch, geo.cap_col, geo.res_col) * steps + switch.dff.latency(steps, clk)
        if self.mux is None or not self.mux.present:
            return t_line
        if has_quirk(ctx.p, AG_MUX_ENERGY_AS_LATENCY):
            e_mux, e_dec = self.mux.energies(steps)
            return max(t_line, (e_mux + e_dec) / self.bp.error_bits)
        return max(t_line, self.mux.latency() * steps)

    def _line_delay(self, steps: float) -> float:
        """The read line settling (s): an eNVM row to 20 % of its swing through the cells driven at once, an SRAM row
        through its cells."""
        ctx, geo, tech = self.ctx, self.geo, self.ctx.tech
        if self.sram:
            if not self.parallel and ctx.p.quirk("v21_sram_parallel_read"):  # V2.1's lumped form, on the row line
                assert self.wl_switch is not None
                switch = self.wl_switch
                tr = switch.res_tg * (switch.cap_tg_drain * 3 + geo.cap_col) + geo.res_col * geo.cap_col / 2
                ramp = horowitz(tr, 0.0, BIG_RAMP)[1]
                return line_discharge_delay(ctx, geo, geo.cap_row1, geo.res_row, ramp) * steps
            return SramColumn(ctx, geo).col_delay() * steps
        f = tech.feature_size
        res_cell = geo.res_mem_cell_avg
        if has_quirk(ctx.p, "v21_column_settling_mean_resistance"):  # V2.1's mean of the on and off cells
            res_cell = (geo.res_mem_cell_on + geo.res_mem_cell_off) / 2
        cap_row = geo.length_row * WIRE_CAP_PER_M
        if ctx.cell.access is AccessType.CMOS:  # a 1T1R row carries its access drains; a crossbar's bare wire
            cap_row += drain_cap(geo.width_access_cmos * f, Mos.NMOS, ctx.cell.width_f * f, tech) * geo.num_col
        # through the cells driven at once: half the columns, one in a sequential array (read cell by cell)
        driven = geo.num_col / 2 if ctx.p.parallel_read else 1
        tau = cap_row * res_cell / driven
        return tau * 0.2 * steps / self.bp.error_bits

    @property
    def steps_per_vector(self) -> float:
        """Conversion steps of one error bit-vector: each muxed row group (parallel); each driven column, once per
        muxed row group through the shared ADCs (sequential eNVM) or once through the SRAM read-out's sense amplifier
        on every row (sequential SRAM)."""
        if self.parallel:
            return self.bp.rows_per_adc
        per_column = 1 if self.sense_amp is not None else self.bp.rows_per_adc
        return per_column * self.geo.num_col * ERROR_ACTIVITY

    @property
    def _shift_add_steps(self) -> int:
        """Shift-adds per vector: one per muxed row (ADC read-outs) or one per weight's columns (sense amplifiers,
        every row's sum ready at once)."""
        return self.ctx.p.cols_per_weight if self.sense_amp is not None else self.bp.rows_per_adc

    @property
    def _dff_bits_per_unit(self) -> int:
        """Register bits switched per adder and step: its sum and carry, or under V2.1 (quirk
        AG_SRAM_DFF_FORWARD_ADDER) one, as it sizes them by the forward array's adder, which a parallel array lacks."""
        assert self.adder is not None
        if self.sense_amp is not None and self.ctx.p.parallel_read and has_quirk(self.ctx.p, AG_SRAM_DFF_FORWARD_ADDER):
            return 1
        return self.adder.num_bit + 1

    def _sram_settling(self) -> float:
        """An SRAM read-out's row settling of one vector (s): at each step, or once per vector in parallel mode
        under V2.1's SRAM read (quirk v21_sram_parallel_read, as in its forward read)."""
        once = self.parallel and self.ctx.p.quirk("v21_sram_parallel_read")
        return self._line_delay(1 if once else self.steps_per_vector)

    def _shift_adds(self, steps: int) -> tuple[float, float]:
        clk, cps = self.ctx.p.chip.clock.max_frequency_hz, self.ctx.p.cols_per_weight
        t = e = 0.0
        if self.shift_weight is not None:
            t, e = self.shift_weight.latency(steps, clk), self.shift_weight.energy(steps)
        if self.shift_input is not None:
            # one input shift per weight; V2.1 (quirk v21_shift_add_read_counts) divides as C ints: 8 // 3 = 2
            n = steps // cps if has_quirk(self.ctx.p, "v21_shift_add_read_counts") else math.ceil(steps / cps)
            t, e = t + self.shift_input.latency(n, clk), e + self.shift_input.energy(n)
        return t, e

    @property
    def leakage_w(self) -> float:
        """Leakage (W) of the read-out's own circuits; the eNVM source-line switches are the forward read's (counted
        again under the quirk AG_LEAKAGE_FORWARD_SWITCH), the SRAM write driver is left out under
        AG_LEAKAGE_NO_WRITE_DRIVER."""
        skip_driver = has_quirk(self.ctx.p, AG_LEAKAGE_NO_WRITE_DRIVER)
        own = (
            self.mux, self.wl_switch, self.precharger, None if skip_driver else self.write_driver, self.flash,
            self.encoder, self.sar, self.sense_amp, self.dff, self.adder, self.shift_weight, self.shift_input,
        )  # fmt: skip
        total = sum(unit.leakage for unit in own if unit is not None)
        if self.sl_switch is not None and has_quirk(self.ctx.p, AG_LEAKAGE_FORWARD_SWITCH):
            total += self.sl_switch.leakage
        return float(total)

    @property
    def converter(self) -> FlashAdc | SarAdc | None:
        """The ADC whose energy depends on the resistances it converts (None: sense amplifiers)."""
        return self.sar if self.sar is not None else self.flash

    def vector_cost(self, resistances: np.ndarray, counts: np.ndarray) -> Cost:
        """`counts[i]` error bit-vectors whose conversions see `resistances[i]` (ohm): latency (s) and energy (J)."""
        r = np.atleast_2d(np.asarray(resistances))
        counts = np.asarray(counts, dtype=np.float64).reshape(-1)
        if self.timing is not None:
            time_s, energy_j = self.timed_reads(r, counts)
            return self.read_cost(float(counts.sum()), energy_j, conversion_time_s=time_s)
        static = 0.0
        if self.converter is not None:
            static = float(self.converter.static_energy(r).sum(axis=1, dtype=np.float64) @ counts)
        return self.read_cost(float(counts.sum()), static, float(counts.sum()) * r.shape[1])

    def stats_cost(self, stats: ColumnStats, vectors: float) -> Cost | None:
        """`vectors` error bit-vectors whose conversions the forward read pass summarised in `stats` (collected for
        this read-out's `converter.read_statistic()`); None where the statistics cannot give the ADC energy."""
        if self.timing is not None:
            return None  # V2.1's law needs every read's resistances
        static = 0.0
        if self.converter is not None:
            summed = self.converter.summed_static_energy(stats)
            if summed is None:
                return None
            static = summed
        return self.read_cost(vectors, static, stats.conversions)

    def read_cost(
        self,
        n: float,
        adc_static_j: float = 0.0,
        conversions: float = 0.0,
        conversion_time_s: float | None = None,
        switch_activity: float = ERROR_ACTIVITY,
    ) -> Cost:
        """n vectors, with the ADCs' resistance-dependent energy (J) and their conversion count given (without them:
        the cost that does not depend on the resistances read; they add to the ADC energy alone). `conversion_time_s`:
        the n vectors' conversion times summed (V2.1's law, `timed_reads`) in place of the converter's fixed one;
        `switch_activity` the mean row activity an SRAM read-out's word-line switches are charged at."""
        if n == 0:
            return Cost()
        geo, p = self.geo, self.ctx.p
        steps = self.steps_per_vector
        t_adc, e_adc = self._adc_fixed(steps)
        t_adc_all = self._adc_latency(t_adc, n, conversion_time_s)
        e_adc = e_adc * n + adc_static_j
        if self.converter is not None:
            e_adc += self.converter.column_switching_energy * conversions
        t_acc, e_acc = self._shift_adds(self._shift_add_steps)
        if self.adder is not None and self.dff is not None:
            clk = p.chip.clock.max_frequency_hz
            t_acc += self.adder.latency(BIG_RAMP, self.dff.cap_tg_drain, steps) + self.dff.latency(steps, clk)
            e_acc += self.adder.energy(steps, self.units)
            e_acc += self.dff.energy(steps, self.units * self._dff_bits_per_unit, False)
        t_other = self._select_latency(steps)
        e_other = 0.0
        if self.mux is not None and self.mux.present:
            e_other += sum(self.mux.energies(self.bp.rows_per_adc)) / self.bp.error_bits
        if self.sram:
            assert self.wl_switch is not None and self.precharger is not None
            e_other += float(self.wl_switch.energy(steps, switch_activity))
            e_adc += self.precharger.energy(geo.cap_row1, steps) * n
        else:
            t_other += self._line_delay(self.bp.rows_per_adc)
            assert self.sl_switch is not None
            e_other += float(self.sl_switch.energy(steps, 0.0))
            e_adc += self._array_energy() * self.bp.rows_per_adc * n
        cost = Cost().plus(Part.ADC, t_adc_all, e_adc)
        cost = cost.plus(Part.ACCUMULATION, t_acc * n, e_acc * n)
        return cost.plus(Part.OTHER, t_other * n, e_other * n)

    def adc_latency_s(self, n: float, conversion_time_s: np.ndarray | None) -> Any:
        """The ADC part of `read_cost(n, conversion_time_s=t).latency_adc` for every t of the array (one per block),
        with the same arithmetic."""
        return self._adc_latency(self._adc_fixed(self.steps_per_vector)[0], n, conversion_time_s)

    def _adc_latency(self, t_adc: float, n: float, conversion_time_s: Any) -> Any:
        """n vectors' ADC latency (s) from one vector's fixed conversion latency `t_adc`: with V2.1's summed
        conversion times in place of the converter's fixed one (a float or an array), and an SRAM read-out's precharge
        and line settling, which belong to the conversion as in the forward SRAM read."""
        steps = self.steps_per_vector
        t_adc_all = t_adc * n
        if conversion_time_s is not None and self.flash is not None:
            t_adc_all = t_adc_all + (conversion_time_s - self.flash.latency(1, 1) * n) * steps
        if self.sram:
            assert self.precharger is not None
            t_adc_all = t_adc_all + (self.precharger.latency(self.geo.cap_row1, steps) + self._sram_settling()) * n
        return t_adc_all

    def _array_energy(self) -> float:
        """Energy (J) of an eNVM array's lines for one vector per muxed row: the read bit lines charged to the read
        voltage and the driven lines to Vdd, once with every driven line (parallel), or both again at each driven
        line's step (sequential; NeuroSim V2.1, quirk ag_sequential_lines_per_row, counts the array's rows instead)."""
        geo, p, vdd = self.geo, self.ctx.p, self.ctx.tech.vdd
        bit_lines = geo.length_col * WIRE_CAP_PER_M * p.read_voltage_v**2 * math.ceil(geo.num_col / p.cols_muxed)
        if self.parallel:
            return bit_lines + geo.cap_row2 * vdd * vdd * geo.num_row * ERROR_ACTIVITY
        driven = geo.num_row if has_quirk(p, AG_SEQUENTIAL_LINES_PER_ROW) else geo.num_col
        return (bit_lines + geo.cap_row2 * vdd * vdd) * driven * ERROR_ACTIVITY

    def _adc_fixed(self, steps: float) -> tuple[float, float]:
        """(latency s, resistance-independent energy J) of the converters for one vector."""
        if self.sense_amp is not None:
            t_sense = self.sense_amp.latency(steps)
            if has_quirk(self.ctx.p, SENSE_AMP_ENABLE_CLOCK):  # V2.1: one clock for the enable at every read
                t_sense += steps / self.ctx.p.chip.clock.max_frequency_hz
            return t_sense, self.sense_amp.energy(steps)
        t = e = 0.0
        if self.flash is not None:
            t += self.flash.latency(steps, 1)
        if self.encoder is not None:
            t += self.encoder.latency(BIG_RAMP, steps)
            e += self.encoder.energy(steps)
        if self.sar is not None:
            t += self.sar.latency(steps)
        return t, e


def backprop_area(ctx: CircuitContext, training: TrainingHardwareConfig) -> BackpropArea:
    """Extra area of one sub-array for its transposed read-out."""
    return TransposedReadout(ctx, training).area


def with_readout(subarray, area: BackpropArea):
    """A copy of a forward sub-array with its transposed read-out beside it: footprint, used area and parts grown."""
    grown = copy.copy(subarray)
    grown.height = subarray.height + area.height_m
    grown.width = subarray.width + area.width_m
    grown.area = grown.height * grown.width
    grown.used_area = subarray.used_area + area.total_m2
    grown.area_adc = subarray.area_adc + area.adc_m2
    grown.area_accum = subarray.area_accum + area.accumulation_m2
    grown.area_other = subarray.area_other + area.other_m2
    return grown


def training_chip_area(chip: ChipModel, area: BackpropArea, gradient_buffer_bits: int = 0) -> ChipArea:
    """The chip's area with every sub-array grown by its transposed read-out (`area`) and the global buffer by
    `gradient_buffer_bits`: the same floorplan, its PEs, tiles and chip periphery laid out over the larger parts. A
    chip already laid out over grown sub-arrays (built with `grow`) keeps its tiles."""
    ctx, freq = chip.ctx, chip.ctx.p.chip.clock.max_frequency_hz
    if chip.grow is not None:
        tile_nm, tile_cm = chip.tile_nm, chip.tile_cm
    else:
        tile_nm, tile_cm = build_tiles(ctx, chip.fp, freq, subarray=with_readout(chip.tile_cm.pe.subarray, area))
    periphery = ChipPeriphery(ctx, chip.layers, chip.fp, extra_buffer_bits=gradient_buffer_bits)
    return periphery.layout(tile_nm, tile_cm)


def _blocks(total: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(size, total - start)) for start in range(0, total, size)]


def activation_gradient_cost(
    ctx: CircuitContext, training: TrainingHardwareConfig, index: int, layer: Layer, trace: LayerTrace,
    windows: int | None = None, duplication: float = 1.0, readout: TransposedReadout | None = None,
) -> Cost:  # fmt: skip
    """Per image: the layer's sub-arrays reading its activation gradient (none for the first layer)."""
    if index == 0:
        return Cost()
    if duplication < 1:
        raise ValueError(f"duplication must be at least 1, got {duplication}")
    readout = readout or TransposedReadout(ctx, training)
    p = ctx.p
    windows = windows if windows is not None else trace.num_windows_written
    g = _cell_digits(trace, cell_digit_key(p), p.chip.cell.type is CellType.SRAM)  # the forward pass's cells
    model = ColumnModel.from_context(ctx, readout.geo.res_cell_access)
    forward = has_quirk(p, AG_FORWARD_COLUMNS)
    inputs = trace.input_bit_planes(windows) if forward else None
    vectors = windows * training.backprop.error_bits
    costs = []
    for r0, nr in _blocks(g.shape[0], p.chip.array.rows):
        for c0, nc in _blocks(g.shape[1], p.chip.array.cols):
            block = g[r0 : r0 + nr, c0 : c0 + nc]
            if inputs is not None:
                parts = [
                    readout.vector_cost(s.column_resistance, s.counts)
                    for s in iter_vector_stats(block, inputs[r0 : r0 + nr], model, dtype=np.float32)
                ]
                costs.append(_serial(parts))
            else:
                rows = _row_resistance(block, model, readout)
                costs.append(readout.vector_cost(rows[None, :], np.array([vectors])))
    return Cost.parallel(costs).latency_divided(duplication)


def _serial(parts: list[Cost]) -> Cost:
    """Chunks of one sub-array's vectors, read one after the other."""
    total = Cost()
    for c in parts:
        total = total.plus(Part.ADC, c.latency_adc, c.energy_adc)
        total = total.plus(Part.ACCUMULATION, c.latency_accum, c.energy_accum)
        total = total.plus(Part.OTHER, c.latency_other, c.energy_other)
    return total


def _row_resistance(block: np.ndarray, model: ColumnModel, readout: TransposedReadout) -> np.ndarray:
    """Resistance (ohm) each row's ADC sees with half the columns driven: the row's mean cell conductance
    (through the wires) times the driven columns. SRAM: the access paths of the driven cells."""
    cols = block.shape[1]
    driven = max(cols // 2, 1)
    if model.weight_independent:
        per_cell = 1.0 / (readout.geo.res_cell_access + model.wire_res_col)
        return np.full(block.shape[0], 1.0 / (per_cell * driven))
    g = effective_conductance(block, model)
    return 1.0 / (g.mean(axis=1) * driven)
