"""One layer's mapping onto the chip, read by both halves: sub-arrays, read groups, cells per weight, tile blocks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from neurocim.config.chip import ChipConfig, MappingType
from neurocim.config.derived import Derived
from neurocim.workload.network import Layer

Strip = tuple[int, int, tuple[tuple[int, int], ...]]  # (first row, rows, column blocks [(first column, columns)])


def sub_array_strips(rows: int, cols: int, num_i: int, num_j: int, sub_rows: int, sub_cols: int) -> tuple[Strip, ...]:
    """The row strips of a rows x cols block on a num_i x num_j grid of sub_rows x sub_cols sub-arrays: every strip
    of sub-arrays that holds data, with the column blocks of its sub-arrays that hold data."""
    strips = []
    for i in range(num_i):
        if i * sub_rows >= rows:
            continue
        blocks = tuple((j * sub_cols, min(sub_cols, cols - j * sub_cols)) for j in range(num_j) if j * sub_cols < cols)
        if blocks:
            strips.append((i * sub_rows, min(sub_rows, rows - i * sub_rows), blocks))
    return tuple(strips)


class TileBlock(NamedTuple):
    """A conventionally mapped tile's block of the layer matrix (cells): first row and column, rows, columns."""

    row: int
    col: int
    rows: int
    cols: int


class NovelBand(NamedTuple):
    """A row band of novel-mapped tiles: each of `pes` PEs takes `rows_per_pe` rows of one kernel position, channels
    from `row` on (`positions` > 0: the channel-major rows (row + i) * positions + k of PE k); `tiles`: (first column,
    columns taken, rows, columns). With positions = 0, NeuroSim's layout (quirk `novel_rows_position_major`): PE k
    takes the rows row + k * stride + i, as if the matrix were kernel-position-major, so a PE holds a mix of
    positions."""

    row: int
    rows_per_pe: int
    pes: int
    stride: int
    tiles: tuple[tuple[int, int, int, int], ...]
    positions: int = 0


@dataclass(frozen=True)
class LayerMapping:
    """How one layer's weight matrix sits on the chip.

    Rows are the unrolled weight rows in PyTorch's order (channel-major: row = channel * positions + position),
    each weight row `rows_per_weight` cell rows; a weight takes `cells_per_weight` cell columns. Conventional mapping
    fills sub-arrays with the rows in order; novel mapping gives every kernel position its own sub-arrays, filled
    with that position's channels. A PE is a group of whole sub-arrays: every `pe_rows` rows (of a kernel position,
    under novel mapping) start a new sub-array (0: no PE edges). A sub-array is read `parallel_rows` rows at a time:
    each read group is summed by one ADC conversion.
    """

    channels: int  # input channels (conv) or features (linear)
    positions: int  # kernel positions kernel_h * kernel_w
    out_channels: int
    sub_array_rows: int
    sub_array_cols: int
    parallel_rows: int
    cells_per_weight: int
    rows_per_weight: int = 1
    novel: bool = False
    pe_rows: int = 0

    def __post_init__(self) -> None:
        for name in ("channels", "positions", "out_channels", "sub_array_cols", "cells_per_weight", "rows_per_weight"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)} must be >= 1")
        if self.sub_array_rows < 1:
            raise ValueError(f"array.rows={self.sub_array_rows} must be >= 1")
        if self.pe_rows < 0:
            raise ValueError(f"pe_rows={self.pe_rows} must be >= 0")
        if not 1 <= self.parallel_rows <= self.sub_array_rows:
            raise ValueError(f"array.parallel_rows={self.parallel_rows} must be in 1..array.rows={self.sub_array_rows}")

    @classmethod
    def from_chip(
        cls,
        chip: ChipConfig,
        channels: int,
        positions: int,
        out_channels: int = 1,
        novel: bool | None = None,
        pe_rows: int = 0,
    ) -> LayerMapping:
        """The mapping of a layer with these shapes on `chip` (`novel`: default the chip's mapping; `pe_rows`: as the
        network's floorplan sizes its PEs, `floorplan.pe_rows`)."""
        return cls(
            channels=channels,
            positions=positions,
            out_channels=out_channels,
            sub_array_rows=chip.array.rows,
            sub_array_cols=chip.array.cols,
            parallel_rows=chip.array.rows_in_parallel,
            cells_per_weight=math.ceil(chip.precision.weight_bits / chip.cell.bits_per_cell),
            novel=chip.mapping is MappingType.NOVEL if novel is None else novel,
            pe_rows=pe_rows,
        )

    @classmethod
    def from_params(cls, p: Derived, layer: Layer, novel: bool, pe_rows: int = 0) -> LayerMapping:
        """The mapping of `layer` on the chip whose resolved parameters are `p` (`novel`, `pe_rows`: as the floorplan
        marks it and sizes its PEs)."""
        return cls(
            channels=layer.in_channels,
            positions=layer.kernel_h * layer.kernel_w,
            out_channels=layer.out_channels,
            sub_array_rows=p.chip.array.rows,
            sub_array_cols=p.chip.array.cols,
            parallel_rows=p.chip.array.rows_in_parallel,
            cells_per_weight=p.cols_per_weight,
            rows_per_weight=1,
            novel=novel,
            pe_rows=pe_rows,
        )

    # ---- sizes (cells) -------------------------------------------------------------------------------------------
    @property
    def rows(self) -> int:
        """Cell rows of the layer matrix."""
        return self.channels * self.positions * self.rows_per_weight

    @property
    def cols(self) -> int:
        """Cell columns of the layer matrix."""
        return self.out_channels * self.cells_per_weight

    @property
    def position_rows(self) -> int:
        """Cell rows of one kernel position (the rows a novel-mapped PE band holds)."""
        return self.channels * self.rows_per_weight

    @property
    def groups_per_sub_array(self) -> int:
        """Read groups of a full sub-array (the last one may be partly filled)."""
        return -(-self.sub_array_rows // self.parallel_rows)

    # ---- rows: sub-arrays and read groups ------------------------------------------------------------------------
    def row_placement(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per unrolled weight row (in row order): its sub-array (numbered per kernel position under novel mapping,
        positions in order), its row within the sub-array, and its read group (numbered in sub-array order)."""
        c = np.repeat(np.arange(self.channels), self.positions)
        pos = np.tile(np.arange(self.positions), self.channels)
        if self.novel:
            outer, seq = pos, c
        else:
            outer, seq = np.zeros_like(c), c * self.positions + pos
        sub_array, within = seq // self.sub_array_rows, seq % self.sub_array_rows
        if self.pe_rows:  # every PE starts a new sub-array
            pe, in_pe = seq // self.pe_rows, seq % self.pe_rows
            sub_array = pe * -(-self.pe_rows // self.sub_array_rows) + in_pe // self.sub_array_rows
            within = in_pe % self.sub_array_rows
        per_outer = int(sub_array.max()) + 1 if len(sub_array) else 1
        global_array = outer * per_outer + sub_array
        group = global_array * self.groups_per_sub_array + within // self.parallel_rows
        return global_array, within, group

    def read_groups(self) -> np.ndarray:
        """Read groups as an index (groups, parallel rows) into the unrolled weight rows, in group order; the row count
        marks an empty slot."""
        _, within, group = self.row_placement()
        rows = self.channels * self.positions
        ids, dense = np.unique(group, return_inverse=True)
        slot = within % self.parallel_rows
        index = np.full((len(ids), int(slot.max()) + 1 if len(slot) else 1), rows, dtype=np.int64)
        index[dense.reshape(-1), slot] = np.arange(rows)
        return index

    def strips(self) -> tuple[Strip, ...]:
        """The sub-array strips of the layer matrix, each PE's rows read on its own grid of sub-arrays (in cells;
        under novel mapping, of one kernel position's rows)."""
        rows = self.position_rows if self.novel else self.rows
        step = self.pe_rows or rows
        strips: list[Strip] = []
        for first in range(0, rows, step):
            n = min(step, rows - first)
            num_i, num_j = -(-n // self.sub_array_rows), -(-self.cols // self.sub_array_cols)
            found = sub_array_strips(n, self.cols, num_i, num_j, self.sub_array_rows, self.sub_array_cols)
            strips += [(first + row, count, blocks) for row, count, blocks in found]
        return tuple(strips)

    # ---- tiles (NeuroSim's floorplan blocks) ---------------------------------------------------------------------
    def conventional_tiles(self, tile_size: int) -> tuple[TileBlock, ...]:
        """The tiles of a conventionally mapped layer, row-major, each a tile_size square block cut at the edges."""
        t = tile_size
        return tuple(
            TileBlock(i * t, j * t, min(t, self.rows - i * t), min(t, self.cols - j * t))
            for i in range(-(-self.rows // t))
            for j in range(-(-self.cols // t))
        )

    def novel_bands(self, pe_size: int, num_pe: int, position_major: bool = False) -> tuple[NovelBand, ...]:
        """The row bands of a novel-mapped layer's tiles: band i holds channels i * pe_size.. (at most pe_size of
        them), kernel position k in PE k; tile j the columns j * pe_size.. (at most pe_size). `position_major`:
        NeuroSim's layout, whose PEs take an equal share of a position's rows from row i * pe_size of a matrix read as
        if kernel-position-major, and whose tiles an equal share of the columns from j * pe_size (shares rounded
        down)."""
        band, pe = self.position_rows, pe_size
        n_row, n_col = -(-band // pe_size), -(-self.cols // pe_size)
        bands = []
        for i in range(n_row):
            rows = int(min(pe_size * num_pe, self.rows - i * pe_size * num_pe))
            widths = [int(min(pe, self.cols - j * pe)) for j in range(n_col)]
            taken = [self.cols // n_col] * n_col if position_major else widths
            tiles = tuple((j * pe, taken[j], rows, widths[j]) for j in range(n_col))
            if position_major:
                bands.append(NovelBand(i * pe_size, band // n_row, num_pe, band, tiles))
            else:
                per_pe_rows = min(pe_size, band - i * pe_size)
                bands.append(NovelBand(i * pe_size, per_pe_rows, num_pe, band, tiles, self.positions))
        return tuple(bands)
