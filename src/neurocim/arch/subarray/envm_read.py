"""Trace part of parallel eNVM reads: per sub-array, the statistics of the column resistances an ADC reads."""

# A column converter's trace-dependent energy is a function of the column resistance R; its sum over every vector and
# column of a sub-array follows from the statistics the converter asks for (`ReadStatistic`): per-piece sums of R or
# ln R for a piecewise lin/log fit (exact), or a log-spaced histogram of R for any other energy. The ADC bits, clock
# and the rest of the chip only change the function. These statistics are kept in the prepared workload's cache, so a
# sweep over such settings reuses them, and the column resistances are never stored.

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurocim.arch.subarray.block_stats import distinct_vectors
from neurocim.arch.subarray.column_model import ColumnModel, conductance_and_range
from neurocim.circuits.adc.converter import ColumnStats, ReadStatistic
from neurocim.circuits.adc.piecewise_fit import PiecewiseSums
from neurocim.circuits.adc.resistance_histogram import ResistanceHistogram
from neurocim.workload.cache import ValueMemo, owner_memo, position_key
from neurocim.workload.derived import OwnerMemo

# The column statistics of a PE's (or a tile's) blocks: what a configuration's ADC energy of them is computed from.
PeReadStats = ColumnStats
# (memo kept with the inputs' owner, inputs' value key, weights' value key, weights' owner, the cache's read layouts)
TraceSlot = tuple[OwnerMemo, tuple, tuple, np.ndarray, ValueMemo]


@dataclass(frozen=True)
class StripReadStats:
    """The bit-vectors of a strip and the statistics of the column resistances of its sub-arrays (column blocks),
    over the vectors with at least one active row."""

    num_vectors: float  # bit-vectors
    idle_weight: float  # bit-vectors with no active row (every column reads R = inf)
    pieces: PiecewiseSums | None = None  # one group per column block
    histogram: ResistanceHistogram | None = None  # over the column blocks


Strip = tuple[int, int, tuple[tuple[int, int], ...]]  # (first row, rows, column blocks [(start, width)])


def strip_read_stats(
    weights: np.ndarray,
    inputs: np.ndarray,
    model: ColumnModel,
    model_key: tuple,
    col_blocks: list[tuple[int, int]],
    col_period: int | None,
    dtype: type[np.floating],
    statistic: ReadStatistic,
    slot: TraceSlot | None = None,
) -> StripReadStats | None:
    """StripReadStats of a strip (cell digits or conductances, rows x columns; inputs rows x bit-vectors) for
    the column blocks [(start, width)], as `statistic` asks; None if some resistance is not positive and finite.
    Memoised with inputs and weights a workload cache owns, for the configurations that share them (`slot`: their
    _trace_memo where the caller has it)."""
    slot = slot or _trace_memo(weights, inputs)
    if slot is None:
        return _compute(weights, inputs, model, col_blocks, col_period, dtype, statistic)
    memo, x_key, w_key, w_owner, layouts = slot
    key = ("envm_read", model_key, tuple(col_blocks), col_period, np.dtype(dtype).str, statistic)

    def compute() -> StripReadStats | None:
        band = _band(weights, w_owner, w_key[1], col_blocks, col_period)
        if band is None:
            return _compute(weights, inputs, model, col_blocks, col_period, dtype, statistic, layouts)
        rows, first, stop, num_strips = band  # the strip is one of num_strips alike strips of its row band
        found = _band_compute(rows, inputs, model, col_blocks, col_period, dtype, statistic, num_strips, layouts)
        own = first // stop  # this strip's place in its band
        for k, stats in enumerate(found):
            if k != own:  # strip k starts at element w_key[1] + (k - own) * stop of the owner
                memo.put((x_key, (w_key[0], w_key[1] + (k - own) * stop, *w_key[2:]), *key), stats)
        return found[own]

    return memo.get((x_key, w_key, *key), compute)


def _band(
    weights: np.ndarray, owner: np.ndarray, offset: int, col_blocks: list[tuple[int, int]], col_period: int | None
) -> tuple[np.ndarray, int, int, int] | None:
    """(the rows of the matrix that the strip `weights` (starting at element `offset` of `owner`) takes, its first
    column, columns, strips) when the strip is one of the strips of full-width, period-aligned blocks that tile those
    rows of its C-contiguous owner (the matrix's memory); else None."""
    stop, item = weights.shape[1], weights.itemsize
    if (
        weights.ndim != 2
        or not owner.flags.c_contiguous
        or weights.strides[1] != item
        or weights.strides[0] % item
        or not col_period
        or list(col_blocks) != [(c, col_period) for c in range(0, stop, col_period)]
    ):
        return None
    row_length = weights.strides[0] // item
    if owner.size % row_length or row_length % stop:
        return None
    row, first = divmod(offset, row_length)
    if first % stop:
        return None
    return owner.reshape(-1, row_length)[row : row + weights.shape[0]], first, stop, row_length // stop


def _band_compute(
    rows: np.ndarray, inputs, model, col_blocks, col_period, dtype, statistic, num_strips: int, layouts: ValueMemo
) -> list[StripReadStats | None]:
    """_compute of every strip of a row band at once (one read pass, strip after strip): the sums of strip by strip,
    to rounding, with the work outside the pass done once."""
    stop = rows.shape[1] // num_strips
    blocks = [(k * stop + start, width) for k in range(num_strips) for start, width in col_blocks]
    found = _read_sums(rows, inputs, model, blocks, col_period, dtype, statistic, layouts)
    n = len(col_blocks)
    return [found(slice(k * n, (k + 1) * n)) for k in range(num_strips)]


def _trace_memo(weights: np.ndarray, inputs: np.ndarray) -> TraceSlot | None:
    """(the memo kept with the inputs' owner, the inputs' and the weights' value keys, the weights' owner, the read
    layouts of the inputs' cache) for inputs and weights a workload cache owns; None otherwise."""
    x_found, w_found = owner_memo(inputs), position_key(weights)
    if x_found is None or w_found is None:
        return None
    (cache, memo, x_key), (w_owner, w_key) = x_found, w_found
    return memo, x_key, w_key, w_owner, cache.read_layouts


def _row_view_key(key: tuple, view: np.ndarray, row: int, row_stride: int) -> tuple | None:
    """The value key (position_key's) of `view`, the slice [row : ..., :stop] of the array of value key `key` and
    byte row stride row_stride; None where the stride is not whole elements."""
    step, rest = divmod(row_stride, view.itemsize)
    if rest:
        return None
    first_row = row if view.shape[0] else 0  # numpy starts an empty slice at the first element
    return key[0], key[1] + first_row * step, view.shape, view.strides, view.dtype.str


def _strip_slot(slot: TraceSlot, weights: np.ndarray, inputs: np.ndarray, row: int, w: np.ndarray, x: np.ndarray):
    """The _trace_memo of w = weights[row : ..., :stop] and x = inputs[row : ..., :vectors] from that of weights and
    inputs (slot), without walking to their owners again; None where it cannot be told so."""
    memo, x_key, w_key, w_owner, layouts = slot
    w_sub = _row_view_key(w_key, w, row, weights.strides[0])
    x_sub = _row_view_key(x_key, x, row, inputs.strides[0])
    return None if w_sub is None or x_sub is None else (memo, x_sub, w_sub, w_owner, layouts)


def _memoised(slot: TraceSlot, key: tuple, compute: Callable[[], Any]) -> Any:
    memo, x_key, w_key = slot[:3]
    return memo.get((x_key, w_key, *key), compute)


def memoised_with(weights: np.ndarray, inputs: np.ndarray, key: tuple, compute: Callable[[], Any]) -> Any:
    """compute(), kept with inputs and weights a workload cache owns under `key` and their value keys, so that the
    configurations of a sweep that share them reuse it; always computed for other arrays."""
    slot = _trace_memo(weights, inputs)
    return compute() if slot is None else _memoised(slot, key, compute)


def pe_read_stats(
    weights: np.ndarray,
    inputs: np.ndarray,
    strips: tuple[Strip, ...],
    num_vectors: int,
    model: ColumnModel,
    model_key: tuple,
    col_period: int | None,
    dtype: type[np.floating],
    statistic: ReadStatistic,
) -> PeReadStats | None:
    """PeReadStats of a PE's row strips (inputs: first `num_vectors` bit-vectors); None if a strip has none.
    Memoised with owned inputs and weights, like strip_read_stats."""
    key = ("pe_read", strips, num_vectors, model_key, col_period, np.dtype(dtype).str, statistic)
    slot = _trace_memo(weights, inputs)

    def compute() -> PeReadStats | None:
        return _pe_stats(weights, inputs, strips, num_vectors, model, model_key, col_period, dtype, statistic, slot)

    return compute() if slot is None else _memoised(slot, key, compute)


def _pe_stats(
    weights, inputs, strips, num_vectors, model, model_key, col_period, dtype, statistic, slot: TraceSlot | None
) -> PeReadStats | None:
    found = []
    for row, num_row, col_blocks in strips:
        stop = max(c + n for c, n in col_blocks)
        w, x = weights[row : row + num_row, :stop], inputs[row : row + num_row, :num_vectors]
        sub = None if slot is None else _strip_slot(slot, weights, inputs, row, w, x)
        stats = strip_read_stats(w, x, model, model_key, list(col_blocks), col_period, dtype, statistic, sub)
        if stats is None:
            return None
        found.append(stats)
    columns = [sum(n for _, n in blocks) for _, _, blocks in strips]
    return ColumnStats.stacked(
        [
            ColumnStats(c * (st.num_vectors - st.idle_weight), c * st.idle_weight, st.pieces, st.histogram)
            for c, st in zip(columns, found, strict=True)
        ]
    )


def stacked_read_stats(parts: list[PeReadStats]) -> PeReadStats:
    """The PeReadStats of several PE evaluations together (a tile's), their blocks one after the other."""
    return ColumnStats.stacked(parts)


def _compute(
    weights, inputs, model, col_blocks, col_period, dtype, statistic, layouts: ValueMemo | None = None
) -> StripReadStats | None:
    stop = max(s + w for s, w in col_blocks)
    blocks = list(col_blocks)
    return _read_sums(weights[:, :stop], inputs, model, blocks, col_period, dtype, statistic, layouts)(slice(None))


def _read_sums(
    weights, inputs, model, blocks, col_period, dtype, statistic: ReadStatistic, layouts: ValueMemo | None = None
) -> Callable[[slice], StripReadStats | None]:
    """The read pass over the columns of `blocks` [(start, width)] of weights (cell digits or conductances, rows x
    columns): a function giving the StripReadStats of a run of the blocks, None where a resistance of theirs is not
    positive and finite. Without resistance statistics to collect, only the vectors are counted."""
    dv = distinct_vectors(inputs, weights.shape[0])
    packed, counts, idle = dv.conducting
    num_vectors = dv.read_totals[0]
    if not statistic.reads_resistances:
        return lambda part: StripReadStats(num_vectors, idle)
    from neurocim.arch.subarray.read_kernel import block_read_sums  # compiled on first use

    g_eff, g_range = conductance_and_range(weights, model, col_period, dtype)
    num_add = float(model.num_add)
    breaks, kinds, bins = statistic.breaks, statistic.kinds, statistic.bins_per_octave
    found = block_read_sums(packed, counts, g_eff, blocks, num_add, breaks, kinds, bins, g_range, layouts)
    valid = ((found.g_low > 0) & np.isfinite(found.g_high) & ~found.outside).tolist()  # a strip's check: a slice
    with np.errstate(divide="ignore"):
        x_min = (dtype(num_add) / found.g_high.astype(dtype)).astype(np.float64)
        x_max = (dtype(num_add) / found.g_low.astype(dtype)).astype(np.float64)

    def stats(part: slice) -> StripReadStats | None:
        if not all(valid[part]):
            return None
        pieces = histogram = None
        if kinds:
            pieces = PiecewiseSums(breaks, kinds, found.weight[part], found.total[part], x_min[part], x_max[part])
        if bins:
            count, total = found.hist_count[part].sum(axis=0), found.hist_total[part].sum(axis=0)
            histogram = ResistanceHistogram(bins, found.hist_first, count, total).trimmed()
        return StripReadStats(num_vectors, idle, pieces, histogram)

    return stats
