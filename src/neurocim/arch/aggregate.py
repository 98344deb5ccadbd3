"""Roll per-layer costs up to the chip: pipeline or layer-by-layer, leakage, TOPS, TOPS/W, TOPS/mm^2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from neurocim.report.records import AreaBreakdown, Breakdown, ChipReport, LayerReport


@dataclass(frozen=True)
class LayerCost:
    """What one layer costs on the chip, as the chip-level pass produces it (latencies in seconds)."""

    latency: float
    energy: float
    latency_parts: Breakdown  # adc/accumulation/other are maxima over tiles; buffer and ic are parts of other
    energy_parts: Breakdown
    tile_leakage: float  # W of one tile of this layer's kind while idle
    tile_leakage_in_use: float  # W of one tile while computing (SRAM cells not being read)

    def scaled_latency(self, factor: float) -> LayerCost:
        """Latencies multiplied by `factor` (cycles -> seconds in synchronous mode)."""
        p = self.latency_parts
        parts = Breakdown(p.adc * factor, p.accumulation * factor, p.other * factor, p.buffer * factor,
                          p.interconnect * factor)  # fmt: skip
        return LayerCost(self.latency * factor, self.energy, parts, self.energy_parts, self.tile_leakage,
                         self.tile_leakage_in_use)  # fmt: skip


@dataclass(frozen=True)
class ChipTotals:
    """Chip-level inputs of the roll-up that are not per layer."""

    area: float
    area_parts: AreaBreakdown
    clock_period: float
    num_operations: float  # 2 x MACs as NeuroSim counts them
    zeta: float  # post-layout energy factor applied to TOPS/W
    memory_utilization: float


def _sum_parts(parts: Sequence[Breakdown]) -> Breakdown:
    keys = ("adc", "accumulation", "other", "buffer", "interconnect")
    return Breakdown(*(sum(getattr(p, k) for p in parts) for k in keys))


def _max_parts(parts: Sequence[Breakdown]) -> Breakdown:
    keys = ("adc", "accumulation", "other", "buffer", "interconnect")
    return Breakdown(*(max((getattr(p, k) for p in parts), default=0.0) for k in keys))


def _pipeline_leakage(costs: Sequence[LayerCost], tiles: Sequence[float]) -> list[float]:
    """Average leakage power per layer over one pipeline stage.

    NeuroSim quirk: each layer divides by the slowest latency seen so far, not the final stage time.
    """
    powers, running_max = [], 0.0
    for cost, n in zip(costs, tiles, strict=True):
        running_max = max(running_max, cost.latency)
        idle = cost.tile_leakage * (running_max - cost.latency)
        powers.append(n * (idle + cost.tile_leakage_in_use * cost.latency) / running_max)
    return powers


def _layer_by_layer_leakage(costs: Sequence[LayerCost], tiles: Sequence[float]) -> tuple[list[float], list[float]]:
    """Leakage power and energy per layer when layers run one after another.

    NeuroSim applies the running layer's per-tile leakage to the idle tiles of every other layer.
    """
    total_tiles = sum(tiles)
    powers, energies = [], []
    for cost, n in zip(costs, tiles, strict=True):
        others = total_tiles - n
        energies.append((others * cost.tile_leakage + n * cost.tile_leakage_in_use) * cost.latency)
        powers.append(cost.tile_leakage * n)
    return powers, energies


def roll_up(
    costs: Sequence[LayerCost],
    tiles: Sequence[float],
    speedups: Sequence[float],
    utilizations: Sequence[float],
    totals: ChipTotals,
    pipeline: bool,
    names: Sequence[str] | None = None,
) -> tuple[ChipReport, list[LayerReport]]:
    """Chip and per-layer report records from per-layer costs (latencies already in seconds); `names`: the layers'
    names in the network."""
    if pipeline:
        stage = max(c.latency for c in costs)
        powers = _pipeline_leakage(costs, tiles)
        energies = [pw * stage for pw in powers]
        latency = stage
        latency_parts = _max_parts([c.latency_parts for c in costs])
    else:
        powers, energies = _layer_by_layer_leakage(costs, tiles)
        latency = sum(c.latency for c in costs)
        latency_parts = _sum_parts([c.latency_parts for c in costs])
    dynamic = sum(c.energy for c in costs)
    leakage_energy = sum(energies)
    layers = [
        LayerReport(
            layer=i + 1,
            num_tiles=float(tiles[i]),
            speedup=float(speedups[i]),
            utilization=float(utilizations[i]),
            latency_s=c.latency,
            dynamic_energy_j=c.energy,
            leakage_power_w=powers[i],
            leakage_energy_j=energies[i],
            latency_breakdown_s=c.latency_parts,
            energy_breakdown_j=c.energy_parts,
            name=names[i] if names is not None else "",
        )
        for i, c in enumerate(costs)
    ]
    tops = totals.num_operations / latency * 1e-12
    chip = ChipReport(
        area_m2=totals.area,
        area_breakdown_m2=totals.area_parts,
        clock_period_s=totals.clock_period,
        latency_s=latency,
        latency_breakdown_s=latency_parts,
        dynamic_energy_j=dynamic,
        energy_breakdown_j=_sum_parts([c.energy_parts for c in costs]),
        leakage_power_w=sum(powers),
        leakage_energy_j=leakage_energy,
        tops=tops,
        tops_per_w=totals.num_operations / (dynamic + leakage_energy) * 1e-12 / totals.zeta,
        tops_per_mm2=tops / (totals.area * 1e6),
        fps=1.0 / latency,
        memory_utilization=totals.memory_utilization,
        num_operations=totals.num_operations,
    )
    return chip, layers
