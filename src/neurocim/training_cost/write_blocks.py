"""The sub-arrays a weight update writes: a layer's conductances cut as the forward pass cuts them (tiles, PEs,
sub-arrays), with how often each block's write counts."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from neurocim.arch.block_mapping import copy_array, copy_pe_array, reshape_array
from neurocim.arch.tile import Tile
from neurocim.arch.tile_visits import Gathering, PeVisit
from neurocim.config.params import Params
from neurocim.mapping.floorplan import Floorplan
from neurocim.workload.network import Layer


@dataclass(frozen=True)
class WriteBlockPlace:
    """Where a sub-array block sits: how often its write counts, and its tile."""

    latency_copies: int  # arrays written one after another with this content
    energy_copies: int  # arrays written with this content (duplicates included)
    tile_energy_scale: int  # the tile's extra energy factor of the full (non-peak) update: novel-mapping speed-up
    tile: int  # index of the tile (within the layer) holding it
    tile_cells: int  # cells of that tile's block of the layer's matrix


@dataclass(frozen=True)
class WriteBlock(WriteBlockPlace):
    """One sub-array's share of two per-cell matrices cut alike (conductances after and before, or pulses and cell
    energies), and its place."""

    new: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (rows, cols)
    old: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # same shape


def _tile_blocks(p: Params, fp: Floorplan, index: int, layer: Layer, g_new: np.ndarray, g_old: np.ndarray):
    """Yield (novel, new block, old block, rows, cols) for every tile of a layer, as the forward pass cuts them."""
    rows_total = layer.rows * p.num_row_per_synapse
    cols_total = layer.out_channels * p.num_col_per_synapse
    if not fp.is_novel[index]:
        t = fp.tile_size_cm
        for i in range(math.ceil(rows_total / t)):
            for j in range(math.ceil(cols_total / t)):
                nr, nc = min(t, rows_total - i * t), min(t, cols_total - j * t)
                cut = (i * t, j * t, nr, nc)
                yield False, copy_array(g_new, *cut), copy_array(g_old, *cut), nr, nc
        return
    pe, num_pe = fp.pe_size_nm, fp.num_pe_nm
    ch_rows = layer.in_channels * p.num_row_per_synapse
    n_row_tiles, n_col_tiles = math.ceil(ch_rows / pe), math.ceil(cols_total / pe)
    per_pe_rows, per_pe_cols = ch_rows // n_row_tiles, cols_total // n_col_tiles
    for i in range(n_row_tiles):
        args = (i * pe, 0, per_pe_rows, cols_total, num_pe, ch_rows)
        band_new, band_old = reshape_array(g_new, *args), reshape_array(g_old, *args)
        for j in range(n_col_tiles):
            nr = int(min(pe * num_pe, rows_total - i * pe * num_pe))
            nc = int(min(pe, cols_total - j * pe))
            cols = slice(j * pe, j * pe + per_pe_cols)
            yield True, band_new[:, cols], band_old[:, cols], nr, nc


def _pe_blocks(tile: Tile, visit: PeVisit, new: np.ndarray, old: np.ndarray) -> Iterator[tuple[np.ndarray, ...]]:
    """(new, old) of every sub-array a PE evaluation writes."""
    w_new = copy_pe_array(new, visit.row, visit.col, visit.rows, visit.cols)
    w_old = copy_pe_array(old, visit.row, visit.col, visit.rows, visit.cols)
    strips, _ = tile.pe.reader.read_layout(visit.rows, visit.cols, visit.dup_row, visit.dup_col)
    for first, rows, col_blocks in strips:
        for start, width in col_blocks:
            yield w_new[first : first + rows, start : start + width], w_old[first : first + rows, start : start + width]


def write_blocks(
    p: Params,
    fp: Floorplan,
    tiles: tuple[Tile | None, Tile],
    index: int,
    layer: Layer,
    g_new: np.ndarray,
    g_old: np.ndarray,
) -> Iterator[WriteBlock]:
    """Every sub-array block of layer `index` with its multiplicities (NeuroSim V2.1's write accounting: a tile's
    PEs are written one after another, a fully duplicated tile writes each of its PEs, duplicated sub-arrays in a
    PE are written in parallel)."""
    tile_nm, tile_cm = tiles
    su_row, su_col = fp.speedup_row[index], fp.speedup_col[index]
    for t, (novel, new, old, nr, nc) in enumerate(_tile_blocks(p, fp, index, layer, g_new, g_old)):
        tile = tile_nm if novel else tile_cm
        assert tile is not None
        plan = tile._plan(su_row, su_col, nr, nc)
        pe_copies = int(tile.num_pe * tile.num_pe) if plan.gathering is Gathering.FULL else 1
        scale = su_row * su_col if novel else 1
        for visit in plan.visits:
            if visit is None:
                continue
            dup = visit.dup_row * visit.dup_col
            for b_new, b_old in _pe_blocks(tile, visit, new, old):
                yield WriteBlock(pe_copies, pe_copies * dup, scale, t, int(nr * nc), b_new, b_old)
