"""Flash (MLSA) and SAR ADCs and the voltage sense amp against NeuroSim V1.4 golden values (C++ harness)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from neurocim.circuits.adc.adc_fits import mlsa_column_power, mlsa_latency_fit, sar_column_power
from neurocim.circuits.adc.flash_adc import FlashAdc, reference_resistances
from neurocim.circuits.adc.sar_adc import SarAdc
from neurocim.circuits.adc.voltage_sense_amp import VoltageSenseAmp
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import READ_VOLTAGE_V, derive

GOLDEN = json.loads((Path(__file__).parent / "adc_golden.json").read_text())
REL = 1e-9


def make_ctx(
    node=22,
    hp=False,
    sram=True,
    temp=300,
    dumcol=None,
    ron=1e5,
    roff=1.7e6,
    sequential=False,
    parallel_rows=None,
    special=True,
):
    cfg = ChipConfig.model_validate(
        {
            "technology": {"node_nm": node, "roadmap": "hp" if hp else "lstp", "temperature_k": temp},
            "cell": {"type": "sram" if sram else "rram", "r_on_ohm": ron, "on_off_ratio": roff / ron},
            "array": {"read_mode": "sequential" if sequential else "parallel", "parallel_rows": parallel_rows},
            "adc": {"dummy_column_shared": dumcol},
            "sizing": {"special_layout": special},
            "compat": "neurosim_v14",  # golden values from NeuroSim's own circuits
        }
    )
    p = derive(cfg)
    return CircuitContext.of(p)


def close(a, b, rel=REL):
    return a == pytest.approx(b, rel=rel, abs=0.0)


def dims(fp):
    return [fp.area, fp.height, fp.width]


def r_of(node):
    return np.array(GOLDEN["r_by_node"][str(node)], dtype=float)


def flash_from_case(c):
    ctx = make_ctx(
        node=c["node"],
        hp=bool(c["hp"]),
        sram=bool(c["sram"]),
        temp=c["temp"],
        dumcol=int(c["dumcolshared"]),
        ron=c["ron"],
        roff=c["roff"],
        sequential=not c["parallel"],
        parallel_rows=c["num_row_parallel"] if c["parallel"] else None,
        special=bool(c["special"]),
    )
    return FlashAdc(
        ctx,
        c["num_col"],
        c["L"],
        1e9,
        1,
        bool(c["parallel"]),
        bool(c["current"]),
        column_cap=c["columncap"],
        array_height=c["arrayheight"],
        array_width_unit=c["arraywidthunit"],
        reference_energy_peri=c["refperi"],
        res_cell_access=c["res_cell_access"],
        conventional_parallel=c["opmode"] == 2,
    )


CASES = {c["name"]: c for c in GOLDEN["mlsa_cases"]}


@pytest.mark.parametrize("name", sorted(CASES))
def test_flash_adc_matches_neurosim(name):
    c = CASES[name]
    adc = flash_from_case(c)
    assert adc.rref == pytest.approx(c["rref"], rel=1e-15)
    assert close([adc.gate_cap_n, adc.gate_cap_p, adc.junction_cap_n, adc.junction_cap_p], c["caps"])
    fp = adc.layout(new_width=c["width_array"])
    assert close([fp.area, fp.height, fp.width], c["area"])
    assert close([adc.area, adc.height, adc.width], c["area"])
    assert close(dims(adc.layout(new_height=c["width_array"] * 0.5)), c["area_h"])
    assert close([adc.latency(1, 1), adc.latency(8, 3)], c["latency"])
    r = r_of(c["node"])
    assert close(adc.column_power(r).tolist(), c["power"])
    assert close([adc.energy(r, 1), adc.energy(r, 4)], c["energy"])
    assert close([adc.energy(r[i : i + 1], 1) for i in range(r.size)], c["energy_single"])
    assert close(adc.column_energy(r).tolist(), c["energy_single"])
    assert adc.leakage == 0.0


def test_flash_energy_is_bit_exact_for_the_default_sram_case():
    c = CASES["sram22_lstp_L32"]
    adc = flash_from_case(c)
    assert adc.energy(r_of(22), 4) == c["energy"][1]


def test_flash_pre_aggregated_pieces_rebuild_the_energy():
    adc = flash_from_case(CASES["rram22_lstp_L64"])
    r = r_of(22)
    p = adc.column_power(r)
    static = np.maximum((p + adc.reference_power) * adc.conversion_time, 0.0)
    total = (r.size * adc.column_switching_energy + static.sum()) * 3
    assert close(total, adc.energy(r, 3), rel=1e-12)
    assert adc.comparator_switching_energy * 63 == adc.column_switching_energy


def test_switching_energy_uses_integer_division_quirk():
    c = dict(CASES["sram22_lstp_L32"])
    adc = flash_from_case(c)
    lm1, dum, v = 31, 32, READ_VOLTAGE_V[22]
    gn, gp, jn, jp = adc.gate_cap_n, adc.gate_cap_p, adc.junction_cap_n, adc.junction_cap_p
    vdd2 = adc.ctx.tech.vdd**2
    rest = (
        c["refperi"] / dum
        + (gn * 2 + (jn + gn) / lm1 + (jn + gn) / dum) * v * v
        + (gp * 2 + gn + gp * 3 + gn * 3 + (jp + jn) * 3 + jp + gp + gn) * vdd2
    )
    without_1_over_lm1 = c["columncap"] * (1 / dum) * v * v + rest
    assert close(adc.comparator_switching_energy, without_1_over_lm1, rel=1e-12)


def test_flash_two_level_vsa_sequential():
    ctx = make_ctx(sram=False, sequential=True, dumcol=2)
    adc = FlashAdc(ctx, 16, 2, 1e9, 1, False, False, column_cap=1.9e-14, array_height=2.048e-5, array_width_unit=4.8e-7)
    assert adc.rref == [188888.88888888888]
    assert adc.latency() == 1e-9
    assert close(adc.energy(np.full(3, 2e5)), 2.8390225482214904e-14)
    # NeuroSim's unsigned wrap of Rref.size()-2 makes the CSA latency absurd (the C++ gives inf)
    csa = FlashAdc(ctx, 16, 2, 1e9, 1, False, True, column_cap=1.9e-14, array_height=2.048e-5, array_width_unit=4.8e-7)
    assert close(csa.latency(), 161347092.8943533)


@pytest.mark.parametrize(
    "entry", GOLDEN["latency_table"], ids=lambda e: f"{e['node']}nm-{'csa' if e['current'] else 'vsa'}"
)
def test_latency_table_all_nodes(entry):
    r = np.array(GOLDEN["latency_r"])
    count = entry["L"] - 3
    fit = mlsa_latency_fit(entry["node"], bool(entry["current"]))
    t = fit(r, entry["columncap"] + entry["gatecap_n"] * count)
    assert close(t.tolist(), entry["t"])
    # the same through a FlashAdc (SRAM references; gate caps from the gates module)
    ctx = make_ctx(node=entry["node"], dumcol=32)
    adc = FlashAdc(
        ctx,
        16,
        32,
        1e9,
        1,
        True,
        bool(entry["current"]),
        column_cap=entry["columncap"],
        array_height=1e-5,
        array_width_unit=1e-7,
        res_cell_access=1e5,
    )
    assert close(adc.gate_cap_n, entry["gatecap_n"])
    assert close(adc.latency_table(r).tolist(), entry["t"])
    assert close(float(adc.latency_table(r[5])), entry["t"][5])


@pytest.mark.parametrize("entry", GOLDEN["power_fit"], ids=lambda e: f"{e['node']}nm-{'hp' if e['hp'] else 'lstp'}")
def test_mlsa_static_power_fit_all_nodes(entry):
    node = entry["node"]
    scaled = r_of(node) * (0.5 / READ_VOLTAGE_V[node])
    p = mlsa_column_power(scaled, node, bool(entry["hp"]), True, entry["L"], 300)
    assert close(p.tolist(), entry["p"])


@pytest.mark.parametrize(
    "entry", GOLDEN["sar_fit"], ids=lambda e: f"{e['node']}nm-{'hp' if e['hp'] else 'lstp'}-L{e['L']}"
)
def test_sar_power_fit_all_nodes(entry):
    node = entry["node"]
    scaled = r_of(node) * (0.5 / READ_VOLTAGE_V[node])
    p = sar_column_power(scaled, node, bool(entry["hp"]), entry["L"], entry["temp"])
    assert close((p * (math.log2(entry["L"]) + 1) * 1e-9).tolist(), entry["e"])


@pytest.mark.parametrize("c", GOLDEN["sar_cases"], ids=lambda c: f"{c['node']}nm-hp{c['hp']}-L{c['L']}")
def test_sar_adc_matches_neurosim(c):
    adc = SarAdc(make_ctx(node=c["node"], hp=bool(c["hp"])), c["num_col"], c["L"], 1e9, 1)
    assert close(adc.area_unit, c["area_unit"])
    assert close(dims(adc.layout(new_width=c["width_array"])), c["area"])
    assert close(dims(adc.layout(new_height=c["width_array"])), c["area_h"])
    assert close([adc.latency(1), adc.latency(5)], c["latency"])
    assert close(adc.energy(r_of(c["node"]), 3), c["energy3"])
    assert adc.leakage == 0.0


@pytest.mark.parametrize("c", GOLDEN["vsa_cases"], ids=lambda c: f"{c['node']}nm-w{c['width']}")
def test_voltage_sense_amp_matches_neurosim(c):
    ctx = make_ctx(node=c["node"], hp=bool(c["hp"]), temp=c["temp"])
    vsa = VoltageSenseAmp(ctx, c["num_col"], 1e9, res_mem_cell_on=c["res_on"], res_mem_cell_off=c["res_off"])
    assert close(vsa.area_unit, c["area_unit"])
    fp = vsa.layout(new_width=c["width"])
    assert close(fp.area, c["area"][0]) and close(fp.width, c["area"][2])
    assert close(fp.height, c["area"][1]) if math.isfinite(c["area"][1]) else math.isinf(fp.height)
    assert close([vsa.latency(c["cload"], 1), vsa.latency(c["cload"], 4)], c["latency"])
    assert close(vsa.energy(3), c["energy3"])
    assert close(vsa.leakage, c["leakage"])


def test_reference_resistances_sequential_and_other_parallel():
    seq = reference_resistances(8, False, False, True, 1e5, 1.7e6, 0.0, 1)
    assert seq == pytest.approx(CASES["rram22_seq_L8"]["rref"], rel=1e-15)
    other = reference_resistances(16, True, False, False, 1e5, 1.7e6, 0.0, 128)
    assert other == pytest.approx(CASES["rram22_bnnpar_L16"]["rref"], rel=1e-15)
    assert reference_resistances(16, True, True, False, 1e5, 1.7e6, 5e3, 128) == []
    with pytest.raises(ValueError, match="res_cell_access"):
        reference_resistances(16, True, True, True, 1e5, 1.7e6, 0.0, 128)


def test_flash_layout_modes():
    adc = flash_from_case(CASES["sram22_lstp_L32"])
    natural = adc.layout(new_width=1e-4)
    magic = adc.layout(new_height=2e-6, mode=Layout.MAGIC)
    assert close(magic.area, natural.area) and magic.height == 2e-6
    with pytest.raises(ValueError):
        adc.layout()


@pytest.mark.parametrize("name", ["rram22_lstp_L64", "sram22_lstp_L32"])
def test_flash_folded_static_energy_matches_the_fit(name):
    """The read pass's folded fit equals the circuit formula (float64 to rounding, float32 to ~1e-6)."""
    adc = flash_from_case(CASES[name])
    r = np.concatenate([r_of(22), [np.inf, 0.0, np.nan]])
    want = adc.column_static_energy(r)
    np.testing.assert_allclose(adc.static_energy(r), want, rtol=1e-12, atol=1e-30)
    got32 = adc.static_energy(r.astype(np.float32))
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, want, rtol=1e-5, atol=1e-22)


@pytest.mark.parametrize("node", [22, 7, 130])
def test_piecewise_blended_matches_exact_evaluation(node):
    from neurocim.circuits.adc.adc_fits import mlsa_lstp_power_fit

    fit = mlsa_lstp_power_fit(node)
    x = np.geomspace(10.0, 1e8, 2001)
    np.testing.assert_allclose(fit.blended(x), fit(x), rtol=1e-12, atol=0)
    got32 = fit.blended(x.astype(np.float32))
    assert got32.dtype == np.float32
    want = fit(x)  # float32 rounding of terms that cancel near the fit's zero: absolute, relative to its scale
    np.testing.assert_allclose(got32, want, rtol=2e-5, atol=1e-6 * np.abs(want).max())
    high = x[x > fit.breaks[-1]]  # every x above the breaks: the last piece alone
    np.testing.assert_allclose(fit.blended(high), fit(high), rtol=1e-15, atol=0)
