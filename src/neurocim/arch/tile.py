"""Tile: processing elements with their accumulation adder tree, tile buffers, H-tree and optional activation."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurocim.arch.block_mapping import copy_pe_array, copy_pe_input
from neurocim.arch.envm_read import PeReadStats, memoised_with, stacked_read_stats
from neurocim.arch.memo import InputMemo
from neurocim.arch.pe import ProcessingElement
from neurocim.arch.pe_common import ShapeMemoised, UnitResult, divide_int, subarray_output_bits
from neurocim.arch.tile_periphery import _ENERGY, _LAT, TilePeriphery, TileResult
from neurocim.arch.tile_visits import Gathering, PeVisit, TilePlan, tile_plan
from neurocim.circuits.adder_tree import AdderTree
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.htree import HTree

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


class Tile(TilePeriphery, ShapeMemoised):
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
    ) -> None:
        """`dtype`: precision of the trace-dependent read pass (see ProcessingElement)."""
        p = ctx.p
        self.ctx, self.novel, self.clk_freq = ctx, novel, clk_freq
        self.num_pe, self.pe_size = num_pe, pe_size
        num_subarray = math.ceil(pe_size / p.num_row_sub_array) * math.ceil(pe_size / p.num_col_sub_array)
        side = math.ceil(math.sqrt(num_subarray))
        grid = (math.ceil(pe_size / p.num_row_sub_array), math.ceil(pe_size / p.num_col_sub_array))
        self.pe = ProcessingElement(ctx, subarray, side, side, novel, clk_freq, grid=grid, dtype=dtype)
        # NeuroSim: the PE output width adds sqrt (not log2) of the sub-array count
        tree_bits = math.sqrt(num_subarray) if p.quirk("pe_output_bits_sqrt") else math.log2(num_subarray)
        pe_out_bits = subarray_output_bits(p) + math.ceil(tree_bits)
        trees = pe_size / p.num_col_muxed if novel else num_pe * pe_size / p.num_col_muxed
        self.accumulation = AdderTree(ctx, int(num_pe), pe_out_bits, math.ceil(trees))
        self.relu = self.sigmoid = None
        self._build_buffers(pe_out_bits)
        grid = math.ceil(math.sqrt(num_pe)) if novel else int(num_pe)
        self.htree = HTree(ctx, grid, grid, p.local_bus_delay_tolerance, num_pe * pe_size)
        # NeuroSim keeps the accumulation tree's leakage from its last evaluation (0 before the first)
        self._accumulation_units: int | None = None
        self._eval_memo = InputMemo()
        self.area = self.height = self.width = 0.0
        self.area_parts = TileArea(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)

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
        activation = 0.0
        if self.relu is not None:
            activation = self.relu.layout(0.0, side * pe.width, Layout.NONE).area
        elif self.sigmoid is not None:
            activation = self.sigmoid.layout(0.0, side * pe.width, Layout.NONE).area
        in_area = self.input_buffer.layout(side * pe.height, 0.0, Layout.NONE).area * self.num_in_core
        out_area = self.output_buffer.layout(0.0, side * pe.width, Layout.NONE).area * self.num_out_core
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
        self,
        weights: np.ndarray,
        inputs: np.ndarray,
        novel: bool,
        num_pe: float,
        pe_size: float,
        speed_up_row: int,
        speed_up_col: int,
        weight_matrix_row: int,
        weight_matrix_col: int,
        num_in_vector: int,
        clk_freq: float,
        clock_pass: bool,
    ) -> TileResult:
        """NeuroSim TileCalculatePerformance for a tile's conductance block and input bit matrix.

        `novel`, `num_pe` and `pe_size` restate the tile's kind (as the original passes them) and must match it.
        `num_in_vector` counts bit-vectors. In the clock pass only `clk_period` is meaningful.
        """
        if bool(novel) != self.novel or num_pe != self.num_pe or pe_size != self.pe_size:
            raise ValueError(
                f"tile is novel={self.novel}, {self.num_pe} PEs of {self.pe_size}; "
                f"got novel={novel}, {num_pe} PEs of {pe_size}"
            )
        args = (speed_up_row, speed_up_col, weight_matrix_row, weight_matrix_col, num_in_vector, clk_freq, clock_pass)
        if self.pe.column_model.weight_independent or clock_pass:
            # SRAM cells, and the clock pass of any cell: the costs see the weights only through their shape
            return self._by_shape(weights, inputs, args)
        rows, cols, nv = int(weight_matrix_row), int(weight_matrix_col), int(num_in_vector)
        plan = self._plan(int(speed_up_row), int(speed_up_col), rows, cols)
        return self._plus_fit_adc(
            weights, inputs, args, self.pe.adc_energy(self._read_stats(weights, inputs, plan, nv))
        )

    def _plan(self, speed_up_row: int, speed_up_col: int, rows: int, cols: int) -> TilePlan:
        """The PE results this tile gathers for a rows x cols matrix (tile_visits.tile_plan)."""
        repeat = self.ctx.p.quirk("grid_pe_repeats_previous")
        return tile_plan(self.novel, self.num_pe, self.pe_size, speed_up_row, speed_up_col, rows, cols, repeat)

    def _read_stats(self, weights, inputs, plan: TilePlan, nv: int) -> PeReadStats | None:
        """The ADC-fit sums of every PE result the tile gathers (see ProcessingElement.read_stats), kept with
        read-only trace arrays; None without them."""
        pe, key = self.pe, self.pe.read_key()
        if key is None or nv <= 0:
            return None

        def compute() -> PeReadStats | None:
            found = [
                pe.read_stats(*_visit_arrays(weights, inputs, v, nv), v.dup_row, v.dup_col, v.rows, v.cols, nv)
                for v in plan.visits
                if v is not None
            ]
            return None if not found or None in found else stacked_read_stats(found)

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
        speed_up_row: int,
        speed_up_col: int,
        weight_matrix_row: int,
        weight_matrix_col: int,
        num_in_vector: int,
        clk_freq: float,
        clock_pass: bool,
        with_adc: bool = True,
    ) -> TileResult:
        rows, cols, nv = int(weight_matrix_row), int(weight_matrix_col), int(num_in_vector)
        speed_up_row, speed_up_col = int(speed_up_row), int(speed_up_col)
        plan = self._plan(speed_up_row, speed_up_col, rows, cols)
        acc = dict.fromkeys(_LAT + _ENERGY + ("clk_period",), 0.0)
        last = UnitResult()
        for k, visit in enumerate(plan.visits):
            if visit is None:  # a PE holding no weights
                continue
            if k == 0 or visit != plan.visits[k - 1]:
                last = self._run_pe(weights, inputs, visit, nv, clk_freq, clock_pass, with_adc)
            self._gather(acc, last)
        if plan.gathering is Gathering.FULL:
            for k in _LAT:
                acc[k] /= self.num_pe * self.num_pe
        elif plan.gathering is Gathering.DUPLICATED:
            for k in _LAT:
                acc[k] /= speed_up_row * speed_up_col
            if math.ceil(rows / self.pe_size) > 1:
                self._accumulate(acc, math.ceil(rows / self.pe_size), nv, clk_freq, clock_pass, exact_ceil=True)
        elif plan.gathering is Gathering.GRID:
            self._accumulate(acc, self.num_pe, nv, clk_freq, clock_pass, exact_ceil=True)
        if clock_pass:
            return TileResult(clk_period=acc["clk_period"])
        return self._finish(acc, last, rows, cols, nv, speed_up_row * speed_up_col, clk_freq)

    def _run_pe(
        self, weights, inputs, visit: PeVisit, nv: int, clk_freq: float, clock_pass: bool, with_adc: bool
    ) -> UnitResult:
        args = (visit.dup_row, visit.dup_col, visit.rows, visit.cols, nv, clk_freq, clock_pass)
        return self.pe.evaluate(*_visit_arrays(weights, inputs, visit, nv), *args, with_adc=with_adc)

    @staticmethod
    def _gather(acc: dict, r: UnitResult) -> None:
        """PEs work in parallel: latencies are maxima, energies sums."""
        for k in _LAT:
            acc[k] = max(getattr(r, k), acc[k])
        for k in _ENERGY:
            acc[k] += getattr(r, k)
        acc["clk_period"] = max(acc["clk_period"], r.clk_period)

    def _accumulate(self, acc: dict, units: int, nv: int, clk_freq: float, clock_pass: bool, exact_ceil: bool):
        """Add the tile accumulation tree over `units` PE outputs; records its leakage state."""
        p = self.ctx.p
        self._accumulation_units = int(units)
        if clock_pass:
            return
        per_window = (
            math.ceil(p.num_col_muxed / p.num_col_per_synapse)
            if exact_ceil
            else divide_int(p.num_col_muxed, p.num_col_per_synapse)
        )
        num_read = divide_int(nv, p.num_bit_input) * per_window
        t = self.accumulation.latency(num_read, int(units), 0, clk_freq)
        if not p.sync_data_transfer:
            acc["latency"] += t
            acc["latency_accum"] += t
        e = self.accumulation.energy(num_read, int(units))
        acc["energy"] += e
        acc["energy_accum"] += e


def _visit_arrays(weights: np.ndarray, inputs: np.ndarray, visit: PeVisit, nv: int) -> tuple[np.ndarray, np.ndarray]:
    """(weight block, input rows of its first nv bit-vectors) a PE evaluation reads."""
    w = copy_pe_array(weights, visit.row, visit.col, visit.rows, visit.cols)
    return w, copy_pe_input(inputs, visit.row, nv, visit.rows)
