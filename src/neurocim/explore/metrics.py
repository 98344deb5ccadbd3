"""Metric names of a sweep point: the chip report's figures, flattened, plus energy per inference and accuracy."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from neurocim.config.io import ConfigError
from neurocim.report.records import AreaBreakdown, Breakdown, ChipReport, Report, check_finite, sound

ACCURACY_METRICS = ("accuracy", "accuracy_std", "float_accuracy")
_NESTED = {"area_breakdown_m2": AreaBreakdown, "latency_breakdown_s": Breakdown, "energy_breakdown_j": Breakdown}


def chip_metric_names() -> tuple[str, ...]:
    """Every chip report key (breakdowns as `energy_breakdown_j.adc`), plus energy_j."""
    names = ["energy_j"]
    for f in fields(ChipReport):
        nested = _NESTED.get(f.name)
        names += [f"{f.name}.{g.name}" for g in fields(nested)] if nested else [f.name]
    return tuple(names)


CHIP_METRICS = chip_metric_names()


def check_metric(name: str) -> None:
    """Refuse a metric name that no point reports, listing the names that exist."""
    if name not in CHIP_METRICS and name not in ACCURACY_METRICS:
        raise ConfigError(
            f"objectives: unknown metric {name!r}; allowed: {', '.join(ACCURACY_METRICS + CHIP_METRICS)}"
        )


def chip_metrics(report: Report) -> dict[str, float]:
    """The chip figures of one estimate; energy_j is the energy per inference (dynamic + leakage), J.

    A non-finite or negative figure raises ArithmeticError (the point is then recorded as failed)."""
    out: dict[str, Any] = {}
    for key, value in vars(report.chip).items():
        if is_dataclass(value):
            out.update({f"{key}.{k}": float(v) for k, v in vars(value).items()})
        else:
            out[key] = float(value)
    out["energy_j"] = out["dynamic_energy_j"] + out["leakage_energy_j"]
    if not sound(list(out.values())):
        check_finite(out, "chip")
    return {name: out[name] for name in CHIP_METRICS}
