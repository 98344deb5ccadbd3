"""Gate and device helpers against NeuroSim V1.4 formula.cpp (golden values from a C++ harness)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT
from neurocim.circuits.gates import gates as g
from neurocim.config.chip import Roadmap
from neurocim.tech.technology import Technology, load_technology

GOLDEN = json.loads((Path(__file__).parent / "gates_golden.json").read_text())["cases"]

# Golden argument positions that are in units of F (the harness was called with k * F).
SCALED = {
    "gate_cap": (0,),
    "gate_area": (2, 3, 4),
    "gate_capacitance": (2, 3, 4),
    "gate_capacitance_gaa": (2, 3, 4),
    "drain_cap": (0, 2),
    "gate_leakage": (2, 3),
    "on_resistance": (0,),
    "on_resistance_normal": (0,),
    "transconductance": (0,),
    "pass_gate_area": (0, 1),
    "enlarge_size": (0, 1, 2),
    "horowitz": (),
}

# Golden order of arguments (NeuroSim's, without tech) mapped onto the Python signatures.
CALLS: dict[str, Callable[[Technology, list], object]] = {
    "gate_cap": lambda t, a: g.gate_cap(a[0], t),
    "gate_area": lambda t, a: g.gate_area(g.GateType(a[0]), a[1], a[2], a[3], a[4], t),
    "gate_capacitance": lambda t, a: g.gate_capacitance(g.GateType(a[0]), a[1], a[2], a[3], a[4], t),
    "gate_capacitance_gaa": lambda t, a: g.gate_capacitance_gaa(
        g.GateType(a[0]), a[1], a[2], a[3], a[4], t, a[5], a[6], a[7]
    ),
    "drain_cap": lambda t, a: g.drain_cap(a[0], g.Mos(a[1]), a[2], t),
    "gate_leakage": lambda t, a: g.gate_leakage(g.GateType(a[0]), a[1], a[2], a[3], a[4], t),
    "on_resistance": lambda t, a: g.on_resistance(a[0], g.Mos(a[1]), a[2], t),
    "on_resistance_normal": lambda t, a: g.on_resistance_normal(a[0], g.Mos(a[1]), a[2], t),
    "transconductance": lambda t, a: g.transconductance(a[0], g.Mos(a[1]), t),
    "pass_gate_area": lambda t, a: g.pass_gate_area(a[0], a[1], t, a[2]),
    "enlarge_size": lambda t, a: g.enlarge_size(a[0], a[1], a[2], t),
    "horowitz": lambda t, a: g.horowitz(a[0], a[1], a[2]),
}


def _close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


def _tech(key: str) -> Technology:
    node, roadmap = key.split("_")
    return load_technology(int(node), Roadmap(roadmap))


@pytest.mark.parametrize("key", list(GOLDEN))
def test_helpers_match_neurosim(key: str) -> None:
    tech = _tech(key)
    f = tech.feature_size
    bad = []
    for name, raw_args, expected in GOLDEN[key]:
        args = [x * f if i in SCALED[name] else x for i, x in enumerate(raw_args)]
        if expected is None:  # the C++ divides an int by zero here
            with pytest.raises(ZeroDivisionError):
                CALLS[name](tech, args)
            continue
        result = CALLS[name](tech, args)
        actual = list(result) if isinstance(result, tuple) else [result]
        if len(actual) != len(expected) or not all(_close(a, e) for a, e in zip(actual, expected, strict=False)):
            bad.append(f"{name}{tuple(raw_args)}: {actual} != {expected}")
    assert not bad, f"{len(bad)} mismatches: " + "\n".join(bad[:20])


def test_golden_covers_required_nodes_and_gates() -> None:
    assert {"22_lstp", "22_hp", "65_lstp", "14_lstp", "7_lstp", "2_lstp"} <= set(GOLDEN)
    kinds = {(row[0], row[1][0]) for row in GOLDEN["7_lstp"] if row[0] == "gate_area"}
    assert kinds == {("gate_area", int(t)) for t in g.GateType}


def test_default_height_is_not_special_layout() -> None:
    tech = load_technology(7)
    f = tech.feature_size
    area, height, width = g.gate_area(g.GateType.INV, 1, 2 * f, 2 * f, MAX_TRANSISTOR_HEIGHT * f, tech)
    assert height == MAX_TRANSISTOR_HEIGHT * f * (34.0 / 28.0) * (34.285 / 34.0)
    assert area == width * height


def test_horowitz_step_input_is_ln2_tr() -> None:
    delay, ramp = g.horowitz(1e-9, 0.0, 1e20)
    assert delay == pytest.approx(math.log(2) * 1e-9, rel=1e-9)
    assert ramp == 0.5 / delay


def test_gaa_variant_rejects_non_gaa_nodes() -> None:
    tech = load_technology(7)
    with pytest.raises(ValueError, match="GAA"):
        g.gate_capacitance_gaa(g.GateType.INV, 1, 1e-8, 1e-8, 28 * tech.feature_size, tech, 1.0, 1.0, 1.0)


@pytest.mark.parametrize("temperature", [299, 401])
def test_temperature_out_of_range(temperature: int) -> None:
    tech = load_technology(22)
    with pytest.raises(ValueError, match="out of range"):
        g.on_resistance(1e-7, g.Mos.NMOS, temperature, tech)
    with pytest.raises(ValueError, match="out of range"):
        g.gate_leakage(g.GateType.INV, 1, 1e-7, 1e-7, temperature, tech)


def test_zero_width_gate_is_empty() -> None:
    tech = load_technology(22)
    f = tech.feature_size
    assert g.gate_area(g.GateType.INV, 1, 0.0, 0.0, 28 * f, tech) == (0.0, 28 * f, 0.0)
    assert g.gate_capacitance(g.GateType.NAND, 2, 0.0, 0.0, 28 * f, tech) == (0.0, 0.0)
