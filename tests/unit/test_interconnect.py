"""H-tree, PE bus and XY bus against NeuroSim V1.4 golden values (C++ harness, printf %.17g)."""

import json
import math
from functools import cache
from pathlib import Path

import pytest

from neurocim.circuits.context import CircuitContext
from neurocim.circuits.wires.bus import Bus, BusMode
from neurocim.circuits.wires.htree import HTree
from neurocim.circuits.wires.repeated_wire import Relax, size_repeaters, wire_resistance_per_length
from neurocim.circuits.wires.xy_bus import XYBus
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive

GOLDEN = json.loads((Path(__file__).parent / "interconnect_golden.json").read_text())["cases"]
REL = 1e-9
CLK = 5.89e8  # the VGG-8 reference clock

# technology label -> (node, roadmap, temperature)
TECH = {"n22": (22, "lstp", 300), "n22hp350": (22, "hp", 350), "n7": (7, "lstp", 300), "n130": (130, "lstp", 300)}


@cache
def make_ctx(label: str, synchronous: bool) -> CircuitContext:
    node, roadmap, temp = TECH[label]
    cfg = ChipConfig.model_validate(
        {
            "technology": {"node_nm": node, "roadmap": roadmap, "temperature_k": temp},
            "clock": {"synchronous": synchronous},
        }
    )
    p = derive(cfg)
    return CircuitContext.of(p)


def run_htree(ctx, nr, nc, tol, bw, uh, uw, fold, clk, num_read, num_bit):
    # latency/energy use other unit sizes than the area, as the chip does
    h = HTree(ctx, nr, nc, tol, bw)
    out = {
        "area": h.layout(uh, uw, fold).area,
        "repeater_size": h.repeaters.size,
        "min_dist": h.repeaters.spacing,
        "num_stage": h.num_stage,
        "total_wire_length": h.total_wire_length,
        "latency": h.latency(uh * 0.9, uw * 1.1, num_read, clk),
        "energy": h.energy(uh * 0.9, uw * 1.1, num_bit, num_read),
        "leakage": h.leakage_for(num_bit),
    }
    if ctx.p.chip.clock.synchronous:
        out["critical"] = h.critical_latency(uh * 0.9, uw * 1.1, clk)
    return out


def run_bus(ctx, mode, nr, nc, tol, bw, uh, uw, clk, num_read, num_bit, is_input):
    b = Bus(ctx, mode, nr, nc, tol, bw, uh, uw)
    out = {
        "area": b.layout(1, True).area,
        "repeater_size": b.repeaters.size,
        "min_dist": b.repeaters.spacing,
        "latency": b.latency(num_read, clk),
        "energy": b.energy(num_bit, num_read, is_input),
        "leakage": b.leakage_for(num_bit),
    }
    out["area_no_overlap"] = Bus(ctx, mode, nr, nc, tol, bw, uh, uw).layout(4, False).area
    return out


def run_xybus(ctx, nr, nc, tol, bw, uh, uw, fold, clk, x_end, y_init, nri, nro, nbi, nbo):
    x = XYBus(ctx, nr, nc, tol, bw)
    return {
        "area": x.layout(uh, uw, fold).area,
        "repeater_size": x.repeaters.size,
        "min_dist": x.repeaters.spacing,
        "latency": x.latency(x_end, y_init, uh * 0.95, uw * 0.97, nri, nro, clk),
        "energy": x.energy(x_end, y_init, uh * 0.95, uw * 0.97, nbi, nbo),
        "leakage": x.leakage_at(x_end, y_init, uh * 0.95, uw * 0.97),
    }


H, V = BusMode.HORIZONTAL, BusMode.VERTICAL
STRUCTURES = {
    # tile H-trees: CM 2x2 PEs, NM 3x3 PEs, a single PE
    "htree_cm2": (run_htree, (2, 2, 0.1, 1024.0, 2.5e-4, 2.2e-4, 16, CLK, 1234.0, 1024.0)),
    "htree_nm3": (run_htree, (3, 3, 0.1, 4608.0, 1.3e-4, 1.1e-4, 16, CLK, 77.5, 4608.0)),
    "htree_1": (run_htree, (1, 1, 0.1, 512.0, 1.3e-4, 1.1e-4, 16, CLK, 10, 512)),
    # chip-level H-trees over ~1 mm tiles
    "htree_chip8": (run_htree, (8, 8, 0.1, 2048.0, 1.05e-3, 0.98e-3, 4, CLK, 5000.0, 1200.0)),
    "htree_chip5x7": (run_htree, (5, 7, 0.0, 1536.0, 0.8e-3, 1.2e-3, 4, 1e9, 321.0, 700.0)),
    "htree_tol50": (run_htree, (4, 2, 50.0, 256.0, 0.5e-3, 0.4e-3, 4, 1e9, 3.0, 256.0)),
    # PE buses over 4x4 sub-arrays
    "bus_in": (run_bus, (H, 4, 4, 0, 512, 6.1e-5, 5.3e-5, CLK, 2048.0, 512.0, True)),
    "bus_out": (run_bus, (V, 4, 4, 0, 512, 6.1e-5, 5.3e-5, CLK, 96.0, 2048.0, False)),
    "bus_tol": (run_bus, (V, 3, 2, 0.1, 256, 6.1e-5, 5.3e-5, 1e9, 7.0, 256.0, True)),
    "bus_single": (run_bus, (H, 1, 1, 0, 128, 6.1e-5, 5.3e-5, 1e9, 7.0, 128.0, True)),
    "bus_tol50": (run_bus, (H, 2, 6, 50.0, 128, 6.1e-5, 5.3e-5, 1e9, 5.0, 128.0, False)),
    # chip XY buses: VGG-8-like 8x8 tiles of ~1 mm, a 3x5 grid, a relaxed design
    "xybus8": (run_xybus, (8, 8, 0.1, 2048.0, 1.05e-3, 0.98e-3, 4, CLK, 4, 4, 317.0, 45.0, 1.5e6, 2.2e5)),
    "xybus3x5": (run_xybus, (3, 5, 0.0, 1024.0, 0.7e-3, 1.3e-3, 4, 1e9, 3, 2, 11.0, 3.0, 4.0e4, 1.0e4)),
    "xybus_tol50": (run_xybus, (6, 4, 50.0, 512.0, 0.7e-3, 1.3e-3, 4, 1e9, 2, 3, 5.0, 7.0, 1.0e3, 2.0e3)),
}


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_against_neurosim(case):
    label, clocking, structure = case.split(".")
    run, args = STRUCTURES[structure]
    got = run(make_ctx(label, clocking == "sync"), *args)
    expected = GOLDEN[case]
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=REL, abs=0.0), key


def test_golden_covers_every_structure_and_clocking():
    seen = {tuple(c.split(".")) for c in GOLDEN}
    for label in TECH:
        for clocking in ("sync", "async"):
            for structure in STRUCTURES:
                assert (label, clocking, structure) in seen


def test_wire_width_steps_with_length():
    ctx = make_ctx("n22", True)
    f = ctx.tech.feature_size
    short = wire_resistance_per_length(ctx, 9999 * f)
    mid = wire_resistance_per_length(ctx, 10000 * f)
    long = wire_resistance_per_length(ctx, 100000 * f)
    assert short == pytest.approx(ctx.p.wires.unit_resistance, rel=1e-6)  # 1x width equals Param's wire
    assert short > mid > long
    assert wire_resistance_per_length(ctx, 50000 * f) == mid


def test_relaxation_modes():
    ctx = make_ctx("n22", True)
    optimal = size_repeaters(ctx, 0.0, Relax.HALVE)
    halved = size_repeaters(ctx, 0.1, Relax.HALVE)
    decremented = size_repeaters(ctx, 0.1, Relax.DECREMENT)
    assert halved.size == optimal.size // 2 and halved.spacing == pytest.approx(optimal.spacing * 0.9)
    assert optimal.size // 2 < decremented.size < optimal.size
    assert halved.delay_per_length(1e7) > optimal.delay_per_length(1e7)


def test_synchronous_latency_is_whole_cycles_per_read():
    ctx = make_ctx("n22", True)
    tree = HTree(ctx, 8, 8, 0.1, 2048)
    tree.layout(1e-3, 1e-3, 4)
    one = tree.latency(1e-3, 1e-3, 1, CLK)
    assert one == math.ceil(tree.critical_latency(1e-3, 1e-3, CLK))
    assert tree.latency(1e-3, 1e-3, 7, CLK) == 7 * one


def test_htree_leakage_attribute_is_for_the_bus_width():
    tree = HTree(make_ctx("n7", False), 3, 3, 0.1, 4608)
    tree.layout(1.3e-4, 1.1e-4, 16)
    assert tree.leakage == tree.leakage_for(4608)
    assert tree.num_stage == 5 and tree.main_bus_units == 2


def test_xybus_needs_layout_before_latency():
    bus = XYBus(make_ctx("n22", True), 4, 4, 0.1, 1024)
    with pytest.raises(RuntimeError):
        bus.latency(2, 2, 1e-3, 1e-3, 1, 1, CLK)
