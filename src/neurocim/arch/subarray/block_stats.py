"""Trace statistics of a block's input bit-vectors: distinct vectors, row activity and column resistances."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from neurocim.arch.subarray.column_model import ColumnModel, effective_conductance
from neurocim.workload.cache import owner_memo

# Largest (distinct vectors x columns) resistance matrix built at once (float64: 8 bytes each).
DEFAULT_MAX_ELEMENTS = 1 << 22


# ---------------------------------------------------------------------------------------------------------------
# column resistances (ProcessingUnit GetInputVector / GetColumnResistance, vectorised over bit-vectors)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VectorStats:
    """Distinct input bit-vectors of one block: activity, multiplicity and per-column read resistance."""

    activity: np.ndarray  # (m,) active rows / the rows it counts over (ColumnModel.activity_rows)
    counts: np.ndarray  # (m,) how many bit-vectors share this row pattern
    column_resistance: np.ndarray  # (m, columns) ohm; inf = no row active (nan in sequential eNVM mode)
    inverse: np.ndarray | None = None  # (n,) distinct row of every original bit-vector, if kept
    # SRAM with 0/1 inputs: (m,) active rows of every vector (<= sub_array_rows), all its cost depends on
    row_key: np.ndarray | None = None
    block_rows: int = 0  # rows of the block the vectors were read from (0: not recorded)

    @property
    def num_vectors(self) -> int:
        return int(self.counts.sum())

    def columns(self, start: int, stop: int) -> VectorStats:
        """The same vectors restricted to columns start..stop-1."""
        return VectorStats(
            self.activity, self.counts, self.column_resistance[:, start:stop], self.inverse, self.row_key,
            self.block_rows,
        )

    def expanded(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-vector activity (n,) and column resistances (n, columns), in the original order."""
        if self.inverse is None:
            raise ValueError("expanded() needs the inverse index (keep_inverse=True)")
        return self.activity[self.inverse], self.column_resistance[self.inverse]


def _masks(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows counted as active for the activity, rows whose cells conduct) of every bit-vector."""
    x = np.asarray(inputs)
    if x.dtype == np.bool_:
        return x, x
    if x.dtype == np.uint8 and (x.size == 0 or x.max() <= 1):
        x = x.view(np.bool_)  # 0/1 bytes are valid booleans
        return x, x
    nonzero = x != 0
    if np.issubdtype(x.dtype, np.integer) and (x.size == 0 or (x.min() >= 0 and x.max() <= 1)):
        return nonzero, nonzero
    conducts = np.trunc(x) == 1  # NeuroSim tests (int)x == 1 for conduction but x != 0 for activity
    return nonzero, conducts


def _distinct_columns(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First index, inverse index and count of every distinct column of a boolean matrix, and every column's bits
    packed into bytes (columns x bytes, the first row the highest bit of the first byte)."""
    n = mask.shape[1]
    if mask.shape[0] == 0 or n == 0:
        none = np.zeros((n, 0), dtype=np.uint8)
        return np.zeros(min(n, 1), dtype=np.int64), np.zeros(n, dtype=np.int64), np.full(min(n, 1), n), none
    from neurocim.arch.subarray.read_kernel import pack_rows  # compiled on first use

    packed = np.zeros((-(-mask.shape[0] // 64) * 8, n), dtype=np.uint8)  # whole 64-bit words per column
    pack_rows(mask, packed)
    column_bytes = np.ascontiguousarray(packed.T)
    words = column_bytes.view(np.uint64)  # (n, words): the column's bits as integers
    order = np.lexsort(words.T[::-1])  # stable: equal columns keep their original order
    ordered = words[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    group = np.cumsum(new) - 1
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = group
    starts = np.flatnonzero(new)
    return order[starts], inverse, np.diff(np.append(starts, n)), column_bytes


@dataclass(frozen=True)
class SramRowCounts:
    """The distinct (conducting, read) row counts of a block's bit-vectors and how often each occurs: all an SRAM
    read of the block depends on, whatever the chip (its technology, cell and periphery give the costs per count)."""

    active: np.ndarray  # (m,) conducting rows
    read: np.ndarray  # (m,) rows read (counted for the activity)
    counts: np.ndarray  # (m,) bit-vectors with these counts
    inverse: np.ndarray | None  # (n,) the distinct pair of every bit-vector, if kept
    rows: int  # rows of the block
    read_is_active: bool  # 0/1 inputs: every read row conducts

    def row_key(self, model: ColumnModel) -> np.ndarray | None:
        """The conducting rows of every distinct pair where they are all a vector's read cost depends on (0/1
        inputs: read rows = conducting rows, in a block of at most the sub-array's rows), else None."""
        return self.active if self.read_is_active and self.rows <= model.sub_array_rows else None


def sram_row_counts(inputs: np.ndarray, keep_inverse: bool = False) -> SramRowCounts:
    """SramRowCounts of a block's input bit-vectors (rows x bit-vectors)."""
    nonzero, conducts = _masks(inputs)
    rows = nonzero.shape[0]
    num_active = conducts.sum(axis=0, dtype=np.int64)
    num_read = num_active if conducts is nonzero else nonzero.sum(axis=0, dtype=np.int64)
    key = num_active * (rows + 1) + num_read
    hist = np.bincount(key)
    uniq = np.flatnonzero(hist)
    inverse = np.searchsorted(uniq, key) if keep_inverse else None
    return SramRowCounts(uniq // (rows + 1), uniq % (rows + 1), hist[uniq], inverse, rows, conducts is nonzero)


def sram_stats(
    found: SramRowCounts, num_cols: int, model: ColumnModel, by_active: np.ndarray | None = None
) -> VectorStats:
    """The VectorStats of an SRAM block of `num_cols` columns whose bit-vectors have the row counts `found`
    (`by_active`: the column resistance for every count of active rows 0..rows, where the caller keeps it)."""
    rows = found.rows
    if by_active is None:
        by_active = sram_column_resistances(rows, model)
    res = by_active[found.active]
    return VectorStats(
        activity=found.read / model.activity_rows(rows),
        counts=found.counts,
        column_resistance=np.broadcast_to(res[:, None], (len(found.counts), num_cols)),
        inverse=found.inverse,
        row_key=found.row_key(model),
        block_rows=rows,
    )


def sram_column_resistances(rows: int, model: ColumnModel) -> np.ndarray:
    """Column resistance of an SRAM vector with 0, 1, ..., `rows` conducting rows out of `rows` (inf: none)."""
    # the original adds 1/(R_access + R_wire) once per active row; accumulate in the same order
    per_cell = 1.0 / (model.res_cell_access + model.wire_res_col)
    table = np.concatenate([[0.0], np.cumsum(np.full(rows, per_cell))])
    with np.errstate(divide="ignore"):
        return 1.0 / table


def sram_row_count_stats(model: ColumnModel, num_cols: int, block_rows: int = 0) -> VectorStats:
    """One SRAM vector per possible active-row count 0..sub_array_rows (0/1 inputs: read = active rows),
    `row_key` = that count: the table every SRAM block's vectors index into (blocks of `block_rows` rows, which the
    activity counts over where the model says so)."""
    rows = model.sub_array_rows
    active = np.arange(rows + 1)
    res = sram_column_resistances(rows, model)
    return VectorStats(
        active / model.activity_rows(block_rows),
        np.ones(rows + 1, dtype=np.int64),
        np.broadcast_to(res[:, None], (rows + 1, num_cols)),
        row_key=active,
    )


@dataclass(frozen=True)
class DistinctVectors:
    """The distinct input bit-vectors of a block (rows x bit-vectors) and what the read pass needs of them."""

    packed: np.ndarray  # (m, ceil(rows / 8)) uint8: rows whose cells conduct, 8 a byte, the first row the highest bit
    rows: int
    num_active: np.ndarray  # (m,) conducting rows
    num_read: np.ndarray  # (m,) rows counted as read for the activity
    counts: np.ndarray  # (m,) bit-vectors sharing the pattern
    inverse: np.ndarray  # (n,) distinct vector of every original bit-vector

    @cached_property
    def rows_on(self) -> np.ndarray:
        """(m, rows) bool: the conducting rows unpacked."""
        return np.unpackbits(self.packed, axis=1, count=self.rows).view(np.bool_)

    @cached_property
    def conducting(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(packed rows, counts as floats) of the vectors with a conducting row, and the bit-vectors with none."""
        live = self.num_active > 0
        idle = float(self.counts[~live].sum())
        # the vector with no active row sorts first, so the others are usually a slice, not a copy
        first = 1 if len(live) and not live[0] else 0
        picked = slice(first, None) if live[first:].all() else live
        return self.packed[picked], self.counts[picked].astype(np.float64), idle

    @cached_property
    def read_totals(self) -> tuple[float, float]:
        """(bit-vectors, read rows summed over them)."""
        return float(self.counts.sum()), float(self.counts @ self.num_read)

    @cached_property
    def read_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(every count of read rows the vectors have, the bit-vectors with it): what a read's costs besides the
        column resistances depend on, in at most rows + 1 entries."""
        per_count = np.bincount(self.num_read, weights=self.counts)
        present = np.flatnonzero(per_count)
        return present, per_count[present]


def distinct_vectors(inputs: np.ndarray, rows: int) -> DistinctVectors:
    """Merge identical bit-vectors of inputs[:rows]. Kept with inputs a workload cache owns, so the tiles of a row
    band and the configurations of a sweep share the work."""
    x = inputs[:rows]
    found = owner_memo(x)
    if found is None:
        return _distinct_vectors(x)
    _, memo, position = found
    return memo.get(("distinct_vectors", position), lambda: _distinct_vectors(x))


_BITS_SET = np.array([bin(b).count("1") for b in range(256)], dtype=np.uint8)  # set bits of every byte


def _distinct_vectors(x: np.ndarray) -> DistinctVectors:
    nonzero, conducts = _masks(x)
    key = conducts if nonzero is conducts else np.concatenate([conducts, nonzero])
    first, inverse, counts, column_bytes = _distinct_columns(key)
    # the conducting rows come first in the key: their bytes, without the bits of the rows after them
    rows = conducts.shape[0]
    packed = column_bytes[first, : -(-rows // 8)]
    if rows % 8:
        packed[:, -1] &= 0xFF << (8 - rows % 8) & 0xFF
    num_active = _BITS_SET[packed].sum(axis=1, dtype=np.int64)
    num_read = num_active if nonzero is conducts else nonzero[:, first].sum(axis=0, dtype=np.int64)
    for a in (packed, num_active, num_read, counts, inverse):
        a.setflags(write=False)
    return DistinctVectors(packed, rows, num_active, num_read, counts, inverse)


def iter_vector_stats(
    conductance: np.ndarray,
    inputs: np.ndarray,
    model: ColumnModel,
    *,
    col_period: int | None = None,
    keep_inverse: bool = False,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    dtype: type[np.floating] = np.float64,
) -> Iterator[VectorStats]:
    """Statistics of a block (conductances or cell digits, rows x columns; inputs rows x bit-vectors) in chunks.

    Identical bit-vectors are merged (`counts`). Every chunk holds at most about max_elements resistances.
    With keep_inverse the whole block comes as one chunk. `dtype` is the precision of the column-resistance
    pass (a matrix product): float64 reproduces NeuroSim to rounding, float32 (about 1e-6 relative) is faster.
    """
    rows, num_cols = conductance.shape
    if inputs.shape[0] < rows:
        raise ValueError(f"input block has {inputs.shape[0]} rows, the weight block {rows}")
    if inputs.shape[1] == 0:
        return
    if model.weight_independent:
        yield sram_stats(sram_row_counts(inputs[:rows], keep_inverse), num_cols, model)
        return
    dv = distinct_vectors(inputs, rows)
    activity = dv.num_read / model.activity_rows(rows)
    g_eff = effective_conductance(conductance, model, col_period, dtype)
    first_len = len(dv.counts)
    step = first_len if keep_inverse else max(1, max_elements // max(num_cols, 1))
    for start in range(0, first_len, step):
        sel = slice(start, start + step)
        g = dv.rows_on[sel].astype(dtype) @ g_eff  # summed conductance of every column
        with np.errstate(divide="ignore", invalid="ignore"):
            if model.parallel_read:
                np.divide(dtype(model.num_add), g, out=g)
            else:
                np.divide(dv.num_active[sel, None].astype(dtype), g, out=g)  # 0/0 -> nan, as in the original
        yield VectorStats(activity[sel], dv.counts[sel], g, dv.inverse if keep_inverse else None)


def vector_stats(
    conductance: np.ndarray, inputs: np.ndarray, model: ColumnModel, *, col_period: int | None = None
) -> VectorStats:
    """All statistics of a block in one record, with the inverse index (for tests and small blocks)."""
    chunks = list(iter_vector_stats(conductance, inputs, model, col_period=col_period, keep_inverse=True))
    if chunks:
        return chunks[0]
    empty = np.zeros(0)
    return VectorStats(empty, np.zeros(0, dtype=np.int64), np.zeros((0, conductance.shape[1])), np.zeros(0, int))


def active_row_histogram(inputs: np.ndarray, sub_array_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct activities of a block's bit-vectors and how often each occurs (GetInputVector's activityRowRead)."""
    nonzero, _ = _masks(inputs)
    counts = np.bincount(nonzero.sum(axis=0, dtype=np.int64), minlength=1)
    present = np.nonzero(counts)[0]
    return present / sub_array_rows, counts[present]
