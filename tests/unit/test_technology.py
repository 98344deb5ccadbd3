"""Technology tables against NeuroSim V1.4 Technology::Initialize (golden values from a C++ harness)."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from neurocim.config.chip import Roadmap
from neurocim.tech.technology import NODES_NM, Technology, load_technology

GOLDEN = json.loads((Path(__file__).parent / "technology_golden.json").read_text())["cases"]
TABLES = ("current_on_nmos", "current_on_pmos", "current_off_nmos", "current_off_pmos")


def _close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_fields_match_neurosim(key: str) -> None:
    node, roadmap = key.split("_")
    tech = load_technology(int(node), Roadmap(roadmap))
    bad = []
    for name, expected in GOLDEN[key].items():
        actual = getattr(tech, name)
        if name in TABLES:
            assert len(actual) == 101
            pairs = enumerate(zip(actual, expected, strict=True))
            bad += [f"{name}[{i}]: {a!r} != {e!r}" for i, (a, e) in pairs if not _close(a, e)]
        elif not _close(actual, expected):
            bad.append(f"{name}: {actual!r} != {expected!r}")
    assert not bad, bad


def test_all_nodes_load_and_golden_covers_them() -> None:
    for node in NODES_NM:
        assert load_technology(node).node_nm == node
    assert {int(k.split("_")[0]) for k in GOLDEN} == set(NODES_NM)


def test_feature_size_is_the_cpp_expression() -> None:
    for node in NODES_NM:
        assert load_technology(node).feature_size == node * 1e-9


def test_spot_values() -> None:
    t22 = load_technology(22)
    assert t22.vdd == 0.85 and t22.cap_ideal_gate == 5.245e-10 and t22.effective_resistance_multiplier == 1.77
    assert t22.current_off_nmos[50] == 565.80e-6
    t7 = load_technology(7)
    assert t7.is_finfet and not t7.is_gaa and t7.pn_size_ratio == 1.0
    assert t7.cap_ideal_gate == 100.497 * 1e-18 / 107e-9
    assert load_technology(2).is_gaa and load_technology(130).is_bulk


def test_temperature_selects_table_entry() -> None:
    tech = load_technology(22, Roadmap.LSTP, temperature_k=355)
    assert tech.temperature_index == 55
    assert tech.i_on_nmos == tech.current_on_nmos[55]
    assert tech.i_off_pmos == tech.current_off_pmos[55]


@pytest.mark.parametrize(
    ("args", "match"),
    [((12,), "12 nm"), ((7, Roadmap.HP), "'hp'"), ((1, Roadmap.HP), "'hp'"), ((22, Roadmap.LSTP, 401), "401 K")],
)
def test_invalid_combinations(args: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        load_technology(*args)


def test_roadmap_accepts_string_value() -> None:
    assert load_technology(22, "hp").roadmap is Roadmap.HP  # type: ignore[arg-type]


def test_is_frozen() -> None:
    tech = load_technology(22)
    assert isinstance(tech, Technology)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tech.vdd = 1.0  # type: ignore[misc]
