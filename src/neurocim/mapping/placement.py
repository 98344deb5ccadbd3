"""Per-layer mapping arithmetic of the NeuroSim floorplanner: mapping choice, pipeline speed-up, duplication."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from neurocim.workload.network import Layer


@dataclass(frozen=True)
class Matrix:
    """One layer's weight matrix as the floorplanner sees it (NeuroSim sizes, in cells)."""

    rows: int  # in_channels * kernel_h * kernel_w * rows_per_synapse
    rows_novel: int  # in_channels * rows_per_synapse: rows of one kernel position (novel mapping)
    cols: int  # out_channels * cols_per_synapse
    kernel_area: int  # kernel_h * kernel_w

    @property
    def cells(self) -> int:
        return self.rows * self.cols


def layer_matrices(layers: Sequence[Layer], rows_per_weight: int, cols_per_weight: int) -> list[Matrix]:
    """The floorplanner's view of each layer."""
    return [
        Matrix(
            rows=ly.rows * rows_per_weight,
            rows_novel=ly.in_channels * rows_per_weight,
            cols=ly.out_channels * cols_per_weight,
            kernel_area=ly.kernel_h * ly.kernel_w,
        )
        for ly in layers
    ]


def ratio(num: float, den: float) -> float:
    """num / den with C++ double semantics for a zero denominator (NaN or infinity instead of an exception)."""
    if den == 0:
        return math.nan if num == 0 else math.copysign(math.inf, num)
    return num / den


def novel_pe_count(matrices: Sequence[Matrix]) -> int:
    """PEs per novel-mapped tile: the most frequent kernel area other than 1 (NeuroSim's numPENM)."""
    # Same scan as NeuroSim: the first kernel area to reach the highest count wins; a 1x1 first layer
    # makes it 1 when no larger kernel occurs.
    most, num_pe = 0, 0
    for m in matrices:
        count = 1
        for other in matrices:
            if other.kernel_area == m.kernel_area and m.kernel_area != 1:
                count += 1
            if most < count:
                most, num_pe = count, m.kernel_area
    return num_pe


def mark_novel(matrices: Sequence[Matrix], num_pe_nm: int, sub_array_rows: int) -> tuple[bool, ...]:
    """Novel mapping for the layers whose kernel area is numPENM and whose matrix has >= one sub-array of rows."""
    return tuple(m.kernel_area == num_pe_nm and m.rows >= sub_array_rows for m in matrices)


def novel_mapped(kernels: Sequence[tuple[int, int, int]], sub_array_rows: int) -> tuple[bool, ...]:
    """Which layers, given as (in_channels, kernel_h, kernel_w) in network order, novel mapping maps novel.

    The floorplanner's rule (numPENM, then mark_novel), for the accuracy side to read rows as the chip does.
    """
    matrices = [Matrix(rows=c * kh * kw, rows_novel=c, cols=0, kernel_area=kh * kw) for c, kh, kw in kernels]
    return mark_novel(matrices, novel_pe_count(matrices), sub_array_rows)


def power_of_two_at_least(n: float) -> float:
    """2^ceil(log2 n) in doubles, as NeuroSim sizes the largest PE / tile (the `minCube`)."""
    return 2.0 ** math.ceil(math.log2(n))


def pipeline_speedups(layers: Sequence[Layer], speed_up_degree: int) -> tuple[tuple[int, ...], int]:
    """Per-layer pipeline speed-up and the degree actually used (capped at max IFM / min IFM)."""
    # As NeuroSim: only heights count, the first layer's is taken as the largest, 1xN kernels are skipped.
    max_ifm = layers[0].ifm_h
    min_ifm = max_ifm
    for ly in layers:
        if ly.kernel_h != 1 and ly.ifm_h < min_ifm:
            min_ifm = ly.ifm_h
    degree = min(speed_up_degree, max_ifm // min_ifm)
    bound = math.ceil(max_ifm / degree)
    return tuple(math.ceil((ly.ifm_h / bound) * (ly.ifm_h / bound)) for ly in layers), degree


def tile_design_cm(tile_size: float, marks: Sequence[bool], matrices: Sequence[Matrix]) -> tuple[int, float]:
    """(#tiles, utilisation) of the conventionally mapped layers for one tile size."""
    num_tiles, cells = 0, 0
    for novel, m in zip(marks, matrices, strict=True):
        if not novel:
            num_tiles += math.ceil(m.rows / tile_size) * math.ceil(m.cols / tile_size)
            cells += m.cells
    return num_tiles, ratio(cells, num_tiles * tile_size * tile_size)


def tile_design_nm(
    pe_size: float, marks: Sequence[bool], matrices: Sequence[Matrix], num_pe_nm: int
) -> tuple[int, float]:
    """(#tiles, utilisation) of the novel-mapped layers for one PE size (a tile holds numPENM PEs)."""
    num_tiles, cells = 0, 0
    for novel, m in zip(marks, matrices, strict=True):
        if novel:
            num_tiles += math.ceil(m.rows_novel / pe_size) * math.ceil(m.cols / pe_size)
            cells += m.cells
    return num_tiles, ratio(cells, num_tiles * pe_size * pe_size * num_pe_nm)


def _dup(capacity: float, unit: float, needed: float) -> int:
    """How many copies of a matrix needing ceil(needed/unit) units fit in ceil(capacity/unit) units (>= 1)."""
    fits = math.ceil(capacity / unit) // math.ceil(needed / unit)  # int / int in NeuroSim
    return fits if fits else 1


def pe_duplication(
    pe_size: float, tile_size: float, marks: Sequence[bool], matrices: Sequence[Matrix]
) -> tuple[tuple[int, ...], tuple[int, ...], float]:
    """PE duplication (rows, cols) of each layer inside a CM tile, and the cells mapped counting copies."""
    dup_row, dup_col, cells = [], [], 0
    for novel, m in zip(marks, matrices, strict=True):
        r = c = 1
        if not novel:
            if m.rows <= tile_size or m.cols <= tile_size:
                r, c = _dup(tile_size, pe_size, m.rows), _dup(tile_size, pe_size, m.cols)
            cells += r * c * m.cells
        dup_row.append(r)
        dup_col.append(c)
    return tuple(dup_row), tuple(dup_col), cells


def subarray_duplication(
    pe_size_cm: float,
    pe_size_nm: float,
    marks: Sequence[bool],
    matrices: Sequence[Matrix],
    sub_rows: int,
    sub_cols: int,
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sub-array duplication (rows, cols) of each layer inside its PE."""
    dup_row, dup_col = [], []
    for novel, m in zip(marks, matrices, strict=True):
        pe, rows = (pe_size_nm, m.rows_novel) if novel else (pe_size_cm, m.rows)
        r = c = 1
        if rows <= pe or m.cols <= pe:
            # NeuroSim quirk: rows are counted in numRowSubArray units and columns in numColSubArray units.
            r, c = _dup(pe, sub_rows, rows), _dup(pe, sub_cols, m.cols)
        dup_row.append(r)
        dup_col.append(c)
    return tuple(dup_row), tuple(dup_col)


@dataclass(frozen=True)
class LayerPlacement:
    """Tiles, utilisation and speed-up of one layer (NeuroSim's OverallEachLayer)."""

    tiles_row: int
    tiles_col: int
    utilization: float
    speedup_row: int
    speedup_col: int


def place_layer(
    m: Matrix,
    novel: bool,
    dup: tuple[int, int, int, int],
    pipeline_speedup: int | None,
    tile_size_cm: float,
    pe_size_nm: float,
    tile_cells: float,
) -> LayerPlacement:
    """Tiles of one layer, its utilisation and speed-up; `dup` = (PE row, PE col, sub-array row, sub-array col),
    `tile_cells` the cells of one tile of the layer's mapping (novel: its PEs)."""
    pe_r, pe_c, sa_r, sa_c = dup
    copies = pe_r * pe_c * sa_r * sa_c
    size, rows = (pe_size_nm, m.rows_novel) if novel else (tile_size_cm, m.rows)
    tiles_row, tiles_col = math.ceil(rows / size), math.ceil(m.cols / size)
    extra, used = 1, copies
    if pipeline_speedup is not None:
        extra = math.ceil(pipeline_speedup / copies)  # real division, then ceil
        used = max(pipeline_speedup, copies)
        tiles_row *= extra
    utilization = ratio(used * m.cells, tiles_row * tiles_col * tile_cells)
    return LayerPlacement(tiles_row, tiles_col, utilization, pe_r * sa_r * extra, pe_c * sa_c)
