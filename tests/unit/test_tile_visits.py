"""The PE results a tile gathers, in NeuroSim's order (Tile.cpp's loops over its PEs)."""

from __future__ import annotations

from neurocim.mapping.tile_visits import Gathering, PeVisit, tile_plan


def test_grid_pes_outside_the_matrix_repeat_the_previous_result_in_neurosim() -> None:
    plan = tile_plan(False, 2, 64, 1, 1, 100, 50, repeat_outside=True)
    first, second = PeVisit(0, 0, 64, 50, 1, 1), PeVisit(64, 0, 36, 50, 1, 1)
    assert plan == (Gathering.GRID, (first, first, second, second))


def test_grid_pes_outside_the_matrix_add_nothing_by_default() -> None:
    plan = tile_plan(False, 2, 64, 1, 1, 100, 50)
    first, second = PeVisit(0, 0, 64, 50, 1, 1), PeVisit(64, 0, 36, 50, 1, 1)
    assert plan == (Gathering.GRID, (first, None, second, None))


def test_full_duplication_is_one_evaluation_of_the_whole_matrix() -> None:
    assert tile_plan(False, 2, 64, 4, 3, 20, 24) == (Gathering.FULL, (PeVisit(0, 0, 20, 24, 2, 2),))


def test_duplicated_tiles_read_the_pes_holding_data_once() -> None:
    plan = tile_plan(False, 4, 64, 2, 1, 100, 40)
    assert plan == (Gathering.DUPLICATED, (PeVisit(0, 0, 64, 40, 1, 1), PeVisit(64, 0, 36, 40, 1, 1)))


def test_novel_pes_take_bands_of_rows() -> None:
    plan = tile_plan(True, 4, 64, 1, 1, 100, 30)
    assert plan.gathering is Gathering.NOVEL
    assert [(v.row, v.rows, v.cols) for v in plan.visits] == [(0, 25, 30), (25, 25, 30), (50, 25, 30), (75, 25, 30)]
