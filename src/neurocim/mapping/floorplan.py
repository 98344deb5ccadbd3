"""Chip floorplan: tile and PE sizes, duplication, tiles and utilisation per layer (NeuroSim's ChipFloorPlan)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from neurocim.config.chip import MappingType
from neurocim.config.derived import Derived
from neurocim.mapping.placement import (
    Matrix,
    layer_matrices,
    mark_novel,
    novel_pe_count,
    pe_duplication,
    pipeline_speedups,
    place_layer,
    power_of_two_at_least,
    ratio,
    subarray_duplication,
    tile_design_cm,
    tile_design_nm,
)
from neurocim.workload.network import Layer


class FloorplanError(ValueError):
    """The network cannot be floorplanned with these settings."""


@dataclass(frozen=True)
class FloorplanInputs:
    """The settings the floorplanner reads."""

    sub_array_rows: int = 128
    sub_array_cols: int = 128
    rows_per_weight: int = 1  # 2 in NeuroSim's XNOR operation modes; 1 for every chip neurocim describes
    cols_per_weight: int = 8
    novel_mapping: bool = True
    pipeline: bool = True
    speedup_degree: int = 8
    # NeuroSim prints an error and later crashes when a PE (tile) would be smaller than 2 (4) sub-arrays.
    # True raises FloorplanError there; False goes on with the smallest allowed size (2S or 4S).
    strict_hierarchy: bool = True
    # NeuroSim counts a tile's cells as its size squared, in rows, whatever the sub-array (quirk
    # `floorplan_partial_sub_arrays`); False counts the whole sub-arrays its PEs are built of.
    partial_sub_arrays: bool = False

    @classmethod
    def from_params(cls, p: Derived) -> FloorplanInputs:
        """The floorplanner's settings out of the resolved hardware parameters."""
        return cls(
            sub_array_rows=p.chip.array.rows,
            sub_array_cols=p.chip.array.cols,
            cols_per_weight=p.cols_per_weight,
            novel_mapping=p.chip.mapping is MappingType.NOVEL,
            pipeline=p.chip.pipeline.enabled,
            # duplication is a pipeline's: without one the degree is not read (chips that differ in it alone are one)
            speedup_degree=p.chip.pipeline.speedup_degree if p.chip.pipeline.enabled else 1,
            strict_hierarchy=p.chip.strict_floorplan,
            partial_sub_arrays=p.quirk("floorplan_partial_sub_arrays"),
        )

    def pe_cells(self, pe_size: float) -> float:
        """Cells of a PE sized `pe_size`: its grid of whole sub-arrays, ceil(size / rows) x ceil(size / columns),
        as the PE is built (NeuroSim: the size squared, so a PE can end inside a sub-array)."""
        if self.partial_sub_arrays:
            return pe_size * pe_size
        rows, cols = self.sub_array_rows, self.sub_array_cols
        return math.ceil(pe_size / rows) * rows * math.ceil(pe_size / cols) * cols


@dataclass(frozen=True)
class Floorplan:
    """Result of the floorplanner: per-layer tuples (in layer order) and chip-level sizes and counts."""

    is_novel: tuple[bool, ...]
    pipeline_speedup: tuple[int, ...]  # all 1 without pipeline
    pe_dup_row: tuple[int, ...]
    pe_dup_col: tuple[int, ...]
    subarray_dup_row: tuple[int, ...]
    subarray_dup_col: tuple[int, ...]
    num_tiles_row: tuple[int, ...]
    num_tiles_col: tuple[int, ...]
    utilization: tuple[float, ...]
    speedup_row: tuple[int, ...]
    speedup_col: tuple[int, ...]
    tile_loc_row: tuple[int, ...]
    tile_loc_col: tuple[int, ...]
    num_pe_nm: int  # PEs per novel-mapped tile (0 without novel mapping)
    pe_size_nm: int  # 0 without novel mapping
    tile_size_cm: int
    pe_size_cm: int
    max_pe_size_nm: int
    max_tile_size_cm: int
    num_tile_nm: int  # NeuroSim's desiredNumTileNM
    num_tile_cm: int  # NeuroSim's desiredNumTileCM
    num_tile_row: int
    num_tile_col: int
    memory_utilization: float  # fraction
    speed_up_degree: int  # after NeuroSim's cap (the input value without pipeline; 1 from a chip's settings)
    sub_array_rows: int
    sub_array_cols: int
    hierarchy_clamped: bool = False  # True when strict_hierarchy=False had to go on past NeuroSim's error

    @property
    def num_layers(self) -> int:
        return len(self.is_novel)

    @cached_property  # a floorplan is a value: worked out once
    def num_tiles(self) -> tuple[int, ...]:
        return tuple(r * c for r, c in zip(self.num_tiles_row, self.num_tiles_col, strict=True))

    @cached_property  # a floorplan is a value: worked out once
    def speedup(self) -> tuple[int, ...]:
        return tuple(r * c for r, c in zip(self.speedup_row, self.speedup_col, strict=True))

    @cached_property  # a floorplan is a value: worked out once
    def total_tiles(self) -> int:
        return sum(self.num_tiles)

    @property
    def num_pe_cm(self) -> int:
        """PEs per dimension of a conventionally mapped tile (ceil(tile / PE))."""
        return math.ceil(self.tile_size_cm / self.pe_size_cm)


def _halvings(start: float, stop_at: float):
    """start, start/2, ... while > stop_at (NeuroSim's size search)."""
    size = start
    while size > stop_at:
        yield size
        size /= 2


def _search_novel_pe(
    marks: Sequence[bool], matrices: Sequence[Matrix], num_pe_nm: int, max_pe: float, s: int
) -> tuple[float, int]:
    """PE size of novel-mapped tiles with the best utilisation, and the tile count it needs."""
    best_size = max(max_pe, 2 * s)
    best_tiles, best_util = tile_design_nm(best_size, marks, matrices, num_pe_nm)[0], 0.0
    for size in _halvings(max(max_pe, 2 * s), 2 * s):
        tiles, util = tile_design_nm(size, marks, matrices, num_pe_nm)
        if util > best_util:
            best_size, best_tiles, best_util = size, tiles, util
    return best_size, best_tiles


def _search_conventional(
    marks: Sequence[bool], matrices: Sequence[Matrix], max_tile: float, s: int
) -> tuple[float, int, float]:
    """CM tile size and tile count with the best utilisation, then the CM PE size."""
    tile = max(max_tile, 4 * s)
    tiles, best_util = tile_design_cm(tile, marks, matrices)[0], 0.0
    for size in _halvings(max(max_tile, 4 * s), 4 * s):
        n, util = tile_design_cm(size, marks, matrices)
        if util > best_util:
            tile, tiles, best_util = size, n, util
    pe = tile / 2
    for size in _halvings(tile / 2, 2 * s):
        # NeuroSim quirk: the PE search keeps the tile search's best utilisation as the bar to beat.
        util = ratio(pe_duplication(size, tile, marks, matrices)[2], tiles * tile * tile)
        if util > best_util:
            pe, best_util = size, util
    return tile, tiles, pe


def _as_int(x: float) -> int:
    if not float(x).is_integer():
        raise FloorplanError(f"non-integral floorplan size {x}")
    return int(x)


def _check_hierarchy(p: FloorplanInputs, max_size: float, needed: int, what: str) -> bool:
    """False when fine; True (clamped) or FloorplanError when the largest size is below `needed`."""
    if max_size >= needed:
        return False
    if p.strict_hierarchy:
        raise FloorplanError(
            f"sub-array of {p.sub_array_rows} rows too large for this network: a {what} spans at least "
            f"{needed} columns but its widest layer needs only {_as_int(max_size)} (NeuroSim: 'SubArray Size is "
            "too large'); use smaller sub-arrays, or strict_floorplan=false to go on with the smallest PE and tile"
        )
    return True


def _tile_locations(tiles: Sequence[int], num_tile_row: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    # NeuroSim quirk: the running total starts uninitialised (taken as 0 here) and already includes the
    # layer's own tiles; both coordinates are taken modulo / divided by the tile-row count.
    rows, cols, total = [0], [0], 0
    for n in tiles[1:]:
        total += n
        rows.append(total // num_tile_row if num_tile_row else 0)
        cols.append(total % num_tile_row if num_tile_row else 0)
    return tuple(rows), tuple(cols)


@dataclass(frozen=True)
class _Sizes:
    """Outcome of the tile / PE size searches."""

    num_pe_nm: int
    max_pe_nm: float
    max_tile_cm: float
    pe_nm: float
    tiles_nm: int
    tile_cm: float
    tiles_cm: int
    pe_cm: float
    clamped: bool


def _choose_sizes(p: FloorplanInputs, matrices: Sequence[Matrix], marks: Sequence[bool], num_pe_nm: int) -> _Sizes:
    s = p.sub_array_rows
    cols_nm = [power_of_two_at_least(m.cols) for m, nm in zip(matrices, marks, strict=True) if nm]
    cols_cm = [power_of_two_at_least(m.cols) for m, nm in zip(matrices, marks, strict=True) if not nm]
    max_pe_nm, max_tile_cm = max(cols_nm, default=0.0), max(cols_cm, default=0.0)
    pe_nm, tiles_nm = 0.0, 0
    if p.novel_mapping:
        clamped = _check_hierarchy(p, max_pe_nm, 2 * s, "novel-mapping PE")
        pe_nm, tiles_nm = _search_novel_pe(marks, matrices, num_pe_nm, max_pe_nm, s)
    else:
        clamped = _check_hierarchy(p, max_tile_cm, 4 * s, "conventional-mapping tile")
    tile_cm, tiles_cm, pe_cm = _search_conventional(marks, matrices, max_tile_cm, s)
    return _Sizes(num_pe_nm, max_pe_nm, max_tile_cm, pe_nm, tiles_nm, tile_cm, tiles_cm, pe_cm, clamped)


def _tile_cells(p: FloorplanInputs, sz: _Sizes) -> tuple[float, float]:
    """Cells of a conventionally mapped tile and of a novel-mapped one, the denominators of utilisation."""
    if p.partial_sub_arrays:
        return sz.tile_cm * sz.tile_cm, sz.pe_nm * sz.pe_nm * sz.num_pe_nm
    return math.ceil(sz.tile_cm / sz.pe_cm) ** 2 * p.pe_cells(sz.pe_cm), sz.num_pe_nm * p.pe_cells(sz.pe_nm)


def pe_rows(shapes: Sequence[tuple[int, int, int]], sub_array_rows: int, novel_mapping: bool) -> tuple[int, ...]:
    """Per layer of a network given as (input channels, kernel positions, cell columns), in network order: the rows
    one PE holds (novel mapping: of one kernel position), as plan_floor sizes PEs. Past NeuroSim's hierarchy error
    the smallest sizes are taken, as a non-strict floorplan does."""
    matrices = [Matrix(rows=c * k, rows_novel=c, cols=cols, kernel_area=k) for c, k, cols in shapes]
    num_pe_nm = novel_pe_count(matrices) if novel_mapping else 0
    marks = mark_novel(matrices, num_pe_nm, sub_array_rows) if novel_mapping else (False,) * len(matrices)
    p = FloorplanInputs(sub_array_rows=sub_array_rows, novel_mapping=novel_mapping, strict_hierarchy=False)
    sz = _choose_sizes(p, matrices, marks, num_pe_nm)
    return tuple(_as_int(sz.pe_nm if novel else sz.pe_cm) for novel in marks)


def plan_floor(layers: Sequence[Layer], p: FloorplanInputs | Derived) -> Floorplan:
    """Floorplan `layers` as NeuroSim V1.4 does (ChipDesignInitialize + ChipFloorPlan)."""
    if isinstance(p, Derived):
        p = FloorplanInputs.from_params(p)
    if not layers:
        raise FloorplanError("no layers to floorplan")
    for field in ("sub_array_rows", "sub_array_cols", "rows_per_weight", "cols_per_weight", "speedup_degree"):
        if getattr(p, field) < 1:
            raise FloorplanError(f"{field} must be >= 1, got {getattr(p, field)}")
    matrices = layer_matrices(layers, p.rows_per_weight, p.cols_per_weight)
    num_pe_nm = novel_pe_count(matrices) if p.novel_mapping else 0
    marks = mark_novel(matrices, num_pe_nm, p.sub_array_rows) if p.novel_mapping else (False,) * len(layers)
    speedups, degree = pipeline_speedups(layers, p.speedup_degree) if p.pipeline else (None, p.speedup_degree)
    sz = _choose_sizes(p, matrices, marks, num_pe_nm)

    pe_r, pe_c, _ = pe_duplication(sz.pe_cm, sz.tile_cm, marks, matrices)
    sa_r, sa_c = subarray_duplication(sz.pe_cm, sz.pe_nm, marks, matrices, p.sub_array_rows, p.sub_array_cols)
    dups = list(zip(pe_r, pe_c, sa_r, sa_c, strict=True))
    cells = _tile_cells(p, sz)
    placed = [
        place_layer(m, marks[i], dups[i], speedups[i] if speedups else None, sz.tile_cm, sz.pe_nm, cells[marks[i]])
        for i, m in enumerate(matrices)
    ]
    tiles = [pl.tiles_row * pl.tiles_col for pl in placed]
    tiles_cm, tiles_nm = sz.tiles_cm, sz.tiles_nm
    if p.pipeline:  # with pipeline the chip holds every layer's (duplicated) tiles
        tiles_cm = sum(n for n, nm in zip(tiles, marks, strict=True) if not nm)
        tiles_nm = sum(n for n, nm in zip(tiles, marks, strict=True) if nm)
    num_tile_row = math.ceil(math.sqrt(tiles_cm + tiles_nm))
    mapped = 0.0
    for n, pl in zip(tiles, placed, strict=True):
        mapped += n * pl.utilization
    loc_row, loc_col = _tile_locations(tiles, num_tile_row)
    return Floorplan(
        is_novel=tuple(marks),
        pipeline_speedup=tuple(speedups) if speedups else (1,) * len(layers),
        pe_dup_row=pe_r,
        pe_dup_col=pe_c,
        subarray_dup_row=sa_r,
        subarray_dup_col=sa_c,
        num_tiles_row=tuple(pl.tiles_row for pl in placed),
        num_tiles_col=tuple(pl.tiles_col for pl in placed),
        utilization=tuple(pl.utilization for pl in placed),
        speedup_row=tuple(pl.speedup_row for pl in placed),
        speedup_col=tuple(pl.speedup_col for pl in placed),
        tile_loc_row=loc_row,
        tile_loc_col=loc_col,
        num_pe_nm=num_pe_nm,
        pe_size_nm=_as_int(sz.pe_nm),
        tile_size_cm=_as_int(sz.tile_cm),
        pe_size_cm=_as_int(sz.pe_cm),
        max_pe_size_nm=_as_int(sz.max_pe_nm),
        max_tile_size_cm=_as_int(sz.max_tile_cm),
        num_tile_nm=tiles_nm,
        num_tile_cm=tiles_cm,
        num_tile_row=num_tile_row,
        num_tile_col=math.ceil((tiles_cm + tiles_nm) / num_tile_row) if num_tile_row else 0,
        memory_utilization=ratio(mapped, sum(tiles)),
        speed_up_degree=degree,
        sub_array_rows=p.sub_array_rows,
        sub_array_cols=p.sub_array_cols,
        hierarchy_clamped=sz.clamped,
    )
