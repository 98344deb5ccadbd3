"""The forward phase read from an inference estimate (inference or training): per image and layer, with its peak."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from neurocim.arch.chip import ChipModel
from neurocim.arch.subarray.subarray import SubArray
from neurocim.compat.quirks import enabled_quirks
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context
from neurocim.report.records import Breakdown, LayerReport, Report
from neurocim.training_cost.backprop import BackpropArea, TransposedReadout, with_readout
from neurocim.training_cost.epoch import PhaseCost
from neurocim.workload.network import Layer
from neurocim.workload.prepared import PreparedWorkload

IMAGE_LOAD_EVERY_LAYER = "v21_image_load_every_layer"
FORWARD_BUFFER_TWICE = "v21_training_forward_buffer_twice"


@dataclass(frozen=True)
class LatencyEnergy:
    """Latency (s) and dynamic energy (J) of one piece of the forward pass (not the epoch's PhaseCost)."""

    latency_s: float
    energy_j: float


NO_COST = LatencyEnergy(0.0, 0.0)


@dataclass(frozen=True)
class GrownSubarray:
    """A forward sub-array laid out again with its transposed read-out beside it (`area`): a training chip's."""

    area: BackpropArea

    def __call__(self, subarray: SubArray) -> SubArray:
        return with_readout(subarray, self.area)


def training_chip(config: ChipConfig, workload: PreparedWorkload) -> ChipModel:
    """The chip of `config` mapped with `workload` as a training chip: every sub-array grown by the transposed read-out
    of `config.training`, so the PEs, tiles, their buses and H-trees and the chip's H-tree span the larger parts in
    every pass (forward, activation gradient), not only in the area."""
    ctx = build_context(config)
    grow = GrownSubarray(TransposedReadout(ctx, config.training).area)
    return ChipModel(ctx, workload.layers, workload=workload, grow=grow)


@dataclass(frozen=True)
class ForwardLayer:
    """One layer's forward pass of one image, split as NeuroSim V2.1 reports it.

    `array` is the read of the synaptic arrays without their ADCs (the `other` of the inference breakdown minus its
    buffer and interconnect parts); `peak` is the compute alone: ADC + accumulation + array (its energy: the layer's
    less its buffer and interconnect). `total` adds to the
    inference layer cost `dram`, the image load from off-chip memory (inference-only runs), and `buffer_again`, a
    second pass over the global buffer (training keeps each layer's input and output for the backward pass)."""

    layer: int
    total: LatencyEnergy
    peak: LatencyEnergy
    latency_s: Breakdown  # adc, accumulation, other (= array only), buffer, interconnect
    energy_j: Breakdown
    leakage_power_w: float
    dram: LatencyEnergy = NO_COST
    buffer_again: LatencyEnergy = NO_COST

    def phase(self) -> PhaseCost:
        """This forward pass as the epoch composes it: the total and the compute-only peak, with the total split by
        component (the inference convention: `other` holds the buffers, interconnect and DRAM load)."""
        lat, en = self.latency_s, self.energy_j
        extra_t, extra_e = self.buffer_again.latency_s, self.buffer_again.energy_j
        moved_t = lat.buffer + lat.interconnect + extra_t + self.dram.latency_s
        moved_e = en.buffer + en.interconnect + extra_e + self.dram.energy_j
        return PhaseCost(
            self.total.latency_s,
            self.total.energy_j,
            self.peak.latency_s,
            self.peak.energy_j,
            Breakdown(lat.adc, lat.accumulation, lat.other + moved_t, lat.buffer + extra_t, lat.interconnect),
            Breakdown(en.adc, en.accumulation, en.other + moved_e, en.buffer + extra_e, en.interconnect),
        )


def _array_only(b: Breakdown) -> Breakdown:
    return Breakdown(b.adc, b.accumulation, b.other - b.buffer - b.interconnect, b.buffer, b.interconnect)


def forward_layer(
    record: LayerReport, dram: LatencyEnergy = NO_COST, buffer_again: LatencyEnergy = NO_COST
) -> ForwardLayer:
    """The forward view of one layer of an inference report, plus its DRAM load and second global-buffer pass."""
    lat, en = _array_only(record.latency_breakdown_s), _array_only(record.energy_breakdown_j)
    # the compute's energy: the read's less its data movement (V2.1's sequential read books its converters to the ADC
    # share but not to the read, quirk v21_sequential_read; elsewhere the shares add up to the read)
    compute_j = record.dynamic_energy_j - en.buffer - en.interconnect
    peak = LatencyEnergy(lat.adc + lat.accumulation + lat.other, compute_j)
    total = LatencyEnergy(
        record.latency_s + dram.latency_s + buffer_again.latency_s,
        record.dynamic_energy_j + dram.energy_j + buffer_again.energy_j,
    )
    return ForwardLayer(record.layer, total, peak, lat, en, record.leakage_power_w, dram, buffer_again)


def image_loads(chip: ChipConfig, layers: Sequence[Layer]) -> list[LatencyEnergy]:
    """Per layer, the DRAM read of the input image in an inference-only forward pass (bits / bandwidth, bits x
    energy per bit of `chip.training.dram`): the first layer's input, H x W x channels x input bits. NeuroSim V2.1
    (quirk v21_image_load_every_layer) charges it to every layer, without the channels."""
    if not layers:
        return []
    bandwidth_bit_per_s, energy_per_bit_j = chip.training.dram.bandwidth_and_energy
    first = layers[0]
    every_layer = IMAGE_LOAD_EVERY_LAYER in enabled_quirks(chip.compat, chip.quirks)
    bits = first.ifm_h * first.ifm_w * (1 if every_layer else first.in_channels) * chip.precision.input_bits
    load = LatencyEnergy(bits / bandwidth_bit_per_s, bits * energy_per_bit_j)
    return [load if every_layer or i == 0 else NO_COST for i in range(len(layers))]


def global_buffer_passes(chip: ChipConfig | ChipModel, workload: PreparedWorkload) -> list[LatencyEnergy]:
    """Per layer, one pass of its forward data over the global buffer per image: loading its inputs and writing its
    outputs back, as the inference estimate charges them (NeuroSim V2.1 charges a training forward pass twice)."""
    model = chip if isinstance(chip, ChipModel) else ChipModel(build_context(chip), workload.layers, workload=workload)
    return [LatencyEnergy(latency_s, energy_j) for latency_s, energy_j in model.global_buffer_costs(workload)]


def forward_phase(
    report: Report, dram: Sequence[LatencyEnergy] = (), buffer_again: Sequence[LatencyEnergy] = ()
) -> list[ForwardLayer]:
    """Per-image forward cost of every layer of an inference report (layer-by-layer order), each with its DRAM load
    (`image_loads` for an inference-only run; none in training, where the epoch accounts for DRAM traffic) and a
    second global-buffer pass (`global_buffer_passes` in training)."""
    n = len(report.layers)
    for name, extra in (("DRAM loads", dram), ("buffer passes", buffer_again)):
        if extra and len(extra) != n:
            raise ValueError(f"{len(extra)} {name} for {n} layers")
    loads, again = dram or [NO_COST] * n, buffer_again or [NO_COST] * n
    return [forward_layer(*each) for each in zip(report.layers, loads, again, strict=True)]


def training_forward(model: ChipModel, report: Report, workload: PreparedWorkload) -> list[PhaseCost]:
    """Per layer and image, the forward phase of a training step on `model` (its inference `report` on `workload`):
    no image load (the epoch charges DRAM traffic), and under NeuroSim V2.1 (quirk v21_training_forward_buffer_twice)
    a second pass over the global buffer."""
    again = global_buffer_passes(model, workload) if model.ctx.p.quirk(FORWARD_BUFFER_TWICE) else ()
    return [layer.phase() for layer in forward_phase(report, buffer_again=again)]
