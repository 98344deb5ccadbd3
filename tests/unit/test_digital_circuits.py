"""Digital arithmetic circuits (adder, DFF, adder tree, shift-add, ReLU, comparator, max pooling, MLSA encoder)
against NeuroSim V1.4 golden values from a C++ harness (tests/unit/digital_circuits_golden.json)."""

import dataclasses
import json
from pathlib import Path

import pytest

from neurocim.circuits.adc.comparator import Comparator
from neurocim.circuits.adc.mlsa_encoder import MlsaEncoder
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.adder import Adder
from neurocim.circuits.logic.adder_tree import AdderTree
from neurocim.circuits.logic.bit_shifter import BitShifter
from neurocim.circuits.logic.dff import DFF
from neurocim.circuits.logic.max_pooling import MaxPooling, comparator_tree
from neurocim.circuits.logic.shift_add import ShiftAdd
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive

GOLDEN = json.loads((Path(__file__).parent / "digital_circuits_golden.json").read_text())
CONFIGS = [k for k in GOLDEN if not k.startswith("_")]
REL = 1e-9


def make_ctx(name: str) -> CircuitContext:
    """Context for a harness configuration name such as n22_lstp_t300_s1_v1_l1."""
    node, roadmap, temp, sync, val, special = name.split("_")
    cfg = ChipConfig.model_validate(
        {
            "technology": {"node_nm": int(node[1:]), "roadmap": roadmap, "temperature_k": int(temp[1:])},
            "clock": {"synchronous": sync == "s1"},
            "calibration": {"validated": val == "v1"},
            "sizing": {"special_layout": special == "l1"},
            "compat": "neurosim_v14",  # golden values from NeuroSim's own circuits
        }
    )
    p = derive(cfg)
    return CircuitContext.of(p)


def dims(prefix: str, fp) -> dict:
    return {f"{prefix}.area": fp.area, f"{prefix}.height": fp.height, f"{prefix}.width": fp.width}


def ints(case: str) -> list[int]:
    return [int(x) for x in case.split("_")]


def run_adder(ctx, case):
    nb, na = ints(case)
    a = Adder(ctx, nb, na)
    out = dims("lw", a.layout(0, 50e-6))
    out |= dims("lh", a.layout(30e-6, 0))
    out |= dims("lm", a.layout(20e-6, 0, Layout.MAGIC))
    out |= dims("lo", a.layout(10e-6, 20e-6, Layout.OVERRIDE))
    out |= dims("l0", a.layout())
    out |= {"lat1": a.latency(1e20, 1e-15, 1), "ramp1": a.ramp_output(1e20, 1e-15)}
    out |= {"lat2": a.latency(2e9, 0, 37.5), "ramp2": a.ramp_output(2e9, 0)}
    out |= {"e1": a.energy(1, na), "leak": a.leakage, "e2": a.energy(12.5, na // 2), "e3": a.energy(3, na * 2)}
    return out


def run_dff(ctx, case):
    (n,) = ints(case)
    d = DFF(ctx, n)
    out = dims("lw", d.layout(0, 20e-6))
    out |= dims("lh", d.layout(5e-6, 0))
    out |= dims("lm", d.layout(20e-6, 0, Layout.MAGIC))
    out |= dims("lo", d.layout(10e-6, 20e-6, Layout.OVERRIDE))
    out |= dims("l0", d.layout())
    out |= {"cap_tg_drain": d.cap_tg_drain, "lat": d.latency(7, 6.5e8)}
    out |= {
        "e1": d.energy(3, n / 2.0, ctx.p.chip.calibration.validated),
        "leak": d.leakage,
        "e2": d.energy(1, n * 2, False),
    }
    return out


def run_adder_tree(ctx, case):
    t = AdderTree(ctx, *ints(case))
    out = {"num_stage": t.num_stage}
    out |= dims("lh", t.layout(80e-6, 0))
    out |= dims("lw", t.layout(0, 100e-6))
    for i, (num_read, unit, cap) in enumerate([(10, 0, 0), (3, 3, 1e-15), (2, 1, 0), (4, 7, 0)], 1):
        out[f"lat{i}"] = t.latency(num_read, unit, cap, 7e8)
    for i, (num_read, unit) in enumerate([(10, 0), (3, 3), (5, 1), (2, 7)], 1):
        out[f"e{i}"] = t.energy(num_read, unit)
        out[f"leak{i}"] = t.leakage_for(unit)
    return out


def run_shift_add(ctx, case):
    args = ints(case)
    s = ShiftAdd(ctx, *args)
    out = {"num_dff": s.num_dff}
    out |= dims("lw", s.layout(0, 60e-6))
    out |= dims("lh", s.layout(40e-6, 0))
    out |= dims("lo", s.layout(40e-6, 60e-6, Layout.OVERRIDE))
    out |= {"lat1": s.latency(1, 8e8), "lat8": s.latency(8, 8e8)}
    short = dataclasses.replace(ctx, cell=dataclasses.replace(ctx.cell, read_pulse_width_s=1e-10))
    out["lat8_short_pulse"] = ShiftAdd(short, *args).latency(8, 8e8)
    out |= {"e1": s.energy(1), "leak": s.leakage, "e2": s.energy(7.5)}
    return out


def run_bit_shifter(ctx, case):
    s = BitShifter(ctx, *ints(case))
    out = dims("lw", s.layout(0, 50e-6))
    out |= dims("lh", s.layout(30e-6, 0))
    out |= dims("lo", s.layout(10e-6, 20e-6, Layout.OVERRIDE))
    out |= {"lat": s.latency(5, 9e8), "e": s.energy(5), "leak": s.leakage}
    return out


def run_comparator(ctx, case):
    c = Comparator(ctx, *ints(case))
    out = {"area_unit": c.area_unit}
    out |= dims("l", c.layout(new_width=20e-6))
    out |= {"lat1": c.latency(1e20, 1e-15, 1), "lat2": c.latency(1e9, 0, 3)}
    out |= {"e1": c.energy(1, 1), "leak": c.leakage, "e2": c.energy(4, 10)}
    return out


def run_max_pooling(ctx, case):
    m = MaxPooling(ctx, *ints(case))
    out = {"num_comparator": m.num_comparator, "num_stage": m.num_stage, "area_unit": m.area_unit}
    out |= dims("l", m.layout(new_width=200e-6))
    out |= {"lat1": m.latency(1e20, 0, 10, 6e8), "lat2": m.latency(1e9, 2e-15, 3, 6e8)}
    out |= {"e": m.energy(10), "leak": m.leakage}
    return out


def run_mlsa_encoder(ctx, case):
    e = MlsaEncoder(ctx, *ints(case))
    out = dims("lw", e.layout(0, 50e-6))
    out |= dims("lh", e.layout(40e-6, 0))
    out |= dims("lo", e.layout(10e-6, 20e-6, Layout.OVERRIDE))
    out |= dims("lnarrow", e.layout(0, 1e-7))
    out |= {"lat1": e.latency(1e20, 1), "ramp1": e.ramp_output(1e20), "lat2": e.latency(1e9, 5)}
    out |= {"e": e.energy(5), "leak": e.leakage}
    return out


RUNNERS = {
    "adder": run_adder,
    "dff": run_dff,
    "adder_tree": run_adder_tree,
    "shift_add": run_shift_add,
    "bit_shifter": run_bit_shifter,
    "comparator": run_comparator,
    "max_pooling": run_max_pooling,
    "mlsa_encoder": run_mlsa_encoder,
}
CASES = [(cfg, module) for cfg in CONFIGS for module in RUNNERS]


@pytest.mark.parametrize(("cfg", "module"), CASES, ids=[f"{c}-{m}" for c, m in CASES])
def test_against_neurosim(cfg, module):
    ctx = make_ctx(cfg)
    bad = []
    for case, expected in GOLDEN[cfg][module].items():
        got = RUNNERS[module](ctx, case)
        assert set(got) == set(expected), f"{module} {case}: field sets differ"
        for field, value in expected.items():
            if got[field] != pytest.approx(value, rel=REL, abs=0.0):
                bad.append(f"{case}.{field}: got {got[field]!r}, NeuroSim {value!r}")
    assert not bad, f"{cfg} {module}:\n" + "\n".join(bad)


def test_all_golden_configs_covered():
    nodes = {c.split("_")[0] for c in CONFIGS}
    assert {"n22", "n7", "n130", "n2", "n1"} <= nodes
    assert any("_s0_" in c for c in CONFIGS) and any("_s1_" in c for c in CONFIGS)


@pytest.mark.parametrize(("window", "expected"), [(4, (3, 3)), (9, (8, 5)), (2, (1, 2)), (1, (1, 2))])
def test_comparator_tree_counts(window, expected):
    assert comparator_tree(window) == expected


def test_latency_and_energy_are_pure():
    ctx = make_ctx("n22_lstp_t300_s0_v1_l1")
    tree = AdderTree(ctx, 8, 6, 4)
    tree.layout(0, 50e-6)
    first = (tree.latency(5, 0, 0, 1e9), tree.energy(5, 0), tree.leakage)
    tree.latency(2, 3, 1e-15, 5e8)
    tree.energy(2, 3)
    assert (tree.latency(5, 0, 0, 1e9), tree.energy(5, 0), tree.leakage) == first
