"""Tile: processing elements with their accumulation adder tree, tile buffers, H-tree and optional activation."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurocim.arch.block_mapping import copy_pe_array, copy_pe_input
from neurocim.arch.memo import InputMemo
from neurocim.arch.pe import ProcessingElement
from neurocim.arch.pe_common import UnitResult, divide_int, subarray_output_bits
from neurocim.arch.tile_periphery import _ENERGY, _LAT, TilePeriphery, TileResult
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


class Tile(TilePeriphery):
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
        # NeuroSim quirk: the PE output width adds sqrt (not log2) of the sub-array count
        pe_out_bits = subarray_output_bits(p) + math.ceil(math.sqrt(num_subarray))
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
        if not (self.pe.column_model.weight_independent or clock_pass):
            return self._evaluate(weights, inputs, *args)
        # SRAM cells, and the clock pass of any cell: the costs see the weights only through their shape, so the
        # tiles of a row band, which read the same (read-only) inputs, cost the same; the leakage state NeuroSim
        # carries from one evaluation to the next travels with the result.
        return self._eval_memo.by_weight_shape(
            self._evaluate, weights, inputs, args, self._leakage_state, self._set_leakage_state
        )

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
    ) -> TileResult:
        rows, cols, nv = int(weight_matrix_row), int(weight_matrix_col), int(num_in_vector)
        speed_up_row, speed_up_col = int(speed_up_row), int(speed_up_col)
        if self.novel:
            acc, last = self._novel_pes(weights, inputs, rows, cols, nv, clk_freq, clock_pass)
        else:
            acc, last = self._conventional_pes(
                weights, inputs, speed_up_row, speed_up_col, rows, cols, nv, clk_freq, clock_pass
            )
        if clock_pass:
            return TileResult(clk_period=acc["clk_period"])
        return self._finish(acc, last, rows, cols, nv, speed_up_row * speed_up_col, clk_freq)

    def _run_pe(
        self,
        weights,
        inputs,
        row: int,
        col: int,
        num_row: int,
        num_col: int,
        dup: tuple[int, int],
        nv: int,
        clk_freq: float,
        clock_pass: bool,
    ) -> UnitResult:
        w = copy_pe_array(weights, row, col, num_row, num_col)
        x = copy_pe_input(inputs, row, nv, num_row)
        return self.pe.evaluate(w, x, dup[0], dup[1], num_row, num_col, nv, clk_freq, clock_pass)

    def _grid_pe(self, weights, inputs, i: int, j: int, rows: int, cols: int, *args) -> UnitResult:
        """PE (i, j) of the conventional grid with the part of the matrix it holds (no duplication)."""
        size = self.pe_size
        num_row, num_col = int(min(size, rows - i * size)), int(min(size, cols - j * size))
        return self._run_pe(weights, inputs, int(i * size), int(j * size), num_row, num_col, (1, 1), *args)

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

    def _conventional_pes(self, weights, inputs, su_row, su_col, rows, cols, nv, clk_freq, clock_pass):
        n, size = self.num_pe, self.pe_size
        acc = dict.fromkeys(_LAT + _ENERGY + ("clk_period",), 0.0)
        last = UnitResult()
        if su_row * su_col > 1 and su_row >= n and su_col >= n:
            # every PE holds the whole tile matrix ("full" duplication)
            dup = (math.ceil(su_row / n), math.ceil(su_col / n))
            last = self._run_pe(weights, inputs, 0, 0, rows, cols, dup, nv, clk_freq, clock_pass)
            for k in _LAT:
                acc[k] = getattr(last, k) / (n * n)
            for k in _ENERGY:
                acc[k] = getattr(last, k)
            acc["clk_period"] = last.clk_period
        elif su_row * su_col > 1:
            for i in range(math.ceil(rows / size)):
                for j in range(math.ceil(cols / size)):
                    if i * size < rows and j * size < cols:
                        last = self._grid_pe(weights, inputs, i, j, rows, cols, nv, clk_freq, clock_pass)
                        self._gather(acc, last)
            for k in _LAT:
                acc[k] /= su_row * su_col
            if math.ceil(rows / size) > 1:
                self._accumulate(acc, math.ceil(rows / size), nv, clk_freq, clock_pass, exact_ceil=True)
        else:
            for i in range(int(n)):
                for j in range(int(n)):
                    if i * size < rows and j * size < cols:
                        last = self._grid_pe(weights, inputs, i, j, rows, cols, nv, clk_freq, clock_pass)
                    # NeuroSim quirk: PEs outside the matrix re-add the previous PE's latency and energy
                    self._gather(acc, last)
            self._accumulate(acc, n, nv, clk_freq, clock_pass, exact_ceil=True)
        return acc, last

    def _novel_pes(self, weights, inputs, rows, cols, nv, clk_freq, clock_pass):
        n, size = self.num_pe, self.pe_size
        acc = dict.fromkeys(_LAT + _ENERGY + ("clk_period",), 0.0)
        last = UnitResult()
        per_pe = int(rows / n)
        for i in range(int(n)):
            location = int(i * min(size, int(rows) / n))
            last = self._run_pe(weights, inputs, location, 0, per_pe, cols, (1, 1), nv, clk_freq, clock_pass)
            self._gather(acc, last)
        return acc, last
