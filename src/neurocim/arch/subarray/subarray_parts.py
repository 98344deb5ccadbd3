"""Peripheral groups every sub-array mode shares: column mux, ADC, shift-adds and write level shifters."""

from __future__ import annotations

from dataclasses import dataclass

from neurocim.arch.subarray.subarray_common import BIG_RAMP, log2_ceil
from neurocim.arch.subarray.subarray_geometry import ArrayGeometry
from neurocim.circuits.adc.flash_adc import FlashAdc
from neurocim.circuits.adc.mlsa_encoder import MlsaEncoder
from neurocim.circuits.adc.mlsa_encoder_v21 import MlsaEncoderV21, mlsa_encoder
from neurocim.circuits.adc.sar_adc import SarAdc
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.level_shifter import LevelShifter
from neurocim.circuits.drivers.mux import Mux
from neurocim.circuits.drivers.row_decoder import DecoderMode, RowDecoder
from neurocim.circuits.logic.shift_add import ShiftAdd
from neurocim.config.chip import AdcType, SenseMode

WRITE_LEVEL_SHIFT_VOLTAGE = 1.5  # V; write voltages above it need WL/BL/SL level shifters


class ColumnMux:
    """Analog column mux and its decoder; absent (all zero) when one ADC serves one column."""

    def __init__(self, ctx: CircuitContext, num_input: int, cols_muxed: int, res_tg: float) -> None:
        self.present = cols_muxed > 1
        self.num_input = num_input
        self.mux = Mux(ctx, num_input, cols_muxed, res_tg) if self.present else None
        self.decoder = None
        if self.present:
            self.decoder = RowDecoder(ctx, DecoderMode.REGULAR_ROW, log2_ceil(cols_muxed), True, False)

    def layout(self, width_array: float) -> None:
        if self.mux is None or self.decoder is None:
            return
        self.mux.layout(0.0, width_array)
        self.decoder.layout()
        # the mux row is stretched to the decoder height (NeuroSim's minMuxHeight override)
        self.mux.layout(max(self.decoder.height, self.mux.height), width_array, Layout.OVERRIDE)

    def _get(self, name: str) -> float:
        if self.mux is None or self.decoder is None:
            return 0.0
        return getattr(self.mux, name) + getattr(self.decoder, name)

    @property
    def area(self) -> float:
        return self._get("area")

    @property
    def height(self) -> float:
        return 0.0 if self.mux is None else self.mux.height

    @property
    def decoder_width(self) -> float:
        return 0.0 if self.decoder is None else self.decoder.width

    @property
    def leakage(self) -> float:
        return self._get("leakage")

    def latency(self) -> float:
        """Mux settling plus decoding the select lines of all muxes (s)."""
        if self.mux is None or self.decoder is None:
            return 0.0
        n = self.num_input
        t_mux = self.mux.latency(0.0, 1)
        t_dec = self.decoder.latency(BIG_RAMP, self.mux.cap_tg_gate_n * n, self.mux.cap_tg_gate_p * n, 0.0, 0.0, 1)
        return t_mux + t_dec

    def energies(self, num_read: float) -> tuple[float, float]:
        """(mux, decoder) read energy (J) of num_read selections."""
        if self.mux is None or self.decoder is None:
            return 0.0, 0.0
        return self.mux.energy(num_read), self.decoder.energy(num_read)


@dataclass
class Adc:
    """The column ADC: a flash MLSA with its encoder, or a SAR ADC."""

    flash: FlashAdc | None
    encoder: MlsaEncoder | MlsaEncoderV21 | None
    sar: SarAdc | None

    @property
    def converter(self) -> FlashAdc | SarAdc | None:
        return self.sar if self.sar is not None else self.flash

    def layout(self, width_array: float) -> None:
        for unit in (self.sar, self.flash, self.encoder):
            if unit is not None:
                unit.layout(0.0, width_array)

    def _sum(self, name: str) -> float:
        return sum(getattr(u, name) for u in (self.flash, self.encoder, self.sar) if u is not None)

    @property
    def area(self) -> float:
        return self._sum("area")

    @property
    def height(self) -> float:
        return self._sum("height")

    @property
    def leakage(self) -> float:
        return self._sum("leakage")

    def latency(self) -> float:
        """One conversion (s): MLSA + encoder, or SAR."""
        t = 0.0
        if self.flash is not None:
            t += self.flash.latency(1, 1)
        if self.encoder is not None:
            t += self.encoder.latency(BIG_RAMP, 1)
        if self.sar is not None:
            t += self.sar.latency(1)
        return t


def build_adc(
    ctx: CircuitContext,
    geo: ArrayGeometry,
    num_adc: int,
    adc_levels: int,
    clk_freq: float,
    parallel: bool,
    *,
    reference_energy_peri: float,
    res_cell_access: float,
    with_encoder: bool = True,
) -> Adc:
    """SAR or flash ADC per column group; the flash ADC gets the run-time values NeuroSim keeps in globals."""
    p = ctx.p
    if p.chip.adc.type is AdcType.SAR:
        return Adc(None, None, SarAdc(ctx, num_adc, adc_levels, clk_freq, geo.num_col))
    flash = FlashAdc(
        ctx, num_adc, adc_levels, clk_freq, geo.num_col, parallel, p.chip.adc.sense_mode is SenseMode.CURRENT,
        column_cap=geo.cap_col, array_height=geo.array_height, array_width_unit=geo.array_width_unit,
        reference_energy_peri=reference_energy_peri, res_cell_access=res_cell_access,
    )  # fmt: skip
    encoder = mlsa_encoder(ctx, adc_levels, num_adc) if with_encoder else None
    return Adc(flash, encoder, None)


class ShiftAdders:
    """Shift-add over the cells of a weight (`weight`) and over the input bits (`inputs`); None when not needed."""

    def __init__(self, ctx: CircuitContext, num_unit: int, weight_bits: int, input_bits: int,
                 weight_pulses: int) -> None:  # fmt: skip
        p = ctx.p
        self.weight = ShiftAdd(ctx, num_unit, weight_bits, weight_pulses) if p.cols_per_weight > 1 else None
        self.inputs = (
            ShiftAdd(ctx, num_unit, input_bits, p.chip.precision.input_bits)
            if p.chip.precision.input_bits > 1
            else None
        )

    def layout(self, width_array: float) -> None:
        for unit in (self.inputs, self.weight):
            if unit is not None:
                unit.layout(0.0, width_array)

    def _sum(self, name: str) -> float:
        return sum(getattr(u, name) for u in (self.inputs, self.weight) if u is not None)

    @property
    def area(self) -> float:
        return self._sum("area")

    @property
    def height(self) -> float:
        return self._sum("height")

    @property
    def width(self) -> float:
        """Widest of the two (wider than the array only where one unit does not fit its pitch)."""
        return max((u.width for u in (self.inputs, self.weight) if u is not None), default=0.0)

    @property
    def leakage(self) -> float:
        return self._sum("leakage")

    def energies(self, weight_reads: float, input_reads: float) -> tuple[float, float]:
        e_w = self.weight.energy(weight_reads) if self.weight is not None else 0.0
        e_i = self.inputs.energy(input_reads) if self.inputs is not None else 0.0
        return e_w, e_i


class WriteLevelShifters:
    """WL/BL (rows) and SL (columns) level shifters of eNVM arrays with a write voltage above 1.5 V (area only)."""

    def __init__(self, ctx: CircuitContext, num_row: int, num_col: int) -> None:
        # NeuroSim V2.1 has no level shifters, whatever the write voltage
        self.present = ctx.cell.write_voltage_v > WRITE_LEVEL_SHIFT_VOLTAGE and not ctx.p.quirk("v21_no_level_shifters")
        if self.present:
            self.wl = LevelShifter(ctx, num_row, 0.0)
            self.bl = LevelShifter(ctx, num_row, 0.0)
            self.sl = LevelShifter(ctx, num_col, 0.0)

    def layout(self, height_array: float, width_array: float) -> None:
        if self.present:
            self.wl.layout(height_array, 0.0)
            self.bl.layout(height_array, 0.0)
            self.sl.layout(0.0, width_array)

    @property
    def area(self) -> float:
        return self.wl.area + self.bl.area + self.sl.area if self.present else 0.0

    @property
    def row_width(self) -> float:
        return self.wl.width + self.bl.width if self.present else 0.0

    @property
    def col_height(self) -> float:
        return self.sl.height if self.present else 0.0
