"""The sub-arrays a weight update writes, cut as the forward pass cuts them, with how often each write counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from neurocim.arch.tile import Tile
from neurocim.config.derived import Derived
from neurocim.mapping.blocks import copy_array, copy_pe_array, reshape_array
from neurocim.mapping.floorplan import Floorplan
from neurocim.mapping.layer_mapping import LayerMapping
from neurocim.mapping.tile_visits import Gathering, PeVisit
from neurocim.training_cost.quirks import WRITE_NOMINAL_COLUMNS
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


def _tile_blocks(p: Derived, fp: Floorplan, index: int, layer: Layer, g_new: np.ndarray, g_old: np.ndarray):
    """Yield (novel, new block, old block, rows, cols) for every tile of a layer, cut by the layer's mapping exactly
    as the forward pass cuts its cells. NeuroSim V2.1 (quirk wu_novel_tile_nominal_columns) writes a novel-mapped
    tile's PEs at the tile's nominal width (min(PE size, columns from its first)), though the tile holds an equal
    share of the columns (fewer, under novel_rows_position_major): its PEs read past the share's rows, undefined memory
    for which the weight matrix's following columns stand in here."""
    novel = fp.is_novel[index]
    mapping = LayerMapping.from_params(p, layer, novel, fp.pe_size_nm if novel else fp.pe_size_cm)
    if not novel:
        for b in mapping.conventional_tiles(fp.tile_size_cm):
            cut = (b.row, b.col, b.rows, b.cols)
            yield False, copy_array(g_new, *cut), copy_array(g_old, *cut), b.rows, b.cols
        return
    nominal = p.quirk(WRITE_NOMINAL_COLUMNS)
    for band in mapping.novel_bands(fp.pe_size_nm, fp.num_pe_nm, p.quirk("novel_rows_position_major")):
        args = (band.row, 0, band.rows_per_pe, mapping.cols, band.pes, band.stride, band.positions)
        band_new, band_old = reshape_array(g_new, *args), reshape_array(g_old, *args)
        for col, taken, nr, nc in band.tiles:
            width = nc if nominal else taken
            yield True, band_new[:, col : col + width], band_old[:, col : col + width], nr, nc


def _pe_blocks(tile: Tile, visit: PeVisit, new: np.ndarray, old: np.ndarray) -> Iterator[tuple[np.ndarray, ...]]:
    """(new, old) of every sub-array a PE evaluation writes."""
    w_new = copy_pe_array(new, visit.row, visit.col, visit.rows, visit.cols)
    w_old = copy_pe_array(old, visit.row, visit.col, visit.rows, visit.cols)
    strips, _ = tile.pe.reader.read_layout(visit.rows, visit.cols, visit.dup_row, visit.dup_col)
    for first, rows, col_blocks in strips:
        for start, width in col_blocks:
            yield w_new[first : first + rows, start : start + width], w_old[first : first + rows, start : start + width]


def write_blocks(
    p: Derived,
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
