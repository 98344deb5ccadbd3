"""The PE evaluations of a tile pass in NeuroSim's order and the block of the tile's matrix each one reads."""


from __future__ import annotations

import math
from enum import Enum
from typing import NamedTuple


class PeVisit(NamedTuple):
    """One PE evaluation: the block of the tile's matrix it reads and the PE's array duplication."""

    row: int
    col: int
    rows: int
    cols: int
    dup_row: int
    dup_col: int


class Gathering(Enum):
    """How a tile combines its PE results (besides latencies being maxima and energies sums)."""

    FULL = "full"  # every PE holds the whole matrix: one evaluation, latencies shared by the num_pe^2 PEs
    DUPLICATED = "duplicated"  # the PEs holding data, latencies shared by the speed-up copies
    GRID = "grid"  # num_pe x num_pe PEs; those outside the matrix repeat the previous result
    NOVEL = "novel"  # num_pe PEs, each a band of rows


class TilePlan(NamedTuple):
    gathering: Gathering
    visits: tuple[PeVisit | None, ...]  # every PE result gathered, in order; None: an empty result


def tile_plan(
    novel: bool,
    num_pe: float,
    pe_size: float,
    su_row: int,
    su_col: int,
    rows: int,
    cols: int,
    repeat_outside: bool = False,
) -> TilePlan:
    """The PE results a tile of num_pe (per side when conventional) PEs of pe_size gathers for a rows x cols matrix
    with speed-up su_row x su_col. With `repeat_outside` (NeuroSim), a conventional-grid PE outside the matrix
    re-adds the previous PE's result; else it adds nothing."""
    n, size = int(num_pe), pe_size
    if novel:
        per_pe = int(rows / num_pe)
        visits = [PeVisit(int(i * min(size, int(rows) / num_pe)), 0, per_pe, cols, 1, 1) for i in range(n)]
        return TilePlan(Gathering.NOVEL, tuple(visits))
    if su_row * su_col > 1 and su_row >= num_pe and su_col >= num_pe:
        dup = (math.ceil(su_row / num_pe), math.ceil(su_col / num_pe))
        return TilePlan(Gathering.FULL, (PeVisit(0, 0, rows, cols, *dup),))
    if su_row * su_col > 1:
        grid = [(i, j) for i in range(math.ceil(rows / size)) for j in range(math.ceil(cols / size))]
        visits = [_grid_visit(i, j, size, rows, cols) for i, j in grid if i * size < rows and j * size < cols]
        return TilePlan(Gathering.DUPLICATED, tuple(visits))
    gathered: list[PeVisit | None] = []
    for i in range(n):
        for j in range(n):
            if i * size < rows and j * size < cols:
                gathered.append(_grid_visit(i, j, size, rows, cols))
            else:
                gathered.append(gathered[-1] if gathered and repeat_outside else None)
    return TilePlan(Gathering.GRID, tuple(gathered))


def _grid_visit(i: int, j: int, size: float, rows: int, cols: int) -> PeVisit:
    """PE (i, j) of the conventional grid with the part of the matrix it holds (no duplication)."""
    num_row, num_col = int(min(size, rows - i * size)), int(min(size, cols - j * size))
    return PeVisit(int(i * size), int(j * size), num_row, num_col, 1, 1)
