"""The forward phase of training read from an inference estimate: per image, per layer, with its compute-only peak."""

from __future__ import annotations

from dataclasses import dataclass

from neurocim.report.records import Breakdown, LayerReport, Report


@dataclass(frozen=True)
class PhaseCost:
    """Latency (s) and dynamic energy (J) of one phase."""

    latency_s: float
    energy_j: float


@dataclass(frozen=True)
class ForwardLayer:
    """One layer's forward pass of one image, split as NeuroSim V2.1 reports it.

    `array` is the read of the synaptic arrays without their ADCs (the `other` of the inference breakdown minus its
    buffer and interconnect parts); `peak` is the compute alone: ADC + accumulation + array."""

    layer: int
    total: PhaseCost
    peak: PhaseCost
    latency_s: Breakdown  # adc, accumulation, other (= array only), buffer, interconnect
    energy_j: Breakdown
    leakage_power_w: float


def _array_only(b: Breakdown) -> Breakdown:
    return Breakdown(b.adc, b.accumulation, b.other - b.buffer - b.interconnect, b.buffer, b.interconnect)


def forward_layer(record: LayerReport) -> ForwardLayer:
    """The forward view of one layer of an inference report."""
    lat, en = _array_only(record.latency_breakdown_s), _array_only(record.energy_breakdown_j)
    peak = PhaseCost(lat.adc + lat.accumulation + lat.other, en.adc + en.accumulation + en.other)
    return ForwardLayer(
        record.layer, PhaseCost(record.latency_s, record.dynamic_energy_j), peak, lat, en, record.leakage_power_w
    )


def forward_phase(report: Report) -> list[ForwardLayer]:
    """Per-image forward cost of every layer of an inference report (layer-by-layer order)."""
    return [forward_layer(record) for record in report.layers]
