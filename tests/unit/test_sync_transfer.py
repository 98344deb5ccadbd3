"""Synchronous data transfer at chip level: tile grid, bus share, layer cost combination, chip area."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from neurocim.arch.chip_periphery import sync_tile_grid
from neurocim.arch.chip_traffic import ChipLayerWork, _input_volume, _total_input_volume, combine_layer_cost
from neurocim.arch.cost import Cost
from neurocim.compat.param_cpp import config_from_params
from neurocim.estimate import ChipModel, build_context
from neurocim.workload.network import Layer
from neurocim.workload.trace_files import load_traces_npz

DATA = Path(__file__).resolve().parents[1] / "data"
SYNC_CASE = DATA / "neurosim_cases" / "x13_sync_transfer"


@pytest.mark.parametrize(
    "nm_area, cm_area, num_nm, num_cm, expected",
    [
        (1.0, 1.0, 3, 1, (4, 2, 2)),  # 4 = 2 x 2 at once
        (1.0, 2.5, 10, 2, (16, 4, 4)),  # a CM tile counts as 3 NM tiles
        (0.5, 1.0, 0, 7, (16, 4, 4)),  # exactly 2 NM arrays cover a CM array: 14 -> 16
        (1.0, 0.1, 7, 0, (9, 3, 3)),  # 7 and 8 have no factor pair within 20 %
        (1.0, 0.1, 6, 0, (9, 3, 3)),  # 6 = 3 x 2 is 33 % apart
        (1.0, 0.1, 1, 0, (4, 2, 2)),
        (1.0, 0.1, 20, 0, (20, 5, 4)),  # exactly 20 % apart is accepted
        (3.197e-7, 1.421e-7, 36, 67, (110, 11, 10)),  # VGG-8 on SRAM 22 nm (golden case x13)
    ],
)
def test_sync_tile_grid_closed_forms(nm_area, cm_area, num_nm, num_cm, expected):
    assert sync_tile_grid(nm_area, cm_area, num_nm, num_cm) == expected


@pytest.mark.parametrize("count", range(1, 200))
def test_sync_tile_grid_is_a_near_square_covering_every_tile(count):
    total, rows, cols = sync_tile_grid(1.0, 1.0, count, 0)
    assert rows * cols == total >= count
    assert rows >= cols >= 1
    assert (rows - cols) / rows <= 0.2
    # the first count at or above `count` that has such a factor pair
    assert all(not _near_square(n) for n in range(count, total))


def _near_square(n: int) -> bool:
    return any(n % m == 0 and 0 <= (n // m - m) / (n // m) <= 0.2 for m in range(1, n // 2 + 1))


def test_sync_tile_grid_refuses_empty_input():
    with pytest.raises(ValueError, match="nm_array_area"):
        sync_tile_grid(0.0, 1.0, 3, 1)
    with pytest.raises(ValueError, match="no tiles"):
        sync_tile_grid(1.0, 1.0, 0, 0)


def _stub_chip(layers, novel):
    return SimpleNamespace(layers=layers, fp=SimpleNamespace(is_novel=tuple(novel)))


def test_bus_share_is_one_layer_volume_over_layer_count():
    layers = [Layer(32, 32, 3, 3, 3, 64), Layer(5, 5, 1, 3, 3, 8, stride=2), Layer(1, 1, 512, 1, 1, 10)]
    chip = _stub_chip(layers, [True, True, False])
    assert _input_volume(chip, 0) == 3 * 3 * 30 * 30  # novel: kernel height excluded
    assert _input_volume(chip, 1) == 6.75  # 1 x 3 x (3/2) x (3/2): fractional windows kept
    assert _input_volume(chip, 2) == 512  # conventional: the whole unrolled row count
    # NeuroSim sums the evaluated layer's volume once per layer, truncating the running int sum
    assert _total_input_volume(chip, 0) == 3 * 8100
    assert _total_input_volume(chip, 1) == 18  # int(6.75) = 6, int(12.75) = 12, int(18.75) = 18
    assert _total_input_volume(chip, 2) == 3 * 512


_TILES = Cost(
    latency=10.0,
    energy=5.0,
    latency_adc=2.0,
    latency_accum=1.0,
    latency_other=7.0,
    buffer_latency=3.0,
    ic_latency=4.0,
    energy_adc=1.0,
    energy_accum=0.5,
    energy_other=3.5,
    buffer_energy=0.25,
    ic_energy=0.75,
    leakage=1e-3,
    leakage_sram_in_use=5e-4,
)


def test_combine_adds_chip_work_to_tiles():
    extra = ChipLayerWork(
        latency=6.0,
        energy=2.0,
        latency_accum=1.0,
        latency_other=5.0,
        energy_other=2.0,
        buffer_latency=2.0,
        buffer_energy=1.0,
        ic_latency=3.0,
        ic_energy=0.5,
    )
    cost = combine_layer_cost(_TILES, extra)
    assert (cost.latency, cost.energy) == (16.0, 7.0)
    lat, en = cost.latency_parts, cost.energy_parts
    assert (lat.adc, lat.accumulation, lat.other, lat.buffer, lat.interconnect) == (2.0, 2.0, 12.0, 5.0, 7.0)
    assert (en.other, en.buffer, en.interconnect) == (5.5, 1.25, 1.25)
    assert (cost.tile_leakage, cost.tile_leakage_in_use) == (1e-3, 5e-4)


def test_combine_sync_replaces_other_and_interconnect_latency():
    extra = ChipLayerWork(
        latency=6.0,
        energy=2.0,
        latency_other=6.0,
        buffer_latency=6.0,
        energy_other=2.0,
        ic_energy=0.5,
        replaces_tile_latency_parts=True,
    )
    cost = combine_layer_cost(_TILES, extra)
    lat = cost.latency_parts
    assert cost.latency == 16.0
    assert (lat.other, lat.buffer, lat.interconnect, lat.accumulation) == (6.0, 9.0, 0.0, 1.0)
    assert cost.energy_parts.interconnect == 1.25


@pytest.fixture(scope="module")
def sync_chip():
    params = json.loads((SYNC_CASE / "params.json").read_text())
    layers, traces = load_traces_npz(DATA / "vgg8_traces.npz", network_key="network_csv")
    chip = ChipModel(build_context(config_from_params(params)), layers)
    return chip, traces


def test_sync_chip_area_counts_grid_tiles(sync_chip):
    chip, _ = sync_chip
    per, fp, area = chip.periphery, chip.fp, chip.area
    nm = chip.tile_nm.area_parts
    assert per.sync_tiles == 110
    assert per.htree.num_level == 4  # 11 x 10 grid padded to 16 x 16
    periphery = (
        per.htree.area
        + per.buffer.area * per.num_buffer_core
        + per.max_pool.area
        + per.accumulation.area
        + per.relu.area
    )
    assert area.area == pytest.approx(nm.area * 110 + periphery, rel=1e-12)
    assert area.array == pytest.approx(nm.array * 110, rel=1e-12)
    # the other parts count the tiles as placed
    assert area.adc == pytest.approx(nm.adc * fp.num_tile_nm + chip.tile_cm.area_parts.adc * fp.num_tile_cm)


def test_sync_layers_hide_interconnect_latency(sync_chip):
    chip, traces = sync_chip
    report = chip.evaluate(traces)
    for layer in report.layers:
        parts = layer.latency_breakdown_s
        assert parts.interconnect == 0.0
        assert parts.other == pytest.approx(parts.buffer, rel=1e-12)  # tiles add no buffer latency here
        assert layer.energy_breakdown_j.interconnect > 0.0
