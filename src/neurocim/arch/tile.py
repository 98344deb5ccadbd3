"""Tile: processing elements with their accumulation adder tree, tile buffers, H-tree and optional activation."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from neurocim.arch.cost import Cost, Part
from neurocim.arch.memo import InputMemo
from neurocim.arch.pe import ProcessingElement
from neurocim.arch.pe_common import Block, by_shape, divide_int, plus_adc_energy, subarray_output_bits
from neurocim.arch.subarray.envm_read import PeReadStats, memoised_with, stacked_read_stats
from neurocim.arch.tile_periphery import TilePeriphery
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.adder_tree import AdderTree
from neurocim.circuits.wires.htree import HTree
from neurocim.mapping.blocks import copy_pe_array, copy_pe_input
from neurocim.mapping.tile_visits import Gathering, PeVisit, TilePlan, tile_plan

HTREE_FOLDED_RATIO = 16  # NeuroSim lays the tile H-tree out with this fold


@dataclass(frozen=True)
class TileArea:
    """Tile area (m^2) and the parts NeuroSim reports (the parts exclude the PEs' empty space)."""

    area: float
    ic: float
    adc: float
    accumulation: float
    other: float
    array: float


class Tile:
    """NeuroSim V1.4 tile of one kind: novel mapping (`num_pe` PEs in total) or conventional (`num_pe` per side)."""

    def __init__(
        self,
        ctx: CircuitContext,
        subarray,
        novel: bool,
        num_pe: float,
        pe_size: float,
        clk_freq: float,
        *,
        dtype: type[np.floating] = np.float64,
        buffer_cores: tuple[int, int] | None = None,
        pe_ctx: CircuitContext | None = None,
    ) -> None:
        """`dtype`: precision of the trace-dependent read pass (see ProcessingElement); `buffer_cores`: (input,
        output) buffer core counts to use instead of this tile's own (NeuroSim V2.1's shared counts); `pe_ctx`: the
        context the PE reads (default: the tile's), e.g. the same settings through their own recorder."""
        p = ctx.p
        self.ctx, self.novel, self.clk_freq = ctx, novel, clk_freq
        self.num_pe, self.pe_size = num_pe, pe_size
        num_subarray = math.ceil(pe_size / p.chip.array.rows) * math.ceil(pe_size / p.chip.array.cols)
        side = math.ceil(math.sqrt(num_subarray))
        grid = (math.ceil(pe_size / p.chip.array.rows), math.ceil(pe_size / p.chip.array.cols))
        self.pe = ProcessingElement(pe_ctx or ctx, subarray, side, side, novel, clk_freq, grid=grid, dtype=dtype)
        # NeuroSim: the PE output width adds sqrt (not log2) of the sub-array count
        tree_bits = math.sqrt(num_subarray) if p.quirk("pe_output_bits_sqrt") else math.log2(num_subarray)
        if p.quirk("v21_adder_widths"):  # V2.1: sub-arrays along one side of the PE
            tree_bits = math.log2(pe_size / p.chip.array.rows)
        pe_out_bits = subarray_output_bits(p) + math.ceil(tree_bits)
        trees = pe_size / p.cols_muxed if novel else num_pe * pe_size / p.cols_muxed
        if p.quirk("v21_tile_accumulation_trees"):  # V2.1: one sub-array's muxed columns per PE
            trees = num_pe * p.chip.array.cols / p.cols_muxed
        self.accumulation = AdderTree(ctx, int(num_pe), pe_out_bits, math.ceil(trees))
        self.periphery = TilePeriphery(ctx, novel, num_pe, pe_size, clk_freq, pe_out_bits)
        if buffer_cores is not None:
            self.periphery.num_in_core, self.periphery.num_out_core = buffer_cores
        side = math.ceil(math.sqrt(num_pe)) if novel else int(num_pe)
        # NeuroSim V2.1: the tile's tree carries one sub-array's rows per PE column of the grid
        bus = side * p.chip.array.rows if p.quirk("v21_tile_bus_width") else num_pe * pe_size
        self.htree = HTree(ctx, side, side, p.chip.interconnect.local_delay_tolerance, bus)
        # NeuroSim keeps the accumulation tree's leakage from its last evaluation (0 before the first)
        self._accumulation_units: int | None = None
        self._eval_memo = InputMemo()
        self._plans: dict[tuple[int, int, int, int], TilePlan] = {}  # by speed-up and block shape
        self.area = self.height = self.width = 0.0
        self.area_parts = TileArea(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)

    def construction_key(self) -> tuple:
        """What this tile was built from besides its settings and sub-array: tiles with equal keys, settings read
        and sub-arrays give equal evaluations."""
        cores = (self.periphery.num_in_core, self.periphery.num_out_core)
        return (self.novel, self.num_pe, self.pe_size, self.clk_freq, cores, self.pe.construction_key())

    def evaluations(self) -> dict[tuple, tuple]:
        """A copy of the memoised evaluations (see InputMemo.entries)."""
        return self._eval_memo.entries()

    def seed(self, evaluations: dict[tuple, tuple]) -> None:
        """Take the memoised evaluations of a tile with the same construction key and settings read."""
        self._eval_memo.seed(evaluations)

    def memoised(self, inputs: np.ndarray, key: tuple, compute: Callable[[], Cost], clock_pass: bool = False) -> Cost:
        """compute(), a run of this tile's evaluations over owned `inputs` fixed by `key` (a value), memoised with
        this tile's evaluations and the leakage state it starts from (then the state it leaves is set). A run of the
        clock pass reads the PEs' sensing and this tile's geometry only: it is kept with the PE's evaluations, which
        tiles of other peripheries (buffers, activation, clock ...) over the same PE share."""
        if clock_pass:
            memo, key = self.pe._eval_memo, ("tile clock pass", self.novel, self.num_pe, self.pe_size, key)
        else:
            memo = self._eval_memo
        return memo.call(inputs, key, compute, self._leakage_state, self._set_leakage_state)

    def reset_state(self) -> None:
        """Back to the state after construction: no leakage state carried from an evaluation, no memoised
        evaluations (they hold the inputs they were keyed on)."""
        self._accumulation_units = None
        self._eval_memo.clear()
        self.pe.reset_state()

    # ----------------------------------------------------------------------------------------------- area
    @property
    def _num_pe_total(self) -> float:
        return self.num_pe if self.novel else self.num_pe**2

    def layout(self) -> TileArea:
        """Tile area (NeuroSim TileCalculateArea): PEs + accumulation + buffer cores + H-tree (+ activation); square."""
        pe = self.pe
        pe.layout()
        n, side = self._num_pe_total, math.ceil(math.sqrt(self._num_pe_total))
        self.accumulation.layout(0.0, side * pe.width, Layout.NONE)
        activation, in_area, out_area = self.periphery.layout(side * pe.height, side * pe.width)
        self.htree.layout(pe.height, pe.width, HTREE_FOLDED_RATIO)
        self.area = activation + (pe.area * n + self.accumulation.area + in_area + out_area + self.htree.area)
        self.height = math.sqrt(self.area)
        self.width = self.area / self.height
        self.area_parts = TileArea(
            area=self.area,
            ic=self.htree.area,
            adc=pe.area_adc * n,
            accumulation=pe.area_accum * n + self.accumulation.area,
            other=pe.area_other * n + in_area + out_area + activation,
            array=pe.area_array * n,
        )
        return self.area_parts

    # ------------------------------------------------------------------------------------------ evaluate
    def evaluate(
        self, weights: np.ndarray, inputs: np.ndarray, block: Block, clk_freq: float, clock_pass: bool = False
    ) -> Cost:
        """NeuroSim TileCalculatePerformance for a tile's block of cell digits (or conductances) and its input bit
        matrix; the block's duplication is the layer's speed-up. In the clock pass only `clk_period` is meaningful."""
        block = Block(*(int(v) for v in block))
        args = (block, clk_freq, clock_pass)
        if clock_pass:  # the costs see the weights only through their shape
            compute = partial(self._evaluate, weights, inputs, *args)
            return self.memoised(inputs, (weights.shape, args), compute, clock_pass=True)
        if self.pe.column_model.weight_independent:  # SRAM cells: the costs see the weights only through their shape
            return by_shape(self, weights, inputs, args)
        plan = self._plan(block.dup_row, block.dup_col, block.rows, block.cols)
        adc = self.pe.reader.adc_energy(self._read_stats(weights, inputs, plan, block.num_vectors))
        return plus_adc_energy(self, weights, inputs, args, adc)

    def _plan(self, speed_up_row: int, speed_up_col: int, rows: int, cols: int) -> TilePlan:
        """The PE results this tile gathers for a rows x cols matrix (tile_visits.tile_plan)."""
        key = (speed_up_row, speed_up_col, rows, cols)
        if key not in self._plans:
            repeat = self.ctx.p.quirk("grid_pe_repeats_previous")
            plan = tile_plan(self.novel, self.num_pe, self.pe_size, speed_up_row, speed_up_col, rows, cols, repeat)
            self._plans[key] = plan
        return self._plans[key]

    def _read_stats(self, weights, inputs, plan: TilePlan, nv: int) -> PeReadStats | None:
        """The ADC-fit sums of every PE result the tile gathers (see ProcessingElement.read_stats), kept with
        read-only trace arrays; None without them."""
        pe, key = self.pe, self.pe.reader.read_key()
        if key is None or nv <= 0:
            return None

        def compute() -> PeReadStats | None:
            found = [
                pe.reader.read_stats(*_visit_arrays(weights, inputs, v, nv), Block(v.rows, v.cols, nv, *v[4:]))
                for v in plan.visits
                if v is not None
            ]
            complete = [stats for stats in found if stats is not None]
            return stacked_read_stats(complete) if complete and len(complete) == len(found) else None

        return memoised_with(weights, inputs, ("tile_read", plan.visits, nv, key), compute)

    def _leakage_state(self) -> tuple:
        return (self._accumulation_units, *self.pe._leakage_state())

    def _set_leakage_state(self, state: tuple) -> None:
        self._accumulation_units = state[0]
        self.pe._set_leakage_state(state[1:])

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
        speed_up_row, speed_up_col = block.dup_row, block.dup_col
        plan = self._plan(speed_up_row, speed_up_col, rows, cols)
        gathered, last = [], Cost()
        for k, visit in enumerate(plan.visits):
            if visit is None:  # a PE holding no weights
                continue
            if k == 0 or visit != plan.visits[k - 1]:
                last = self._run_pe(weights, inputs, visit, nv, clk_freq, clock_pass, with_adc)
            gathered.append(last)
        acc = self.gather(Cost.parallel(gathered), plan.gathering, block, clk_freq, clock_pass)
        if clock_pass:
            return Cost(clk_period=acc.clk_period)
        return self._finish(acc, last, rows, cols, nv, speed_up_row * speed_up_col, clk_freq)

    def gather(self, acc: Cost, gathering: Gathering, block: Block, clk_freq: float, clock_pass: bool = False) -> Cost:
        """acc, the PE results of a tile pass side by side, shared by the PE copies and summed across PEs as
        `gathering` asks (the novel mapping's speed-up and accumulation come after, in the tile's finish)."""
        rows, nv = block.rows, block.num_vectors
        if gathering is Gathering.FULL:
            acc = acc.latency_divided(self.num_pe * self.num_pe)
        elif gathering is Gathering.DUPLICATED:
            acc = acc.latency_divided(block.dup_row * block.dup_col)
            if math.ceil(rows / self.pe_size) > 1:
                acc = self._accumulate(acc, math.ceil(rows / self.pe_size), nv, clk_freq, clock_pass, exact_ceil=True)
        elif gathering is Gathering.GRID:
            acc = self._accumulate(acc, int(self.num_pe), nv, clk_freq, clock_pass, exact_ceil=True)
        return acc

    def _run_pe(
        self, weights, inputs, visit: PeVisit, nv: int, clk_freq: float, clock_pass: bool, with_adc: bool
    ) -> Cost:
        block, block_inputs = _visit_arrays(weights, inputs, visit, nv)
        work = Block(visit.rows, visit.cols, nv, visit.dup_row, visit.dup_col)
        return self.pe.evaluate(block, block_inputs, work, clk_freq, clock_pass, with_adc=with_adc)

    def _finish(self, acc: Cost, last: Cost, rows: int, cols: int, nv: int, speed_up: int, clk_freq: float) -> Cost:
        """Speed-up, accumulation, activation, tile buffers and H-tree of the main pass, and the leakage."""
        n = self.num_pe
        if self.novel:
            acc = self._accumulate(acc.latency_divided(speed_up), int(n), nv, clk_freq, False, exact_ceil=False)
            bits_out = max(rows * nv / math.sqrt(n), 0)
            in_pass = self.periphery.buffer_pass(True, bits_out, self.htree.bus_width)
            acc, bits_in = self.periphery.activation(acc, self.accumulation, cols, nv, clk_freq)
        else:
            acc, bits_in = self.periphery.activation(acc, self.accumulation, cols, nv, clk_freq)
            bits_out = max(rows * nv, 0)
            in_pass = self.periphery.buffer_pass(True, bits_out, self.htree.bus_width)
        acc = self.plus_transfers(acc, in_pass, bits_out, bits_in, clk_freq)
        pe_count = n if self.novel else n * n
        units = self._accumulation_units
        accumulation_leakage = 0.0 if units is None else self.accumulation.leakage_for(units)
        tree_leakage = 0.0 if self.ctx.p.quirk("v21_no_wire_leakage") else self.htree.leakage
        leakage = last.leakage * pe_count + accumulation_leakage + self.periphery.leakage + tree_leakage
        return acc.updated(leakage=leakage, leakage_sram_in_use=last.leakage_sram_in_use * pe_count, clk_period=0.0)

    def plus_transfers(
        self, acc: Cost, in_pass: tuple[float, float, float, float], bits_out: float, bits_in: float, clk_freq: float
    ) -> Cost:
        """acc followed by the tile's data movement: `in_pass` through the input buffer (periphery.buffer_pass),
        `bits_in` through the output buffer, both over the H-tree."""
        p, pe, tree = self.ctx.p, self.pe, self.htree
        out_pass = self.periphery.buffer_pass(False, bits_in, tree.bus_width)
        in_rd, in_wr, in_re, in_we = in_pass
        out_rd, out_wr, out_re, out_we = out_pass
        t_tree = tree.latency(pe.height, pe.width, (bits_out + bits_in) / tree.bus_width, clk_freq)
        e_tree = tree.energy(
            pe.height,
            pe.width,
            tree.bus_width,
            (bits_out * p.input_toggle + bits_in * p.output_toggle) / tree.bus_width,
        )
        sync = p.chip.interconnect.sync_data_transfer  # synchronous transfer: the chip times the data movement
        acc = acc.plus(Part.BUFFER, 0.0 if sync else in_rd + in_wr, in_re + in_we)
        acc = acc.plus(Part.BUFFER, 0.0 if sync else out_rd + out_wr, out_re + out_we)
        return acc.plus(Part.INTERCONNECT, 0.0 if sync else t_tree, e_tree)

    def _accumulate(self, acc: Cost, units: int, nv: int, clk_freq: float, clock_pass: bool, exact_ceil: bool) -> Cost:
        """acc followed by the tile accumulation tree over `units` PE outputs; records its leakage state."""
        p = self.ctx.p
        self._accumulation_units = int(units)
        if clock_pass:
            return acc
        exact_ceil = exact_ceil and not p.quirk("v21_tile_accumulation_truncated_reads")
        per_window = (
            math.ceil(p.cols_muxed / p.cols_per_weight) if exact_ceil else divide_int(p.cols_muxed, p.cols_per_weight)
        )
        num_read = divide_int(nv, p.chip.precision.input_bits) * per_window
        t = (
            0.0
            if p.chip.interconnect.sync_data_transfer
            else self.accumulation.latency(num_read, int(units), 0, clk_freq)
        )
        return acc.plus(Part.ACCUMULATION, t, self.accumulation.energy(num_read, int(units)))


def _visit_arrays(weights: np.ndarray, inputs: np.ndarray, visit: PeVisit, nv: int) -> tuple[np.ndarray, np.ndarray]:
    """(weight block, input rows of its first nv bit-vectors) a PE evaluation reads."""
    w = copy_pe_array(weights, visit.row, visit.col, visit.rows, visit.cols)
    return w, copy_pe_input(inputs, visit.row, nv, visit.rows)
