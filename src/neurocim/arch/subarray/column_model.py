"""Column model of a sub-array read: what a column's conductance is made of, and cells seen through the wires."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from neurocim.circuits.context import CircuitContext
from neurocim.config.chip import AccessType, CellType
from neurocim.mapping.cells import cells_to_conductance

if TYPE_CHECKING:
    from neurocim.config.derived import Derived

LINEAR_WEIGHT_CONDUCTANCE = "v21_linear_weight_conductance"


@dataclass(frozen=True)
class ColumnModel:
    """What the read conductance of a column is made of (one sub-array; wires in ohm per cell)."""

    cell_type: CellType
    access_cmos: bool
    parallel_read: bool
    sub_array_rows: int  # activity denominator: the full sub-array height (see activity_rows)
    num_add: int  # partial-sum reads per column in parallel mode
    wire_res_row: float
    wire_res_col: float
    res_access: float  # 1T1R access-device resistance
    res_cell_access: float  # SRAM access-transistor on-resistance (the sub-array's)
    # digit -> conductance mapping, used when a block holds cell digits (integers) instead of conductances
    cell_bits: int = 1
    g_max: float = 0.0
    g_min: float = 0.0
    # quirk v21_activity_over_block_rows: a vector's activity counts over the rows of its block of the matrix
    activity_over_block: bool = False
    # quirk v21_linear_weight_conductance: digits are a one-cell weight's levels 0..2^weight_bits, over that many steps
    conductance_steps: int | None = None

    @classmethod
    def from_context(cls, ctx: CircuitContext, res_cell_access: float) -> ColumnModel:
        """Model for the context's cell; `res_cell_access` is the sub-array's SRAM access resistance."""
        p = ctx.p
        return cls(
            cell_type=p.chip.cell.type,
            access_cmos=p.chip.cell.access is AccessType.CMOS,
            parallel_read=p.parallel_read,
            sub_array_rows=p.chip.array.rows,
            num_add=p.read_groups,
            wire_res_row=p.wire_resistance_row_ohm,
            wire_res_col=p.wire_resistance_col_ohm,
            res_access=ctx.cell.r_access_ohm,
            res_cell_access=res_cell_access,
            cell_bits=p.cell_bits,
            g_max=p.max_conductance,
            g_min=p.min_conductance,
            activity_over_block=p.quirk("v21_activity_over_block_rows"),
            conductance_steps=linear_weight_steps(p),
        )

    def activity_rows(self, block_rows: int) -> int:
        """The rows a block's read activity counts over: the sub-array's, or (quirk) the block's own."""
        return block_rows if self.activity_over_block and block_rows > 0 else self.sub_array_rows

    @property
    def weight_independent(self) -> bool:
        """SRAM: the column conductance counts active rows and ignores the stored bits."""
        return self.cell_type is CellType.SRAM


def linear_weight_steps(p: Derived) -> int | None:
    """The steps NeuroSim V2.1 maps a one-cell weight's levels over (quirk v21_linear_weight_conductance): 2^weight
    bits, the weight read linearly from G_min (-1) to G_max (+1); None (digits over 2^cell_bits - 1 steps) otherwise."""
    if not p.quirk(LINEAR_WEIGHT_CONDUCTANCE) or p.cols_per_weight != 1:
        return None
    return 1 << p.chip.precision.weight_bits


def effective_conductance(
    block: np.ndarray, model: ColumnModel, col_period: int | None = None, dtype: type[np.floating] = np.float64
) -> np.ndarray:
    """Per-cell conductance seen through the wires (and the 1T1R access device), rows x columns, in `dtype`."""
    return conductance_and_range(block, model, col_period, dtype)[0]


def conductance_and_range(
    block: np.ndarray, model: ColumnModel, col_period: int | None = None, dtype: type[np.floating] = np.float64
) -> tuple[np.ndarray, tuple[float, float]]:
    """effective_conductance, and bounds (lowest, highest) on its values: for cell digits those of the conductance
    tables of the levels they use, else of the values themselves.

    Wire segments count from the block's own corner: (j+1) row segments and (rows-i) column segments.
    With `col_period`, the column index restarts every col_period columns (several sub-arrays side by side).
    An integer block holds cell digits and is mapped to conductances first (model.cell_bits, g_max, g_min), in a
    compiled pass (`_digit_conductance`).
    The arithmetic is float64; the result is rounded to `dtype` at the end.
    """
    rows, cols = block.shape
    access = model.res_access if model.cell_type is CellType.RRAM and model.access_cmos else 0.0
    d = np.asarray(block)
    if d.dtype.kind in "iu" and d.size:
        return _digit_conductance(d, model, col_period, dtype, access)
    wires = _series_resistance(rows, cols, col_period, model.wire_res_row, model.wire_res_col, access)
    if d.dtype.kind in "iu":
        d = cells_to_conductance(d, model.cell_bits, model.g_max, model.g_min, model.conductance_steps)
    total = 1.0 / d.astype(np.float64, copy=False)
    total += wires
    g = np.divide(1.0, total, out=total).astype(dtype, copy=False)
    return g, (float(g.min(initial=np.inf)), float(g.max(initial=0.0)))


def _digit_conductance(
    d: np.ndarray, model: ColumnModel, col_period: int | None, dtype: type[np.floating], access: float
) -> tuple[np.ndarray, tuple[float, float]]:
    """conductance_and_range of a block of cell digits: 1 / (the cell's resistance at its level + its wires), in
    float64 and rounded to `dtype`, cell by cell; the bounds are those of every level used at every position (both
    operations round monotonically, so the extremes pair the extreme cells with the extreme wires). Where the block
    is wider than a table of every level at every row and column of the period, the table is built and picked from;
    else each cell is computed (the same values either way)."""
    from neurocim.arch.subarray.read_kernel import digit_conductances, pick_levels  # compiled on first use

    rows, cols = d.shape
    # one-bit cells' byte digits hold 0 or 1 (checked as they are mapped); other digits span the levels they use
    lo, hi = (0, 1) if model.cell_bits == 1 and d.itemsize == 1 else (int(d.min()), int(d.max()))
    period = min(col_period or cols, cols)  # the wires repeat every period columns
    wires = _series_resistance(rows, period, None, model.wire_res_row, model.wire_res_col, access)
    levels = np.arange(lo, hi + 1)
    cell = 1.0 / cells_to_conductance(levels, model.cell_bits, model.g_max, model.g_min, model.conductance_steps)
    out = np.empty(d.shape, dtype=dtype)
    # a contiguous copy of a view (one byte a cell) lets the compiled loop run on whole vector registers
    digits = np.ascontiguousarray(d)
    if len(cell) * period < cols:
        tables = (1.0 / (cell[:, None, None] + wires[None])).astype(dtype)  # (levels, rows, period)
        bits = np.int32 if tables.itemsize == 4 else np.int64  # the pick copies the floats' bits
        valid = pick_levels(digits, tables.view(bits), lo, out.view(bits))
    else:
        valid = digit_conductances(digits, cell, wires, lo, out)
    if not valid:
        bits_per_cell, top = model.cell_bits, (1 << model.cell_bits) - 1
        raise ValueError(f"cell digits of {bits_per_cell}-bit cells must lie in 0..{top}, got {d.min()}..{d.max()}")
    bounds = 1.0 / (np.array([cell.max(), cell.min()]) + np.array([wires.max(), wires.min()]))
    low, high = bounds.astype(dtype)
    return out, (float(low), float(high))


def _series_resistance(
    rows: int, cols: int, col_period: int | None, res_row: float, res_col: float, access: float
) -> np.ndarray:
    """Wire (and access-device) resistance in series with every cell of a rows x columns block."""
    j = np.arange(cols)
    if col_period:
        j = j % col_period
    row_term = (j + 1) * res_row
    col_term = (rows - np.arange(rows)) * res_col
    return (row_term[None, :] + col_term[:, None]) + access
