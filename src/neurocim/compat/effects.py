"""What each reproduced NeuroSim quirk changes: a chip estimated with all quirks, and with each one switched off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from neurocim.compat.quirks import QUIRKS, ChipCompat, Quirk
from neurocim.config.chip import ChipConfig
from neurocim.estimate import estimate
from neurocim.report.records import ChipReport
from neurocim.workload.prepared import PreparedWorkload

METRICS = ("area_m2", "latency_s", "dynamic_energy_j", "tops_per_w")


@dataclass(frozen=True)
class QuirkEffect:
    """Relative change of chip metrics when one quirk is switched off (faithful value / NeuroSim value - 1)."""

    quirk: Quirk
    workload: str
    change: dict[str, float]


def _metrics(chip: ChipReport) -> dict[str, float]:
    return {m: float(getattr(chip, m)) for m in METRICS}


def quirk_effects(cases: dict[str, tuple[ChipConfig, PreparedWorkload]]) -> list[QuirkEffect]:
    """Every registered quirk's effect on every named case (a chip, estimated in compat neurosim_v14, and a
    workload)."""
    found = []
    for name, (chip, workload) in cases.items():
        neurosim = chip.model_copy(update={"compat": ChipCompat.NEUROSIM_V14, "quirks": {}})
        base = _metrics(estimate(neurosim, workload).chip)
        for quirk in (q for q in QUIRKS if ChipCompat.NEUROSIM_V14 in q.modes):
            off = ChipConfig.model_validate({**neurosim.model_dump(), "quirks": {quirk.name: False}})
            got = _metrics(estimate(off, workload).chip)
            change = {m: (got[m] / base[m] - 1.0) if base[m] else 0.0 for m in METRICS}
            found.append(QuirkEffect(quirk, name, change))
    return found


def quirks_table() -> str:
    """A markdown table of the registered quirks: what NeuroSim does, what neurocim does by default, which compat
    modes reproduce it."""
    rows = []
    for q in QUIRKS:
        modes = ", ".join(m.value for m in ChipCompat if m in q.modes)
        rows.append(f"| `{q.name}` | {q.original} | {q.faithful} | {modes} |")
    return "\n".join(["| quirk | NeuroSim | neurocim (compat none) | compat |", "|---|---|---|---|", *rows])


def effects_table(effects: Sequence[QuirkEffect]) -> str:
    """A markdown table of the measured effects: one row per quirk and case."""
    head = "| quirk | case | " + " | ".join(METRICS) + " |"
    rule = "|---" * (2 + len(METRICS)) + "|"
    rows = [
        f"| `{e.quirk.name}` | {e.workload} | " + " | ".join(f"{100 * e.change[m]:+.3f} %" for m in METRICS) + " |"
        for e in sorted(effects, key=lambda e: QUIRKS.index(e.quirk))
    ]
    return "\n".join([head, rule, *rows])
