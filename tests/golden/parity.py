"""Comparison of a neurocim report with a NeuroSim reference (expected.json) at stated tolerances."""

from __future__ import annotations

import json
from pathlib import Path

# Relative tolerances per metric (the parity contract).
FLOORPLAN_KEYS = ("num_tiles", "speedup", "utilization")
STATIC_TOL = 0.01  # area, clock, latency, leakage
ENERGY_TOL = 0.02  # dynamic energies and TOPS/W
PRINTED_DIGITS_TOL = 1e-5  # NeuroSim prints 6 significant digits


def _rel(a: float, b: float) -> float:
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(b), 1e-300)


def compare(report: dict, expected: dict) -> list[str]:
    """Every metric outside its tolerance, as readable lines (empty when the report matches)."""
    problems: list[str] = []

    def check(path: str, got: float, want: float, tol: float) -> None:
        # energies below a femtojoule are printing noise in the reference
        if abs(want) < 1e-15 and abs(got) < 1e-15:
            return
        if _rel(got, want) > tol:
            problems.append(f"{path}: got {got:.6g}, NeuroSim {want:.6g} ({_rel(got, want) * 100:.3f} % off)")

    chip, ref = report["chip"], expected["chip"]
    for key in (
        "area_m2",
        "clock_period_s",
        "latency_s",
        "leakage_power_w",
        "leakage_energy_j",
        "tops",
        "tops_per_mm2",
        "fps",
    ):
        check(f"chip.{key}", chip[key], ref[key], STATIC_TOL)
    check("chip.memory_utilization", chip["memory_utilization"], ref["memory_utilization"], PRINTED_DIGITS_TOL)
    for key, value in ref["area_breakdown_m2"].items():
        check(f"chip.area_breakdown_m2.{key}", chip["area_breakdown_m2"][key], value, STATIC_TOL)
    for key, value in ref["latency_breakdown_s"].items():
        check(f"chip.latency_breakdown_s.{key}", chip["latency_breakdown_s"][key], value, STATIC_TOL)
    check("chip.dynamic_energy_j", chip["dynamic_energy_j"], ref["dynamic_energy_j"], ENERGY_TOL)
    check("chip.tops_per_w", chip["tops_per_w"], ref["tops_per_w"], ENERGY_TOL)
    for key, value in ref["energy_breakdown_j"].items():
        check(f"chip.energy_breakdown_j.{key}", chip["energy_breakdown_j"][key], value, ENERGY_TOL)
    if len(report["layers"]) != len(expected["layers"]):
        return problems + [f"{len(report['layers'])} layers, NeuroSim has {len(expected['layers'])}"]
    for got, want in zip(report["layers"], expected["layers"], strict=True):
        name = f"layer{want['layer']}"
        for key in FLOORPLAN_KEYS:
            check(f"{name}.{key}", got[key], want[key], PRINTED_DIGITS_TOL)
        for key in ("latency_s", "leakage_power_w", "leakage_energy_j"):
            check(f"{name}.{key}", got[key], want[key], STATIC_TOL)
        for key, value in want["latency_breakdown_s"].items():
            check(f"{name}.latency_breakdown_s.{key}", got["latency_breakdown_s"][key], value, STATIC_TOL)
        check(f"{name}.dynamic_energy_j", got["dynamic_energy_j"], want["dynamic_energy_j"], ENERGY_TOL)
        for key, value in want["energy_breakdown_j"].items():
            check(f"{name}.energy_breakdown_j.{key}", got["energy_breakdown_j"][key], value, ENERGY_TOL)
    return problems


def load_expected(case_dir: Path) -> dict:
    return json.loads((case_dir / "expected.json").read_text())
