"""Sigmoid activation unit: a look-up table in SRAM (with sense amplifiers) or RRAM (with voltage sense amps)."""

from __future__ import annotations

import math

from neurocim.circuits.adc.sense_amp import SenseAmp
from neurocim.circuits.adc.voltage_sense_amp import VoltageSenseAmp
from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import IR_DROP_TOLERANCE, LINEAR_REGION_RATIO, MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.row_decoder import DecoderMode, RowDecoder
from neurocim.circuits.gates.gates import GateType, Mos, drain_cap, gate_area, gate_cap, gate_leakage, on_resistance
from neurocim.circuits.gates.gates_common import ceil_int, fdiv, fin_factor
from neurocim.config.chip import AccessType, CellType

_WIRE_CAP_PER_M = 0.2e-15 / 1e-6  # F/m, NeuroSim's generic local-wire capacitance


def _fin_scale(ctx: CircuitContext) -> int:
    """FinFET/GAA nodes (<= 14 nm) draw cell transistors twice as wide."""
    return fin_factor(ctx.tech)


def array_cell_access_width(ctx: CircuitContext) -> float:
    """cell.widthAccessCMOS (in F) as NeuroSim's sub-array initialisation leaves it for the chip's array cell."""
    cell = ctx.cell
    if cell.type is CellType.SRAM:
        return cell.access_width_f
    if cell.access is AccessType.CMOS:  # 1T1R: sized so that its on-resistance is a share of R_on
        res_access = cell.r_on_ohm * IR_DROP_TOLERANCE
        tech = ctx.tech
        r_unit = on_resistance(_fin_scale(ctx) * tech.feature_size, Mos.NMOS, ctx.temperature, tech)
        return r_unit * LINEAR_REGION_RATIO / res_access
    return 0.0  # NeuroSim quirk: never set for cross-point arrays, so the zero-initialised global is read


def array_cell_resistances(ctx: CircuitContext) -> tuple[float, float]:
    """(cell.resMemCellOn, cell.resMemCellOff) as NeuroSim's sub-array initialisation leaves them."""
    cell = ctx.cell
    if cell.type is CellType.SRAM:
        return 0.0, 0.0  # NeuroSim quirk: never set for SRAM arrays (zero-initialised global)
    if cell.access is AccessType.CMOS:
        res_access = cell.r_on_ohm * IR_DROP_TOLERANCE
        return res_access + cell.r_on_ohm, res_access + cell.r_off_ohm
    return cell.r_on_ohm, cell.r_off_ohm


class Sigmoid:
    """num_function parallel sigmoid look-up tables of num_entry x num_y_bit cells (NeuroSim V1.4 Sigmoid).

    NeuroSim quirk: callers pass a bit-width as `num_entry` (not 2^bits); the table has num_entry rows and a
    ceil(log2(num_entry))-bit row decoder. The table cells take the footprint of the chip's array cell, and the
    SRAM-cell transistor widths and sense voltage are read from the array cell too: they are zero unless the
    chip's arrays are SRAM (NeuroSim only sets them then), which makes the SRAM table's sensing time infinite.
    `width_access_cmos`, `res_mem_cell_on` and `res_mem_cell_off` are the run-time cell values the sub-array
    initialisation leaves behind; by default they are derived from `ctx` the same way. `own_cell=True` builds the
    table from cells of its own kind instead (an SRAM table of SRAM bit cells, an RRAM table of 1T1R cells with the
    configured resistances), so a table unlike the arrays senses in finite time.
    """

    def __init__(
        self,
        ctx: CircuitContext,
        sram: bool,
        num_y_bit: int,
        num_entry: int,
        num_function: int,
        clk_freq: float,
        *,
        width_access_cmos: float | None = None,
        res_mem_cell_on: float | None = None,
        res_mem_cell_off: float | None = None,
        own_cell: bool = False,
    ) -> None:
        self.ctx = ctx
        self.sram = sram
        self.num_y_bit = num_y_bit
        self.num_entry = num_entry
        self.num_function = num_function
        self.clk_freq = clk_freq
        self.num_cell = num_y_bit * num_entry
        tech = ctx.tech
        f = tech.feature_size
        cell = ctx.cell
        is_sram_array = cell.type is CellType.SRAM
        sram_cells = is_sram_array or (own_cell and sram)
        self.width_sram_nmos = cell.nmos_width_f if sram_cells else 0.0
        self.width_sram_pmos = cell.pmos_width_f if sram_cells else 0.0
        self.sense_voltage = cell.min_sense_voltage_v if sram_cells else 0.0
        if width_access_cmos is None:
            width_access_cmos = cell.access_width_f if own_cell and sram else array_cell_access_width(ctx)
        self.width_access_cmos = width_access_cmos
        default_on, default_off = array_cell_resistances(ctx)
        if own_cell and not sram and is_sram_array:  # 1T1R table cells of the configured eNVM resistances
            res_access = cell.r_on_ohm * IR_DROP_TOLERANCE
            default_on, default_off = res_access + cell.r_on_ohm, res_access + cell.r_off_ohm
        self.res_mem_cell_on = default_on if res_mem_cell_on is None else res_mem_cell_on
        self.res_mem_cell_off = default_off if res_mem_cell_off is None else res_mem_cell_off

        width_inv = (MIN_NMOS_SIZE * f, tech.pn_size_ratio * MIN_NMOS_SIZE * f)
        _, h_inv, w_inv = gate_area(GateType.INV, 1, *width_inv, f * MAX_TRANSISTOR_HEIGHT, tech)
        if sram:  # a bit cell plus one inverter row of read-out logic per entry
            self.h_unit = h_inv + cell.height_f * f
            self.w_unit = max(w_inv * 3, cell.width_f * f) * num_y_bit
        else:
            self.h_unit = cell.height_f * f
            self.w_unit = cell.width_f * f * num_y_bit
        self.res_row = self.w_unit * ctx.p.wires.metal0_unit_resistance
        num_addr = ceil_int(math.log2(num_entry))
        self.wl_decoder = RowDecoder(ctx, DecoderMode.REGULAR_ROW, num_addr, False, False)
        self.sense_amp: SenseAmp | None = None
        self.voltage_sense_amp: VoltageSenseAmp | None = None
        if sram:
            self.cap_sram_cell = self._sram_cell_cap()
            # one amplifier sensed per read; V1.4 also sizes a precharger and write driver but never counts them
            self.sense_amp = SenseAmp(ctx, num_y_bit, self.sense_voltage, self.w_unit / num_y_bit, 1)
        else:
            # NeuroSim quirk: the RRAM table passes an uninitialised access capacitance as the decoder's second
            # load; a regular WL decoder ignores that load, so 0 stands in for it
            self.cap_sram_cell = 0.0
            self.voltage_sense_amp = VoltageSenseAmp(
                ctx, num_y_bit, clk_freq, res_mem_cell_on=self.res_mem_cell_on, res_mem_cell_off=self.res_mem_cell_off
            )
        self.leakage = self._leakage()
        self.area_unit = 0.0
        self.area = self.height = self.width = 0.0

    def _sram_cell_cap(self) -> float:
        """Capacitance an SRAM table cell puts on its word line driver (access drain + latch)."""
        tech = self.ctx.tech
        k_f = _fin_scale(self.ctx) * tech.feature_size
        cell_h = MAX_TRANSISTOR_HEIGHT * tech.feature_size
        cap = drain_cap(self.width_access_cmos * k_f, Mos.NMOS, cell_h, tech)
        cap += drain_cap(self.width_sram_nmos * k_f, Mos.NMOS, cell_h, tech)
        cap += drain_cap(self.width_sram_pmos * k_f, Mos.PMOS, cell_h, tech)
        cap += gate_cap(self.width_sram_nmos * k_f, tech) + gate_cap(self.width_sram_pmos * k_f, tech)
        return cap

    def _leakage(self) -> float:
        """Static power (W) of ONE table (NeuroSim does not scale it by num_function)."""
        tech = self.ctx.tech
        if self.voltage_sense_amp is not None:
            return self.voltage_sense_amp.leakage + self.wl_decoder.leakage
        k_f = _fin_scale(self.ctx) * tech.feature_size
        # each SRAM cell leaks as two inverters
        per_cell = gate_leakage(
            GateType.INV, 1, self.width_sram_nmos * k_f, self.width_sram_pmos * k_f, self.ctx.temperature, tech
        )
        leak = per_cell * tech.vdd * 2 * self.num_cell
        assert self.sense_amp is not None  # an SRAM table: __init__ sets exactly one of the two amplifiers
        return leak + self.wl_decoder.leakage + self.sense_amp.leakage

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """Area of num_function tables (NeuroSim's CalculateUnitArea(NONE) then CalculateArea): with only a width
        given the height follows from the area; otherwise the height is new_height (0 gives an infinite width)."""
        self.wl_decoder.layout()
        amp = self.sense_amp if self.sense_amp is not None else self.voltage_sense_amp
        assert amp is not None  # __init__ sets exactly one of the two amplifiers
        amp_area = amp.layout().area
        self.area_unit = self.h_unit * self.w_unit * self.num_entry + (self.wl_decoder.area + amp_area)
        area = self.area_unit * self.num_function
        if new_width and mode is Layout.NONE:
            height, width = fdiv(area, new_width), new_width
        else:
            height, width = new_height, fdiv(area, new_height)
        fp = fit(area, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def _lookup_time(self) -> float:
        """Time (s) of one table read: word-line decode plus sensing."""
        dec = self.wl_decoder.latency(1e20, 0.0, self.cap_sram_cell, self.res_row, self.num_y_bit, 1)
        if self.sense_amp is not None:
            if self.sense_voltage == 0:
                return math.inf  # C++: log(vdd / 0) = inf
            return dec + self.sense_amp.latency(1)
        if self.res_mem_cell_on == 0 or self.res_mem_cell_off == 0:
            return math.nan  # C++: Vread/0 - Vread/0 = NaN (RRAM table next to SRAM arrays)
        assert self.voltage_sense_amp is not None  # __init__ sets exactly one of the two amplifiers
        return dec + self.voltage_sense_amp.latency(0.0, 1)

    def latency(self, num_read: float, clk_freq: float) -> float:
        """Read latency (s, or clock cycles when synchronous) of num_read table reads."""
        t = self._lookup_time()
        if self.ctx.p.chip.clock.synchronous and math.isfinite(t):
            t = math.ceil(t * clk_freq)
        return t * num_read

    def energy(self, num_read: float) -> float:
        """Read dynamic energy (J) of num_read reads of all num_function tables."""
        e = self.wl_decoder.energy(1)
        if self.sense_amp is not None:
            e += self.sense_amp.energy(1)
        else:
            assert self.voltage_sense_amp is not None  # __init__ sets exactly one of the two amplifiers
            e += self.voltage_sense_amp.energy(1)
        return e * (num_read * self.num_function)
