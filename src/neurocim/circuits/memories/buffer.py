"""On-chip buffer: a register file (DFFs) or a small SRAM array, with a row decoder (NeuroSim V1.4 Buffer)."""

from __future__ import annotations

import math

from neurocim.circuits.adc.sense_amp import SenseAmp
from neurocim.circuits.base import Footprint, Layout
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.precharger import Precharger
from neurocim.circuits.drivers.row_decoder import DecoderMode, RowDecoder
from neurocim.circuits.drivers.sram_write_driver import SRAMWriteDriver
from neurocim.circuits.gates.gates import Mos, drain_cap, gate_cap, horowitz, on_resistance
from neurocim.circuits.gates.gates_common import ceil_int, fin_factor, fin_rules
from neurocim.circuits.logic.dff import DFF

WIRE_CAP_PER_M = 0.2e-15 / 1e-6  # F/m


def _sram_cell_fields(ctx: CircuitContext) -> tuple[float, float, float, float]:
    """(access, pull-down NMOS, pull-up PMOS widths in F, sense voltage V) of the buffer's SRAM cell.

    Deviation from NeuroSim: it reads these from the array's memory cell, which holds zeros for RRAM/FeFET
    arrays (zero-width SRAM cells, NaN latency); an SRAM buffer here always has real SRAM cells."""
    c = ctx.cell
    return c.access_width_f, c.nmos_width_f, c.pmos_width_f, c.min_sense_voltage_v


class Buffer:
    """`num_bit` bits read and written one line of `interface_width` bits at a time.

    Latencies are in cycles when the chip is synchronous (one line per cycle), else in seconds. `num_bit` and
    `interface_width` are C ints in NeuroSim: callers truncate the doubles they compute."""

    def __init__(
        self,
        ctx: CircuitContext,
        num_bit: int,
        interface_width: int,
        num_interface: int,
        unit_wire_res: float,
        clk_freq: float,
        sram: bool,
    ):
        self.ctx = ctx
        self.num_bit = num_bit
        self.interface_width = interface_width
        self.num_interface = num_interface
        self.unit_wire_res = unit_wire_res
        self.clk_freq = clk_freq
        self.sram = sram
        self.num_col = interface_width
        self.num_row = float(math.ceil(num_bit / interface_width))  # lines
        if sram:
            self._init_sram()
        else:
            self.dff = DFF(ctx, num_bit)
        num_addr = ceil_int(math.ceil(math.log2(self.num_row)))
        # NeuroSim V2.1 (quirk v21_decoder_sizing): its older decoder, drawn widths and a 3x driver
        self.v21_decoder = ctx.p.quirk("v21_decoder_sizing")
        self.wl_decoder = RowDecoder(ctx, DecoderMode.REGULAR_ROW, num_addr, False, False)
        if sram:
            self.leakage = self.wl_decoder.leakage + self.precharger.leakage
            self.leakage += self.write_driver.leakage
            self.leakage += self.sense_amp.leakage
        else:
            self.leakage = self.dff.leakage + self.wl_decoder.leakage
        self.area = self.height = self.width = 0.0

    def _init_sram(self) -> None:
        ctx, tech = self.ctx, self.ctx.tech
        f = tech.feature_size
        p = ctx.p
        k = fin_factor(tech)  # FinFET/GAA devices are drawn 2 F wide per fin
        w_acc, w_n, w_p, self.min_sense_voltage = _sram_cell_fields(ctx)
        cell_h = MAX_TRANSISTOR_HEIGHT * f
        self.length_row = float(self.interface_width) * p.sram_width_f * f
        self.length_col = self.num_row * p.sram_height_f * f
        self.cap_row = self.length_row * WIRE_CAP_PER_M
        self.cap_col = self.length_col * WIRE_CAP_PER_M
        self.res_cell_access = on_resistance(w_acc * k * f, Mos.NMOS, ctx.temperature, tech)
        self.cap_cell_access = drain_cap(w_acc * k * f, Mos.NMOS, cell_h, tech)
        self.cap_sram_cell = (
            self.cap_cell_access
            + drain_cap(w_n * k * f, Mos.NMOS, cell_h, tech)
            + drain_cap(w_p * k * f, Mos.PMOS, cell_h, tech)
            + gate_cap(w_n * k * f, tech)
            + gate_cap(w_p * k * f, tech)
        )
        self.cap_row += 2 * gate_cap(w_acc * k * f, tech) * self.num_col  # two access gates per cell on the WL
        if fin_rules(tech):
            self.cap_col += tech.cap_draintotal * w_acc * tech.effective_width * self.num_row
        else:
            self.cap_col += self.cap_cell_access * self.num_row
        self.res_row = self.length_row * p.wires.metal0_unit_resistance
        self.res_col = self.length_col * p.wires.metal1_unit_resistance
        self.res_pull_down = on_resistance(w_n * k * f, Mos.NMOS, ctx.temperature, tech)
        iw = self.interface_width
        self.precharger = Precharger(ctx, iw, self.length_col * self.unit_wire_res, iw)
        self.write_driver = SRAMWriteDriver(ctx, iw)
        # only its leakage counts: NeuroSim never lays it out, so its load capacitance (hence its latency and
        # energy) is an unset member, zero in the compiled tool
        self.sense_amp = SenseAmp(ctx, iw, self.min_sense_voltage, self.length_row / iw, iw)

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """Total area fitted to the given width (preferred) or height; NeuroSim supports no other layout."""
        if self.sram:
            memory_area = self.length_row * self.length_col
            self.wl_decoder.layout(self.length_col)
            self.precharger.layout(0.0, self.length_row)
            self.write_driver.layout(0.0, self.length_row)
            area = memory_area + self.wl_decoder.area + self.precharger.area + self.write_driver.area
        else:
            self.dff.layout()
            self.wl_decoder.layout(self.dff.h_dff * math.ceil(self.num_bit / self.interface_width))
            area = self.dff.area + self.wl_decoder.area
        if new_width and mode is Layout.NONE:
            height, width = area / new_width, new_width
        elif new_height and mode is Layout.NONE:
            height, width = new_height, area / new_height
        else:
            raise ValueError("Buffer.layout needs a width or a height (and Layout.NONE)")
        self.area, self.height, self.width = area, height, width
        return Footprint(area, height, width)

    # --- latency -------------------------------------------------------------------------------------------------

    def _write_driver_latency(self, cap_load: float, res_load: float) -> float:
        """SRAMWriteDriver write path: pull-up inverter, then the pull-down driving the bit line."""
        d, tech, t = self.write_driver, self.ctx.tech, self.ctx.temperature
        r_up = on_resistance(d.width_p, Mos.PMOS, t, tech)
        delay, ramp = horowitz(r_up * (d.cap_output + d.cap_input), 0.5, 1e20)
        r_down = on_resistance(d.width_n, Mos.NMOS, t, tech)
        delay += horowitz(r_down * (cap_load + d.cap_output) + res_load * cap_load / 2, 0.5, ramp)[0]
        return delay

    def _whole_latency(self) -> tuple[float, float]:
        """(read, write) time (s) of the whole buffer, line by line (asynchronous mode)."""
        n = self.num_row
        if self.sram:
            vdd = self.ctx.tech.vdd
            res_row = 0.0 if self.v21_decoder else self.res_row  # V2.1's decoder sees no word-line resistance
            wl = self.wl_decoder.latency(1e20, self.length_row * WIRE_CAP_PER_M, 0.0, res_row, self.num_col, n)
            pre = self.precharger.latency(self.length_col * WIRE_CAP_PER_M, n)
            wd = self._write_driver_latency(self.length_col * WIRE_CAP_PER_M, self.length_col * self.unit_wire_res) * n
            bl_cap, bl_res = self.cap_col / n, self.res_col / n
            # NeuroSim V1.4 SRAM bit-line Elmore delay to a half-swing of the sense voltage
            elmore = (self.res_cell_access + self.res_pull_down) * bl_cap * n + bl_cap * bl_res * n * (n + 1) / 2
            col_delay = elmore * math.log(vdd / (vdd - self.min_sense_voltage / 2)) * n
            read = wl + pre + col_delay  # + sense amp: 0 (unset load, see __init__)
            write = pre + (wd if wl < wd else wl)
            return read, write
        # Deviation from NeuroSim: its DFF buffer passes the decoder arguments shifted by one, which divides by
        # zero (infinite latency in every asynchronous chip). Here the decoder drives the line's wire capacitance
        # with no series wire resistance (docs/neurosim_parity.md).
        # NeuroSim V2.1: the word line runs along the DFFs' width, not their height
        side = self.dff.w_dff if self.ctx.p.quirk("v21_buffer_word_line_along_width") else self.dff.h_dff
        cap = side * self.interface_width * WIRE_CAP_PER_M
        wl = self.wl_decoder.latency(1e20, cap, 0.0, 0.0, float(self.num_col), n)
        half_cycle = 1.0 / self.clk_freq / 2 * n  # a DFF needs half a clock cycle per access
        return wl + half_cycle, wl + half_cycle

    def latency(self, num_read: float) -> float:
        """Read latency of num_read lines: cycles (synchronous) or seconds."""
        if self.ctx.p.chip.clock.synchronous:
            return num_read
        return self._whole_latency()[0] / self.num_row * num_read

    def write_latency(self, num_write: float) -> float:
        """Write latency of num_write lines: cycles (synchronous) or seconds."""
        if self.ctx.p.chip.clock.synchronous:
            return num_write
        return self._whole_latency()[1] / self.num_row * num_write

    # --- energy --------------------------------------------------------------------------------------------------

    def _whole_energy(self) -> tuple[float, float]:
        """(read, write) energy (J) of reading / writing the whole buffer once."""
        vdd = self.ctx.tech.vdd
        if not self.sram:
            lines = self.num_bit // self.interface_width  # NeuroSim: integer division here
            # NeuroSim V1.4 always applies gamma here; without calibration gamma is an unset member, zero in the
            # tool. NeuroSim V2.1 charges every DFF's clock and D-to-Q energy, unscaled.
            p = self.ctx.p
            dff = self.dff.energy(1, self.num_bit, False)
            if not p.quirk("v21_buffer_dff_clock_energy"):
                dff *= p.gamma if p.chip.calibration.validated else 0.0
            read = self.wl_decoder.energy(lines) + dff
            write = self.wl_decoder.write_energy(lines) + dff  # DFF write energy = read energy
            return read, write
        n = self.num_row
        # NeuroSim quirk: the precharger load is only set by an asynchronous latency evaluation; synchronous
        # chips never set it, so the precharge energy is zero there
        pre = 0.0 if self.ctx.p.chip.clock.synchronous else self.precharger.energy(self.length_col * WIRE_CAP_PER_M, n)
        wd = self.write_driver
        wd_energy = (wd.cap_output + wd.cap_input) * vdd * vdd * min(self.interface_width, self.num_col * 1.0) * n
        cap_cell = self.cap_sram_cell
        read = self.wl_decoder.energy(n) + pre  # + sense amp: 0 (unset load, see __init__)
        read += self.cap_row * vdd * vdd * n  # WL charging
        write = self.wl_decoder.write_energy(n) + pre + wd_energy
        write += cap_cell * vdd * vdd * self.num_bit  # flip Q and Q-bar
        write += self.cap_row * vdd * vdd * n
        return read, write

    def energy(self, num_access_bit: float, num_read: float) -> float:
        """Read energy (J) of num_read accesses of num_access_bit bits (per-bit average of a whole read)."""
        return self._whole_energy()[0] / self.num_bit * num_access_bit * num_read

    def write_energy(self, num_access_bit: float, num_write: float) -> float:
        """Write energy (J) of num_write accesses of num_access_bit bits."""
        return self._whole_energy()[1] / self.num_bit * num_access_bit * num_write
