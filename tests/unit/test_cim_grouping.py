"""Read groups: sub-arrays and parallel-read groups on the chip, and NeuroSim's grouping with dropped rows."""

import pytest
import torch

from neurocim.config.chip import MappingType
from neurocim.mapping.layer_mapping import LayerMapping
from neurocim.nn.grouping import RowGroups, neurosim_groups


def chip_groups(channels: int, positions: int, rows: int, parallel: int, mapping: MappingType) -> RowGroups:
    """The chip's read groups of a layer, from its mapping."""
    layer = LayerMapping(channels, positions, 1, rows, 8, parallel, 1, novel=mapping is MappingType.NOVEL)
    return RowGroups.of(layer)


def members(groups):
    return [[int(r) for r in row if r < groups.rows] for row in groups.index]


def test_remainder_rows_form_a_partial_group():
    g = chip_groups(40, 1, 16, 16, MappingType.NOVEL)
    assert [len(m) for m in members(g)] == [16, 16, 8] and g.dropped == 0


def test_parallel_groups_stay_inside_sub_arrays():
    g = chip_groups(20, 1, 8, 3, MappingType.NOVEL)
    assert members(g) == [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9, 10], [11, 12, 13], [14, 15], [16, 17, 18], [19]]


def test_novel_versus_conventional_conv_rows():
    novel = members(chip_groups(3, 4, 8, 8, MappingType.NOVEL))
    assert novel == [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]  # one group per kernel position
    conventional = members(chip_groups(3, 4, 8, 8, MappingType.CONVENTIONAL))
    assert conventional == [list(range(8)), [8, 9, 10, 11]]  # unrolled (c, kh, kw) rows in order


def test_every_row_once():
    g = chip_groups(37, 9, 16, 5, MappingType.NOVEL)
    rows = sorted(r for m in members(g) for r in m)
    assert rows == list(range(37 * 9))


def test_neurosim_drops_remainder_rows():
    g = neurosim_groups(40, 1, 16)
    assert members(g) == [list(range(16)), list(range(16, 32))] and g.dropped == 8
    small = neurosim_groups(8, 9, 16)  # C < N: all channels of a kernel position form one group
    assert len(members(small)) == 9 and small.dropped == 0
    conv = neurosim_groups(24, 9, 16)
    assert conv.count == 9 and conv.dropped == 8 * 9


def test_gather():
    g = chip_groups(5, 1, 2, 2, MappingType.NOVEL)
    x = torch.arange(5.0).view(1, 5) + 1
    assert g.gather_last(x).tolist() == [[[1.0, 2.0], [3.0, 4.0], [5.0, 0.0]]]
    w = torch.ones(5, 3)
    assert g.gather_rows(w).sum().item() == 15


def test_bad_arguments():
    with pytest.raises(ValueError, match="parallel_rows"):
        chip_groups(4, 1, 8, 9, MappingType.NOVEL)
    with pytest.raises(ValueError, match="channels"):
        chip_groups(0, 1, 8, 8, MappingType.NOVEL)
    with pytest.raises(ValueError, match="group size"):
        neurosim_groups(4, 1, 0)
