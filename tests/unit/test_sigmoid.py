"""Sigmoid look-up-table unit against NeuroSim V1.4 golden values (C++ harness /tmp/harness_sigmoid)."""

import json
import math
import warnings
from functools import cache
from pathlib import Path

import pytest

from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.sigmoid import Sigmoid, array_cell_access_width
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive

GOLDEN = json.loads((Path(__file__).parent / "sigmoid_golden.json").read_text())
REL = 1e-9
# label -> (node, array cell type, access, synchronous, validated)
CONTEXTS = {
    "n22_sram_s1_v1": (22, "sram", "cmos", True, True),
    "n22_sram_s0_v0": (22, "sram", "cmos", False, False),
    "n22_rram_s1_v1": (22, "rram", "cmos", True, True),
    "n22_xbar_s0_v1": (22, "rram", "none", False, True),
    "n7_sram_s1_v1": (7, "sram", "cmos", True, True),
    "n7_sram_s0_v1": (7, "sram", "cmos", False, True),
    "n7_sramres_s0_v1": (7, "sram", "cmos", False, True),  # run-time cell resistances given explicitly
    "n130_sram_s1_v1": (130, "sram", "cmos", True, True),
    "n130_rram_s0_v0": (130, "rram", "cmos", False, False),
    "n2_sram_s0_v1": (2, "sram", "cmos", False, True),
}
# explicit run-time cell.resMemCellOn/Off per context label (the rest derive them as the sub-array leaves them)
RESISTANCES = {"n7_sramres_s0_v1": {"res_mem_cell_on": 125e3, "res_mem_cell_off": 1.725e6}}
# case -> (num_y_bit, num_entry, num_function, new_height, new_width, layout mode, num_read, clk_freq)
CASES = {
    "chip": (8, 28, 128, 0.0, 150e-6, Layout.NONE, 4682, 1e9),  # Chip.cpp: width = globalBufferWidth / 3
    "tile": (8, 25, 64, 0.0, 120e-6, Layout.NONE, 37.5, 6.5e8),  # Tile.cpp: width = ceil(sqrt(numPE)) * PEwidth
    "small": (4, 5, 3, 30e-6, 0.0, Layout.NONE, 3, 2e9),
    "natural": (6, 17, 10, 0.0, 0.0, Layout.NONE, 1, 1e9),
    "magic_h": (8, 20, 16, 20e-6, 0.0, Layout.MAGIC, 2, 1e9),
    "magic_w": (8, 20, 16, 0.0, 40e-6, Layout.MAGIC, 2, 1e9),
    "override": (8, 20, 16, 10e-6, 20e-6, Layout.OVERRIDE, 2, 1e9),
}


@cache
def make_ctx(label: str) -> CircuitContext:
    node, cell_type, access, sync, validated = CONTEXTS[label]
    cfg = ChipConfig.model_validate(
        {
            "technology": {"node_nm": node, "roadmap": "lstp", "temperature_k": 300},
            "cell": {"type": cell_type, "access": access},
            "clock": {"synchronous": sync},
            "calibration": {"validated": validated},
        }
    )
    p = derive(cfg)
    return CircuitContext.of(p)


def run(label: str, lut: str, case: str) -> dict:
    y_bit, entry, n_func, h, w, mode, n_read, clk = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = Sigmoid(make_ctx(label), lut == "sram", y_bit, entry, n_func, 1e9, **RESISTANCES.get(label, {}))
    fp = s.layout(h, w, mode)
    return {
        "area": fp.area,
        "height": fp.height,
        "width": fp.width,
        "area_unit": s.area_unit,
        "latency": s.latency(n_read, clk),
        "energy": s.energy(n_read),
        "leakage": s.leakage,
    }


def close(got: float, want: float) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return got == pytest.approx(want, rel=REL, abs=0.0)


@pytest.mark.parametrize("label", list(CONTEXTS))
@pytest.mark.parametrize("lut", ["sram", "rram"])
@pytest.mark.parametrize("case", list(CASES))
def test_sigmoid_matches_neurosim(label, lut, case):
    got = run(label, lut, case)
    want = GOLDEN[label][lut][case]
    bad = {k: (got[k], v) for k, v in want.items() if not close(got[k], v)}
    assert not bad


@pytest.mark.parametrize("label", list(CONTEXTS))
def test_access_width_left_by_sub_array(label):
    assert close(array_cell_access_width(make_ctx(label)), GOLDEN[label]["cell.widthAccessCMOS"])


def test_table_quirks():
    """Finite sensing only when the table matches the arrays' technology (NeuroSim's global-cell quirks)."""
    assert math.isinf(run("n22_rram_s1_v1", "sram", "chip")["latency"])
    assert math.isnan(run("n22_sram_s1_v1", "rram", "chip")["latency"])
    assert math.isfinite(run("n22_xbar_s0_v1", "rram", "chip")["latency"])


def test_num_entry_and_purity():
    s = Sigmoid(make_ctx("n22_sram_s0_v0"), True, 8, 28, 4, 1e9)
    assert s.num_entry == 28
    assert s.wl_decoder.num_addr_row == 5  # ceil(log2(28)), a bit-width passed as an entry count
    first = s.latency(3, 1e9), s.energy(3)
    assert (s.latency(3, 1e9), s.energy(3)) == first
    assert s.latency(6, 1e9) == pytest.approx(2 * first[0], rel=1e-15)
