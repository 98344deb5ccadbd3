"""Result records of a hardware estimate (SI units) and their JSON view."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path

COMPONENTS = ("adc", "accumulation", "other", "buffer", "interconnect")
AREA_COMPONENTS = ("array", "adc", "accumulation", "interconnect", "other")


@dataclass(frozen=True)
class Breakdown:
    """Latency (s) or energy (J) by component; buffer and interconnect are parts of `other`."""

    adc: float = 0.0
    accumulation: float = 0.0
    other: float = 0.0
    buffer: float = 0.0
    interconnect: float = 0.0


@dataclass(frozen=True)
class AreaBreakdown:
    array: float
    adc: float
    accumulation: float
    interconnect: float
    other: float


@dataclass(frozen=True)
class LayerReport:
    layer: int
    num_tiles: float
    speedup: float
    utilization: float
    latency_s: float
    dynamic_energy_j: float
    leakage_power_w: float
    leakage_energy_j: float
    latency_breakdown_s: Breakdown
    energy_breakdown_j: Breakdown
    name: str = ""  # the layer's name in the network (module name for layers taken from a model)


@dataclass(frozen=True)
class ChipReport:
    area_m2: float
    area_breakdown_m2: AreaBreakdown
    clock_period_s: float
    latency_s: float
    latency_breakdown_s: Breakdown
    dynamic_energy_j: float
    energy_breakdown_j: Breakdown
    leakage_power_w: float
    leakage_energy_j: float
    tops: float
    tops_per_w: float
    tops_per_mm2: float
    fps: float
    memory_utilization: float
    num_operations: float = 0.0


@dataclass(frozen=True)
class Report:
    chip: ChipReport
    layers: list[LayerReport]
    floorplan: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {"chip": asdict(self.chip), "layers": [asdict(layer) for layer in self.layers]}
        if self.floorplan:
            out["floorplan"] = self.floorplan
        check_finite(out)
        return out

    def write_json(self, path: str | Path) -> None:
        """Write to_dict() as JSON, atomically (a failed write leaves no partial file)."""
        from neurocim.report.outputs import write_text_atomic

        write_text_atomic(path, json.dumps(self.to_dict(), indent=1), "JSON report")


def check_report(report: Report) -> Report:
    """`report` unchanged, or an ArithmeticError naming the layer and the quantity the model got non-finite or
    negative (the last guard before a result reaches a user)."""
    values: list[float] = []
    if all(numbers(record, values) for record in (report.chip, *report.layers)) and sound(values):
        return report  # the walk below names the first bad value; a sound report needs only the flat pass
    check_finite(report.chip, "chip")
    for record in report.layers:
        name = f" ({record.name})" if record.name else ""
        check_finite(
            {f.name: getattr(record, f.name) for f in fields(record) if f.name != "name"}, f"layer {record.layer}{name}"
        )
    return report


def numbers(record: object, out: list[float]) -> bool:
    """Append every number of a record (a dataclass instance) and of the records it holds to `out`; False when it
    holds something else than numbers, booleans, strings and records (then only check_finite's walk sees it all)."""
    for value in vars(record).values():
        kind = type(value)
        if kind is float or kind is int:
            out.append(value)
        elif kind is bool or kind is str:
            continue
        elif isinstance(value, float | int):  # subclasses (NumPy's float64); bool is taken above
            out.append(value)
        elif is_dataclass(value) and not isinstance(value, type):
            if not numbers(value, out):
                return False
        elif not isinstance(value, str):
            return False
    return True


def sound(values: list[float]) -> bool:
    """True when every value is finite and non-negative (what check_finite lets through; NaN fails the test)."""
    return all(0.0 <= v < math.inf for v in values)


def check_finite(tree: object, where: str = "report") -> None:
    """Refuse to emit NaN, infinity or a negative energy/latency/area anywhere in a result tree (dicts, lists,
    tuples and dataclass records, walked in place)."""
    if is_dataclass(tree) and not isinstance(tree, type):
        for f in fields(tree):
            check_finite(getattr(tree, f.name), f"{where}.{f.name}")
    elif isinstance(tree, dict):
        for key, value in tree.items():
            check_finite(value, f"{where}.{key}")
    elif isinstance(tree, list | tuple):
        for i, value in enumerate(tree):
            check_finite(value, f"{where}[{i}]")
    elif isinstance(tree, float | int) and not isinstance(tree, bool):
        if not math.isfinite(tree):
            raise ArithmeticError(f"{where} is {tree}: the model produced a non-finite value")
        if tree < 0:
            raise ArithmeticError(f"{where} is negative ({tree}): the model produced an unphysical value")
