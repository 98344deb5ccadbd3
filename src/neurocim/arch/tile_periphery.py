"""Tile periphery: the activation units and input/output buffers of one tile kind, and their costs."""

from __future__ import annotations

import math

from neurocim.arch.cost import Cost, Part
from neurocim.arch.pe_common import divide_int
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.adder_tree import AdderTree
from neurocim.circuits.logic.bit_shifter import BitShifter
from neurocim.circuits.logic.sigmoid import Sigmoid
from neurocim.circuits.memories.buffer import Buffer
from neurocim.config.chip import ActivationFunction, ActivationPlace, BufferType, CellType


class TilePeriphery:
    """The in-tile activation unit (ReLU bit shifter or sigmoid table, when activation sits in the tiles) and the
    input and output buffers (cores of tile_core_rows x tile_core_cols bits) of a tile of `num_pe` PEs of
    `pe_size`."""

    def __init__(
        self, ctx: CircuitContext, novel: bool, num_pe: float, pe_size: float, clk_freq: float, pe_out_bits: int
    ) -> None:
        self.ctx, self.novel, self.num_pe, self.clk_freq = ctx, novel, num_pe, clk_freq
        self.relu: BitShifter | None = None
        self.sigmoid: Sigmoid | None = None
        p = ctx.p
        n, size, nbi = float(num_pe), float(pe_size), p.chip.precision.input_bits
        s_c, mux = p.chip.array.cols, p.cols_muxed
        core = p.chip.buffers.tile_core_rows * p.chip.buffers.tile_core_cols

        # NeuroSim: the tile buffers take the PE buffer type
        sram = (
            p.chip.buffers.pe_type is BufferType.SRAM
            if p.quirk("tile_buffers_take_pe_type")
            else p.chip.buffers.tile_type is BufferType.SRAM
        )

        def make(bits: float, interface: float) -> Buffer:
            # at least one bit: NeuroSim truncates to none when an ADC serves more columns than a PE has
            # (size / mux < 1), then divides by it
            bits, interface = max(int(bits), 1), max(int(interface), 1)
            return Buffer(ctx, bits, interface, 1, p.wires.unit_resistance, self.clk_freq, sram)

        def cored(bits: float, interface: float) -> Buffer:
            return make(bits, interface) if bits < core else make(core, p.chip.buffers.tile_core_cols)

        if p.chip.activation.place is not ActivationPlace.CHIP:
            if p.chip.activation.function is ActivationFunction.RELU:
                self.relu = BitShifter(ctx, math.ceil(size * s_c / mux), nbi)
            else:
                self.sigmoid = Sigmoid(
                    ctx,
                    p.chip.activation.sigmoid_lut is CellType.SRAM,
                    nbi,
                    pe_out_bits + math.ceil(math.log2(n)),
                    math.ceil(n * s_c / mux),
                    self.clk_freq,
                    own_cell=True,
                )
            bits = nbi * n * s_c / mux
            self.num_out_core = math.ceil(bits / core)
            self.output_buffer = cored(bits, nbi * n)
        else:
            # NeuroSim V2.1 (quirk v21_adder_widths): the PE outputs' adder bits, no bits for adding the PEs
            word = pe_out_bits if p.quirk("v21_adder_widths") else pe_out_bits + math.ceil(math.log2(n))
            self.num_out_core = math.ceil(word * n * s_c / mux / core)
            if p.chip.interconnect.sync_data_transfer and self.novel:
                self.output_buffer = make(word * size / mux, word * size / mux)
            elif p.chip.interconnect.sync_data_transfer:
                self.num_out_core = math.ceil(word * n * size / mux / core)
                self.output_buffer = make(word * n * size / mux, word * n * size / mux)
            else:
                self.output_buffer = cored(word * n * s_c / mux, word * n)
        self.num_in_core = math.ceil(n * nbi * p.chip.array.rows / core)
        if p.chip.interconnect.sync_data_transfer:
            if not self.novel:
                self.num_in_core = math.ceil(n * nbi * size / core)
            self.input_buffer = make(n * size * nbi, n * size * nbi)
        else:
            self.input_buffer = cored(n * nbi * p.chip.array.rows, n * p.chip.array.rows)

    @property
    def leakage(self) -> float:
        """Leakage power (W) of the buffers."""
        return self.input_buffer.leakage + self.output_buffer.leakage

    def layout(self, side_height: float, side_width: float) -> tuple[float, float, float]:
        """(activation, input buffer, output buffer) areas (m^2) along a tile's PE grid of the given sides."""
        unit = self.relu or self.sigmoid
        activation = 0.0 if unit is None else unit.layout(0.0, side_width, Layout.NONE).area
        in_area = self.input_buffer.layout(side_height, 0.0, Layout.NONE).area * self.num_in_core
        out_area = self.output_buffer.layout(0.0, side_width, Layout.NONE).area * self.num_out_core
        return activation, in_area, out_area

    def activation(self, acc: Cost, accumulation: AdderTree, cols: int, nv: int, clk_freq: float) -> tuple[Cost, float]:
        """acc followed by the in-tile ReLU/sigmoid (chip_activation off) or nothing, and the bits written to the
        output buffer."""
        p = self.ctx.p
        words = math.ceil(divide_int(cols, p.cols_per_weight))
        windows_reads = divide_int(nv, p.chip.precision.input_bits) * math.ceil(
            divide_int(p.cols_muxed, p.cols_per_weight)
        )
        if p.chip.activation.place is ActivationPlace.CHIP:
            if p.quirk("v21_adder_widths"):  # V2.1: a sign bit over the adder width, split over the PEs
                bits = words * (1 + accumulation.num_adder_bit) * nv / p.chip.precision.input_bits
                return acc, max(bits / self.num_pe if self.novel else bits, 0)
            adder_bits = accumulation.num_stage + accumulation.num_adder_bit
            return acc, max(words * adder_bits * nv / p.chip.precision.input_bits, 0)
        if self.relu is not None:
            num_read = windows_reads / self.relu.num_unit
            t, e = self.relu.latency(num_read, self.clk_freq), self.relu.energy(num_read)  # inner DFF keeps init clock
            bits = words * (1 + self.relu.num_bit) * nv / p.chip.precision.input_bits
        elif self.sigmoid is not None:
            num_read = windows_reads / self.sigmoid.num_entry
            t, e = self.sigmoid.latency(num_read, clk_freq), self.sigmoid.energy(num_read)
            bits = words * (1 + self.sigmoid.num_y_bit) * nv / p.chip.precision.input_bits
        else:
            raise ValueError("in-tile activation needs a ReLU or sigmoid unit")
        return acc.plus(Part.OTHER, t, e), max(bits / self.num_pe if self.novel else bits, 0)

    def buffer_pass(self, inputs: bool, bits: float, bus_width: float) -> tuple[float, float, float, float]:
        """(read latency, write latency, read energy, write energy) of moving `bits` through the input (or output)
        buffer: half the lines read, half written (NeuroSim V1.4); latency shared by the cores a bus of `bus_width`
        feeds at once."""
        buffer, num_core = (self.input_buffer, self.num_in_core) if inputs else (self.output_buffer, self.num_out_core)
        w = buffer.interface_width
        # NeuroSim V2.1 reads and writes every line of the transfer
        lines = bits / w if self.ctx.p.quirk("v21_buffer_full_lines") else bits / w / 2.0
        t_read, t_write = buffer.latency(lines), buffer.write_latency(lines)  # async: the buffer's own clock
        e_read, e_write = buffer.energy(w, lines), buffer.write_energy(w, lines)
        cores = min(num_core, math.ceil(bus_width / w))
        return t_read / cores, t_write / cores, e_read, e_write
