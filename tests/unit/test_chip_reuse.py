"""A prepared workload re-costs many chips with the numbers of fresh estimates, and never answers stale."""

from __future__ import annotations

import gc
import weakref
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from neurocim.config.chip import ChipConfig
from neurocim.config.io import load_chip_config
from neurocim.estimate import Estimator, estimate
from neurocim.workload.cache import WorkloadCache
from neurocim.workload.prepared import prepare
from neurocim.workload.trace_files import load_traces_npz
from neurocim.workload.traces import LayerTrace

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


def _small_vgg8() -> tuple[list, list[LayerTrace]]:
    layers, traces = load_traces_npz(DATA / "vgg8_traces.npz")
    return layers[-3:], traces[-3:]  # the small layers keep the test quick


@pytest.mark.parametrize("chip", ["chip_sram_22nm.yaml", "chip_rram_22nm.yaml"])
def test_sweep_on_a_prepared_workload_matches_fresh_estimates(chip):
    layers, traces = _small_vgg8()
    base = load_chip_config(EXAMPLES / chip).model_dump(mode="json")
    configs = [
        _variant(base, 5, "xy_bus", "register_file"),
        _variant(base, 5, "htree", "sram"),
        _variant(base, 6, "htree", "register_file"),
        _variant(base, 5, "xy_bus", "register_file"),  # the first again, after the cache has seen others
    ]
    workload = prepare(layers, traces)
    swept = Estimator(workload).sweep(configs)
    for config, got in zip(configs, swept, strict=True):
        assert got.to_dict() == estimate(config, layers, traces).to_dict()  # a fresh workload: nothing reused
    assert swept[0].to_dict() == swept[3].to_dict()
    # the global bus and buffer change the chip, not the tiles
    assert swept[0].chip.area_m2 != swept[1].chip.area_m2
    assert swept[0].layers[0].latency_breakdown_s.adc == swept[1].layers[0].latency_breakdown_s.adc


def _energy(report) -> float:
    return report.chip.dynamic_energy_j


@pytest.mark.parametrize("chip", ["chip_sram_22nm.yaml", "chip_rram_22nm.yaml"])
def test_editing_traces_in_place_never_gives_a_stale_answer(chip):
    layers, traces = _small_vgg8()
    config = load_chip_config(EXAMPLES / chip)
    before = estimate(config, layers, traces)
    workload = prepare(layers, traces)
    prepared_before = estimate(config, workload)
    # flip the sign of a block of weights and switch off half the inputs, in place
    for trace in traces:
        trace.weights[: trace.rows // 2] *= -1.0
        if trace.weight_codes is not None:
            trace.weight_codes[: trace.rows // 2] *= -1
        trace.input_codes[::2] = 0
    edited = [
        LayerTrace.from_weight_codes(t.weight_codes, t.weight_step, t.input_codes.copy(), t.input_bits)
        if t.weight_codes is not None
        else LayerTrace(t.weights.copy(), t.input_codes.copy(), t.input_bits)
        for t in traces
    ]
    after = estimate(config, layers, traces)  # the same trace objects, new values
    assert after.to_dict() == estimate(config, layers, edited).to_dict()  # new objects with the same values
    assert _energy(after) != _energy(before)
    # a workload prepared before the edit holds its own copies: its answers do not move
    assert estimate(config, workload).to_dict() == prepared_before.to_dict() == before.to_dict()


def test_prepared_arrays_are_read_only_copies():
    layers, traces = _small_vgg8()
    workload = prepare(layers, traces)
    for mine, theirs in zip(workload.traces, traces, strict=True):
        assert not np.shares_memory(mine.weights, theirs.weights)
        assert not np.shares_memory(mine.input_codes, theirs.input_codes)
        with pytest.raises(ValueError):
            mine.input_codes[0, 0] = 1


def test_the_cache_is_bounded_per_layer_and_drops_what_it_derived():
    layers, traces = _small_vgg8()
    workload = prepare(layers, traces)
    base = load_chip_config(EXAMPLES / "chip_rram_22nm.yaml").model_dump(mode="json")
    for bits in (1, 2, 4):  # three cell precisions reshape the cell digits: only the two latest are kept
        estimate(ChipConfig.model_validate({**base, "cell": {**base["cell"], "bits_per_cell": bits}}), workload)
    cache = workload.cache
    assert all(len(arrays) <= cache.per_group for arrays in cache._owned.values())
    kept = {a.label for arrays in cache._owned.values() for a in arrays.values()}
    assert all(any(label[: len(k)] == k for k in kept) for label in cache.derived_results.owners)


def test_a_workload_within_a_small_budget_answers_as_fresh_estimates():
    """Read statistics dropped for the budget are derived again, with the same numbers; an estimate keeps its own
    working set (a repeat derives nothing), and the next read setting drops it first."""
    layers, traces = _small_vgg8()
    layers, traces = layers[-2:], traces[-2:]
    base = load_chip_config(EXAMPLES / "chip_rram_22nm.yaml").model_dump(mode="json")
    configs = [
        ChipConfig.model_validate({**base, "technology": {**base["technology"], "node_nm": 32}}),
        ChipConfig.model_validate({**base, "array": {**base["array"], "rows": 64}}),
    ]
    fresh = [estimate(config, layers, traces).to_dict() for config in configs]
    small = replace(prepare(layers, traces), cache=WorkloadCache(derived_bytes=1 << 16))
    kept = small.cache.derived_results
    assert estimate(configs[0], small).to_dict() == fresh[0]
    first = len(kept)
    assert kept.nbytes > kept.budget_bytes  # the estimate's working set alone is larger than the budget
    assert estimate(configs[0], small).to_dict() == fresh[0] and len(kept) == first  # nothing derived again
    for k in (1, 0, 1):
        assert estimate(configs[k], small).to_dict() == fresh[k]
    large = prepare(layers, traces)
    for config in configs:
        estimate(config, large)
    assert len(kept) < len(large.cache.derived_results)  # the other setting's results were dropped


def test_estimates_do_not_keep_traces_alive():
    layers, traces = _small_vgg8()
    config = load_chip_config(EXAMPLES / "chip_sram_22nm.yaml")
    estimate(config, layers, traces)
    refs = [weakref.ref(t) for t in traces]
    del traces
    gc.collect()
    assert all(r() is None for r in refs)


def test_a_workload_can_take_over_traces_nothing_else_holds():
    layers, traces = _small_vgg8()
    workload = prepare(layers, traces, copy=False)
    for mine, theirs in zip(workload.traces, traces, strict=True):
        assert np.shares_memory(mine.weights, theirs.weights)
        assert not theirs.weights.flags.writeable  # taken over: read-only from now on


def test_a_chip_model_evaluates_the_workload_it_is_given():
    from neurocim.arch.chip import ChipModel
    from neurocim.estimate import build_context

    layers, traces = _small_vgg8()
    config = load_chip_config(EXAMPLES / "chip_rram_22nm.yaml")
    first, other = prepare(layers, traces), prepare(layers, [_halved_inputs(t) for t in traces])
    chip = ChipModel(build_context(config), layers, workload=first)
    for workload in (other, first):  # estimate() also names the layers; the chip's numbers must be the same
        assert chip.evaluate(workload).chip == estimate(config, workload).chip


def _halved_inputs(trace: LayerTrace) -> LayerTrace:
    codes = trace.input_codes // 2
    if trace.weight_codes is None:
        return LayerTrace(trace.weights, codes, trace.input_bits)
    return LayerTrace.from_weight_codes(trace.weight_codes, trace.weight_step, codes, trace.input_bits)
