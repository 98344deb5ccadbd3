"""Sub-array block reads of a PE: row strips, SRAM cost tables, eNVM reads from column statistics, and caches."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from neurocim.arch.pe_common import _SUMS, Block
from neurocim.arch.subarray.block_stats import (
    SramRowCounts,
    VectorStats,
    distinct_vectors,
    iter_vector_stats,
    sram_column_resistances,
    sram_row_count_stats,
    sram_row_counts,
    sram_stats,
)
from neurocim.arch.subarray.column_model import ColumnModel
from neurocim.arch.subarray.envm_read import PeReadStats, pe_read_stats
from neurocim.arch.subarray.subarray import SubArray
from neurocim.arch.subarray.subarray_parallel import ParallelArray
from neurocim.circuits.adc.converter import ReadStatistic
from neurocim.circuits.context import CircuitContext
from neurocim.mapping.blocks import copy_sub_input
from neurocim.mapping.layer_mapping import Strip, sub_array_strips
from neurocim.workload.cache import ValueMemo, owner_memo, position_key, read_only

SUMS_KEPT = 4096  # full block sums a reader keeps (a few blocks x 8 floats each; emptied when full)


class PeReader:
    """The reads of a PE's sub-array blocks that hold data: their summed costs, row strips, the column statistics its
    ADC asks for, and the per-vector cost tables kept between evaluations. `grid` is the (rows, cols) of sub-arrays
    the PE walks."""

    def __init__(
        self, ctx: CircuitContext, subarray: SubArray, grid: tuple[int, int], dtype: type[np.floating]
    ) -> None:
        p = ctx.p
        self.ctx, self.subarray, self.grid, self.dtype = ctx, subarray, grid, dtype
        self.column_model = ColumnModel.from_context(ctx, subarray.res_cell_access)
        self._model_key = dataclasses.astuple(self.column_model)  # hashes faster than the dataclass
        self.adc_levels = p.read_levels
        # parallel eNVM reads take the ADC energy from the column statistics its converter asks for
        self._read_statistic: ReadStatistic | None = None
        # (V2.1's per-read conversion time needs every vector's columns: those blocks are read element-wise)
        mode = subarray.mode
        if not self.column_model.weight_independent and isinstance(mode, ParallelArray) and mode.read_timing is None:
            converter = mode.adc.converter
            self._read_statistic = None if converter is None else converter.read_statistic()
        self._read_cache: dict[tuple, Any] = {}  # per-vector cost tables (SRAM) and lines (eNVM), by clock
        self._strip_cache: dict[tuple[int, int, int, int], tuple[Strip, ...]] = {}  # block strips, by block and grid
        self._sums_cache = ValueMemo(SUMS_KEPT)  # full block sums of owned arrays, by their value keys

    def _read(self, stats: VectorStats, clk_freq: float) -> np.ndarray:
        """Sub-array read costs summed over the chunk's bit-vectors, as an array in _SUMS order.

        Reads are pure. With SRAM cells and 0/1 inputs a vector's costs depend only on its active-row count
        (`row_key`), so the per-vector costs are kept in a table per block width and clock and every block
        is a weighted sum of table rows.
        """
        if stats.row_key is None:
            r = self.subarray.read(
                stats.activity, stats.column_resistance, clk_freq, self.adc_levels, counts=stats.counts
            )
            return np.array([getattr(r, k) for k in _SUMS])
        width = stats.column_resistance.shape[1]
        return stats.counts @ self._sram_table(width, clk_freq, stats.block_rows)[stats.row_key]

    def _sram_table(self, width: int, clk_freq: float, block_rows: int) -> np.ndarray:
        """Read costs (_SUMS) of one SRAM vector of `width` columns for every active-row count 0..rows, in a block of
        `block_rows` rows (the activity's denominator where the column model counts over the block)."""
        key = (width, clk_freq, self.column_model.activity_rows(block_rows))
        table = self._read_cache.get(key)
        if table is None:
            every = sram_row_count_stats(self.column_model, width, block_rows)
            table = self.subarray.vector_reads(every.activity, every.column_resistance, clk_freq, self.adc_levels)
            self._read_cache[key] = table
        return table

    def _strip(
        self, weights, inputs, row: int, num_row: int, col_blocks, nv: int, clk_freq: float, col_period: int | None
    ) -> list[np.ndarray]:
        """Summed read costs of the blocks (row..row+num_row) x col_blocks [(start, width)] of one row strip."""
        stop = max(c + n for c, n in col_blocks)
        w = weights[row : row + num_row, :stop]
        x = copy_sub_input(inputs, row, nv, num_row)
        model = self.column_model
        kept = self._sram_row_counts(w, x) if model.weight_independent else None
        row_key = None if kept is None else kept.row_key(model)
        if kept is not None and row_key is not None:
            found = self._by_row_count(kept.counts, row_key, col_blocks, clk_freq, num_row)
            return [np.zeros(len(_SUMS)) + block_sums for block_sums in found]  # fresh arrays, summed as below
        if kept is not None:
            chunks: Iterable[VectorStats] = [sram_stats(kept, stop, model, self._sram_resistances(kept.rows))]
        else:
            chunks = iter_vector_stats(w, x, model, col_period=col_period, dtype=self.dtype)
        sums = [np.zeros(len(_SUMS)) for _ in col_blocks]
        for chunk in chunks:
            if chunk.row_key is not None:
                found = self._by_row_count(chunk.counts, chunk.row_key, col_blocks, clk_freq, num_row)
            else:
                found = [self._read(chunk.columns(c, c + n), clk_freq) for c, n in col_blocks]
            for k, block_sums in enumerate(found):
                sums[k] += block_sums
        return sums

    def _by_row_count(
        self, counts: np.ndarray, active: np.ndarray, col_blocks, clk_freq: float, block_rows: int
    ) -> list[np.ndarray]:
        """Summed read costs of every block of SRAM vectors (counts of each count of active rows, `active`): a
        vector's read depends on its active rows and the block's width only."""
        by_width: dict[int, np.ndarray] = {}
        for _, n in col_blocks:
            if n not in by_width:
                by_width[n] = counts @ self._sram_table(n, clk_freq, block_rows)[active]
        return [by_width[n] for _, n in col_blocks]

    def _reads_without_adc(self, weights, inputs, strips: tuple, nv: int, clk_freq: float) -> np.ndarray:
        """Read costs (strips x _SUMS) of every row strip's vectors without the ADC energy. With the ADC energy left
        out, a vector's costs depend on its count of read rows only, and in an affine way (checked once per clock):
        then they follow from each strip's bit-vectors and read rows in total, else from the counts vector by
        vector."""
        records = [
            distinct_vectors(copy_sub_input(inputs, row, nv, n), len(weights[row : row + n])) for row, n, _ in strips
        ]
        model = self.column_model
        denominators = np.array([model.activity_rows(len(weights[row : row + n])) for row, n, _ in strips], float)
        line = self._read_line(clk_freq)
        if line is not None:
            totals = np.array([r.read_totals for r in records])  # (strips, 2): bit-vectors, read rows over them
            at_zero, per_activity = line
            return totals[:, :1] * at_zero + (totals[:, 1:] / denominators[:, None]) * per_activity
        per_strip = [r.read_rows for r in records]
        rows_read = np.concatenate([rows for rows, _ in per_strip])
        if not len(rows_read):
            return np.zeros((len(strips), len(_SUMS)))
        activity = rows_read / np.repeat(denominators, [len(rows) for rows, _ in per_strip])
        costs = self.subarray.vector_reads(activity, None, clk_freq, self.adc_levels, adc_energy=0.0)
        costs *= np.concatenate([counts for _, counts in per_strip])[:, None]
        ends = np.cumsum([len(rows) for rows, _ in per_strip])
        return np.array(
            [costs[end - len(rows) : end].sum(axis=0) for end, (rows, _) in zip(ends, per_strip, strict=True)]
        )

    def _read_line(self, clk_freq: float) -> tuple[np.ndarray, np.ndarray] | None:
        """(costs of a vector with no read row, their change per unit of activity) without the ADC energy, when the
        costs are affine in the activity (checked at its midpoint); else None."""
        key = ("affine", clk_freq)
        if key not in self._read_cache:
            activity = np.array([0.0, 0.5, 1.0])
            at = self.subarray.vector_reads(activity, None, clk_freq, self.adc_levels, adc_energy=0.0)
            affine = np.allclose(at[1], (at[0] + at[2]) / 2, rtol=1e-9, atol=0.0)
            self._read_cache[key] = (at[0], at[2] - at[0]) if affine else None
        return self._read_cache[key]

    def read_stats(self, weights: np.ndarray, inputs: np.ndarray, block: Block) -> PeReadStats | None:
        """The column statistics of the blocks an evaluation reads, as the ADC asks for them (parallel eNVM reads);
        None without them."""
        statistic, nv = self._read_statistic, block.num_vectors
        if statistic is None or nv <= 0:
            return None
        # a block ends at the matrix edge, as the element-wise read's copies do (a visit may reach past it)
        rows, cols = min(block.rows, weights.shape[0]), min(block.cols, weights.shape[1])
        strips, col_period = self.read_layout(rows, cols, block.dup_row, block.dup_col)
        if not strips:
            return None
        model, key = self.column_model, self._model_key
        return pe_read_stats(weights, inputs, strips, nv, model, key, col_period, self.dtype, statistic)

    def read_key(self) -> tuple | None:
        """What read_stats depends on besides its arguments; None when it gives nothing (no column statistics)."""
        statistic, p = self._read_statistic, self.ctx.p
        if statistic is None:
            return None
        sizes = (self.grid, p.chip.array.rows, p.chip.array.cols)
        return (*sizes, self._model_key, np.dtype(self.dtype).str, statistic)

    def adc_energy(self, stats: PeReadStats | None) -> float | None:
        """ADC energy of the blocks behind `stats` from their column statistics; None where they cannot give it (the
        blocks are then read element-wise)."""
        adc = self.subarray.mode.adc
        converter = None if adc is None else adc.converter
        if stats is None or converter is None:  # read_stats gives statistics only where a converter asks for them
            return None
        static = converter.summed_static_energy(stats)
        if static is None:
            return None
        return (static + converter.column_switching_energy * stats.conversions) * self.subarray.num_add

    def read_layout(self, rows: int, cols: int, array_dup_row: int, array_dup_col: int) -> tuple[tuple, int | None]:
        """(row strips [(first row, rows, column blocks)], column period of the wires) the blocks are read in: the
        whole matrix as one block when it sits in one sub-array of a duplicated PE, else the sub-array grid."""
        p = self.ctx.p
        grid_row, grid_col = self.grid
        if array_dup_row * array_dup_col > 1:
            if not (array_dup_row < grid_row or array_dup_col < grid_col):
                return ((0, rows, ((0, cols),)),), None
            grid_row, grid_col = math.ceil(rows / p.chip.array.rows), math.ceil(cols / p.chip.array.cols)
        return self._strips(rows, cols, grid_row, grid_col), p.chip.array.cols

    def _sram_row_counts(self, w: np.ndarray, x: np.ndarray) -> SramRowCounts | None:
        """An SRAM strip's row counts (a few numbers per distinct count of active rows, whatever the chip), kept with
        inputs a workload cache owns: every configuration of a sweep reuses them, and a chip of another technology
        or cell only prices them again. None for inputs no cache owns (or none to count)."""
        rows, found = w.shape[0], owner_memo(x)
        if found is None or x.shape[1] == 0 or x.shape[0] < rows:
            return None
        _, memo, x_key = found
        return memo.get(("sram_row_counts", x_key, rows), lambda: sram_row_counts(x[:rows]))

    def _sram_resistances(self, rows: int) -> np.ndarray:
        """sram_column_resistances for blocks of `rows` rows, kept."""
        found = self._read_cache.get(("sram_resistances", rows))
        if found is None:
            found = self._read_cache[("sram_resistances", rows)] = sram_column_resistances(rows, self.column_model)
        return found

    def _strips(self, rows: int, cols: int, num_i: int, num_j: int) -> tuple[Strip, ...]:
        """(first row, rows, column blocks [(start, width)]) of every row strip of sub-arrays holding data."""
        key = (rows, cols, num_i, num_j)
        if key not in self._strip_cache:
            sub_array = (self.ctx.p.chip.array.rows, self.ctx.p.chip.array.cols)
            self._strip_cache[key] = sub_array_strips(rows, cols, num_i, num_j, *sub_array)
        return self._strip_cache[key]

    def strip_period(self, inputs, strip: tuple, nv: int) -> float:
        """Clock pass: the longest sensing-cycle latency over a row strip's bit-vectors. V1.4's sensing cycle does not
        depend on the input vector (SubArray.sensing_latency), so it is that latency whenever the strip has one."""
        row, num_row, _ = strip
        has_vectors = nv > 0 and copy_sub_input(inputs, row, nv, num_row).shape[1] > 0
        return self.subarray.sensing_latency() if has_vectors else 0.0

    def block_sums(
        self, weights, inputs, strips: tuple, nv: int, clk_freq: float, col_period: int | None, with_adc: bool
    ) -> np.ndarray:
        """Summed read costs (blocks x _SUMS) of every sub-array block of the row strips, row by row (main pass).
        Without `with_adc`, parallel eNVM reads leave out the ADC energy (which the caller takes from the column
        statistics): the costs then depend on the inputs only."""
        if not with_adc and self._read_statistic is not None and nv > 0:
            reads = self._reads_without_adc(weights, inputs, strips, nv, clk_freq)
            per_strip = [len(col_blocks) for _, _, col_blocks in strips]
            return np.repeat(reads, per_strip, axis=0)
        w_key, x_key = position_key(weights), position_key(inputs)

        def compute() -> np.ndarray:
            blocks = [
                sums
                for row, num_row, col_blocks in strips
                for sums in self._strip(weights, inputs, row, num_row, list(col_blocks), nv, clk_freq, col_period)
            ]
            return read_only(np.array(blocks).reshape(len(blocks), len(_SUMS)))

        if w_key is None or x_key is None:
            return compute()
        return self._sums_cache.get((w_key[1], x_key[1], strips, nv, clk_freq, col_period), compute)
