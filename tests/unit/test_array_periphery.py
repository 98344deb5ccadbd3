"""Precharger, SRAM write driver, sense amp and level shifter against NeuroSim V1.4 golden values (C++ harness)."""

import json
from functools import cache
from pathlib import Path

import pytest

from neurocim.circuits.adc.sense_amp import SenseAmp
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.level_shifter import LevelShifter
from neurocim.circuits.drivers.precharger import Precharger
from neurocim.circuits.drivers.sram_write_driver import SRAMWriteDriver
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive

GOLDEN = json.loads((Path(__file__).parent / "array_periphery_golden.json").read_text())["cases"]
REL = 1e-9
ROWS = COLS = 128
# technology label -> (node, roadmap, temperature, SRAM cell height and width in F)
TECH = {
    "n22": (22, "lstp", 300, 10, 28),
    "n22hp350": (22, "hp", 350, 10, 28),
    "n7": (7, "lstp", 300, 16, 34.43),
    "n130": (130, "lstp", 300, 10, 28),
}


@cache
def make_ctx(label: str, validated: bool = True) -> CircuitContext:
    node, roadmap, temp, _, _ = TECH[label]
    cfg = ChipConfig.model_validate(
        {
            "technology": {"node_nm": node, "roadmap": roadmap, "temperature_k": temp},
            "calibration": {"validated": validated},
        }
    )
    p = derive(cfg)
    return CircuitContext.of(p)


def array_geometry(label):
    """A 128x128 SRAM array: width, height, column resistance and a column capacitance."""
    ctx = make_ctx(label)
    _, _, _, cell_h, cell_w = TECH[label]
    f = ctx.tech.feature_size
    width, height = COLS * cell_w * f, ROWS * cell_h * f
    return width, height, height * ctx.p.wires.unit_resistance, height * 0.2e-15 / 1e-6 + ROWS * 5e-17


def run_precharger(label):
    ctx = make_ctx(label)
    width, height, res_col, cap_col = array_geometry(label)
    pc = Precharger(ctx, COLS, res_col, COLS)
    fp = pc.layout(0.0, width)
    out = {
        "area": fp.area,
        "height": fp.height,
        "width": fp.width,
        "latency": pc.latency(cap_col, 1),
        "energy": pc.energy(cap_col, 8),
        "leakage": pc.leakage,
    }
    fp = pc.layout()
    out.update(area_natural=fp.area, height_natural=fp.height)
    out["width_magic"] = pc.layout(height, 0.0, Layout.MAGIC).width
    out["height_packed"] = pc.layout(0.0, width / 50).height
    return out


def run_write_driver(label):
    width, _, _, _ = array_geometry(label)
    wd = SRAMWriteDriver(make_ctx(label), COLS)
    fp = wd.layout(0.0, width)
    out = {"area": fp.area, "height": fp.height, "width": fp.width, "leakage": wd.leakage}
    out["height_packed"] = wd.layout(0.0, width / 40).height
    fp = wd.layout()
    out.update(area_natural=fp.area, width_natural=fp.width)
    return out


def run_sense_amp(label):
    ctx = make_ctx(label)
    width, _, _, _ = array_geometry(label)
    sa = SenseAmp(ctx, COLS, 0.1, width / COLS, COLS)
    fp = sa.layout(0.0, width, Layout.MAGIC)
    out = {
        "area": fp.area,
        "height": fp.height,
        "width": fp.width,
        "cap_load": sa.cap_load,
        "latency": sa.latency(3),
        "energy": sa.energy(5),
        "leakage": sa.leakage,
    }
    few = SenseAmp(ctx, COLS // 4, 0.1, width / COLS, COLS)
    out.update(area_natural=few.layout().area, energy_few=few.energy(2))
    return out


def run_level_shifter(label, validated):
    width, height, _, cap_col = array_geometry(label)
    ls = LevelShifter(make_ctx(label, validated), ROWS, 0.25)
    fp = ls.layout(height, 0.0)
    out = {
        "area": fp.area,
        "height": fp.height,
        "width": fp.width,
        "latency": ls.latency(cap_col, 2),
        "energy": ls.energy(3),
        "leakage": ls.leakage,
    }
    out["height_w"] = ls.layout(0.0, width).height
    return out


RUNNERS = {
    "precharger": run_precharger,
    "write_driver": run_write_driver,
    "sense_amp": run_sense_amp,
    "level_shifter0": lambda label: run_level_shifter(label, False),
    "level_shifter1": lambda label: run_level_shifter(label, True),
}


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_against_neurosim(case):
    label, module = case.split(".")
    got = RUNNERS[module](label)
    expected = GOLDEN[case]
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=REL, abs=0.0), key


def test_golden_covers_every_module_and_node():
    assert {tuple(c.split(".")) for c in GOLDEN} == {(t, m) for t in TECH for m in RUNNERS}


def test_sense_amp_without_dimensions_has_no_box():
    sa = SenseAmp(make_ctx("n22"), 32, 0.1, 1e-6, 32)
    fp = sa.layout()
    assert fp.area > 0 and fp.height == 0 and fp.width == 0


def test_level_shifter_needs_a_dimension():
    ls = LevelShifter(make_ctx("n22"), 128, 0.5)
    with pytest.raises(ValueError):
        ls.layout()
    with pytest.raises(ValueError):
        ls.layout(1e-5, 0.0, Layout.MAGIC)


def test_column_units_narrower_than_the_width_overhang():
    pc = Precharger(make_ctx("n22"), 128, 100.0, 128)
    fp = pc.layout(0.0, 1e-9)  # narrower than one unit: one per row, the footprint as wide as a unit
    assert fp.width == pc.unit_width and fp.height == pytest.approx(128 * pc.unit_height)


def test_write_driver_has_no_read_cost():
    wd = SRAMWriteDriver(make_ctx("n7"), 64)
    assert wd.latency() == 0.0 and wd.energy() == 0.0 and wd.leakage > 0
