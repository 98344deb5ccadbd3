"""Every plausible chip with training settings is refused at load with its field, or its training epoch is estimated
to finite, non-negative numbers that add up."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from neurocim.config.chip import ChipConfig
from neurocim.config.io import ConfigError
from neurocim.mapping.floorplan import FloorplanError
from neurocim.training_cost.epoch import PHASES
from neurocim.training_cost.estimate import TrainingCostError, estimate_training
from neurocim.workload.training_traces import TrainingLayerTrace, TrainingTraces

from .chip_space import chip_tree, random_traces, tiny_network
from .test_chip_space import SETTINGS, check_refusal, check_validation_error, close

INVALID = (  # one of these, rarely: each must be refused at load with its field
    {"batch_size": 0},
    {"weight_gradient": {"buffer_overhead_limit": -1.0}},
    {"dram": {"type": "custom", "bandwidth_bit_per_s": 1e12}},
    {"dram": {"type": "hbm2", "energy_per_bit_j": 1e-12}},
    {"write": {"pulse_width_s": 0.0}},
)


@st.composite
def training_tree(draw: st.DrawFn) -> dict:
    """Training settings a researcher might plausibly write (rarely one out of range)."""
    custom = {"type": "custom", "bandwidth_bit_per_s": 1e11, "energy_per_bit_j": 2e-11}
    dram = draw(st.sampled_from([{"type": "hbm2"}, {"type": "gddr5"}, custom]))
    tree = {
        "enabled": True,
        "batch_size": draw(st.sampled_from([1, 7, 64, 200, 4096])),
        "iterations_per_epoch": draw(st.sampled_from([1, 250, 100_000])),
        "backprop": {"parallel": draw(st.booleans()), "adc_levels": draw(st.sampled_from([2, 16, 64, 256])),
                     "rows_per_adc": draw(st.sampled_from([1, 4, 8, 32]))},  # fmt: skip
        "weight_gradient": {"rows": draw(st.sampled_from([16, 64, 128, 512])),
                            "cols": draw(st.sampled_from([16, 128, 256])),
                            "adc_levels": draw(st.sampled_from([4, 16, 32])),
                            "buffer_overhead_limit": draw(st.sampled_from([0.1, 1.0, 4.0]))},  # fmt: skip
        "dram": dram,
        "write": {"pulse_width_s": draw(st.sampled_from([1e-9, 5e-8, 1e-6, 1e-4])),
                  "levels_ltp": draw(st.sampled_from([2, 32, 60, 256])),
                  "levels_ltd": draw(st.sampled_from([2, 60, 128])),
                  "fefet_polarization_c_per_m2": draw(st.sampled_from([0.05, 0.2, 0.4]))},  # fmt: skip
    }
    if draw(st.sampled_from([False] * 9 + [True])):
        bad = draw(st.sampled_from(INVALID))
        for key, value in bad.items():
            tree[key] = {**tree[key], **value} if isinstance(value, dict) and key != "dram" else value
    return tree


def _training_traces(layers, input_bits: int, seed: int) -> TrainingTraces:
    rng = np.random.default_rng(seed)
    out = []
    for layer, trace in zip(layers, random_traces(layers, input_bits, seed), strict=True):
        old = np.clip(trace.weights + rng.normal(0, 0.1, size=trace.weights.shape), -1, 1)
        out.append(TrainingLayerTrace(layer, trace, old, float(rng.uniform(0, 1))))
    return TrainingTraces(tuple(out), 8, input_bits)


def _check(report) -> None:
    d = report.to_dict()  # every number finite and non-negative
    chip = d["chip"]
    for which in ("training", "peak"):
        total = chip[which]["total"]
        assert close(total["latency_s"], sum(chip[which][p]["latency_s"] for p in PHASES))
        assert close(total["energy_j"], sum(chip[which][p]["energy_j"] for p in PHASES))
        for phase in PHASES:
            got = sum(layer[which][phase]["energy_j"] for layer in d["layers"])
            assert math.isclose(got, chip[which][phase]["energy_j"], rel_tol=1e-9, abs_tol=1e-300)
    assert chip["training"]["total"]["latency_s"] > 0 and chip["training"]["total"]["energy_j"] > 0
    assert chip["training"]["weight_update"]["latency_s"] >= chip["peak"]["weight_update"]["latency_s"] * (1 - 1e-12)
    assert d["layers"][0]["training"]["activation_gradient"] == {"latency_s": 0.0, "energy_j": 0.0}
    assert 0 < chip["tops_per_w"] <= chip["peak_tops_per_w"] * (1 + 1e-9) or chip["peak"]["total"]["energy_j"] == 0
    assert chip["area_m2"] > 0


@settings(max_examples=40, derandomize=True, **SETTINGS)
@given(chip_tree(), training_tree())
def test_plausible_training_chips_are_refused_or_estimated_sanely(tree, training):
    # training is estimated for layer-by-layer chips (no pipeline, so no synchronous data transfer)
    interconnect = {**tree["interconnect"], "sync_data_transfer": False}
    pipeline = {**tree["pipeline"], "enabled": False}
    tree = {**tree, "training": training, "pipeline": pipeline, "interconnect": interconnect}
    tree["compat"] = "neurosim_v21" if tree["compat"] == "neurosim_v14" else "none"
    try:
        chip = ChipConfig.model_validate(tree)
    except ValidationError as err:
        check_validation_error(err)
        return
    layers = tiny_network()
    traces = _training_traces(layers, chip.precision.input_bits, seed=1)
    try:
        result = estimate_training(chip, traces)
    except (ConfigError, TrainingCostError) as err:
        check_refusal(str(err))
        return
    except FloorplanError as err:
        assert chip.strict_floorplan and "strict_floorplan=false" in str(err), str(err)
        return
    _check(result.report)
