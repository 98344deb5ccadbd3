"""Sub-array block reads of a PE: row strips, SRAM cost tables, eNVM reads from ADC-fit sums, and their caches."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from neurocim.arch.block_mapping import copy_sub_input
from neurocim.arch.block_stats import VectorStats, iter_vector_stats, sram_row_count_stats
from neurocim.arch.envm_read import idle_column_energy, pe_read_stats, strip_read_stats
from neurocim.arch.memo import MEMO_SIZE, array_identity, derived
from neurocim.arch.pe_common import _SUMS

_ADC_ENERGY_COLUMNS = [_SUMS.index("energy"), _SUMS.index("energy_adc")]  # where a block's ADC energy adds up


@lru_cache(maxsize=256)
def _strip_layout(rows: int, cols: int, num_i: int, num_j: int, s_r: int, s_c: int) -> tuple:
    """(first row, rows, column blocks) of the row strips of a rows x cols matrix on num_i x num_j sub-arrays of
    s_r x s_c that hold data."""
    strips = []
    for i in range(num_i):
        if i * s_r >= rows:
            continue
        blocks = tuple((j * s_c, min(s_c, cols - j * s_c)) for j in range(num_j) if j * s_c < cols)
        if blocks:
            strips.append((i * s_r, min(s_r, rows - i * s_r), blocks))
    return tuple(strips)


class PeReads:
    """Part of ProcessingElement (its base): the summed read costs of the sub-array blocks that hold data. Uses the
    PE's state (ctx, sub-array, column model, energy fit, caches)."""

    def _sensing_latency(self, inputs: np.ndarray) -> float:
        """Longest sensing-cycle latency over a block's bit-vectors (clock pass).

        V1.4's sensing cycle does not depend on the input vector (SubArray.sensing_latency), so the longest
        one is that latency whenever the block has a vector."""
        return self.subarray.sensing_latency() if inputs.shape[1] > 0 else 0.0

    def _read(self, stats: VectorStats, clk_freq: float) -> np.ndarray:
        """Sub-array read costs summed over the chunk's bit-vectors, as an array in _SUMS order.

        Reads are pure. With SRAM cells and 0/1 inputs a vector's costs depend only on its active-row count
        (`row_key`), so the per-vector costs are kept in a table per block width and clock and every block
        is a weighted sum of table rows.
        """
        if stats.row_key is None:
            r = self.subarray.read(
                stats.activity, stats.column_resistance, clk_freq, self.level_output, counts=stats.counts
            )
            return np.array([getattr(r, k) for k in _SUMS])
        return stats.counts @ self._sram_table(stats.column_resistance.shape[1], clk_freq)[stats.row_key]

    def _sram_table(self, width: int, clk_freq: float) -> np.ndarray:
        """Read costs (_SUMS) of one SRAM vector of `width` columns for every active-row count 0..rows."""
        table = self._read_cache.get((width, clk_freq))
        if table is None:
            every = sram_row_count_stats(self.column_model, width)
            table = self.subarray.vector_reads(every.activity, every.column_resistance, clk_freq, self.level_output)
            self._read_cache[(width, clk_freq)] = table
        return table

    def _strip(
        self, weights, inputs, row: int, num_row: int, col_blocks, nv: int, clk_freq: float, col_period: int | None
    ) -> list[np.ndarray]:
        """Summed read costs of the blocks (row..row+num_row) x col_blocks [(start, width)] of one row strip."""
        stop = max(c + n for c, n in col_blocks)
        w = weights[row : row + num_row, :stop]
        x = copy_sub_input(inputs, row, nv, num_row)
        if self._energy_fit is not None and x.shape[1] > 0:
            fast = self._strip_from_sums(w, x, col_blocks, clk_freq, col_period)
            if fast is not None:
                return fast
        sums = [np.zeros(len(_SUMS)) for _ in col_blocks]
        for chunk in self._vector_stats(w, x, col_period):
            by_width: dict[int, np.ndarray] = {}  # SRAM (row_key): a block's read depends only on its width
            for k, (c, n) in enumerate(col_blocks):
                if chunk.row_key is None:
                    sums[k] += self._read(chunk.columns(c, c + n), clk_freq)
                    continue
                if n not in by_width:
                    by_width[n] = chunk.counts @ self._sram_table(n, clk_freq)[chunk.row_key]
                sums[k] += by_width[n]
        return sums

    def _strip_from_sums(self, w, x, col_blocks, clk_freq: float, col_period: int | None) -> list[np.ndarray] | None:
        """Parallel eNVM reads with a folded flash-ADC fit: the ADC energy of every block from the fit's sums over
        its column resistances (envm_read); None where those cannot give it (the caller reads element-wise)."""
        fit = self._energy_fit
        stats = strip_read_stats(w, x, self.column_model, self._model_key, col_blocks, col_period, self.dtype, fit)
        static = None if stats is None else fit.sum_over(stats.sums)
        if static is None:
            return None
        adc = self.subarray.mode.adc.converter
        n_vectors = float(stats.counts.sum())
        e_idle = idle_column_energy(adc)
        # everything but the ADC depends on the vectors only: read once without it, then add each block's ADC energy
        base = self._base_read(stats, clk_freq)
        out = []
        for k, (_, n) in enumerate(col_blocks):
            total = static[k] + stats.idle_weight * n * e_idle + adc.column_switching_energy * n * n_vectors
            block = base.copy()
            block[_ADC_ENERGY_COLUMNS] += total * self.subarray.num_add
            out.append(block)
        return out

    def _base_read(self, stats, clk_freq: float) -> np.ndarray:
        """Read costs (_SUMS) of a strip's vectors without the ADC energy. They depend on the inputs only, so the
        strips of a row band (which share their distinct-vector record, hence its `counts`) share them."""
        key = (id(stats.counts), clk_freq)
        hit = self._base_reads.get(key)
        if hit is None or hit[0] is not stats.counts:
            if len(self._base_reads) >= MEMO_SIZE:
                self._base_reads.clear()
            r = self.subarray.read(
                stats.activity, None, clk_freq, self.level_output, counts=stats.counts, adc_energy=0.0
            )
            hit = self._base_reads[key] = (stats.counts, np.array([getattr(r, k) for k in _SUMS]))
        return hit[1]

    def _vector_stats(self, w: np.ndarray, x: np.ndarray, col_period: int | None):
        """iter_vector_stats of a strip. SRAM statistics (a few numbers per distinct active-row count) are kept
        with read-only input data, so every configuration of a sweep reuses them."""
        model = self.column_model
        owner, x_key = array_identity(x) if model.weight_independent else (x, None)
        if owner.flags.writeable:
            return iter_vector_stats(w, x, model, col_period=col_period, dtype=self.dtype)
        key = ("sram_stats", x_key, w.shape[1], self._model_key)
        memo = derived(owner)
        if key not in memo:
            memo[key] = list(iter_vector_stats(w, x, model, col_period=col_period, dtype=self.dtype))
        return memo[key]

    def _strips(self, rows: int, cols: int, num_i: int, num_j: int) -> tuple:
        """(first row, rows, column blocks [(start, width)]) of every row strip of sub-arrays holding data."""
        p = self.ctx.p
        return _strip_layout(rows, cols, num_i, num_j, p.num_row_sub_array, p.num_col_sub_array)

    def _blocks(
        self, weights, inputs, rows: int, cols: int, nv: int, clk_freq: float, clock_pass: bool, num_i: int, num_j: int
    ):
        """Yield (clock period, summed read costs) of every sub-array block holding data, row by row."""
        s_c = self.ctx.p.num_col_sub_array
        for row, num_row, col_blocks in self._strips(rows, cols, num_i, num_j):
            if clock_pass:
                period = self._sensing_latency(copy_sub_input(inputs, row, nv, num_row)) if nv > 0 else 0.0
                for _ in col_blocks:
                    yield period, None
            else:
                for sums in self._strip(weights, inputs, row, num_row, list(col_blocks), nv, clk_freq, s_c):
                    yield 0.0, sums

    def _block_sums(
        self, weights, inputs, rows: int, cols: int, nv: int, clk_freq: float, num_i: int, num_j: int
    ) -> np.ndarray:
        """Summed read costs (blocks x _SUMS) of every sub-array block holding data, row by row (main pass).
        Parallel eNVM reads with a folded flash-ADC fit take every block's ADC energy in one pass over the PE's
        stacked fit sums (envm_read.pe_read_stats)."""
        if self._energy_fit is not None and nv > 0:
            strips = self._strips(rows, cols, num_i, num_j)
            fast = self._pe_from_sums(weights, inputs, strips, nv, clk_freq) if strips else None
            if fast is not None:
                return fast
        blocks = [sums for _, sums in self._blocks(weights, inputs, rows, cols, nv, clk_freq, False, num_i, num_j)]
        return np.array(blocks).reshape(len(blocks), len(_SUMS))

    def _pe_from_sums(self, weights, inputs, strips: tuple, nv: int, clk_freq: float) -> np.ndarray | None:
        """_block_sums from the fit sums of every strip; None where they cannot give it."""
        fit = self._energy_fit
        pack = pe_read_stats(
            weights,
            inputs,
            strips,
            nv,
            self.column_model,
            self._model_key,
            self.ctx.p.num_col_sub_array,
            self.dtype,
            fit,
        )
        static = None if pack is None else fit.sum_over(pack.sums)
        if static is None:
            return None
        adc = self.subarray.mode.adc.converter
        # the same arithmetic, in the same order, as _strip_from_sums does block by block
        total = static + pack.idle_weight * pack.widths * idle_column_energy(adc)
        total = total + adc.column_switching_energy * pack.widths * pack.num_vectors
        base = np.array([self._base_read(stats, clk_freq) for stats in pack.strips])
        blocks = base[pack.block_strip]
        blocks[:, _ADC_ENERGY_COLUMNS] += (total * self.subarray.num_add)[:, None]
        return blocks
