"""The epoch report of a training estimate: JSON in the schema of NeuroSim V2.1's reference outputs, and a table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from neurocim.report.records import check_finite
from neurocim.training_cost.epoch import PHASES, LayerEpoch, TrainingBreakdown

AREA_PARTS = ("array", "interconnect", "adc", "accumulation", "other", "weight_gradient")


def _pair(latency_s: float, energy_j: float) -> dict[str, float]:
    return {"latency_s": latency_s, "energy_j": energy_j}


@dataclass(frozen=True)
class EpochReport:
    """What one training epoch costs: per layer and for the chip (layer by layer: chip values are sums)."""

    area_m2: float
    area_breakdown_m2: dict[str, float]  # AREA_PARTS
    layers: list[LayerEpoch]
    num_operations: float
    layer_info: list[dict] = field(default_factory=list)  # per layer: num_tiles, speedup, utilization
    floorplan: dict = field(default_factory=dict)

    def _sum(self, which: str, phase: str, k: int) -> float:
        return sum(getattr(layer, which)[phase][k] for layer in self.layers)

    def phase(self, which: str, phase: str) -> tuple[float, float]:
        """(latency s, energy J) of a phase over the chip; `which` is "phases" or "peak"."""
        return self._sum(which, phase, 0), self._sum(which, phase, 1)

    def total(self, which: str) -> tuple[float, float]:
        pairs = [self.phase(which, p) for p in PHASES]
        return sum(t for t, _ in pairs), sum(e for _, e in pairs)

    @property
    def leakage_energy_j(self) -> float:
        return sum(layer.leakage_energy_j for layer in self.layers)

    @property
    def leakage_power_w(self) -> float:
        return sum(layer.leakage_power_w for layer in self.layers)

    def metrics(self) -> dict[str, float]:
        """TOPS/W (leakage included), TOPS, epochs per second and their compute-only ("peak") versions."""
        (t, e), (tp, ep) = self.total("phases"), self.total("peak")
        ops = self.num_operations
        return {
            "tops_per_w": ops / ((e + self.leakage_energy_j) * 1e12),
            "tops": ops / t * 1e-12,
            "fps": 1.0 / t,
            "peak_tops_per_w": ops / (ep * 1e12),
            "peak_tops": ops / tp * 1e-12,
            "peak_fps": 1.0 / tp,
        }

    def to_dict(self) -> dict:
        """The reference schema: chip {area, training, peak, leakage, breakdowns, metrics} and layers."""
        lat = sum((layer.latency_breakdown_s for layer in self.layers), TrainingBreakdown())
        en = sum((layer.energy_breakdown_j for layer in self.layers), TrainingBreakdown())
        training = {p: _pair(*self.phase("phases", p)) for p in PHASES} | {"total": _pair(*self.total("phases"))}
        peak = {p: _pair(*self.phase("peak", p)) for p in PHASES} | {"total": _pair(*self.total("peak"))}
        chip = {
            "area_m2": self.area_m2,
            "area_breakdown_m2": dict(self.area_breakdown_m2),
            "mode": "layer_by_layer",
            "training": training,
            "peak": peak,
            "leakage_energy_j": self.leakage_energy_j,
            "leakage_power_w": self.leakage_power_w,
            "latency_breakdown_s": asdict(lat),
            "energy_breakdown_j": asdict(en),
            **self.metrics(),
            "latency_s": training["total"]["latency_s"],
            "dynamic_energy_j": training["total"]["energy_j"],
        }
        out = {
            "chip": chip,
            "layers": [self._layer_dict(i, layer) for i, layer in enumerate(self.layers)],
            "derived": {"num_operations": self.num_operations},
        }
        if self.floorplan:
            out["floorplan"] = self.floorplan
        check_finite(out)
        return out

    def _layer_dict(self, i: int, layer: LayerEpoch) -> dict:
        return {
            "layer": layer.layer,
            "training": {p: _pair(*layer.phases[p]) for p in PHASES},
            "peak": {p: _pair(*layer.peak[p]) for p in PHASES},
            "latency_breakdown_s": asdict(layer.latency_breakdown_s),
            "energy_breakdown_j": asdict(layer.energy_breakdown_j),
            "leakage_power_w": layer.leakage_power_w,
            "leakage_energy_j": layer.leakage_energy_j,
            **(self.layer_info[i] if i < len(self.layer_info) else {}),
        }

    def write_json(self, path: str | Path) -> None:
        """Write to_dict() as JSON, atomically."""
        from neurocim.report.outputs import write_text_atomic

        write_text_atomic(path, json.dumps(self.to_dict(), indent=1), "training cost JSON")

    def print(self, console: Console | None = None) -> None:
        """The chip and per-layer tables (s, J per epoch; mm²)."""
        console = console or Console()
        console.print(_chip_table(self))
        console.print(_layer_table(self.layers))


def _chip_table(report: EpochReport) -> Table:
    t = Table(title="Training epoch (chip)")
    for col in ("phase", "latency s", "energy J", "peak latency s", "peak energy J"):
        t.add_column(col, justify="left" if col == "phase" else "right")
    for phase in (*PHASES, "total"):
        pair = report.total("phases") if phase == "total" else report.phase("phases", phase)
        peak = report.total("peak") if phase == "total" else report.phase("peak", phase)
        t.add_row(phase.replace("_", " "), f"{pair[0]:.6g}", f"{pair[1]:.6g}", f"{peak[0]:.6g}", f"{peak[1]:.6g}")
    m = report.metrics()
    t.add_section()
    t.add_row("area", f"{report.area_m2 * 1e6:.4g} mm²", "", "", "")
    t.add_row("leakage", f"{report.leakage_power_w * 1e6:.4g} µW", f"{report.leakage_energy_j:.4g}", "", "")
    t.add_row("TOPS/W | TOPS", f"{m['tops_per_w']:.4g}", f"{m['tops']:.4g}", f"{m['peak_tops_per_w']:.4g}",
              f"{m['peak_tops']:.4g}")  # fmt: skip
    t.add_row("epochs/s", f"{m['fps']:.4g}", "", f"{m['peak_fps']:.4g}", "")
    return t


def _layer_table(layers: Sequence[LayerEpoch]) -> Table:
    t = Table(title="Training epoch (layers): latency s / energy J")
    t.add_column("layer")
    for phase in PHASES:
        t.add_column(phase.replace("_", " "), justify="right")
    t.add_column("DRAM J", justify="right")
    for layer in layers:
        cells = [f"{layer.phases[p][0]:.4g} / {layer.phases[p][1]:.4g}" for p in PHASES]
        t.add_row(str(layer.layer), *cells, f"{layer.energy_breakdown_j.dram:.4g}")
    return t
