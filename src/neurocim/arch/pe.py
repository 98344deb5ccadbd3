"""Processing element: a grid of sub-arrays with its adder tree, input/output DFF buffers and buses."""

from __future__ import annotations

import math

import numpy as np

from neurocim.arch.cost import Cost, Part
from neurocim.arch.memo import InputMemo
from neurocim.arch.pe_common import (
    _SUMS,
    Block,
    by_shape,
    combine_blocks,
    divide_int,
    plus_adc_energy,
    subarray_output_bits,
)
from neurocim.arch.pe_reads import PeReader
from neurocim.circuits.base import Footprint, Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.adder_tree import AdderTree
from neurocim.circuits.logic.dff import DFF
from neurocim.circuits.wires.bus import Bus, BusMode


class ProcessingElement:
    """NeuroSim V1.4 ProcessingUnit: `num_subarray_row` x `num_subarray_col` sub-arrays of one shared kind."""

    def __init__(
        self,
        ctx: CircuitContext,
        subarray,
        num_subarray_row: int,
        num_subarray_col: int,
        novel: bool,
        clk_freq: float,
        *,
        grid: tuple[int, int] | None = None,
        dtype: type[np.floating] = np.float64,
    ) -> None:
        """`grid` is the (rows, cols) of sub-arrays the performance pass walks and scales leakage by; NeuroSim's
        tile passes ceil(pe_size/rows) x ceil(pe_size/cols), which differs from the square initialisation grid
        when the sub-array is not square. Default: the initialisation grid. `dtype` is the precision of the
        column-resistance pass and the ADC energies (float64: NeuroSim to rounding; float32: faster, ~1e-6)."""
        p = ctx.p
        self.ctx, self.subarray, self.novel, self.clk_freq = ctx, subarray, novel, clk_freq
        self.dtype = dtype
        self.num_subarray_row, self.num_subarray_col = int(num_subarray_row), int(num_subarray_col)
        self.grid = (self.num_subarray_row, self.num_subarray_col) if grid is None else (int(grid[0]), int(grid[1]))
        rows, cols = p.chip.array.rows, p.chip.array.cols
        self.num_bit_subarray_output = subarray_output_bits(p)
        self.adder_tree = AdderTree(
            ctx,
            self.num_subarray_row,
            self.num_bit_subarray_output,
            math.ceil(self.num_subarray_col * cols / p.cols_muxed),
        )
        out_bits = self.num_bit_subarray_output + self.adder_tree.num_stage
        if p.quirk("v21_pe_output_buffer_drops_bit"):  # one bit narrower than the adder tree's sums
            out_bits -= 1
        if p.chip.interconnect.sync_data_transfer:
            in_width, out_width = rows * self.num_subarray_row, cols * self.num_subarray_col
        else:
            in_width, out_width = rows, cols
        self.buffer_input = DFF(ctx, p.chip.precision.input_bits * in_width)
        self.buffer_output = DFF(ctx, divide_int(out_width, p.cols_muxed) * out_bits)
        h, w = subarray.height, subarray.width
        self.bus_input = Bus(ctx, BusMode.HORIZONTAL, self.num_subarray_row, self.num_subarray_col, 0, in_width, h, w)
        self.bus_output = Bus(ctx, BusMode.VERTICAL, self.num_subarray_row, self.num_subarray_col, 0, out_width, h, w)
        self.reader = PeReader(ctx, subarray, self.grid, dtype)
        self.column_model = self.reader.column_model
        # NeuroSim keeps the adder tree's leakage from its last evaluation (0 before the first).
        self._adder_tree_units: int | None = None
        self._eval_memo = InputMemo()
        self._periphery_memo: dict[tuple, tuple] = {}
        self.area = self.height = self.width = 0.0
        self.area_adc = self.area_accum = self.area_other = self.area_array = 0.0

    def construction_key(self) -> tuple:
        """What this PE was built from besides its settings and sub-array: PEs with equal keys, settings read and
        sub-arrays give equal evaluations."""
        return (self.novel, self.num_subarray_row, self.num_subarray_col, self.grid, self.clk_freq,
                np.dtype(self.dtype).str)  # fmt: skip

    def evaluations(self) -> dict[tuple, tuple]:
        """A copy of the memoised evaluations (see InputMemo.entries)."""
        return self._eval_memo.entries()

    def seed(self, evaluations: dict[tuple, tuple]) -> None:
        """Take the memoised evaluations of a PE with the same construction key and settings read."""
        self._eval_memo.seed(evaluations)

    def reset_state(self) -> None:
        """Back to the state after construction for what evaluations change: the adder tree's leakage state and
        the memoised evaluations and strip reads (they hold the inputs they were keyed on)."""
        self._adder_tree_units = None
        self._eval_memo.clear()

    # ----------------------------------------------------------------------------------------------- area
    def layout(self) -> Footprint:
        """PE area (NeuroSim ProcessingUnitCalculateArea): sub-arrays + adder tree + buffers; square."""
        sa, n = self.subarray, self.num_subarray_row * self.num_subarray_col
        self.adder_tree.layout(0.0, sa.width, Layout.NONE)
        self.buffer_input.layout(self.num_subarray_row * sa.height, 0.0, Layout.NONE)
        self.buffer_output.layout(0.0, self.num_subarray_col * sa.width, Layout.NONE)
        self.bus_input.layout(1, True)  # the buses run over the sub-arrays: no area
        self.bus_output.layout(1, True)
        subarray_area = sa.used_area if self.ctx.p.quirk("v21_pe_counts_used_area") else sa.area
        self.area = subarray_area * n + self.adder_tree.area + self.buffer_input.area + self.buffer_output.area
        self.height = math.sqrt(self.area)
        self.width = self.area / self.height
        self.area_adc = sa.area_adc * n
        self.area_accum = sa.area_accum * n + self.adder_tree.area
        self.area_other = sa.area_other * n + self.buffer_input.area + self.buffer_output.area
        self.area_array = sa.area_array * n
        return Footprint(self.area, self.height, self.width)

    def _adder_tree_cost(self, nv: int, rows: int, clk_freq: float, clock_pass: bool) -> tuple[float, float]:
        """Adder-tree (latency, energy) of accumulating the sub-array rows; records the leakage state."""
        p = self.ctx.p
        units = math.ceil(rows / p.chip.array.rows)
        self._adder_tree_units = units
        if clock_pass:
            return 0.0, 0.0
        num_read = divide_int(nv, p.chip.precision.input_bits) * math.ceil(divide_int(p.cols_muxed, p.cols_per_weight))
        return self.adder_tree.latency(num_read, units, 0, clk_freq), self.adder_tree.energy(num_read, units)

    # ------------------------------------------------------------------------------------------ evaluate
    def evaluate(
        self,
        weights: np.ndarray,
        inputs: np.ndarray,
        block: Block,
        clk_freq: float,
        clock_pass: bool = False,
        with_adc: bool = True,
    ) -> Cost:
        """NeuroSim ProcessingUnitCalculatePerformance for a block of cell digits (or conductances) and its input bit
        matrix. In the clock pass only `clk_period` is meaningful; the main pass returns every cost. Without
        `with_adc` (for a caller that takes it from the read statistics), eNVM reads leave out the ADC energy."""
        block = Block(*(int(v) for v in block))
        args = (block, clk_freq, clock_pass)
        if self.column_model.weight_independent or clock_pass or not with_adc:
            # SRAM cells, the clock pass of any cell, and eNVM reads without the ADC energy: the costs see the weights
            # only through their shape
            return by_shape(self, weights, inputs, args, with_adc)
        stats = self.reader.read_stats(weights, inputs, block)
        return plus_adc_energy(self, weights, inputs, args, self.reader.adc_energy(stats))

    def _leakage_state(self) -> tuple:
        return (self._adder_tree_units,)

    def _set_leakage_state(self, state: tuple) -> None:
        (self._adder_tree_units,) = state

    def _evaluate(
        self,
        weights: np.ndarray,
        inputs: np.ndarray,
        block: Block,
        clk_freq: float,
        clock_pass: bool,
        with_adc: bool = True,
    ) -> Cost:
        rows, cols, nv = block.rows, block.cols, block.num_vectors
        dup = block.dup_row * block.dup_col
        strips, col_period = self.reader.read_layout(rows, cols, block.dup_row, block.dup_col)
        one_block = col_period is None  # the whole matrix sits in one sub-array: no adder tree
        per_block_tree = dup > 1 and not one_block  # duplicated: every block adds its own adder-tree pass
        if clock_pass:
            if not one_block and (strips or not per_block_tree):
                self._adder_tree_cost(nv, rows, clk_freq, clock_pass)  # records the leakage state
            return Cost(clk_period=max((self.reader.strip_period(inputs, s, nv) for s in strips), default=0.0))
        blocks = self.reader.block_sums(weights, inputs, strips, nv, clk_freq, col_period, with_adc)
        acc = Cost()
        if one_block:
            sums = dict(zip(_SUMS, blocks[0].tolist(), strict=True))
            acc = Cost(**sums).latency_divided(dup)
        elif per_block_tree:
            if len(blocks):
                acc = combine_blocks(blocks, self._adder_tree_cost(nv, rows, clk_freq, clock_pass))
            acc = acc.latency_divided(dup)
        else:
            if len(blocks):
                acc = combine_blocks(blocks, None)
            acc = acc.plus(Part.ACCUMULATION, *self._adder_tree_cost(nv, rows, clk_freq, clock_pass))
        return self._finish(acc, rows, cols, nv, clk_freq)

    def _finish(self, acc: Cost, rows: int, cols: int, nv: int, clk_freq: float) -> Cost:
        """Add the PE buffers and buses (main pass) and the leakage."""
        key = (rows, cols, nv, clk_freq, self._adder_tree_units)
        if key not in self._periphery_memo:  # a pure function of the key
            self._periphery_memo[key] = self._periphery(rows, cols, nv, clk_freq)
        buffer_latency, buffer_energy, ic_latency, ic_energy, leakage, n = self._periphery_memo[key]
        sync = (
            self.ctx.p.chip.interconnect.sync_data_transfer
        )  # the chip times the data movement (both latencies are 0 then)
        acc = acc.plus(Part.BUFFER, 0.0 if sync else buffer_latency, buffer_energy)
        acc = acc.plus(Part.INTERCONNECT, 0.0 if sync else ic_latency, ic_energy)
        return acc.updated(leakage=leakage, leakage_sram_in_use=self.subarray.leakage_sram_in_use * n)

    def _v21_buffers(self, rows: int, out_words: int, nv: int, clk_freq: float) -> tuple[float, float]:
        """(latency, energy J) of the PE's input and output DFF buffers as NeuroSim V2.1 counts their accesses:
        input: one read per input vector and row of sub-arrays, output: one per vector of numbers; energy: one
        access per input word (output bit), each clocking every DFF and passing one bit per vector (vector of
        numbers) through."""
        p, b_in, b_out = self.ctx.p, self.buffer_input, self.buffer_output
        latency = b_in.latency(nv * math.ceil(rows / p.chip.array.rows), clk_freq)
        latency += b_out.latency(divide_int(nv, p.chip.precision.input_bits), clk_freq)
        energy = b_in.energy(rows, nv, False)
        energy += b_out.energy(
            out_words * self.adder_tree.num_adder_bit, divide_int(nv, p.chip.precision.input_bits), False
        )
        return latency, energy

    def _periphery(self, rows: int, cols: int, nv: int, clk_freq: float) -> tuple:
        """(buffer latency, buffer energy, interconnect latency, interconnect energy, leakage, sub-arrays walked)."""
        p = self.ctx.p
        tree, b_in, b_out, bus_in, bus_out = (
            self.adder_tree,
            self.buffer_input,
            self.buffer_output,
            self.bus_input,
            self.bus_output,
        )
        bits_in = rows * nv
        out_words = divide_int(cols, p.cols_per_weight)
        if p.quirk("v21_pe_buffer_access_counts"):
            buffer_latency, buffer_energy = self._v21_buffers(rows, out_words, nv, clk_freq)
        else:
            reads_in = divide_int(bits_in, b_in.num_dff)
            reads_out = divide_int(
                divide_int(out_words * tree.num_adder_bit * nv, p.chip.precision.input_bits), b_out.num_dff
            )
            buffer_latency = b_in.latency(reads_in, clk_freq) + b_out.latency(reads_out, clk_freq)
            buffer_energy = b_in.energy(reads_in, b_in.num_dff, False)
            buffer_energy += b_out.energy(reads_out, b_out.num_dff, False)
        bus_in_reads = bits_in / bus_in.bus_width
        out_width = bus_out.num_row * bus_out.bus_width
        if p.quirk("v21_pe_bus_carries_adc_bits"):  # V2.1: an ADC code per output (sequential: a row count)
            code = math.log2(p.chip.adc.levels) if p.parallel_read else math.log2(p.chip.array.rows) + p.cell_bits - 1
            bus_out_reads = out_words * code * nv / p.chip.precision.input_bits / out_width
        else:
            word = tree.num_stage + tree.num_adder_bit
            bus_out_reads = divide_int(out_words * word * nv, p.chip.precision.input_bits) / out_width
        ic_latency = bus_in.latency(bus_in_reads, clk_freq) + bus_out.latency(bus_out_reads, clk_freq)
        ic_energy = bus_in.energy(bus_in.bus_width, bus_in_reads, True) + bus_out.energy(
            out_width, bus_out_reads, False
        )
        if p.chip.interconnect.sync_data_transfer:
            buffer_latency = 0.0  # accounted in the interconnect
        if p.chip.clock.synchronous:
            ic_latency = 0.0
        n = self.grid[0] * self.grid[1]
        tree_leakage = 0.0 if self._adder_tree_units is None else tree.leakage_for(self._adder_tree_units)
        buses = bus_in.leakage_for(bus_in.bus_width) + bus_out.leakage_for(out_width)
        if p.quirk("v21_no_wire_leakage"):
            buses = 0.0
        leakage = self.subarray.leakage * n + tree_leakage + b_in.leakage + b_out.leakage + buses
        return buffer_latency, buffer_energy, ic_latency, ic_energy, leakage, n
