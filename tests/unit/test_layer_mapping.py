"""One LayerMapping per layer: the accuracy side's read groups and the cost side's strips come from it and agree."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from neurocim.arch.tile_work import TileWork
from neurocim.circuits.context import CircuitContext
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive
from neurocim.mapping.blocks import reshape_input
from neurocim.mapping.floorplan import FloorplanInputs, plan_floor
from neurocim.mapping.layer_mapping import LayerMapping, sub_array_strips
from neurocim.nn.convert import cim_layers, convert_
from neurocim.nn.grouping import RowGroups
from neurocim.workload.network import Layer


def _chip(rows: int, cols: int, parallel: int, cell_bits: int, mapping: str) -> ChipConfig:
    return ChipConfig.model_validate(
        {
            "cell": {"type": "rram" if cell_bits > 1 else "sram", "bits_per_cell": cell_bits},
            "array": {"rows": rows, "cols": cols, "parallel_rows": parallel},
            "precision": {"weight_bits": 8},
            "mapping": mapping,
        }
    )


def _conv_layer(chip: ChipConfig, channels: int, kernel: int, out: int):
    """The CIM layer the accuracy side converts a one-layer network to, and that network's layer table row."""
    model = convert_(nn.Sequential(nn.Conv2d(channels, out, kernel, padding=kernel // 2)), chip)
    (layer,) = cim_layers(model).values()
    return layer, Layer(ifm_h=8, ifm_w=8, in_channels=channels, kernel_h=kernel, kernel_w=kernel, out_channels=out)


def _cost_mapping(chip: ChipConfig, table_row: Layer) -> LayerMapping:
    """The mapping the cost side reads for the layer: the floorplan decides novel or conventional."""
    p = derive(chip)
    fp = plan_floor([table_row], dataclasses.replace(FloorplanInputs.from_params(p), strict_hierarchy=False))
    novel = fp.is_novel[0]
    return LayerMapping.from_params(p, table_row, novel, fp.pe_size_nm if novel else fp.pe_size_cm)


def _members(groups: RowGroups) -> list[list[int]]:
    return [[int(r) for r in row if r < groups.rows] for row in groups.index]


def _strip_rows(m: LayerMapping) -> list[list[int]]:
    """Unrolled weight rows of every sub-array the strips describe, in sub-array order."""
    strips = m.strips()
    if not m.novel:
        return [list(range(first, first + n)) for first, n, _ in strips]
    return [
        [c * m.positions + pos for c in range(first, first + n)] for pos in range(m.positions) for first, n, _ in strips
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    channels=st.integers(1, 300),
    kernel=st.sampled_from([1, 3]),
    out=st.integers(1, 40),
    rows=st.integers(8, 256),
    cols=st.integers(8, 256),
    parallel=st.floats(0.0, 1.0),
    cell_bits=st.sampled_from([1, 2, 4, 8]),
    mapping=st.sampled_from(["novel", "conventional"]),
)
def test_read_groups_and_strips_come_from_one_mapping_and_agree(
    channels, kernel, out, rows, cols, parallel, cell_bits, mapping
) -> None:
    chip = _chip(rows, cols, max(1, round(parallel * rows)), cell_bits, mapping)
    layer, table_row = _conv_layer(chip, channels, kernel, out)
    m = layer.layer_mapping
    assert m == _cost_mapping(chip, table_row)  # both halves build the same mapping of the layer
    assert m.cells_per_weight == layer.settings.slices
    groups = layer.row_groups()
    assert torch.equal(groups.index, RowGroups.of(m).index)
    # every sub-array strip the cost side reads is cut into read groups of parallel_rows, in order
    p = m.parallel_rows
    chunks = [rows_[i : i + p] for rows_ in _strip_rows(m) for i in range(0, len(rows_), p)]
    assert chunks == _members(groups)
    # the strips' column blocks cover every cell column of the layer, each at most one sub-array wide
    for _, _, blocks in m.strips():
        assert sum(n for _, n in blocks) == out * m.cells_per_weight and all(n <= cols for _, n in blocks)


def _pe_strip_rows(tile, plan, su: tuple[int, int], rows_of: np.ndarray) -> set[tuple[int, ...]]:
    """Layer rows of every sub-array the PEs of one tile read; rows_of maps the tile block's rows to layer rows."""
    read = set()
    for visit in (v for v in plan.visits if v is not None):
        rows = min(visit.rows, len(rows_of) - visit.row)
        strips, _ = tile.pe.reader.read_layout(rows, visit.cols, visit.dup_row, visit.dup_col)
        read |= {tuple(int(r) for r in rows_of[visit.row + first : visit.row + first + n]) for first, n, _ in strips}
    return read


def _cost_side_rows(work: TileWork, index: int) -> list[list[int]]:
    """Rows of the layer matrix that every sub-array the tiles' PEs read holds, walking the cost model's own blocks:
    the mapping's tiles (or novel bands), each tile's PE visits, each PE's strips."""
    fp, m = work.fp, work.mappings[index]
    su = (fp.speedup_row[index], fp.speedup_col[index])
    read: set[tuple[int, ...]] = set()
    if not m.novel:
        for b in m.conventional_tiles(fp.tile_size_cm):
            plan = work.tile_cm._plan(*su, b.rows, b.cols)
            read |= _pe_strip_rows(work.tile_cm, plan, su, np.arange(b.row, b.row + b.rows))
    position_major = work.ctx.p.quirk("novel_rows_position_major")
    for band in m.novel_bands(fp.pe_size_nm, fp.num_pe_nm, position_major) if m.novel else ():
        layout = (band.rows_per_pe, band.pes, band.stride, band.positions)
        rows_of = reshape_input(np.arange(m.rows)[:, None], band.row, 1, *layout)[:, 0]
        for _, _, nr, nc in band.tiles:
            read |= _pe_strip_rows(work.tile_nm, work.tile_nm._plan(*su, nr, nc), su, rows_of)
    return sorted(list(r) for r in read)


def _walk(
    channels: int, kernel: int, rows: int, mapping: str, quirks: dict[str, bool] | None = None
) -> tuple[list[list[int]], list[list[int]]]:
    """(sub-array rows the cost model's PEs read, sub-array rows the accuracy side's read groups fill)."""
    chip = _chip(rows, 32, 4, 2, mapping).model_copy(update={"quirks": quirks or {}})
    layer, table_row = _conv_layer(chip, channels, kernel, 24)
    p = derive(chip)
    ctx = CircuitContext.of(p)
    work = TileWork(ctx, [table_row])
    assert work.mappings[0] == layer.layer_mapping
    return _cost_side_rows(work, 0), sorted(_strip_rows(layer.layer_mapping))


@pytest.mark.parametrize(
    "channels, kernel, rows, mapping",
    [
        (3, 3, 16, "conventional"),
        (64, 3, 32, "conventional"),
        (200, 1, 64, "conventional"),
        (37, 3, 8, "conventional"),
        (300, 1, 100, "conventional"),
        (64, 3, 48, "conventional"),
        (40, 1, 16, "novel"),
    ],
)
def test_the_cost_models_pe_reads_cut_the_rows_as_the_mapping(channels, kernel, rows, mapping) -> None:
    cost, accuracy = _walk(channels, kernel, rows, mapping)
    assert cost == accuracy


@pytest.mark.parametrize("channels, kernel, rows, mapping", [(100, 3, 24, "conventional"), (150, 3, 24, "novel")])
def test_pe_edges_off_the_sub_array_grid(channels, kernel, rows, mapping) -> None:
    # 64-row PEs of three 24-row sub-arrays: every PE starts a new sub-array on both sides
    cost, accuracy = _walk(channels, kernel, rows, mapping)
    assert cost == accuracy
    step = 9 if mapping == "novel" else 1  # novel: kernel position 0 of channels 48..63
    assert [r for r in accuracy if 63 * step in r] == [list(range(48 * step, 64 * step, step))]


@pytest.mark.parametrize("channels, rows", [(16, 16), (40, 8), (300, 32)])
def test_novel_pes_hold_one_kernel_position(channels, rows) -> None:
    cost, accuracy = _walk(channels, 3, rows, "novel")
    assert cost == accuracy


def test_neurosims_novel_pes_read_the_rows_as_kernel_position_major() -> None:
    cost, accuracy = _walk(16, 3, 16, "novel", quirks={"novel_rows_position_major": True})
    assert cost != accuracy
    assert [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] in cost  # PE 0: rows of positions 0..8 mixed


def test_strips_cut_a_block_at_its_edges() -> None:
    assert sub_array_strips(20, 10, 3, 2, 8, 8) == (
        (0, 8, ((0, 8), (8, 2))),
        (8, 8, ((0, 8), (8, 2))),
        (16, 4, ((0, 8), (8, 2))),
    )
    assert sub_array_strips(4, 10, 2, 1, 8, 8) == ((0, 4, ((0, 8),)),)  # sub-arrays past the block hold nothing


def test_novel_bands_and_conventional_tiles() -> None:
    m = LayerMapping(
        channels=300,
        positions=9,
        out_channels=20,
        sub_array_rows=64,
        sub_array_cols=64,
        parallel_rows=64,
        cells_per_weight=8,
        novel=True,
    )
    (first, second) = m.novel_bands(256, 9, position_major=True)  # NeuroSim: equal shares
    assert (first.row, first.rows_per_pe, first.stride, second.row) == (0, 150, 300, 256)
    assert [t[:2] for t in first.tiles] == [(0, 160)]  # 160 columns in one 256-wide tile
    (first, second) = m.novel_bands(256, 9)  # channels 0..255 and 256..299, kernel position k in PE k
    assert (first.rows_per_pe, second.row, second.rows_per_pe, second.positions) == (256, 256, 44, 9)
    wide = dataclasses.replace(m, out_channels=40)  # 320 columns over two tiles
    assert [t[:2] for t in wide.novel_bands(256, 9)[0].tiles] == [(0, 256), (256, 64)]
    assert [t[:2] for t in wide.novel_bands(256, 9, position_major=True)[0].tiles] == [(0, 160), (256, 160)]
    conv = dataclasses.replace(m, novel=False)
    tiles = conv.conventional_tiles(1024)
    assert [(t.row, t.rows) for t in tiles] == [(0, 1024), (1024, 1024), (2048, 652)] and tiles[0].cols == 160


def test_bad_shapes_name_the_field() -> None:
    with pytest.raises(ValueError, match="array.parallel_rows=9 must be in 1..array.rows=8"):
        LayerMapping(
            channels=4,
            positions=1,
            out_channels=1,
            sub_array_rows=8,
            sub_array_cols=8,
            parallel_rows=9,
            cells_per_weight=1,
        )
    with pytest.raises(ValueError, match="out_channels=0"):
        LayerMapping(
            channels=4,
            positions=1,
            out_channels=0,
            sub_array_rows=8,
            sub_array_cols=8,
            parallel_rows=8,
            cells_per_weight=1,
        )


def test_the_cost_side_counts_the_read_groups_of_the_mapping() -> None:
    chip = _chip(128, 128, 48, 2, "conventional")  # 48 rows at a time: groups of 48, 48 and 32 rows
    m = LayerMapping.from_chip(chip, 128, 1, 8)
    assert derive(chip).read_groups == m.groups_per_sub_array == len(m.read_groups()) == 3
    neurosim = chip.model_copy(update={"quirks": {"read_groups_floor": True}})
    assert derive(neurosim).read_groups == 2  # NeuroSim: 128 // 48, the partial group not counted
