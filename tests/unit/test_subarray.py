"""Sub-array (SubArray.cpp) against NeuroSim V1.4 golden values from the C++ harness."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from neurocim.arch.subarray.subarray import SubArray
from neurocim.circuits.context import CircuitContext
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive

GOLDEN = json.loads((Path(__file__).parent / "subarray_golden.json").read_text())
CASES = GOLDEN["cases"]
FIELDS = GOLDEN["vector_fields"]
REL = 1e-9
STATIC = (
    "area", "height", "width", "area_adc", "area_accum", "area_other", "area_array", "cap_row1", "cap_row2",
    "cap_col", "res_row", "res_col", "res_cell_access", "res_mem_cell_avg", "leakage", "leakage_sram_in_use",
)  # fmt: skip


def build(name: str) -> SubArray:
    p = derive(ChipConfig.model_validate({**CASES[name]["config"], "compat": "neurosim_v14"}))
    ctx = CircuitContext.of(p)
    return SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, p.chip.clock.max_frequency_hz)


def vectors(num_col: int) -> list[tuple[float, list[float]]]:
    """The harness's hand-made (activity, column resistances) vectors: half, none, ~quarter and all rows active."""
    out = []
    for k, (act, ncols) in enumerate([(0.5, num_col), (0.0, num_col), (0.2578125, num_col), (1.0, num_col - 28)]):
        if act == 0.0:
            out.append((act, [math.inf] * ncols))
        else:
            out.append((act, [10.0 ** (3.0 + 3.0 * ((j * 37 + k * 11) % 101) / 100.0) for j in range(ncols)]))
    return out


def close(got: float, want: float, rel: float = REL) -> bool:
    return got == pytest.approx(want, rel=rel, abs=1e-300)


@pytest.mark.parametrize("name", sorted(CASES))
def test_static_results(name):
    sa, gold = build(name), CASES[name]
    bad = {k: (getattr(sa, k), gold[k]) for k in STATIC if not close(getattr(sa, k), gold[k])}
    assert not bad, bad


@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n]["sensing_latency"] is not None))
def test_sensing_latency(name):
    sa, gold = build(name), CASES[name]
    assert close(sa.sensing_latency(), gold["sensing_latency"])
    assert close(sa.sensing_latency(activity=np.array([0.0, 1.0])), gold["sensing_latency"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_read_per_vector(name):
    sa, gold = build(name), CASES[name]
    clk = gold["clk_freq"]
    for k, (act, res) in enumerate(vectors(sa.num_col)):
        r = sa.read(np.array([act]), np.array([res]), clk)
        want = dict(zip(FIELDS, gold["vectors"][k], strict=True))
        bad = {f: (getattr(r, f), w) for f, w in want.items() if not close(getattr(r, f), w)}
        assert not bad, (k, bad)
        assert r.num_vectors == 1


@pytest.mark.parametrize("name", ["sram22", "rram22_cb2_fastclk", "sram22_seq_fastclk", "rram22_seq_cb2_async"])
def test_batch_and_counts_sum_vectors(name):
    sa, gold = build(name), CASES[name]
    vecs = vectors(sa.num_col)[:3]  # same width so they stack
    act = np.array([a for a, _ in vecs])
    res = np.array([r for _, r in vecs])
    per_vector = np.array(gold["vectors"][:3])
    batch = sa.read(act, res, gold["clk_freq"])
    for i, f in enumerate(FIELDS):
        assert close(getattr(batch, f), per_vector[:, i].sum(), 1e-12)
    counts = np.array([2, 0, 3])
    weighted = sa.read(act, res, gold["clk_freq"], counts=counts)
    assert weighted.num_vectors == 5
    for i, f in enumerate(FIELDS):
        assert close(getattr(weighted, f), per_vector[:, i] @ counts, 1e-12)


def test_reference_run_clock_periods():
    """The sensing cycles reproduce the clock periods of the shipped reference runs (6 significant digits)."""
    expected = {"sram22": 1.6974e-09, "sram130": 3.22621e-08, "sram14": 1.58676e-09, "sram22_64x128": 1.80451e-09,
                "sram22_sub64": 1.79836e-09, "sram22_par64": 1.87436e-09, "sram22_adc3": 1.50243e-09,
                "sram22_adc6": 2.04748e-09, "sram22_sar": 8.57696e-09, "sram22_hp": 1.50111e-09,
                "rram22": 1.66336e-09, "rram22_cb2": 1.66336e-09, "rram22_sar6": 9.92376e-09,
                "fefet22": 1.66336e-09}  # fmt: skip
    for name, period in expected.items():
        assert build(name).sensing_latency() == pytest.approx(period, rel=5e-6), name


def test_mismatched_batch_raises():
    sa = build("sram22")
    with pytest.raises(ValueError, match="vectors"):
        sa.read(np.array([0.5, 0.5]), np.ones((1, 128)), 1e9)
