"""Trace statistics of weight/input blocks: conductance mapping, block slicing, row activity, column resistances."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from neurocim.arch.memo import array_identity, derived
from neurocim.config.chip import AccessType, CellType
from neurocim.workload.traces import weight_to_levels

# Largest (distinct vectors x columns) resistance matrix built at once (float64: 8 bytes each).
DEFAULT_MAX_ELEMENTS = 1 << 22


# ---------------------------------------------------------------------------------------------------------------
# weight -> conductance (NeuroSim V1.4 LoadInWeightData, conventional modes)
# ---------------------------------------------------------------------------------------------------------------


def levels_to_cells(levels: np.ndarray, cell_bit: int, num_col_per_synapse: int) -> np.ndarray:
    """Split integer weight levels into `num_col_per_synapse` base-2^cell_bit digits, most significant first.

    Uses C integer semantics (remainder and quotient truncate toward zero). Only the lowest
    num_col_per_synapse digits are kept, so the top level 2^synapse_bit wraps to all-zero digits when
    num_col_per_synapse*cell_bit == synapse_bit (NeuroSim quirk: weight +1.0 is stored as 0).
    Digits come as int8 when they fit (cell_bit <= 7), else int16.
    """
    value = np.asarray(levels, dtype=np.int64)
    rows, cols = value.shape
    cps, mask = num_col_per_synapse, (1 << cell_bit) - 1
    dtype = np.int8 if cell_bit <= 7 else np.int16
    cells = np.empty((rows, cols, cps), dtype=dtype)
    if value.size == 0 or value.min() >= 0:
        if cell_bit == 1 and cps <= 64:  # binary digits: unpack the bits of a big-endian word
            width = next(w for w in (1, 2, 4, 8) if 8 * w >= cps)
            word = (value & ((1 << cps) - 1) if cps < 64 else value).astype(f">u{width}")
            bits = np.unpackbits(word.view(np.uint8).reshape(rows, cols, width), axis=-1)
            return bits[:, :, 8 * width - cps :].astype(dtype).reshape(rows, cols * cps)
        value = value.astype(np.int32) if value.max() < 2**31 else value
        for z in range(cps):  # non-negative: digit z is a bit field
            cells[:, :, cps - 1 - z] = (value >> (cell_bit * z)) & mask
    else:
        for z in range(cps):
            rem = np.fmod(value, mask + 1)
            cells[:, :, cps - 1 - z] = rem
            value = (value - rem) // (mask + 1)  # exact, so equal to C's truncating division
    return cells.reshape(rows, cols * cps)


def cells_to_conductance(cells: np.ndarray, cell_bit: int, g_max: float, g_min: float) -> np.ndarray:
    """Cell digit d -> conductance d/(2^cell_bit - 1)*(g_max - g_min) + g_min (S)."""
    d = np.asarray(cells)
    if d.dtype.kind in "iu" and d.size:
        lo, hi = int(d.min()), int(d.max())
        levels = np.arange(lo, hi + 1, dtype=np.float64)
        table = levels / ((1 << cell_bit) - 1) * (g_max - g_min) + g_min
        return table[d.astype(np.int64, copy=False) - lo] if lo else table[d]
    return d.astype(np.float64) / ((1 << cell_bit) - 1) * (g_max - g_min) + g_min


def weights_to_conductance(
    weights: np.ndarray,
    synapse_bit: int,
    cell_bit: int,
    num_col_per_synapse: int,
    g_max: float,
    g_min: float,
    weight_min: float = -1.0,
    weight_max: float = 1.0,
) -> np.ndarray:
    """Algorithm weights (rows x out_channels) -> cell conductances (rows x out_channels*num_col_per_synapse)."""
    levels = weight_to_levels(weights, synapse_bit, weight_min, weight_max)
    return cells_to_conductance(levels_to_cells(levels, cell_bit, num_col_per_synapse), cell_bit, g_max, g_min)


# ---------------------------------------------------------------------------------------------------------------
# block slicing (Chip/Tile/ProcessingUnit CopyArray, CopyInput, ReshapeArray, ReshapeInput, ...)
# Out-of-range reads are undefined behaviour in the original; here a block simply ends at the matrix edge.
# ---------------------------------------------------------------------------------------------------------------


def copy_array(matrix: np.ndarray, row: int, col: int, num_row: int, num_col: int) -> np.ndarray:
    """The num_row x num_col block of `matrix` at (row, col), as a view."""
    return matrix[row : row + num_row, col : col + num_col]


def copy_input(inputs: np.ndarray, row: int, num_vectors: int, num_row: int) -> np.ndarray:
    """Rows row..row+num_row of the input bit matrix, first num_vectors bit-vectors (columns), as a view."""
    return inputs[row : row + num_row, :num_vectors]


# The PE- and sub-array-level copies are the same operation.
copy_pe_array = copy_sub_array = copy_array
copy_pe_input = copy_sub_input = copy_input


def _reshape_rows(num_total: int, row: int, num_row: int, num_pe: int, stride: int) -> np.ndarray:
    idx = (row + stride * np.arange(num_pe)[:, None] + np.arange(num_row)[None, :]).ravel()
    return idx[idx < num_total]


def reshape_array(
    matrix: np.ndarray, row: int, col: int, num_row: int, num_col: int, num_pe: int, stride: int
) -> np.ndarray:
    """Novel-mapping tile block: for k < num_pe, rows row + k*stride + (0..num_row-1), columns col..col+num_col.

    NeuroSim quirk: `stride` is C_in (rows per kernel position), i.e. the rows are assumed kernel-position-major,
    while PyTorch traces are channel-major, so each PE gets a mix of channels and kernel positions.
    """
    return matrix[_reshape_rows(matrix.shape[0], row, num_row, num_pe, stride), col : col + num_col]


def reshape_input(inputs: np.ndarray, row: int, num_vectors: int, num_row: int, num_pe: int, stride: int) -> np.ndarray:
    """The input rows that match reshape_array, first num_vectors bit-vectors."""
    return inputs[_reshape_rows(inputs.shape[0], row, num_row, num_pe, stride), :num_vectors]


# ---------------------------------------------------------------------------------------------------------------
# column resistances (ProcessingUnit GetInputVector / GetColumnResistance, vectorised over bit-vectors)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnModel:
    """What the read conductance of a column is made of (one sub-array; wires in ohm per cell)."""

    cell_type: CellType
    access_cmos: bool
    parallel_read: bool
    num_row_sub_array: int  # activity denominator (always the full sub-array height)
    num_add: int  # partial-sum reads per column in parallel mode
    wire_res_row: float
    wire_res_col: float
    res_access: float  # 1T1R access-device resistance
    res_cell_access: float  # SRAM access-transistor on-resistance (the sub-array's)
    # digit -> conductance mapping, used when a block holds cell digits (integers) instead of conductances
    cell_bit: int = 1
    g_max: float = 0.0
    g_min: float = 0.0

    @classmethod
    def from_context(cls, ctx, res_cell_access: float) -> ColumnModel:
        """Model for the context's cell; `res_cell_access` is the sub-array's SRAM access resistance."""
        p = ctx.p
        return cls(
            cell_type=p.cell_type,
            access_cmos=p.access_type is AccessType.CMOS,
            parallel_read=p.parallel_read,
            num_row_sub_array=p.num_row_sub_array,
            num_add=p.num_row_sub_array // p.num_row_parallel,  # C int division; the ceil is a no-op
            wire_res_row=p.wire_resistance_row,
            wire_res_col=p.wire_resistance_col,
            res_access=ctx.cell.resistance_access,
            res_cell_access=res_cell_access,
            cell_bit=p.cell_bit,
            g_max=p.max_conductance,
            g_min=p.min_conductance,
        )

    @property
    def weight_independent(self) -> bool:
        """SRAM: the column conductance counts active rows and ignores the stored bits."""
        return self.cell_type is CellType.SRAM


def effective_conductance(
    block: np.ndarray, model: ColumnModel, col_period: int | None = None, dtype: type[np.floating] = np.float64
) -> np.ndarray:
    """Per-cell conductance seen through the wires (and the 1T1R access device), rows x columns, in `dtype`.

    Wire segments count from the block's own corner: (j+1) row segments and (rows-i) column segments.
    With `col_period`, the column index restarts every col_period columns (several sub-arrays side by side).
    An integer block holds cell digits and is mapped to conductances first (model.cell_bit, g_max, g_min).
    The arithmetic is float64; the result is rounded to `dtype` at the end.
    """
    rows, cols = block.shape
    access = model.res_access if model.cell_type is CellType.RRAM and model.access_cmos else 0.0
    d = np.asarray(block)
    if d.dtype.kind in "iu" and d.size:  # cell digits: one table of conductances per level, picked per cell
        lo, hi = int(d.min()), int(d.max())
        tables, bits = _level_conductance(
            rows,
            cols,
            col_period,
            model.wire_res_row,
            model.wire_res_col,
            access,
            model.cell_bit,
            model.g_max,
            model.g_min,
            lo,
            hi,
            np.dtype(dtype).str,
        )
        if hi == lo:
            return tables[0].copy()
        if hi == lo + 1:  # two levels: pick the bits of one table or the other (np.where is several times slower)
            pick = np.negative(d - lo, dtype=bits.dtype)  # 0 or all ones
            pick &= bits[1]
            pick ^= bits[0]
            return pick.view(tables.dtype)
        return np.take_along_axis(tables, (d.astype(np.intp) - lo)[None], axis=0)[0]
    wires = _series_resistance(rows, cols, col_period, model.wire_res_row, model.wire_res_col, access)
    if d.dtype.kind in "iu":
        d = cells_to_conductance(d, model.cell_bit, model.g_max, model.g_min)
    total = 1.0 / d.astype(np.float64, copy=False)
    total += wires
    return np.divide(1.0, total, out=total).astype(dtype, copy=False)


@lru_cache(maxsize=32)
def _level_conductance(
    rows: int,
    cols: int,
    col_period: int | None,
    res_row: float,
    res_col: float,
    access: float,
    cell_bit: int,
    g_max: float,
    g_min: float,
    lo: int,
    hi: int,
    dtype: str,
) -> np.ndarray:
    """(levels lo..hi, rows, cols) conductance of a cell at every level and position through its wires, and the
    bits of the lowest level and of lowest xor highest (read-only)."""
    wires = _series_resistance(rows, cols, col_period, res_row, res_col, access)
    cell = 1.0 / cells_to_conductance(np.arange(lo, hi + 1), cell_bit, g_max, g_min)
    out = (1.0 / (cell[:, None, None] + wires[None])).astype(dtype)
    ints = out.view(np.int32 if out.dtype.itemsize == 4 else np.int64)
    bits = np.stack([ints[0], ints[0] ^ ints[-1]])  # (level lo, lo xor hi) as integers: picked by bit masks
    out.setflags(write=False)
    bits.setflags(write=False)
    return out, bits


@lru_cache(maxsize=64)
def _series_resistance(
    rows: int, cols: int, col_period: int | None, res_row: float, res_col: float, access: float
) -> np.ndarray:
    """Wire (and access-device) resistance in series with every cell of a rows x columns block (read-only)."""
    j = np.arange(cols)
    if col_period:
        j = j % col_period
    row_term = (j + 1) * res_row
    col_term = (rows - np.arange(rows)) * res_col
    out = (row_term[None, :] + col_term[:, None]) + access
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class VectorStats:
    """Distinct input bit-vectors of one block: activity, multiplicity and per-column read resistance."""

    activity: np.ndarray  # (m,) active rows / num_row_sub_array
    counts: np.ndarray  # (m,) how many bit-vectors share this row pattern
    column_resistance: np.ndarray  # (m, columns) ohm; inf = no row active (nan in sequential eNVM mode)
    inverse: np.ndarray | None = None  # (n,) distinct row of every original bit-vector, if kept
    # SRAM with 0/1 inputs: (m,) active rows of every vector (<= num_row_sub_array), all its cost depends on
    row_key: np.ndarray | None = None

    @property
    def num_vectors(self) -> int:
        return int(self.counts.sum())

    def columns(self, start: int, stop: int) -> VectorStats:
        """The same vectors restricted to columns start..stop-1."""
        return VectorStats(
            self.activity, self.counts, self.column_resistance[:, start:stop], self.inverse, self.row_key
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


def _distinct_columns(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First index, inverse index and count of every distinct column of a boolean matrix."""
    n = mask.shape[1]
    if mask.shape[0] == 0 or n == 0:
        return np.zeros(min(n, 1), dtype=np.int64), np.zeros(n, dtype=np.int64), np.full(min(n, 1), n)
    packed = np.packbits(mask, axis=0)
    nbytes = packed.shape[0]
    width = -(-nbytes // 8) * 8
    if width != nbytes:
        packed = np.concatenate([packed, np.zeros((width - nbytes, n), dtype=np.uint8)])
    words = np.ascontiguousarray(packed.T).view(np.uint64)  # (n, width/8): the column's bits as integers
    order = np.lexsort(words.T[::-1])  # stable: equal columns keep their original order
    ordered = words[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    group = np.cumsum(new) - 1
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = group
    starts = np.flatnonzero(new)
    return order[starts], inverse, np.diff(np.append(starts, n))


def _sram_stats(nonzero, conducts, num_cols, model, keep_inverse) -> VectorStats:
    rows = nonzero.shape[0]
    num_active = conducts.sum(axis=0, dtype=np.int64)
    num_read = num_active if conducts is nonzero else nonzero.sum(axis=0, dtype=np.int64)
    key = num_active * (rows + 1) + num_read
    hist = np.bincount(key)
    uniq = np.flatnonzero(hist)
    counts = hist[uniq]
    active, read = uniq // (rows + 1), uniq % (rows + 1)
    res = _sram_column_resistance(active, rows, model)
    return VectorStats(
        activity=read / model.num_row_sub_array,
        counts=counts,
        column_resistance=np.broadcast_to(res[:, None], (len(uniq), num_cols)),
        inverse=np.searchsorted(uniq, key) if keep_inverse else None,
        # 0/1 inputs: read rows = active rows, and that count is all a vector's cost depends on
        row_key=active if conducts is nonzero and rows <= model.num_row_sub_array else None,
    )


def _sram_column_resistance(active: np.ndarray, rows: int, model: ColumnModel) -> np.ndarray:
    """Column resistance of SRAM vectors with `active` conducting rows out of `rows` (inf: none)."""
    # the original adds 1/(R_access + R_wire) once per active row; accumulate in the same order
    per_cell = 1.0 / (model.res_cell_access + model.wire_res_col)
    table = np.concatenate([[0.0], np.cumsum(np.full(rows, per_cell))])
    with np.errstate(divide="ignore"):
        return 1.0 / table[active]


def sram_row_count_stats(model: ColumnModel, num_cols: int) -> VectorStats:
    """One SRAM vector per possible active-row count 0..num_row_sub_array (0/1 inputs: read = active rows),
    `row_key` = that count: the table every SRAM block's vectors index into."""
    rows = model.num_row_sub_array
    active = np.arange(rows + 1)
    res = _sram_column_resistance(active, rows, model)
    return VectorStats(
        active / rows,
        np.ones(rows + 1, dtype=np.int64),
        np.broadcast_to(res[:, None], (rows + 1, num_cols)),
        row_key=active,
    )


@dataclass(frozen=True)
class DistinctVectors:
    """The distinct input bit-vectors of a block (rows x bit-vectors) and what the read pass needs of them."""

    rows_on: np.ndarray  # (m, rows) bool: rows whose cells conduct, C-contiguous
    num_active: np.ndarray  # (m,) conducting rows
    num_read: np.ndarray  # (m,) rows counted as read for the activity
    counts: np.ndarray  # (m,) bit-vectors sharing the pattern
    inverse: np.ndarray  # (n,) distinct vector of every original bit-vector


def distinct_vectors(inputs: np.ndarray, rows: int) -> DistinctVectors:
    """Merge identical bit-vectors of inputs[:rows]. Kept with read-only inputs (trace arrays), so the tiles of a
    row band and the configurations of a sweep share the work."""
    x = inputs[:rows]
    owner, key = array_identity(x)
    if owner.flags.writeable:
        return _distinct_vectors(x)
    memo = derived(owner)
    key = ("distinct_vectors", key)
    if key not in memo:
        memo[key] = _distinct_vectors(x)
    return memo[key]


def _distinct_vectors(x: np.ndarray) -> DistinctVectors:
    nonzero, conducts = _masks(x)
    key = conducts if nonzero is conducts else np.concatenate([conducts, nonzero])
    first, inverse, counts = _distinct_columns(key)
    rows_on = np.ascontiguousarray(conducts[:, first].T)
    num_active = rows_on.sum(axis=1, dtype=np.int64)
    num_read = num_active if nonzero is conducts else nonzero[:, first].sum(axis=0, dtype=np.int64)
    for a in (rows_on, num_active, num_read, counts, inverse):
        a.setflags(write=False)
    return DistinctVectors(rows_on, num_active, num_read, counts, inverse)


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
        nonzero, conducts = _masks(inputs[:rows])
        yield _sram_stats(nonzero, conducts, num_cols, model, keep_inverse)
        return
    dv = distinct_vectors(inputs, rows)
    activity = dv.num_read / model.num_row_sub_array
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


def active_row_histogram(inputs: np.ndarray, num_row_sub_array: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct activities of a block's bit-vectors and how often each occurs (GetInputVector's activityRowRead)."""
    nonzero, _ = _masks(inputs)
    counts = np.bincount(nonzero.sum(axis=0, dtype=np.int64), minlength=1)
    present = np.nonzero(counts)[0]
    return present / num_row_sub_array, counts[present]
