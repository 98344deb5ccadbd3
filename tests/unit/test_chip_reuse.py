"""Estimates that reuse trace-derived work across configurations give the numbers of a fresh estimate."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import neurocim.arch.tile_sets as tile_module
from neurocim.config.chip import ChipConfig
from neurocim.config.io import load_chip_config
from neurocim.estimate import estimate
from neurocim.workload.traces import load_traces_npz

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "neurocim" / "examples"


def _variant(base: dict, bits: int, bus: str, buf: str) -> ChipConfig:
    return ChipConfig.model_validate(
        {
            **base,
            "adc": {**base.get("adc", {}), "bits": bits},
            "interconnect": {**base.get("interconnect", {}), "global_bus": bus},
            "buffers": {**base.get("buffers", {}), "global_type": buf},
        }
    )


@pytest.mark.parametrize("chip", ["chip_sram_22nm.yaml", "chip_rram_22nm.yaml"])
def test_sweep_on_shared_traces_matches_fresh_estimates(chip):
    layers, traces = load_traces_npz(DATA / "vgg8_traces.npz")
    layers, traces = layers[-3:], traces[-3:]  # the small layers keep the test quick
    base = load_chip_config(EXAMPLES / chip).model_dump(mode="json")
    configs = [
        _variant(base, 5, "xy_bus", "register_file"),
        _variant(base, 5, "htree", "sram"),
        _variant(base, 6, "htree", "register_file"),
    ]
    shared = [estimate(c, layers, traces) for c in configs]
    again = estimate(configs[0], layers, [copy.deepcopy(t) for t in traces])  # shared tiles, new traces
    assert again.to_dict() == shared[0].to_dict()
    for config, got in zip(configs, shared, strict=True):
        tile_module._TILE_SETS.clear()
        want = estimate(config, layers, [copy.deepcopy(t) for t in traces])  # fresh tiles and traces: nothing reused
        assert got.to_dict() == want.to_dict()
    # the global bus and buffer change the chip, not the tiles
    assert shared[0].chip.area_m2 != shared[1].chip.area_m2
    assert shared[0].layers[0].latency_breakdown_s.adc == shared[1].layers[0].latency_breakdown_s.adc


def test_reused_work_does_not_keep_traces_alive():
    import gc
    import weakref

    layers, traces = load_traces_npz(DATA / "vgg8_traces.npz")
    layers, traces = layers[-2:], traces[-2:]
    config = load_chip_config(EXAMPLES / "chip_sram_22nm.yaml")
    estimate(config, layers, traces)
    refs = [weakref.ref(t) for t in traces]
    del traces
    gc.collect()
    assert all(r() is None for r in refs)
