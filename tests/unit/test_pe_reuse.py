"""Chips re-costed on one prepared workload reuse the tiles' (PEs') evaluations of chips whose tiles (sub-array and
PEs) read the same settings, and every report equals a fresh estimate's."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurocim.arch import pe as pe_module
from neurocim.arch import pe_reads
from neurocim.arch import tile as tile_module
from neurocim.config.chip import ChipConfig
from neurocim.config.io import load_chip_config
from neurocim.estimate import Estimator, estimate
from neurocim.workload.prepared import prepare
from neurocim.workload.trace_files import load_traces_npz
from tests.explore_support import tiny_workload

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "neurocim" / "examples"
LAYERS, TRACES = (part[-2:] for part in load_traces_npz(DATA / "vgg8_traces.npz"))  # two small layers
TINY_LAYERS, TINY_TRACES = tiny_workload()
RRAM = load_chip_config(EXAMPLES / "chip_rram_22nm.yaml").model_dump(mode="json")


def _chip(base: dict, **sections: dict) -> ChipConfig:
    return ChipConfig.model_validate({**base, **{k: {**base.get(k, {}), **v} for k, v in sections.items()}})


def _counted(monkeypatch, unit: type) -> list[int]:
    """Counts the evaluations of `unit` actually computed (not answered from a memo)."""
    calls: list[int] = []
    real = unit._evaluate

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(unit, "_evaluate", counted)
    return calls


@pytest.fixture
def pe_evaluations(monkeypatch) -> list[int]:
    return _counted(monkeypatch, pe_module.ProcessingElement)


def test_a_speed_up_change_reuses_the_tiles_evaluations_of_unchanged_blocks(monkeypatch):
    tiles = _counted(monkeypatch, tile_module.Tile)
    workload = prepare(LAYERS, TRACES)
    estimator = Estimator(workload)
    estimator.estimate(_chip(RRAM, pipeline={"enabled": True, "speedup_degree": 1}))
    first = len(tiles)
    other = _chip(RRAM, pipeline={"enabled": True, "speedup_degree": 8})
    got = estimator.estimate(other)
    assert len(workload.cache.tile_sides) == 2 and len(workload.cache.tile_evaluations) == 1
    assert len(tiles) - first < first  # blocks that kept their duplication: their evaluations were reused
    assert got.to_dict() == estimate(other, LAYERS, TRACES).to_dict()
    tiles.clear()
    again = _chip(RRAM, pipeline={"enabled": True, "speedup_degree": 8}, interconnect={"global_bus": "htree"})
    estimator.estimate(again)
    assert not tiles  # the tile side itself was kept


def test_a_tile_periphery_change_reuses_every_pe_evaluation(pe_evaluations):
    workload = prepare(LAYERS, TRACES)
    estimator = Estimator(workload)
    first = estimator.estimate(_chip(RRAM, buffers={"tile_type": "register_file"}))
    assert pe_evaluations and len(workload.cache.pe_evaluations) == 1
    pe_evaluations.clear()
    other = _chip(RRAM, buffers={"tile_type": "sram"})
    got = estimator.estimate(other)
    assert not pe_evaluations  # a new tile side, the PEs' evaluations kept
    assert len(workload.cache.tile_sides) == 2 and len(workload.cache.pe_evaluations) == 1
    assert got.to_dict() == estimate(other, LAYERS, TRACES).to_dict()
    assert got.chip.area_m2 != first.chip.area_m2


def test_a_pe_setting_keys_both_the_pe_evaluations_and_the_tile_side():
    workload = prepare(TINY_LAYERS, TINY_TRACES)
    chips = [_chip(RRAM, adc={"bits": bits}) for bits in (4, 6, 4)]
    swept = Estimator(workload).sweep(chips)
    assert len(workload.cache.pe_evaluations) == 2 and len(workload.cache.tile_sides) == 2
    for chip, got in zip(chips, swept, strict=True):
        assert got.to_dict() == estimate(chip, TINY_LAYERS, TINY_TRACES).to_dict()


_BUFFERS = st.sampled_from(["register_file", "sram"])
# fields whose changes reuse the read statistics, the PE evaluations or the tile side
_REUSED = st.fixed_dictionaries(
    {
        "adc": st.fixed_dictionaries({"bits": st.sampled_from([4, 5, 6])}),
        "buffers": st.fixed_dictionaries({"tile_type": _BUFFERS, "global_type": _BUFFERS}),
        "interconnect": st.fixed_dictionaries({"global_bus": st.sampled_from(["xy_bus", "htree"])}),
        "clock": st.fixed_dictionaries({"max_frequency_hz": st.sampled_from([2.5e8, 1e9])}),
        "pipeline": st.fixed_dictionaries({"enabled": st.booleans(), "speedup_degree": st.sampled_from([1, 2, 4])}),
    }
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_REUSED, min_size=2, max_size=5))
def test_every_chip_of_a_sweep_over_reused_fields_equals_a_fresh_estimate(variants):
    workload = prepare(TINY_LAYERS, TINY_TRACES)
    chips = [_chip(RRAM, **variant) for variant in variants]
    for chip, got in zip(chips, Estimator(workload).sweep(chips), strict=True):
        assert got.to_dict() == estimate(chip, TINY_LAYERS, TINY_TRACES).to_dict()


def test_pe_evaluations_of_every_clock_are_kept_together(pe_evaluations):
    workload = prepare(TINY_LAYERS, TINY_TRACES)
    estimator = Estimator(workload)
    for clock in (2.5e8, 1e9):  # the PEs are built for the clock: two construction keys, one PE settings
        estimator.estimate(_chip(RRAM, clock={"max_frequency_hz": clock}))
    pe_evaluations.clear()
    again = _chip(RRAM, clock={"max_frequency_hz": 2.5e8}, buffers={"tile_type": "sram"})
    got = estimator.estimate(again)
    assert not pe_evaluations and len(workload.cache.pe_evaluations) == 1
    assert got.to_dict() == estimate(again, TINY_LAYERS, TINY_TRACES).to_dict()


def test_without_a_pipeline_the_speed_up_degree_is_not_read():
    workload = prepare(TINY_LAYERS, TINY_TRACES)
    chips = [_chip(RRAM, pipeline={"enabled": False, "speedup_degree": degree}) for degree in (1, 8)]
    swept = Estimator(workload).sweep(chips)
    assert len(workload.cache.tile_sides) == 1  # no duplication without a pipeline: one floorplan, one tile side
    assert swept[0].to_dict() == swept[1].to_dict() == estimate(chips[1], TINY_LAYERS, TINY_TRACES).to_dict()


def test_a_tile_periphery_change_reuses_the_clock_pass(monkeypatch):
    passes: list[bool] = []
    real = tile_module.Tile._evaluate

    def counted(self, weights, inputs, block, clk_freq, clock_pass, *args, **kwargs):
        passes.append(clock_pass)
        return real(self, weights, inputs, block, clk_freq, clock_pass, *args, **kwargs)

    monkeypatch.setattr(tile_module.Tile, "_evaluate", counted)
    workload = prepare(LAYERS, TRACES)
    estimator = Estimator(workload)
    estimator.estimate(_chip(RRAM, buffers={"tile_type": "register_file"}))
    assert True in passes and False in passes
    passes.clear()
    other = _chip(RRAM, buffers={"tile_type": "sram"})
    got = estimator.estimate(other)
    assert passes and True not in passes  # the tiles' periphery changed: only the main pass runs again
    assert got.to_dict() == estimate(other, LAYERS, TRACES).to_dict()


def test_sram_chips_of_other_technologies_reuse_the_row_counts(monkeypatch):
    calls: list[int] = []
    real = pe_reads.sram_row_counts
    monkeypatch.setattr(pe_reads, "sram_row_counts", lambda *a, **k: calls.append(1) or real(*a, **k))
    workload = prepare(LAYERS, TRACES)
    estimator = Estimator(workload)
    estimator.estimate(_chip({"cell": {"type": "sram"}}))
    first = len(calls)
    for change in ({"node_nm": 32}, {"temperature_k": 350}):
        other = _chip({"cell": {"type": "sram"}}, technology=change)
        got = estimator.estimate(other)
        assert first > 0 and len(calls) == first  # the counts of every strip were kept; only their prices changed
        assert got.to_dict() == estimate(other, LAYERS, TRACES).to_dict()  # (a fresh workload: counts of its own)
        del calls[first:]
