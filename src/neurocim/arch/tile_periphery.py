"""Tile periphery: activation units, tile buffers and H-tree of a tile, built and costed in the main pass."""

from __future__ import annotations

import math

from neurocim.arch.pe_common import UnitResult, divide_int
from neurocim.circuits.bit_shifter import BitShifter
from neurocim.circuits.buffer import Buffer
from neurocim.circuits.sigmoid import Sigmoid

TileResult = UnitResult
_LAT = ("latency", "buffer_latency", "ic_latency", "latency_adc", "latency_accum", "latency_other")
_ENERGY = ("energy", "buffer_energy", "ic_energy", "energy_adc", "energy_accum", "energy_other")


class TilePeriphery:
    """Part of Tile (its base): building the activation units and tile buffers, and their costs with the H-tree's
    in the main pass. Uses the Tile's state (ctx, PEs, accumulation tree, H-tree) and its _accumulate."""

    def _build_buffers(self, pe_out_bits: int) -> None:
        """Activation units and input/output buffers (cores of tile_core_rows x tile_core_cols bits)."""
        p = self.ctx.p
        n, size, nbi = float(self.num_pe), float(self.pe_size), p.num_bit_input
        s_c, mux = p.num_col_sub_array, p.num_col_muxed
        core = p.tile_buffer_core_rows * p.tile_buffer_core_cols

        # NeuroSim: the tile buffers take the PE buffer type
        sram = p.pe_buffer_sram if p.quirk("tile_buffers_take_pe_type") else p.tile_buffer_sram

        def make(bits: float, interface: float) -> Buffer:
            return Buffer(self.ctx, int(bits), int(interface), 1, p.wires.unit_resistance, self.clk_freq, sram)

        def cored(bits: float, interface: float) -> Buffer:
            return make(bits, interface) if bits < core else make(core, p.tile_buffer_core_cols)

        if not p.chip_activation:
            if p.relu:
                self.relu = BitShifter(self.ctx, math.ceil(size * s_c / mux), nbi)
            else:
                self.sigmoid = Sigmoid(
                    self.ctx,
                    p.sigmoid_lut_sram,
                    nbi,
                    pe_out_bits + math.ceil(math.log2(n)),
                    math.ceil(n * s_c / mux),
                    self.clk_freq,
                )
            bits = nbi * n * s_c / mux
            self.num_out_core = math.ceil(bits / core)
            self.output_buffer = cored(bits, nbi * n)
        else:
            word = pe_out_bits + math.ceil(math.log2(n))
            self.num_out_core = math.ceil(word * n * s_c / mux / core)
            if p.sync_data_transfer and self.novel:
                self.output_buffer = make(word * size / mux, word * size / mux)
            elif p.sync_data_transfer:
                self.num_out_core = math.ceil(word * n * size / mux / core)
                self.output_buffer = make(word * n * size / mux, word * n * size / mux)
            else:
                self.output_buffer = cored(word * n * s_c / mux, word * n)
        self.num_in_core = math.ceil(n * nbi * p.num_row_sub_array / core)
        if p.sync_data_transfer:
            if not self.novel:
                self.num_in_core = math.ceil(n * nbi * size / core)
            self.input_buffer = make(n * size * nbi, n * size * nbi)
        else:
            self.input_buffer = cored(n * nbi * p.num_row_sub_array, n * p.num_row_sub_array)

    def _activation(self, acc: dict, cols: int, nv: int, clk_freq: float) -> float:
        """In-tile ReLU/sigmoid (chip_activation off) or nothing; returns the bits written to the output buffer."""
        p = self.ctx.p
        words = math.ceil(divide_int(cols, p.num_col_per_synapse))
        windows_reads = divide_int(nv, p.num_bit_input) * math.ceil(divide_int(p.num_col_muxed, p.num_col_per_synapse))
        if p.chip_activation:
            return max(
                words * (self.accumulation.num_stage + self.accumulation.num_adder_bit) * nv / p.num_bit_input, 0
            )
        if self.relu is not None:
            num_read = windows_reads / self.relu.num_unit
            t, e = self.relu.latency(num_read, self.clk_freq), self.relu.energy(num_read)  # inner DFF keeps init clock
            bits = words * (1 + self.relu.num_bit) * nv / p.num_bit_input
        else:
            num_read = windows_reads / self.sigmoid.num_entry
            t, e = self.sigmoid.latency(num_read, clk_freq), self.sigmoid.energy(num_read)
            bits = words * (1 + self.sigmoid.num_y_bit) * nv / p.num_bit_input
        acc["latency"] += t
        acc["energy"] += e
        acc["latency_other"] += t
        acc["energy_other"] += e
        return max(bits / self.num_pe if self.novel else bits, 0)

    def _buffer_pass(self, buffer, bits: float, num_core: int) -> tuple[float, float, float, float]:
        """(read latency, write latency, read energy, write energy) of moving `bits` through a tile buffer:
        half the lines read, half written; latency shared by the cores the H-tree can feed at once."""
        w = buffer.interface_width
        lines = bits / w / 2.0
        t_read, t_write = buffer.latency(lines), buffer.write_latency(lines)  # async: the buffer's own clock
        e_read, e_write = buffer.energy(w, lines), buffer.write_energy(w, lines)
        cores = min(num_core, math.ceil(self.htree.bus_width / w))
        return t_read / cores, t_write / cores, e_read, e_write

    def _finish(
        self, acc: dict, last: UnitResult, rows: int, cols: int, nv: int, speed_up: int, clk_freq: float
    ) -> TileResult:
        """Speed-up, accumulation, activation, tile buffers and H-tree of the main pass, and the leakage."""
        p = self.ctx.p
        n = self.num_pe
        if self.novel:
            for k in _LAT:
                acc[k] /= speed_up
            self._accumulate(acc, n, nv, clk_freq, False, exact_ceil=False)
            bits_out = max(rows * nv / math.sqrt(n), 0)
            in_pass = self._buffer_pass(self.input_buffer, bits_out, self.num_in_core)
            bits_in = self._activation(acc, cols, nv, clk_freq)
        else:
            bits_in = self._activation(acc, cols, nv, clk_freq)
            bits_out = max(rows * nv, 0)
            in_pass = self._buffer_pass(self.input_buffer, bits_out, self.num_in_core)
        out_pass = self._buffer_pass(self.output_buffer, bits_in, self.num_out_core)
        in_rd, in_wr, in_re, in_we = in_pass
        out_rd, out_wr, out_re, out_we = out_pass
        if not p.sync_data_transfer:
            acc["latency"] += in_rd + in_wr
            acc["latency"] += out_rd + out_wr
        acc["energy"] += in_re + in_we
        acc["energy"] += out_re + out_we
        pe, tree = self.pe, self.htree
        t_tree = tree.latency(pe.height, pe.width, (bits_out + bits_in) / tree.bus_width, clk_freq)
        e_tree = tree.energy(
            pe.height,
            pe.width,
            tree.bus_width,
            (bits_out * p.input_toggle + bits_in * p.output_toggle) / tree.bus_width,
        )
        if not p.sync_data_transfer:
            acc["latency"] += t_tree
            acc["buffer_latency"] += in_rd + out_rd + in_wr + out_wr
            acc["ic_latency"] += t_tree
            acc["latency_other"] += in_rd + in_wr + out_rd + out_wr + t_tree
        acc["energy"] += e_tree
        acc["buffer_energy"] += in_re + out_re + in_we + out_we
        acc["ic_energy"] += e_tree
        acc["energy_other"] += in_re + in_we + out_re + out_we + e_tree
        pe_count = n if self.novel else n * n
        units = self._accumulation_units
        accumulation_leakage = 0.0 if units is None else self.accumulation.leakage_for(units)
        leakage = (
            last.leakage * pe_count
            + accumulation_leakage
            + self.input_buffer.leakage
            + self.output_buffer.leakage
            + tree.leakage
        )
        acc.pop("clk_period")
        return TileResult(
            leakage=leakage,
            leakage_sram_in_use=last.leakage_sram_in_use * pe_count,
            **{k: float(v) for k, v in acc.items()},
        )
