"""Tiles kept in a prepared workload's cache (TileUnits): built once per distinct tile settings, floorplan sizes and
clock, rebound to the chip that asks, and every report equal to a fresh estimate's; a tile pass memoised per layer."""

from __future__ import annotations

import pickle
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurocim.arch import tile as tile_module
from neurocim.arch import tile_sets
from neurocim.arch.tile_work import tile_side
from neurocim.config.chip import ChipConfig
from neurocim.config.io import load_chip_config
from neurocim.estimate import Estimator, build_context, estimate
from neurocim.workload.prepared import prepare
from neurocim.workload.recorded import ReadRecorder, RecordedMemo
from tests.explore_support import tiny_workload

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "neurocim" / "examples"
LAYERS, TRACES = tiny_workload()
RRAM = load_chip_config(EXAMPLES / "chip_rram_22nm.yaml").model_dump(mode="json")


def _chip(**sections: dict) -> ChipConfig:
    return ChipConfig.model_validate({**RRAM, **{k: {**RRAM.get(k, {}), **v} for k, v in sections.items()}})


def _counted(monkeypatch, owner, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_rebound_recorder_reads_the_new_record_through_the_section_recorders_it_gave():
    first, second = build_context(_chip(adc={"bits": 4})).p, build_context(_chip(adc={"bits": 6})).p
    recorder = ReadRecorder(first)
    adc = recorder.chip.adc
    assert adc.bits == 4 and recorder.names == {"chip.adc.bits"}
    recorder.names.clear()
    recorder.rebind(second)
    assert adc.bits == 6 and recorder.chip.adc is adc
    assert recorder.names == {"chip.adc.bits"}  # read again after the rebinding: noted again


def test_discard_forgets_one_kept_result():
    memo: RecordedMemo = RecordedMemo(4)
    record = build_context(_chip()).p
    memo.put(record, ("chip.adc.bits",), "a", 1)
    memo.put(record, ("chip.adc.bits",), "b", 2)
    memo.discard(record, ("chip.adc.bits",), "a")
    memo.discard(record, ("chip.adc.bits",), "c")  # never kept: nothing happens
    assert memo.find(record, "a") is None and memo.find(record, "b") == (("chip.adc.bits",), 2) and len(memo) == 1


def test_tile_units_serve_only_a_chip_that_agrees_on_every_setting_they_read():
    workload = prepare(LAYERS, TRACES)
    ctx = build_context(_chip())
    side = tile_side(ctx, workload.layers, workload)
    units = side.units
    assert units is not None and "chip.adc.bits" in units.names and "chip.buffers.global_type" not in units.names
    assert not units.rebind(build_context(_chip(adc={"bits": 6})).p)
    assert units.settings is ctx.p  # refused: still bound to the chip it read
    other = build_context(_chip(buffers={"global_type": "sram"})).p
    assert units.rebind(other) and units.settings is other


def test_chips_that_agree_on_the_tiles_settings_share_their_tiles(monkeypatch):
    built = _counted(monkeypatch, tile_sets, "build_tiles")
    workload = prepare(LAYERS, TRACES)
    chips = [
        _chip(pipeline={"enabled": True, "speedup_degree": s}, buffers={"global_type": g})
        for s in (1, 2, 4)
        for g in ("register_file", "sram")
    ]
    reports = Estimator(workload).sweep(chips)
    assert len(built) == 1 and len(workload.cache.tile_units) == 1 and len(workload.cache.tile_sides) == 3
    for chip, got in zip(chips, reports, strict=True):
        assert got.to_dict() == estimate(chip, LAYERS, TRACES).to_dict()


def test_a_kept_tile_side_reads_the_settings_of_the_chip_that_asked_last():
    workload = prepare(LAYERS, TRACES)
    first, second = build_context(_chip()), build_context(_chip(buffers={"global_type": "sram"}))
    side = tile_side(first, workload.layers, workload)
    assert tile_side(second, workload.layers, workload) is side  # the tiles never read the global buffer
    assert side.units is not None and side.units.settings is second.p
    assert tile_side(first, workload.layers, workload) is side and side.units.settings is first.p


def test_a_kept_tile_side_whose_tiles_cannot_serve_the_chip_gets_tiles_of_its_own():
    workload = prepare(LAYERS, TRACES)
    first, second = build_context(_chip()), build_context(_chip(buffers={"global_type": "sram"}))
    side = tile_side(first, workload.layers, workload)
    side.tile_cm.ctx.p.chip.buffers.global_type  # noqa: B018 - a read after the side was kept (as training code reads)
    own = tile_side(second, workload.layers, workload)
    assert own is not side and own.tile_cm is not side.tile_cm
    assert own.tile_cm.ctx.p.chip.buffers.global_type.value == "sram"
    assert own.tile_costs == side.tile_costs


def test_a_repeated_layer_pass_is_one_memoised_evaluation(monkeypatch):
    workload = prepare(LAYERS, TRACES)
    estimate(_chip(), workload)
    evaluations = _counted(monkeypatch, tile_module.Tile, "evaluate")
    got = estimate(_chip(buffers={"global_type": "sram"}, interconnect={"global_bus": "htree"}), workload)
    assert not evaluations  # the tile side was kept
    estimate(_chip(pipeline={"enabled": False}), workload)  # a new tile side over the same tiles and blocks
    assert len(workload.cache.tile_sides) == 2 and len(workload.cache.tile_units) == 1
    assert not evaluations  # every layer of both passes answered by its memoised evaluation
    assert got.to_dict() == estimate(_chip(buffers={"global_type": "sram"}, interconnect={"global_bus": "htree"}),
                                     LAYERS, TRACES).to_dict()  # fmt: skip


def test_a_workload_with_kept_tiles_survives_a_copy_to_another_process():
    workload = prepare(LAYERS, TRACES)
    estimate(_chip(), workload)
    copy = pickle.loads(pickle.dumps(workload))
    chip = _chip(buffers={"tile_type": "sram"})
    assert estimate(chip, copy).to_dict() == estimate(chip, LAYERS, TRACES).to_dict()


_TILE_FIELDS = st.fixed_dictionaries(
    {
        "adc": st.fixed_dictionaries({"bits": st.sampled_from([4, 6])}),
        "buffers": st.fixed_dictionaries({"tile_type": st.sampled_from(["register_file", "sram"])}),
        "clock": st.fixed_dictionaries({"max_frequency_hz": st.sampled_from([2.5e8, 1e9])}),
        "pipeline": st.fixed_dictionaries({"enabled": st.booleans(), "speedup_degree": st.sampled_from([1, 4])}),
        "interconnect": st.fixed_dictionaries({"global_bus": st.sampled_from(["xy_bus", "htree"])}),
    }
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TILE_FIELDS, min_size=3, max_size=6), st.sampled_from(["novel", "conventional"]))
def test_every_chip_of_a_sweep_over_the_tiles_settings_equals_a_fresh_estimate(variants, mapping):
    workload = prepare(LAYERS, TRACES)
    chips = [ChipConfig.model_validate({**_chip(**v).model_dump(mode="json"), "mapping": mapping}) for v in variants]
    for chip, got in zip(chips, Estimator(workload).sweep(chips), strict=True):
        assert got.to_dict() == estimate(chip, LAYERS, TRACES).to_dict()
    assert len(workload.cache.tile_units) <= len({(v["adc"]["bits"], v["buffers"]["tile_type"],
                                                   v["clock"]["max_frequency_hz"]) for v in variants})  # fmt: skip
