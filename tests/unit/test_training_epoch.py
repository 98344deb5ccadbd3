"""The epoch composer: phases scaled by batch and iterations, DRAM folded in, leakage rule, operations and metrics."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from neurocim.arch.cost import Cost, Part
from neurocim.config.chip import ChipConfig
from neurocim.training_cost.epoch import PHASES, PhaseCost, phase_from_cost, running_leakage
from neurocim.training_cost.estimate import TrainingCostError, estimate_training
from neurocim.workload.network import Layer
from neurocim.workload.training_traces import TrainingTraces
from tests.training_support import synthetic_training_traces

LAYERS = (Layer(8, 8, 16, 3, 3, 32, name="conv"), Layer(1, 1, 512, 1, 1, 10, name="fc"))


@functools.cache
def _traces() -> TrainingTraces:
    return synthetic_training_traces(LAYERS, seed=3, drift=0.06)


@dataclass
class _Gradients:
    """A stand-in for the back-propagation hardware: fixed per-image costs."""

    gradient_bits: int = 15
    extra_area_m2: dict = field(default_factory=lambda: {"weight_gradient": 1e-8, "adc": 2e-9})

    def activation_gradient(self, index: int) -> PhaseCost:
        return phase_from_cost(Cost().plus(Part.ADC, 2e-6, 3e-9).plus(Part.BUFFER, 1e-6, 1e-9))

    def weight_gradient(self, index: int) -> PhaseCost:
        return phase_from_cost(Cost().plus(Part.OTHER, 5e-6, 7e-9))

    def tile_leakage_w(self, index: int) -> float:
        return 0.0


def _config(**training) -> ChipConfig:
    base = {
        "cell": {"type": "fefet", "bits_per_cell": 5},
        "precision": {"weight_bits": 5},
        "pipeline": {"enabled": False},
        "training": {"enabled": True, "batch_size": 4, "iterations_per_epoch": 3, **training},
    }
    return ChipConfig.model_validate(base)


def _estimate(config: ChipConfig):
    return estimate_training(config, _traces(), lambda chip, training, traces, forward: _Gradients())


def test_phases_scale_to_an_epoch_and_the_chip_is_the_sum_of_its_layers():
    out = _estimate(_config()).report
    d = out.to_dict()
    images = 12
    first, second = out.layers
    assert first.phases["activation_gradient"] == (0.0, 0.0)  # no activation gradient for the first layer
    ag_t = (2e-6 + 1e-6) * images  # plus DRAM
    assert second.phases["activation_gradient"][0] > ag_t
    assert second.peak["activation_gradient"] == pytest.approx((2e-6 * images, 3e-9 * images))
    for phase in PHASES:
        chip = d["chip"]["training"][phase]
        assert chip["latency_s"] == pytest.approx(sum(x.phases[phase][0] for x in out.layers))
        assert chip["energy_j"] == pytest.approx(sum(x.phases[phase][1] for x in out.layers))
    total = d["chip"]["training"]["total"]
    assert total["latency_s"] == pytest.approx(sum(d["chip"]["training"][p]["latency_s"] for p in PHASES))
    m = out.metrics()
    assert m["tops_per_w"] == pytest.approx(out.num_operations / ((total["energy_j"] + out.leakage_energy_j) * 1e12))
    assert m["fps"] == pytest.approx(1 / total["latency_s"])
    assert d["chip"]["area_breakdown_m2"]["weight_gradient"] == 1e-8
    assert d["chip"]["area_m2"] == pytest.approx(sum(d["chip"]["area_breakdown_m2"].values()))


def test_the_update_happens_once_per_iteration_and_dram_once_per_image():
    small, big = _estimate(_config()).report, _estimate(_config(batch_size=8)).report
    for a, b in zip(small.layers, big.layers, strict=True):
        assert b.peak["weight_update"] == pytest.approx(a.peak["weight_update"], rel=0.51)  # parallelism may double
        assert b.energy_breakdown_j.dram == pytest.approx(2 * a.energy_breakdown_j.dram)
        assert b.peak["forward"][1] == pytest.approx(2 * a.peak["forward"][1])


def test_operations_count_forward_and_weight_gradient_of_every_layer_and_the_later_activation_gradients():
    out = _estimate(_config()).report
    macs = [8 * 8 * 16 * 9 * 32, 512 * 10]  # faithful: the windows the traces computed
    windows = [36, 1]
    faithful = [2 * w * layer.rows * layer.out_channels for w, layer in zip(windows, LAYERS, strict=True)]
    assert out.num_operations == pytest.approx((3 * sum(faithful) - faithful[0]) * 12)
    v21 = _estimate(ChipConfig.model_validate({**_config().model_dump(), "compat": "neurosim_v21"})).report
    assert v21.num_operations == pytest.approx((3 * 2 * sum(macs) - 2 * macs[0]) * 12)


def test_leakage_covers_every_phase_unless_v21_which_counts_the_read_phases_only():
    faithful = _estimate(_config()).report
    v21 = _estimate(ChipConfig.model_validate({**_config().model_dump(), "compat": "neurosim_v21"})).report
    off = _estimate(ChipConfig.model_validate({**_config().model_dump(), "compat": "neurosim_v21",
                                               "quirks": {"v21_leakage_read_phases_only": False}})).report  # fmt: skip
    for a, b in zip(v21.layers, off.layers, strict=True):
        assert a.leakage_power_w == pytest.approx(b.leakage_power_w)
        assert a.leakage_energy_j < b.leakage_energy_j
    assert faithful.leakage_energy_j > 0


def test_training_off_or_pipelined_is_refused():
    with pytest.raises(TrainingCostError, match="training.enabled"):
        _estimate(ChipConfig())
    with pytest.raises(ValidationError, match="training.enabled=true needs pipeline.enabled=false"):
        ChipConfig.model_validate({**_config().model_dump(), "pipeline": {"enabled": True}})


def test_the_report_is_finite_json_and_prints(capsys):
    from rich.console import Console

    out = _estimate(_config()).report
    d = out.to_dict()
    assert set(d["chip"]["latency_breakdown_s"]) == {"adc", "accumulation", "other", "buffer", "interconnect",
                                                    "weight_gradient", "weight_update", "dram"}  # fmt: skip
    assert [x["layer"] for x in d["layers"]] == [1, 2]
    out.print(Console(width=200))
    assert "weight update" in capsys.readouterr().out


def test_a_training_workload_reuses_the_chip_for_other_training_settings_and_agrees_with_a_fresh_estimate():
    from neurocim.training_cost.estimate import TrainingWorkload

    workload = TrainingWorkload(_traces(), keep=2)
    provider = lambda chip, training, traces, forward: _Gradients()  # noqa: E731
    base = workload.estimate(_config(), provider).report
    other = _config(batch_size=16, dram={"type": "gddr5"}, write={"pulse_width_s": 1e-8})
    swept = workload.estimate(other, provider).report
    assert len(workload._sides) == 1 and len(workload._writes) == 1  # same chip, same pulse levels
    fresh = estimate_training(other, _traces(), provider).report
    assert swept.to_dict() == fresh.to_dict()
    assert swept.to_dict() != base.to_dict()
    workload.estimate(_config(write={"levels_ltp": 30, "levels_ltd": 30}), provider)
    assert len(workload._writes) == 2  # other pulse levels: the writes are recounted
    for cell_bits in (3, 4):  # other chips: the oldest is dropped beyond `keep`
        cell = {"type": "fefet", "bits_per_cell": cell_bits}
        chip = ChipConfig.model_validate({**_config().model_dump(), "cell": cell})
        workload.estimate(chip, provider)
    assert len(workload._sides) == 2


def test_training_periphery_leaks_like_the_tiles_it_sits_in():
    """Leakage added per tile of a layer counts in its own tiles' power and, while it runs, in the other layers'."""
    layers = [
        SimpleNamespace(num_tiles=2, leakage_power_w=2e-6, leakage_energy_j=6e-12, latency_s=1e-6),
        SimpleNamespace(num_tiles=3, leakage_power_w=6e-6, leakage_energy_j=4e-12, latency_s=2e-6),
    ]
    forward = SimpleNamespace(layers=layers)
    assert running_leakage(forward) == [(2e-6, 6e-6), (6e-6, 2e-6)]
    got = running_leakage(forward, [1e-7, 0.0])
    assert got[0] == pytest.approx((2e-6 + 2 * 1e-7, 6e-6 + 3 * 1e-7))
    assert got[1] == pytest.approx((6e-6, 2e-6))
    with pytest.raises(ValueError):
        running_leakage(forward, [1e-7])


def test_v21_leaks_in_the_other_layers_tiles_only_at_the_running_layers_rate():
    """v21_leakage_idle_tiles_only: the running layer's own tiles (their SRAM cells in use) leak nothing; the other
    layers' tiles leak at the running layer's per-tile power (the inference estimate's energy adds its own tiles)."""
    layers = [
        SimpleNamespace(num_tiles=2, leakage_power_w=2e-6, leakage_energy_j=9e-12, latency_s=1e-6),
        SimpleNamespace(num_tiles=3, leakage_power_w=6e-6, leakage_energy_j=7e-12, latency_s=2e-6),
    ]
    forward = SimpleNamespace(layers=layers)
    idle, whole = running_leakage(forward, idle_tiles_only=True), running_leakage(forward)
    assert idle[0] == pytest.approx((2e-6, 3 * 1e-6)) and idle[1] == pytest.approx((6e-6, 2 * 2e-6))
    assert whole[0] == pytest.approx((2e-6, 9e-6)) and whole[1] == pytest.approx((6e-6, 3.5e-6))  # own tiles in
    got = running_leakage(forward, [1e-7, 0.0], idle_tiles_only=True)
    assert got[0] == pytest.approx((2e-6 + 2 * 1e-7, 3e-6 + 3 * 1e-7))
    sram = {**_config().model_dump(), "cell": {"type": "sram"}, "precision": {"weight_bits": 8}}
    v21 = ChipConfig.model_validate({**sram, "compat": "neurosim_v21"})
    off = v21.model_copy(update={"quirks": {"v21_leakage_idle_tiles_only": False}})
    a, b = _estimate(v21).report, _estimate(off).report
    for x, y in zip(a.layers, b.layers, strict=True):
        assert x.leakage_power_w == pytest.approx(y.leakage_power_w)
    assert a.leakage_energy_j < b.leakage_energy_j
