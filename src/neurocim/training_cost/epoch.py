"""One training epoch composed from per-layer phase costs (forward, both gradients, update, DRAM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

from neurocim.arch.cost import Cost
from neurocim.config.derived import Derived
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.report.records import Breakdown, Report
from neurocim.training_cost.dram import LayerDram
from neurocim.training_cost.weight_update import LayerUpdate, Transfer
from neurocim.workload.network import Layer

PHASES = ("forward", "activation_gradient", "weight_gradient", "weight_update")


@dataclass(frozen=True)
class PhaseCost:
    """One layer's cost in one phase, per image: in total and compute only ("peak": the PEs' arrays and adder trees,
    no buffers, interconnect or DRAM), with the total split by component (buffer and interconnect inside other).
    `adc_with_forward`: the ADC latency part holds the layer's forward conversions too (an activation gradient under
    quirk v21_breakdown_adc_slowest_both_reads), so the epoch's breakdown takes it in their place."""

    latency_s: float = 0.0
    energy_j: float = 0.0
    peak_latency_s: float = 0.0
    peak_energy_j: float = 0.0
    latency_parts: Breakdown = Breakdown()
    energy_parts: Breakdown = Breakdown()
    adc_with_forward: bool = False

    def scaled(self, factor: float) -> PhaseCost:
        """Every latency and energy times `factor`."""
        return PhaseCost(
            self.latency_s * factor,
            self.energy_j * factor,
            self.peak_latency_s * factor,
            self.peak_energy_j * factor,
            _scaled(self.latency_parts, factor),
            _scaled(self.energy_parts, factor),
            self.adc_with_forward,
        )

    def plus_dram(self, latency_s: float, energy_j: float) -> PhaseCost:
        """This cost with DRAM transfers added to the total (not to the compute-only peak)."""
        return replace(self, latency_s=self.latency_s + latency_s, energy_j=self.energy_j + energy_j)


def phase_from_cost(cost: Cost) -> PhaseCost:
    """A per-image Cost (seconds) as a phase: its compute-only part leaves out buffers and interconnect."""
    lat = Breakdown(cost.latency_adc, cost.latency_accum, cost.latency_other, cost.buffer_latency, cost.ic_latency)
    en = Breakdown(cost.energy_adc, cost.energy_accum, cost.energy_other, cost.buffer_energy, cost.ic_energy)
    peak_t = max(cost.latency - cost.buffer_latency - cost.ic_latency, 0.0)
    peak_e = max(cost.energy - cost.buffer_energy - cost.ic_energy, 0.0)
    return PhaseCost(cost.latency, cost.energy, peak_t, peak_e, lat, en)


def _scaled(parts: Breakdown, factor: float) -> Breakdown:
    return Breakdown(*(getattr(parts, f.name) * factor for f in fields(parts)))


@dataclass(frozen=True)
class TrainingBreakdown:
    """Latency (s) or energy (J) of an epoch by component; `other` is the arrays' read path without the ADCs."""

    adc: float = 0.0
    accumulation: float = 0.0
    other: float = 0.0
    buffer: float = 0.0
    interconnect: float = 0.0
    weight_gradient: float = 0.0
    weight_update: float = 0.0
    dram: float = 0.0

    def __add__(self, other: TrainingBreakdown) -> TrainingBreakdown:
        return TrainingBreakdown(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class LayerEpoch:
    """One layer over an epoch: each phase in total and compute only, leakage, breakdowns."""

    layer: int  # 1-based row of the network
    phases: dict[str, tuple[float, float]]  # phase -> (latency s, energy J)
    peak: dict[str, tuple[float, float]]
    leakage_power_w: float
    leakage_energy_j: float
    latency_breakdown_s: TrainingBreakdown
    energy_breakdown_j: TrainingBreakdown


@dataclass(frozen=True)
class LayerInputs:
    """What one layer's epoch is made of (per image, except the update: per update)."""

    forward: PhaseCost
    activation_gradient: PhaseCost
    weight_gradient: PhaseCost  # without DRAM
    update: LayerUpdate
    dram: LayerDram


def layer_epoch(
    index: int,
    parts: LayerInputs,
    training: TrainingHardwareConfig,
    p: Derived,
    write_parallel: int,
    clock_period_s: float,
    leakage: tuple[float, float],
) -> LayerEpoch:
    """A layer's epoch: per-image phases plus their DRAM transfers x batch x iterations, the update's writes
    (divided by the arrays written in parallel) x iterations. `leakage` is (power W of the layer's tiles, power W
    leaking while it runs)."""
    images, iters = training.images_per_epoch, training.iterations_per_epoch
    first = index == 0
    fw = parts.forward.plus_dram(*parts.dram.forward).scaled(images)
    ag = PhaseCost() if first else parts.activation_gradient.plus_dram(*parts.dram.activation_gradient)
    ag = ag.scaled(images)
    wg = parts.weight_gradient.plus_dram(*parts.dram.weight_gradient).scaled(images)
    u = parts.update
    period = clock_period_s if p.chip.clock.synchronous else 1.0
    wu_peak = (u.serial_latency_s / write_parallel * iters, u.peak_energy_j * iters)
    wu = (wu_peak[0] + u.transfer.latency * period / write_parallel * iters, (u.energy_j + u.transfer.energy_j) * iters)
    read = dict(zip(PHASES, (fw, ag, wg), strict=False))
    phases = {name: (c.latency_s, c.energy_j) for name, c in read.items()} | {"weight_update": wu}
    peak = {name: (c.peak_latency_s, c.peak_energy_j) for name, c in read.items()} | {"weight_update": wu_peak}
    power, running = leakage
    busy = fw.latency_s + ag.latency_s
    if not p.quirk("v21_leakage_read_phases_only"):
        busy += wg.latency_s + wu[0]
    dram = (parts.dram.reported[0] * images, parts.dram.reported[1] * images)
    moved = (wg, _transfer_parts(u.transfer, p, period, write_parallel, training))
    fw_lat = replace(fw, latency_parts=replace(fw.latency_parts, adc=0.0)) if ag.adc_with_forward else fw
    lat = _breakdown((fw_lat, ag), moved, peak["weight_gradient"][0], wu_peak[0], dram[0], "latency_parts")
    en = _breakdown((fw, ag), moved, peak["weight_gradient"][1], wu_peak[1], dram[1], "energy_parts")
    return LayerEpoch(index + 1, phases, peak, power, running * busy, lat, en)


def _transfer_parts(
    t: Transfer, p: Derived, period: float, write_parallel: int, training: TrainingHardwareConfig
) -> PhaseCost:
    """The update's delta-weight transfers over the epoch by component (buffer, interconnect), as the update pays
    them; NeuroSim V2.1 (quirk v21_breakdown_update_transfer_per_image) books the slowest tile's transfer time and
    every tile's energy once per image instead."""
    if p.quirk("v21_breakdown_update_transfer_per_image"):
        n = training.images_per_epoch
        times = (t.slowest_buffer_latency * period * n, t.slowest_tree_latency * period * n)
    else:
        n = training.iterations_per_epoch
        times = (t.buffer_latency * period / write_parallel * n, t.tree_latency * period / write_parallel * n)
    energies = (t.buffer_energy_j * n, t.tree_energy_j * n)
    lat, en = (Breakdown(other=b + i, buffer=b, interconnect=i) for b, i in (times, energies))
    return PhaseCost(latency_parts=lat, energy_parts=en)


def _breakdown(
    read: Sequence[PhaseCost], moved: Sequence[PhaseCost], wg: float, wu: float, dram: float, which: str
) -> TrainingBreakdown:
    """The read passes' components (the arrays' read path without ADC, buffers and interconnect apart), the
    compute-only weight gradient and update, the buffer and interconnect traffic of the other phases (`moved`), and
    the DRAM traffic."""
    out = TrainingBreakdown(weight_gradient=wg, weight_update=wu, dram=dram)
    for phase in moved:
        b: Breakdown = getattr(phase, which)
        out = out + TrainingBreakdown(buffer=b.buffer, interconnect=b.interconnect)
    for phase in read:
        b = getattr(phase, which)
        out = out + TrainingBreakdown(b.adc, b.accumulation, b.other - b.buffer - b.interconnect, b.buffer,
                                      b.interconnect)  # fmt: skip
    return out


def operations(layers: Sequence[Layer], windows: Sequence[int], p: Derived, training: TrainingHardwareConfig) -> float:
    """Operations of an epoch: 2 per MAC in the forward pass and weight gradient of every layer and in the activation
    gradient of every layer but the first."""
    per_layer = [
        2.0 * (layer.macs if p.quirk("operations_ignore_stride") else n * layer.rows * layer.out_channels)
        for layer, n in zip(layers, windows, strict=True)
    ]
    return (3 * sum(per_layer) - per_layer[0]) * training.images_per_epoch


def running_leakage(
    forward: Report, extra_tile_w: Sequence[float] = (), idle_tiles_only: bool = False
) -> list[tuple[float, float]]:
    """Per layer: (its tiles' leakage power, the power leaking while it runs) from the inference estimate, with
    `extra_tile_w[i]` (W) more in every tile of layer i (the training periphery): like the tile's own leakage, it
    leaks in the tiles of the other layers while layer i runs. NeuroSim V2.1 (quirk v21_leakage_idle_tiles_only,
    `idle_tiles_only`) counts only the other layers' tiles, at layer i's per-tile leakage: the running layer's own
    tiles (their SRAM cells not being read) leak nothing."""
    total_tiles = sum(layer.num_tiles for layer in forward.layers)
    extra = list(extra_tile_w) or [0.0] * len(forward.layers)
    out = []
    for layer, more in zip(forward.layers, extra, strict=True):
        others = total_tiles - layer.num_tiles
        if idle_tiles_only:
            running = layer.leakage_power_w / layer.num_tiles * others if layer.num_tiles > 0 else 0.0
        else:
            running = layer.leakage_energy_j / layer.latency_s if layer.latency_s > 0 else 0.0
        out.append((layer.leakage_power_w + more * layer.num_tiles, running + more * others))
    return out
