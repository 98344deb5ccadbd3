"""The forward phase of training read from an inference estimate: per image, per layer, with its compute-only peak."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from neurocim.compat.quirks import enabled_quirks
from neurocim.config.chip import ChipConfig
from neurocim.report.records import Breakdown, LayerReport, Report
from neurocim.workload.network import Layer

IMAGE_LOAD_EVERY_LAYER = "v21_image_load_every_layer"


@dataclass(frozen=True)
class PhaseCost:
    """Latency (s) and dynamic energy (J) of one phase."""

    latency_s: float
    energy_j: float


NO_COST = PhaseCost(0.0, 0.0)


@dataclass(frozen=True)
class ForwardLayer:
    """One layer's forward pass of one image, split as NeuroSim V2.1 reports it.

    `array` is the read of the synaptic arrays without their ADCs (the `other` of the inference breakdown minus its
    buffer and interconnect parts); `peak` is the compute alone: ADC + accumulation + array. `dram` is the image
    load from off-chip memory (inference-only runs), part of `total`."""

    layer: int
    total: PhaseCost
    peak: PhaseCost
    latency_s: Breakdown  # adc, accumulation, other (= array only), buffer, interconnect
    energy_j: Breakdown
    leakage_power_w: float
    dram: PhaseCost = NO_COST


def _array_only(b: Breakdown) -> Breakdown:
    return Breakdown(b.adc, b.accumulation, b.other - b.buffer - b.interconnect, b.buffer, b.interconnect)


def forward_layer(record: LayerReport, dram: PhaseCost = NO_COST) -> ForwardLayer:
    """The forward view of one layer of an inference report, plus its DRAM load."""
    lat, en = _array_only(record.latency_breakdown_s), _array_only(record.energy_breakdown_j)
    peak = PhaseCost(lat.adc + lat.accumulation + lat.other, en.adc + en.accumulation + en.other)
    total = PhaseCost(record.latency_s + dram.latency_s, record.dynamic_energy_j + dram.energy_j)
    return ForwardLayer(record.layer, total, peak, lat, en, record.leakage_power_w, dram)


def image_loads(chip: ChipConfig, layers: Sequence[Layer]) -> list[PhaseCost]:
    """Per layer, the DRAM read of the input image in an inference-only forward pass (bits / bandwidth, bits x
    energy per bit of `chip.training.dram`): the first layer's input, H x W x channels x input bits. NeuroSim V2.1
    (quirk v21_image_load_every_layer) charges it to every layer, without the channels."""
    if not layers:
        return []
    bandwidth_bit_per_s, energy_per_bit_j = chip.training.dram.bandwidth_and_energy
    first = layers[0]
    every_layer = IMAGE_LOAD_EVERY_LAYER in enabled_quirks(chip.compat, chip.quirks)
    bits = first.ifm_h * first.ifm_w * (1 if every_layer else first.in_channels) * chip.precision.input_bits
    load = PhaseCost(bits / bandwidth_bit_per_s, bits * energy_per_bit_j)
    return [load if every_layer or i == 0 else NO_COST for i in range(len(layers))]


def forward_phase(report: Report, dram: Sequence[PhaseCost] = ()) -> list[ForwardLayer]:
    """Per-image forward cost of every layer of an inference report (layer-by-layer order), each with its DRAM load
    (`image_loads` for an inference-only run; none in training, where the epoch accounts for DRAM traffic)."""
    if dram and len(dram) != len(report.layers):
        raise ValueError(f"{len(dram)} DRAM loads for {len(report.layers)} layers")
    loads = dram or [NO_COST] * len(report.layers)
    return [forward_layer(record, load) for record, load in zip(report.layers, loads, strict=True)]
