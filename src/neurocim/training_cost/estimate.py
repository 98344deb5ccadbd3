"""Training-cost estimate of a chip on training traces: the inference estimate as the forward pass, the gradient
passes from a pluggable provider, the weight update and DRAM from this package, composed into an epoch report.

`estimate_training(config, traces, gradients)` where `gradients(chip, training, traces, forward)` (`forward`: the
inference estimate's report, per image) returns a `GradientPhases`:
the activation-gradient and weight-gradient costs per layer and image, the weight-gradient unit's output precision
and the area the training hardware adds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from neurocim.arch.chip import ChipModel
from neurocim.arch.cost import Cost
from neurocim.config.chip import ChipConfig
from neurocim.config.params import Params
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.errors import InputError
from neurocim.estimate import build_context
from neurocim.report.records import Breakdown, Report
from neurocim.training_cost.dram import Dram, layer_dram
from neurocim.training_cost.epoch import (
    LayerInputs,
    PhaseCost,
    forward_phase,
    layer_epoch,
    operations,
    running_leakage,
)
from neurocim.training_cost.report import AREA_PARTS, EpochReport
from neurocim.training_cost.weight_update import WeightUpdate, write_parallelism
from neurocim.workload.network import Layer
from neurocim.workload.prepared import prepare
from neurocim.workload.training_traces import TrainingTraces


class TrainingCostError(InputError):
    """A training estimate asked of a configuration that cannot give one."""


class GradientPhases(Protocol):
    """What the back-propagation hardware contributes, per layer and image."""

    gradient_bits: int  # output precision of the weight-gradient unit (bits per weight gradient)
    extra_area_m2: dict[str, float]  # area added, by AREA_PARTS name

    def activation_gradient(self, index: int) -> PhaseCost: ...

    def weight_gradient(self, index: int) -> PhaseCost: ...


GradientProvider = Callable[[ChipModel, TrainingHardwareConfig, TrainingTraces, Report], GradientPhases]


def phase_from_cost(cost: Cost) -> PhaseCost:
    """A per-image Cost (seconds) as a phase: its compute-only part leaves out buffers and interconnect."""
    lat = Breakdown(cost.latency_adc, cost.latency_accum, cost.latency_other, cost.buffer_latency, cost.ic_latency)
    en = Breakdown(cost.energy_adc, cost.energy_accum, cost.energy_other, cost.buffer_energy, cost.ic_energy)
    peak_t = max(cost.latency - cost.buffer_latency - cost.ic_latency, 0.0)
    peak_e = max(cost.energy - cost.buffer_energy - cost.ic_energy, 0.0)
    return PhaseCost(cost.latency, cost.energy, peak_t, peak_e, lat, en)


@dataclass(frozen=True)
class TrainingEstimate:
    """The epoch report and what it was composed from."""

    report: EpochReport
    write_parallel: int


def inference_buffer_bits(p: Params, layers: Sequence[Layer]) -> float:
    """The global buffer of a layer-by-layer chip: the largest layer input at the input precision."""
    return float(p.num_bit_input * max(x.ifm_h * x.ifm_w * x.in_channels for x in layers))


def estimate_training(
    config: ChipConfig, traces: TrainingTraces, gradients: GradientProvider | None = None
) -> TrainingEstimate:
    """One epoch of on-chip training of `traces`' network on `config`'s chip (layer by layer); `gradients` defaults
    to the chip's transposed read-out and weight-gradient unit (training_cost.gradients)."""
    if gradients is None:
        from neurocim.training_cost.gradients import backprop_hardware

        gradients = backprop_hardware
    training = config.training
    if not training.enabled:
        raise TrainingCostError("chip.training.enabled is false: set it to true to estimate the cost of training")
    if config.pipeline.enabled:
        raise TrainingCostError("chip.pipeline.enabled=true: the training estimate models layer-by-layer chips only")
    ctx = build_context(config)
    layers = traces.network
    workload = prepare(layers, traces.forward_traces)
    chip = ChipModel(ctx, layers, workload=workload)
    forward = chip.evaluate(workload)
    phases = gradients(chip, training, traces, forward)
    p = ctx.p
    parallel = write_parallelism(p, training, inference_buffer_bits(p, layers), phases.gradient_bits)
    update = WeightUpdate(chip, training)
    dram = Dram.from_config(training.dram)
    leak = running_leakage(forward)
    epochs = []
    for i, (layer, record) in enumerate(zip(traces.layers, forward.layers, strict=True)):
        parts = LayerInputs(
            forward_phase(record),
            phases.activation_gradient(i),
            phases.weight_gradient(i),
            update.layer(i, layer.trace.weights, layer.old_weights),
            layer_dram(dram, layers[i], i == 0, p, phases.gradient_bits),
        )
        epochs.append(layer_epoch(i, parts, training, p, parallel, forward.chip.clock_period_s, leak[i]))
    area = _area(forward.chip, phases.extra_area_m2)
    info = [{"num_tiles": r.num_tiles, "speedup": r.speedup, "utilization": r.utilization} for r in forward.layers]
    report = EpochReport(
        area_m2=sum(area.values()),
        area_breakdown_m2=area,
        layers=epochs,
        num_operations=operations(layers, chip.windows, p, training),
        layer_info=info,
        floorplan=dict(forward.floorplan),
    )
    return TrainingEstimate(report, parallel)


def _area(chip, extra: dict[str, float]) -> dict[str, float]:
    """The inference chip's area by part plus what the training hardware adds."""
    unknown = set(extra) - set(AREA_PARTS)
    if unknown:
        raise ValueError(f"unknown area parts {sorted(unknown)}; allowed: {AREA_PARTS}")
    a = chip.area_breakdown_m2
    base = {"array": a.array, "interconnect": a.interconnect, "adc": a.adc, "accumulation": a.accumulation,
            "other": a.other, "weight_gradient": 0.0}  # fmt: skip
    return {k: base[k] + extra.get(k, 0.0) for k in AREA_PARTS}
