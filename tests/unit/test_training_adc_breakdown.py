"""The ADC share of a training epoch's latency: each read pass's slowest sub-array by default; under NeuroSim V2.1
(quirk v21_breakdown_adc_slowest_both_reads) the slowest sub-array of both reads' conversions together."""

from __future__ import annotations

import functools

import pytest

from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive
from neurocim.training_cost.estimate import TrainingWorkload
from neurocim.training_cost.forward import training_chip
from neurocim.training_cost.gradients import BackpropHardware
from neurocim.workload.network import Layer
from tests.training_support import synthetic_training_traces

# several sub-arrays, PEs and tiles per layer, so the slowest block of one read need not be the other's
LAYERS = (
    Layer(8, 8, 16, 3, 3, 32, pooled=True, name="conv1"),
    Layer(8, 8, 32, 3, 3, 64, name="conv2"),
    Layer(1, 1, 512, 1, 1, 128, name="fc1"),
)
QUIRK = "v21_breakdown_adc_slowest_both_reads"


def _chip(joint: bool) -> ChipConfig:
    """V2.1's sequential eNVM chip (rows read one at a time: conversion times vary with the rows each vector reads)."""
    chip = chip_from_v21_params({"numRowSubArray": 32, "numColSubArray": 32, "operationmode": 1})
    training = {"enabled": True, "batch_size": 2, "iterations_per_epoch": 2}
    return ChipConfig.model_validate({**chip.model_dump(), "training": training, "quirks": {QUIRK: joint}})


@functools.cache
def _workload() -> TrainingWorkload:
    return TrainingWorkload(synthetic_training_traces(LAYERS, seed=11, drift=0.2))


def _ag_adc_s(config: ChipConfig) -> list[float]:
    """Per layer, the activation-gradient phase's ADC latency part over the epoch (s)."""
    workload = _workload()
    model = training_chip(config, workload.workload)
    model.evaluate(workload.workload)
    hardware = BackpropHardware(model, config.training, workload.traces, workload.workload)
    images = config.training.images_per_epoch
    return [hardware.activation_gradient(i).latency_parts.adc * images for i in range(len(LAYERS))]


def test_v21_books_the_slowest_sub_array_of_both_reads_conversions():
    faithful_config, v21_config = _chip(False), _chip(True)
    assert QUIRK in derive(v21_config).quirks and QUIRK not in derive(faithful_config).quirks
    faithful = _workload().estimate(faithful_config).report
    v21 = _workload().estimate(v21_config).report
    ag_alone, joint = _ag_adc_s(faithful_config), _ag_adc_s(v21_config)
    assert joint[0] == ag_alone[0] == 0.0  # the first layer reads no errors
    tighter = 0
    for i, (mine, theirs) in enumerate(zip(faithful.layers, v21.layers, strict=True)):
        assert theirs.phases.keys() == mine.phases.keys()
        for phase, figures in mine.phases.items():  # the phases' time is the passes' own
            assert theirs.phases[phase] == pytest.approx(figures, rel=1e-12)
        assert theirs.energy_breakdown_j == mine.energy_breakdown_j
        fw = mine.latency_breakdown_s.adc - ag_alone[i]
        assert fw > 0
        if i == 0:
            assert theirs.latency_breakdown_s.adc == pytest.approx(mine.latency_breakdown_s.adc, rel=1e-12)
            continue
        # the pass's ADC part holds both reads: the layer books it alone, never less than either read's slowest
        assert theirs.latency_breakdown_s.adc == pytest.approx(joint[i], rel=1e-12)
        assert max(fw, ag_alone[i]) * (1 - 1e-12) <= joint[i] <= (fw + ag_alone[i]) * (1 + 1e-12)
        tighter += joint[i] < (fw + ag_alone[i]) * (1 - 1e-6)
    assert tighter > 0  # some layer's slowest forward block is not its slowest transposed one


def test_the_forward_reader_keeps_the_block_sums_it_read():
    """The activation-gradient pass reads the forward blocks' conversion times from the forward reader's memo (kept
    read-only): the chip's reports on a workload whose readers kept them equal those on a fresh workload."""
    config = _chip(True)
    model = training_chip(config, _workload().workload)
    model.evaluate(_workload().workload)
    kept = list(model.tile_cm.pe.reader._sums_cache._found.values())
    assert kept and not any(sums.flags.writeable for sums in kept)
    again = _workload().estimate(config).report.to_dict()
    fresh = TrainingWorkload(synthetic_training_traces(LAYERS, seed=11, drift=0.2)).estimate(config).report.to_dict()
    assert again == fresh
