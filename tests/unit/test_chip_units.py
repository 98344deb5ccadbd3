"""The chip-level circuits' figures kept in a workload's cache equal the chip periphery laid out and run per chip."""

from __future__ import annotations

import pickle
from dataclasses import asdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurocim.arch.chip import ChipModel
from neurocim.arch.chip_units import ValueKey
from neurocim.circuits.base import Layout
from neurocim.circuits.logic.bit_shifter import BitShifter
from neurocim.circuits.logic.max_pooling import MaxPooling
from neurocim.circuits.logic.sigmoid import Sigmoid
from neurocim.circuits.memories.buffer import Buffer
from neurocim.config.chip import ChipConfig
from neurocim.estimate import Estimator, build_context
from neurocim.report.records import Report
from neurocim.workload.prepared import prepare
from tests.explore_support import tiny_workload

LAYERS, TRACES = tiny_workload()
RRAM = {"cell": {"type": "rram"}}


def _chip(**sections: dict) -> ChipConfig:
    return ChipConfig.model_validate({**RRAM, **sections})


def _plain(chip: ChipConfig) -> Report:
    """The chip's report with its own tiles and periphery (no workload cache: nothing kept or shared)."""
    return ChipModel(build_context(chip), LAYERS).evaluate(prepare(LAYERS, TRACES))


def _numbers(report: Report) -> dict:
    return {"chip": asdict(report.chip), "layers": [{**asdict(r), "name": ""} for r in report.layers]}


@pytest.mark.parametrize("sram", [True, False])
def test_the_areas_taken_once_do_not_depend_on_the_side_they_are_laid_out_along(sram):
    ctx = build_context(_chip())
    areas = []
    for side in (1e-4, 3e-3):
        units = (
            Buffer(ctx, 128 * 128, 128, 1, ctx.p.wires.unit_resistance, 1e9, sram).layout(side, 0.0, Layout.NONE),
            MaxPooling(ctx, 8, 4, 16).layout(new_width=side, mode=Layout.NONE),
            BitShifter(ctx, 16, 8).layout(new_width=side),
            Sigmoid(ctx, sram, 8, 12, 16, 1e9, own_cell=True).layout(new_width=side),
        )
        areas.append([unit.area for unit in units])
    assert areas[0] == areas[1]


_BUFFERS = st.sampled_from(["register_file", "sram"])
_CHIP_LEVEL = st.fixed_dictionaries(
    {
        "adc": st.fixed_dictionaries({"bits": st.sampled_from([4, 6])}),
        "buffers": st.fixed_dictionaries(
            {"tile_type": _BUFFERS, "global_type": _BUFFERS, "global_core_cols": st.sampled_from([64, 128])}
        ),
        "interconnect": st.fixed_dictionaries(
            {
                "global_bus": st.sampled_from(["xy_bus", "htree"]),
                "global_delay_tolerance": st.sampled_from([0.1, 0.3]),
                "tree_folded_ratio": st.sampled_from([2.0, 4.0]),
            }
        ),
        "clock": st.fixed_dictionaries(
            {"max_frequency_hz": st.sampled_from([2.5e8, 1e9]), "synchronous": st.booleans()}
        ),
        "pipeline": st.fixed_dictionaries({"enabled": st.booleans(), "speedup_degree": st.sampled_from([1, 4])}),
        "activation": st.fixed_dictionaries(
            {
                "place": st.sampled_from(["chip", "tile"]),
                "function": st.sampled_from(["relu", "sigmoid"]),
                "sigmoid_lut": st.sampled_from(["sram", "rram"]),
            }
        ),
        "compat": st.sampled_from(["none", "neurosim_v14"]),
    }
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_CHIP_LEVEL, min_size=3, max_size=6))
def test_every_chip_of_a_sweep_over_chip_level_fields_equals_its_own_periphery(variants):
    estimator = Estimator(prepare(LAYERS, TRACES))
    for variant in variants:
        chip = _chip(**variant)
        assert _numbers(estimator.estimate(chip)) == _numbers(_plain(chip))


def test_chips_that_differ_in_the_global_buffer_share_the_bus_and_logic_figures():
    workload = prepare(LAYERS, TRACES)
    estimator = Estimator(workload)
    for global_type in ("register_file", "sram", "register_file"):
        chip = _chip(buffers={"global_type": global_type})
        assert _numbers(estimator.estimate(chip)) == _numbers(_plain(chip))
    sizes = {group: len(workload.cache.chip_units(group)) for group in ("logic", "buffer", "bus", "accumulation")}
    assert sizes == {"logic": 1, "buffer": 2, "bus": 1, "accumulation": 1}


def test_a_setting_read_only_by_the_bus_keys_the_bus_figures():
    workload = prepare(LAYERS, TRACES)
    estimator = Estimator(workload)
    for tolerance in (0.1, 0.5):
        chip = _chip(interconnect={"global_delay_tolerance": tolerance})
        assert _numbers(estimator.estimate(chip)) == _numbers(_plain(chip))
    assert len(workload.cache.chip_units("bus")) == 2 and len(workload.cache.chip_units("buffer")) == 1


def test_a_value_key_is_hashed_again_when_loaded():
    ctx = build_context(_chip())
    key = ValueKey((ctx.tech, ctx.cell, ("floorplan", 3)))
    loaded = pickle.loads(pickle.dumps(key))
    assert loaded == key and hash(loaded) == hash(key) and {key: 1}[loaded] == 1


def test_chips_whose_tiles_set_other_clocks_share_the_global_buffer_figures():
    workload = prepare(LAYERS, TRACES)
    estimator = Estimator(workload)
    periods = set()
    for bits in (3, 5, 7):  # the sensing period, hence the tile side's clock, follows the ADC bits
        chip = _chip(adc={"bits": bits}, clock={"synchronous": True, "max_frequency_hz": 1e10})
        report = estimator.estimate(chip)
        assert _numbers(report) == _numbers(_plain(chip))
        periods.add(report.chip.clock_period_s)
    assert len(periods) == 3 and len(workload.cache.chip_units("buffer")) == 1


def test_the_accumulation_area_is_kept_across_maximum_clocks():
    workload = prepare(LAYERS, TRACES)
    estimator = Estimator(workload)
    for clock in (2.5e8, 5e8, 1e9):  # the periphery reads the clock only where a circuit is built for it
        chip = _chip(clock={"max_frequency_hz": clock})
        assert _numbers(estimator.estimate(chip)) == _numbers(_plain(chip))
    assert len(workload.cache.chip_units("accumulation")) == 1 and len(workload.cache.chip_units("buffer")) == 3
