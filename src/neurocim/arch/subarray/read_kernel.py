"""Compiled eNVM read pass: summed column conductances per distinct input vector and their ADC statistics."""

# numba compiles the pass (cached on disk after the first run) and runs the vectors of a part of the columns as tasks
# on its threads. A task first sums the conductances of every subset of every four rows (16 per group, each from a
# smaller one); a vector's column sums then add one of those per group with an active row (about 20 of 32 groups in
# real traces, where about 30 % of the rows are active: half the additions of adding the rows one by one, and the
# part's subset sums stay in the cache). Then every column block's resistances R = num_add / G are split at the fit's
# breaks: per piece the count, and the sum of R ('lin') or of ln R ('log', as the log of a product of clipped values
# scaled by a power of two, so that the product stays in range); and/or added to a log-spaced histogram (per bin the
# weight and the sum of R; the bin is the float's exponent and top mantissa bits).

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from neurocim.workload.cache import ValueMemo

# Reassociation lets the compiler vectorise the sums and products; no approximate division or NaN assumptions.
_FLAGS = {"reassoc", "nsz"}
_jit = numba.njit(nogil=True, cache=True, error_model="numpy", fastmath=_FLAGS, boundscheck=False)
LN2 = math.log(2.0)
# Products of scaled values stay within 2^+-this (float64 reaches 2^+-1022).
_PRODUCT_EXPONENT = 960.0


# The helpers below index a slice in a range(len) loop and compare values of one type: other spellings (iterating,
# offset indices, float32 against float64) keep the compiler from vectorising them.


@_jit
def pack_rows(mask, out):
    """OR the rows of a boolean (or 0/1) matrix into out's bytes, 8 rows a byte, the first row the highest bit: what
    np.packbits(mask, axis=0) gives, several times faster on row views (out: ceil(rows / 8) x columns, zeros)."""
    for r in range(mask.shape[0]):
        row, packed, shift = mask[r], out[r >> 3], 7 - (r & 7)
        for c in range(len(row)):
            packed[c] |= np.uint8(row[c]) << shift


@numba.njit(nogil=True, cache=True, error_model="numpy", boundscheck=False)
def pick_levels(digits, tables, low, out):
    """out[r, j] = tables[digits[r, j] - low, r, j % period] (the tables, levels x rows x period, and out as integers
    of the floats' bits), on one thread (a band's cells are a fraction of a millisecond of copying: waking threads
    costs more, and far more on a busy machine); with two levels by a bit mask. False if a digit lies outside the
    tables' levels."""
    stray = 0
    if tables.shape[0] == 2:
        flip = tables[0] ^ tables[1]
        for k in range(digits.shape[0]):
            stray |= _pick_two(digits[k], tables[0, k], flip[k], low, out[k])
    else:
        for k in range(digits.shape[0]):
            stray |= _pick_any(digits[k], tables[:, k], low, out[k])
    return not stray


@numba.njit(nogil=True, cache=True, error_model="numpy", boundscheck=False)
def digit_conductances(digits, cell_ohm, wires_ohm, low, out):
    """out[r, j] = 1 / (cell_ohm[digits[r, j] - low] + wires_ohm[r, j % period]) in float64, rounded to out's type
    (wires_ohm: rows x period), on one thread (a block's cells are a few microseconds of work). False if a digit
    lies outside cell_ohm's levels."""
    stray = 0
    for k in range(digits.shape[0]):
        stray |= _conduct_row(digits[k], cell_ohm, wires_ohm[k], low, out[k])
    return not stray


@numba.njit(nogil=True, cache=True, error_model="numpy", boundscheck=False)
def _conduct_row(digits, cells, wires, low, out):
    """One row of digit_conductances, in runs of the wires' period (exact IEEE arithmetic: no fast-math flags)."""
    stray, period, top = 0, len(wires), len(cells) - 1
    for first in range(0, len(digits), period):
        d, o = digits[first : first + period], out[first : first + period]
        for j in range(len(d)):
            level = np.int64(d[j]) - np.int64(low)
            stray |= (level < 0) | (level > top)
            o[j] = 1.0 / (cells[min(max(level, 0), top)] + wires[j])
    return stray


@_jit
def _pick_two(digits, base, flip, low, out):
    """out = base where digits == low, else base ^ flip, in runs of the tables' period."""
    stray, period = 0, len(base)
    for first in range(0, len(digits), period):
        d, o = digits[first : first + period], out[first : first + period]
        for j in range(len(d)):
            level = np.int64(d[j]) - np.int64(low)
            stray |= level & ~np.int64(1)  # not 0 unless the level is 0 or 1
            o[j] = base[j] ^ (flip[j] & -level)  # the mask is 0 or all ones
    return stray


@_jit
def _pick_any(digits, tables, low, out):
    """out = tables[digits - low] column by column, in runs of the tables' period (tables: levels x period)."""
    stray, period, top = 0, tables.shape[1], tables.shape[0] - 1
    for first in range(0, len(digits), period):
        d, o = digits[first : first + period], out[first : first + period]
        for j in range(len(d)):
            level = np.int64(d[j]) - np.int64(low)
            stray |= (level < 0) | (level > top)
            o[j] = tables[min(max(level, 0), top), j]
    return stray


@_jit
def _count_at_least(r, bound):
    n = 0
    for j in range(len(r)):
        n += r[j] >= bound
    return n


@_jit
def _sum_inside(r, low, high):
    s = 0.0
    for j in range(len(r)):
        x = r[j]
        s += np.float64(x) * ((x >= low) & (x < high))
    return s


@_jit
def _log_sum_clipped(r, low, high, scale, block):
    """Sum of ln(clip(r, low, high) * scale), a product of `block` values at a time."""
    s = 0.0
    for first in range(0, len(r), block):
        part = r[first : first + block]
        product = 1.0
        for j in range(len(part)):
            product *= np.float64(min(max(part[j], low), high)) * scale
        s += math.log(product)
    return s


@_jit
def _vector_sums(r, w, starts, widths, breaks, is_log, scale, log_scale, block, weight, total, above):
    """Add vector weight w times the fit sums of its resistances r to every block's row of weight and total."""
    n_breaks = len(breaks)
    edge = breaks.dtype.type(np.inf)
    for b in range(len(starts)):
        rb = r[starts[b] : starts[b] + widths[b]]
        above[0] = widths[b]
        for q in range(n_breaks):
            above[q + 1] = _count_at_least(rb, breaks[q])
        above[n_breaks + 1] = 0
        for p in range(n_breaks + 1):
            inside = above[p] - above[p + 1]
            if inside == 0:
                continue
            low = breaks[p - 1] if p > 0 else -edge
            high = breaks[p] if p < n_breaks else edge
            if is_log[p]:
                s = _log_sum_clipped(rb, low, high, scale[p], block[p]) - widths[b] * log_scale[p]
                if p > 0:
                    s -= (widths[b] - above[p]) * math.log(np.float64(low))
                if p < n_breaks:
                    s -= above[p + 1] * math.log(np.float64(high))
            else:
                s = _sum_inside(rb, low, high)
            weight[b, p] += w * inside
            total[b, p] += w * s


@_jit
def _vector_histogram(r, r_bits, w, starts, widths, shift, base, count, total):
    """Add vector weight w and w times its resistances r (r_bits: their bits as integers) to every block's row of
    count and total at bin (bits >> shift) - base; values outside the bins are added to the end bins (the caller
    finds them from the blocks' conductance bounds)."""
    last = count.shape[1] - 1
    for b in range(len(starts)):
        counts, totals = count[b], total[b]
        for j in range(starts[b], starts[b] + widths[b]):
            k = min(max((r_bits[j] >> shift) - base, 0), last)
            counts[k] += w
            totals[k] += w * np.float64(r[j])


@_jit
def _add_row(g, row):
    for j in range(len(g)):
        g[j] += row[j]


@_jit
def _set_sum(out, a, b):
    for j in range(len(out)):
        out[j] = a[j] + b[j]


@_jit
def _bit_position(power):
    """log2 of a power of two below 256."""
    return (power > 1) + (power > 2) + (power > 4) + (power > 8) + (power > 16) + (power > 32) + (power > 64)


@_jit
def _subset_sums(g_eff, first, table):
    """table[q, m]: the sum of rows 4q + i of g_eff (columns first to first + table.shape[2]) over the bits 3 - i set
    in m, built from the pattern without m's lowest bit; patterns of rows past the last are never read."""
    stop = first + table.shape[2]
    table[:, 0] = 0
    for q in range(table.shape[0]):
        for m in range(1, 16):
            low = m & -m
            row = 4 * q + 3 - _bit_position(low)  # the row of m's lowest bit
            if row < g_eff.shape[0]:
                _set_sum(table[q, m], table[q, m ^ low], g_eff[row][first:stop])


@_jit
def _add_active_rows(g, g_eff, first, packed):
    """g += the rows of g_eff (columns first to first + len(g)) whose bits are set in packed (8 rows a byte, the
    first row the highest bit), one by one."""
    stop = first + len(g)
    for b in range(len(packed)):
        bits = np.int64(packed[b])
        while bits:
            low = bits & -bits
            _add_row(g, g_eff[8 * b + 7 - _bit_position(low)][first:stop])
            bits ^= low


@_jit
def _add_subset_sums(g, table, packed):
    """g += the subset sum of every group of four rows with an active row (packed: 8 rows a byte, first row highest
    bit; table[group, nibble of its active rows])."""
    for b in range(len(packed)):
        high, low = packed[b] >> 4, packed[b] & 15
        if high:
            _add_row(g, table[2 * b, high])
        if low:
            _add_row(g, table[2 * b + 1, low])


@_jit
def _task_sums(packed, g_eff, first, cols, subsets, counts, num_add, starts, widths, breaks, is_log, scale,
               log_scale, block, weight, total, shift, base, h_count, h_total, g_low, g_high):  # fmt: skip
    """Add the fit sums of every vector (packed: vectors x bytes, its active rows 8 a byte, the first row the highest
    bit) over columns first to first + cols to weight and total (blocks x pieces; block starts within those
    columns) and its histogram to h_count and h_total (blocks x bins, where bins are asked for), and keep every
    block's smallest and largest summed conductance in g_low and g_high (as integers). With `subsets`, a vector's
    column sums add one subset sum per group of four rows with an active row; else its active rows one by one."""
    table = np.empty(((g_eff.shape[0] + 3) // 4 if subsets else 0, 16, cols), g_eff.dtype)
    if subsets:
        _subset_sums(g_eff, first, table)
    g = np.empty(cols, g_eff.dtype)
    g_bits = g.view(g_low.dtype)
    r = np.empty(cols, g_eff.dtype)
    r_bits = r.view(g_low.dtype)
    pieces, bins = weight.shape[1] > 0, h_count.shape[1] > 0
    above = np.empty(len(breaks) + 2, np.int64)
    col_low = np.full(cols, np.full(1, np.inf, g_eff.dtype).view(g_low.dtype)[0])
    col_high = np.zeros(cols, g_low.dtype)
    for v in range(packed.shape[0]):
        g[:] = 0
        if subsets:
            _add_subset_sums(g, table, packed[v])
        else:
            _add_active_rows(g, g_eff, first, packed[v])
        for j in range(cols):  # as integers: positive floats order like their bits, and integer min vectorises
            col_low[j] = min(col_low[j], g_bits[j])
            col_high[j] = max(col_high[j], g_bits[j])
            r[j] = num_add / g[j]
        if pieces:
            _vector_sums(r, counts[v], starts, widths, breaks, is_log, scale, log_scale, block, weight, total, above)
        if bins:
            _vector_histogram(r, r_bits, counts[v], starts, widths, shift, base, h_count, h_total)
    for b in range(len(starts)):
        for j in range(starts[b], starts[b] + widths[b]):
            g_low[b] = min(g_low[b], col_low[j])
            g_high[b] = max(g_high[b], col_high[j])


@numba.njit(parallel=True, nogil=True, cache=True, error_model="numpy", fastmath=_FLAGS, boundscheck=False)
def read_fit_sums(packed, g_eff, subsets, counts, num_add, tasks, part_tasks, parts, part_blocks, starts, widths,
                  breaks, is_log, scale, log_scale, block, weight, total, shift, base, h_count, h_total, g_low,
                  g_high):  # fmt: skip
    """_task_sums (with or without subset sums) of every task (part, first vector, stop vector) of `tasks`, on
    threads: the vectors over the part's columns (parts[part]: first column, columns) and its blocks
    part_blocks[part] to part_blocks[part + 1] (starts within the part), into the first rows of weight[t], total[t],
    h_count[t], h_total[t], g_low[t], g_high[t]. Then the histograms of a part's tasks (part_tasks[part]
    to part_tasks[part + 1]) are added, in task order, into its first task's."""
    for t in numba.prange(len(tasks)):
        part, first, stop = tasks[t, 0], tasks[t, 1], tasks[t, 2]
        b0, b1 = part_blocks[part], part_blocks[part + 1]
        n = b1 - b0
        _task_sums(packed[first:stop], g_eff, parts[part, 0], parts[part, 1], subsets, counts[first:stop], num_add,
                   starts[b0:b1], widths[b0:b1], breaks, is_log, scale, log_scale, block, weight[t, :n],
                   total[t, :n], shift, base, h_count[t, :n], h_total[t, :n], g_low[t, :n],
                   g_high[t, :n])  # fmt: skip
    if h_count.shape[2]:
        for q in numba.prange(len(part_tasks) - 1):
            first = part_tasks[q]
            for t in range(first + 1, part_tasks[q + 1]):
                for b in range(h_count.shape[1]):
                    _add_row(h_count[first, b], h_count[t, b])
                    _add_row(h_total[first, b], h_total[t, b])


# The columns are read in parts of whole blocks, at most PART_COLUMNS wide (or one wider block): a part's subset
# sums (four per row and column) stay in the cache. A part of more vectors x columns than SPLIT_VALUES runs as an
# even number of tasks of at most about TASK_VALUES each on numba's threads, which take equal shares of them;
# their sums are added in task order (the split does not depend on the threads). Every task builds its part's
# subset sums, a cost of about 20 vectors' reads, so passes of fewer than SUBSET_MIN_VECTORS vectors add the active
# rows one by one instead (the choice is per pass, so the task split does not change the rounding).
PART_COLUMNS = 256
SUBSET_MIN_VECTORS = 32
SPLIT_VALUES = 1 << 16
TASK_VALUES = 1 << 16


def _piece_scaling(breaks: tuple[float, ...], low_exp: int, high_exp: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scale, ln scale, values per product) of every piece for resistances within [2^low_exp, 2^high_exp]: clipped to
    the piece, values times the power-of-two scale lie within 2^+-e, and products of `block` of them within
    2^+-_PRODUCT_EXPONENT."""
    edges = [low_exp, *(math.log2(b) for b in breaks), high_exp]
    shifts, block = [], []
    for p in range(len(breaks) + 1):
        low, high = max(edges[p], low_exp), min(edges[p + 1], high_exp)
        if not low <= high:  # no value can lie in this piece
            low = high = low_exp
        shift = -round((low + high) / 2)
        shifts.append(shift)
        block.append(max(1, int(_PRODUCT_EXPONENT // (max(abs(low + shift), abs(high + shift)) + 1))))
    return 2.0 ** np.array(shifts, dtype=np.float64), np.array(shifts) * LN2, np.array(block, dtype=np.int64)


def _layout(blocks: tuple[tuple[int, int], ...], part_columns: int, breaks: tuple[float, ...], kinds: tuple[str, ...],
            dtype: str):  # fmt: skip
    """(parts: first column and columns of each, first block of every part and the end, block starts within their
    part, widths, breaks in dtype, is-log of every piece) as arrays. A part holds consecutive blocks and spans at
    most part_columns, or one wider block."""
    starts, widths = (np.array(a, dtype=np.int64) for a in zip(*blocks, strict=True))
    ends = starts + widths
    if (widths < 0).any() or (starts < 0).any() or (starts[1:] < ends[:-1]).any():
        raise ValueError(f"blocks must be (start >= 0, width >= 0) in column order without overlap, got {blocks}")
    parts: list[list[int]] = []
    part_of: list[int] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if parts and end - parts[-1][0] <= max(part_columns, parts[-1][1]):
            parts[-1][1] = end - parts[-1][0]
        else:
            parts.append([start, end - start])
        part_of.append(len(parts) - 1)
    parts_array = np.array(parts, dtype=np.int64).reshape(-1, 2)
    part_blocks = np.searchsorted(np.array(part_of), np.arange(len(parts) + 1))
    rel_starts = starts - parts_array[part_of, 0]
    is_log = np.array([k == "log" for k in kinds], dtype=np.bool_)
    return parts_array, part_blocks, rel_starts, widths, np.array(breaks, dtype=dtype), is_log


def _tasks(vectors: int, part_widths: tuple[int, ...], task_values: int) -> tuple[np.ndarray, np.ndarray]:
    """(part, first vector, stop vector) of every task, part after part, and the first task of every part."""
    tasks: list[tuple[int, int, int]] = []
    firsts: list[int] = []
    for part, width in enumerate(part_widths):
        values = vectors * width
        n = 1 if values <= SPLIT_VALUES else 2 * -(-values // (2 * task_values))
        bounds = vectors * np.arange(n + 1) // n
        firsts.append(len(tasks))
        tasks.extend((part, bounds[k], bounds[k + 1]) for k in range(n))
    return np.array(tasks, dtype=np.int64).reshape(-1, 3), np.array(firsts, dtype=np.int64)


# A histogram spans at most this many octaves of R (values beyond count as outside); bins at either end of the
# bounds on R take the rounding of the column sums.
HISTOGRAM_OCTAVES = 64
_HISTOGRAM_MARGIN = 2


def _histogram_grid(dtype: np.dtype, bins_per_octave: int, r_low: float, r_high: float) -> tuple[int, int, int, int]:
    """(shift, base, bins, absolute index of the first bin) of a histogram of `dtype` values within [r_low, r_high]:
    a value's bin is (its bits as an integer >> shift) - base, its exponent and top log2(bins_per_octave) mantissa
    bits; the absolute index counts bins from 1.0."""
    info = np.finfo(dtype)
    m = bins_per_octave.bit_length() - 1
    shift = info.nmant - m
    ints = np.int32 if info.bits == 32 else np.int64

    def raw(v: float) -> int:
        return int(np.array(min(max(v, float(info.tiny)), float(info.max)), dtype).view(ints)) >> shift

    base = raw(r_low) - _HISTOGRAM_MARGIN
    bins = min(raw(r_high) + _HISTOGRAM_MARGIN, base + HISTOGRAM_OCTAVES * bins_per_octave) - base + 1
    return shift, base, bins, base - ((info.maxexp - 1) << m)


@dataclass(frozen=True)
class BlockSums:
    """What the read pass found per block (in the order of the blocks): piece sums, histogram rows, values outside
    the histogram's bins, and the lowest and highest summed conductance (inf and 0 without vectors)."""

    weight: np.ndarray  # (blocks, pieces)
    total: np.ndarray  # (blocks, pieces)
    hist_first: int  # absolute index of the histograms' first bin
    hist_count: np.ndarray  # (blocks, bins)
    hist_total: np.ndarray  # (blocks, bins)
    outside: np.ndarray  # (blocks,) whether some value lay outside the histogram's bins
    g_low: np.ndarray  # (blocks,)
    g_high: np.ndarray  # (blocks,)


def _memo(layouts: ValueMemo | None, key: tuple, compute: Callable[[], Any]) -> Any:
    return compute() if layouts is None else layouts.get(key, compute)


def _block_layout(blocks: tuple[tuple[int, int], ...], breaks: tuple[float, ...], kinds: tuple[str, ...], dtype: str):
    """_layout of the blocks, and (the most blocks of a part, every part's columns)."""
    found = _layout(blocks, PART_COLUMNS, breaks, kinds, dtype)
    parts, part_blocks = found[0], found[1]
    return found, int(np.diff(part_blocks).max()), tuple(parts[:, 1].tolist())


def _task_split(vectors: int, part_widths: tuple[int, ...], task_values: int, part_blocks: np.ndarray, most: int):
    """(tasks, their first of every part and the end, the parts x most mask of the rows that hold a block)."""
    tasks, part_tasks = _tasks(vectors, part_widths, task_values)
    in_part = np.arange(most) < np.diff(part_blocks)[:, None]
    return tasks, part_tasks, np.append(part_tasks, len(tasks)), in_part


def block_read_sums(
    rows_on: np.ndarray,
    counts: np.ndarray,
    g_eff: np.ndarray,
    blocks: list[tuple[int, int]],
    num_add: float,
    breaks: tuple[float, ...],
    kinds: tuple[str, ...],
    bins_per_octave: int = 0,
    g_range: tuple[float, float] | None = None,
    layouts: ValueMemo | None = None,
) -> BlockSums:
    """Sums over R = num_add / (rows_on @ g_eff) for every vector (rows_on: vectors x rows, bool, or those rows
    packed 8 to a byte as np.packbits(rows_on, axis=1) gives; counts: weight per vector) and the columns of every
    block [(start, width)], in column order: per block and piece of the breaks (kinds 'lin' or 'log', none for no
    piece sums) the weight and weighted sum of R or ln R, and a histogram of R with bins_per_octave bins to an
    octave (0: none; a power of two). `g_range` bounds g_eff's values (lowest, highest) where the caller knows
    them; by default they are found. `layouts` keeps the passes' block layouts and task splits by value, for the
    passes of a sweep that share them (they depend on the blocks, the statistic and the number of vectors only)."""
    dtype = g_eff.dtype.type
    bits = np.int32 if g_eff.itemsize == 4 else np.int64
    rows, cols = g_eff.shape
    block_tuple = tuple(blocks)
    layout, most, part_widths = _memo(
        layouts, ("layout", block_tuple, breaks, kinds, g_eff.dtype.str),
        lambda: _block_layout(block_tuple, breaks, kinds, g_eff.dtype.str),
    )  # fmt: skip
    parts, part_blocks, starts, widths, fit_breaks, is_log = layout
    if parts[-1].sum() > cols:
        raise ValueError(f"blocks must lie within the {cols} columns of g_eff, got {blocks}")
    # every R lies between num_add / (rows * largest conductance) and num_add / smallest conductance
    g_min, g_max = g_range or (float(g_eff.min(initial=np.inf)), float(g_eff.max(initial=0.0)))
    r_low = num_add / (rows * g_max) if g_max > 0 else 0.0
    r_high = num_add / g_min if g_min > 0 else math.inf
    low_exp = math.frexp(r_low)[1] - 2 if g_max > 0 else -126
    high_exp = math.frexp(r_high)[1] + 1 if g_min > 0 else 128
    exps = (max(low_exp, -150), min(high_exp, 130))
    scale, log_scale, block = _memo(layouts, ("scaling", breaks, exps), lambda: _piece_scaling(breaks, *exps))
    shift, base, bins, first = (0, 0, 0, 0)
    if bins_per_octave:
        shift, base, bins, first = _histogram_grid(g_eff.dtype, bins_per_octave, r_low, r_high)
    # a task of at least 64 values per histogram bin: clearing (fresh pages) and adding the histograms stays small
    task_values = max(TASK_VALUES, 64 * most * bins)
    tasks, part_tasks, task_bounds, in_part = _memo(
        layouts, ("tasks", len(rows_on), block_tuple, task_values),
        lambda: _task_split(len(rows_on), part_widths, task_values, part_blocks, most),
    )  # fmt: skip
    weight, total = np.zeros((len(tasks), most, len(kinds))), np.zeros((len(tasks), most, len(kinds)))
    h_count, h_total = np.zeros((len(tasks), most, bins)), np.zeros((len(tasks), most, bins))
    g_low, g_high = np.full((len(tasks), most), np.inf, dtype).view(bits), np.zeros((len(tasks), most), bits)
    g_eff = np.ascontiguousarray(g_eff)
    packed = np.packbits(rows_on, axis=1) if rows_on.dtype == np.bool_ else np.ascontiguousarray(rows_on)
    if packed.dtype != np.uint8 or packed.ndim != 2 or packed.shape[1] != -(-rows // 8):
        raise ValueError(
            f"rows_on must be vectors x {rows} booleans or their rows packed, got {rows_on.dtype} {rows_on.shape}"
        )
    subsets = len(packed) >= SUBSET_MIN_VECTORS
    read_fit_sums(packed, g_eff, subsets, counts, dtype(num_add), tasks, task_bounds, parts, part_blocks, starts,
                  widths, fit_breaks, is_log, scale, log_scale, block, weight, total, shift, base, h_count, h_total,
                  g_low, g_high)  # fmt: skip

    def per_block(a: np.ndarray, reduce: np.ufunc) -> np.ndarray:
        return reduce.reduceat(a, part_tasks, axis=0)[in_part]

    low, high = per_block(g_low, np.minimum).view(dtype), per_block(g_high, np.maximum).view(dtype)
    outside = np.zeros(len(low), bool)
    if bins:  # R = num_add / G rounds alike in the pass: a block's extreme resistances come from its extreme sums
        with np.errstate(divide="ignore"):
            r_ends = (dtype(num_add) / np.stack([high, low])).view(bits) >> shift
        outside = (low <= high) & ((r_ends[0] < base) | (r_ends[1] > base + bins - 1))  # blocks with values
    return BlockSums(
        per_block(weight, np.add),
        per_block(total, np.add),
        first,
        h_count[part_tasks][in_part],  # added in the pass
        h_total[part_tasks][in_part],
        outside,
        low,
        high,
    )
