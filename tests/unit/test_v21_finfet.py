"""NeuroSim V2.1's 14, 10 and 7 nm FinFETs (quirk v21_transistor_data): node data, device rules, import, config."""

from __future__ import annotations

import math

import pytest

from neurocim.circuits.gates.gates import (
    GateType,
    Mos,
    drain_cap,
    gate_area,
    gate_cap,
    gate_capacitance,
    gate_leakage,
    on_resistance,
    pass_gate_area,
    transconductance,
)
from neurocim.circuits.gates.gates_layout import enlarge_size
from neurocim.compat.param_cpp import ParamImportError
from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.config.chip import ChipConfig, Roadmap
from neurocim.config.derived import derive
from neurocim.tech.technology import load_technology

F14 = 14e-9
FIN14 = 2 * 23e-9 + 10e-9  # one 14 nm fin: two sides of 23 nm and a 10 nm top


def _junction(vdd: float, cap0: float, grading: float) -> float:
    return cap0 / (1 + vdd / 0.9) ** grading


@pytest.mark.parametrize(
    ("node", "roadmap", "vdd", "cap_gate", "fin_m", "pitch_m", "i_on_n", "i_on_p", "gm_n"),
    [
        (14, Roadmap.LSTP, 0.8, 1.0572e-9, 2 * 23e-9 + 10e-9, 32e-9, 893, 820, 602),
        (14, Roadmap.HP, 0.8, 1.2573e-9, 2 * 23e-9 + 10e-9, 32e-9, 1686, 1550, 1330),
        (10, Roadmap.LSTP, 0.75, 9.418984e-10, 2 * 21e-9 + 9e-9, 28e-9, 862, 775, 822),
        (7, Roadmap.HP, 0.7, 1.0487e-9, 2 * 18e-9 + 7e-9, 22e-9, 1912, 1685, 1910),
        (7, Roadmap.LSTP, 0.7, 8.49489e-10, 2 * 18e-9 + 7e-9, 22e-9, 822, 737, 822),
    ],
)
def test_v21_finfet_nodes_load_its_per_metre_data(node, roadmap, vdd, cap_gate, fin_m, pitch_m, i_on_n, i_on_p, gm_n):
    t = load_technology(node, roadmap, 300, v21=True)
    assert t.v21_finfet and t.feature_size == node * 1e-9
    assert (t.vdd, t.cap_ideal_gate, t.pitch_fin) == (vdd, cap_gate, pitch_m)
    assert t.effective_width == pytest.approx(fin_m, rel=1e-12)
    assert (t.i_on_nmos, t.i_on_pmos, t.current_gm_nmos) == (i_on_n, i_on_p, gm_n)
    assert t.pn_size_ratio == math.floor(i_on_n / i_on_p)
    assert t.cap_overlap == t.cap_fringe == t.cap_draintotal == 0.0
    # V2.1 derives the junction caps as for bulk (V1.4 tabulates 0.012 F/m^2 at 14 nm)
    assert t.cap_junction == pytest.approx(_junction(vdd, 1e-3, 0.5), rel=1e-12)
    assert t.cap_sidewall == pytest.approx(_junction(vdd, 2.5e-10, 0.33), rel=1e-12)


def test_v21_finfet_temperature_tables_interpolate():
    t = load_technology(14, Roadmap.LSTP, 355, v21=True)
    assert t.i_on_nmos == pytest.approx((708 + 677) / 2)
    assert t.i_off_pmos == pytest.approx((2.2192e-3 + 3.7395e-3) / 2)


def test_v14_data_stays_at_14nm_without_the_quirk():
    t = load_technology(14, Roadmap.LSTP, 300)
    assert not t.v21_finfet and t.cap_junction == 0.012 and t.i_on_nmos == 595.045
    with pytest.raises(ValueError, match="covers the nodes 130, .* 14, 10, 7 nm, not 5 nm"):
        load_technology(5, Roadmap.LSTP, 300, v21=True)


@pytest.fixture(scope="module")
def t14():
    return load_technology(14, Roadmap.LSTP, 300, v21=True)


def test_fins_are_counted_by_the_pitch_and_set_cap_current_and_leakage(t14):
    # 3F = 42 nm drawn is 1.5 fins of 2F: two fins of 56 nm perimeter
    w = 3 * F14
    assert gate_cap(w, t14) == pytest.approx(1.0572e-9 * 2 * FIN14, rel=1e-12)
    assert on_resistance(w, Mos.NMOS, 300, t14) == pytest.approx(1.76 * 0.8 / (893 * 2 * FIN14), rel=1e-12)
    leak = (2 * FIN14 * 99.7866e-6 + 2 * FIN14 * 102.3333e-6) / 2
    assert gate_leakage(GateType.INV, 1, w, w, 300, t14) == pytest.approx(leak, rel=1e-12)
    # V2.1's transconductance takes the drawn width at every node
    assert transconductance(w, Mos.NMOS, t14) == pytest.approx(2 * 602 * w / (0.7 * 0.8 - 0.3821222), rel=1e-12)


def test_gate_footprints_use_the_finfet_poly_pitch_and_an_unscaled_cell_height(t14):
    w = 1.8 * F14  # one fin
    area, height, width = gate_area(GateType.INV, 1, w, w, 28 * F14, t14)
    assert height == pytest.approx(28 * F14) and width == pytest.approx(2 * 5.3 * F14)
    assert area == pytest.approx(height * width)
    _, _, nand = gate_area(GateType.NAND, 2, w, w, 28 * F14, t14)
    assert nand == pytest.approx(2 * 2 * 5.3 * F14 - 5.3 * F14)  # two devices sharing one region
    _, tg_height, tg_width = pass_gate_area(w, w, t14, 1)
    assert tg_width == pytest.approx(2 * 5.3 * F14)
    assert tg_height == pytest.approx(2 * 10e-9 + 3.5 * F14 + 3.6 * F14)  # two one-fin regions and the gaps
    assert enlarge_size(w, w, 28 * F14, t14) == (w, w)  # V2.1 does not up-size


def test_drain_caps_are_the_planar_junction_model_over_the_fin_region(t14):
    w = 1.8 * F14
    unit, height = F14 * 3.9, 10e-9  # one fin: the fin width tall, one FinFET poly gap wide
    bottom = unit * height * t14.cap_junction
    sidewall = (2 * unit + height) * t14.cap_sidewall
    channel = height * t14.cap_drain_to_channel
    assert drain_cap(w, Mos.NMOS, 28 * F14, t14) == pytest.approx(bottom + sidewall + channel, rel=1e-12)
    # V2.1 takes the input capacitance of the widths already scaled to the fin pitch: 0.9 fin becomes 1.03, two fins
    cap_in, _ = gate_capacitance(GateType.INV, 1, w, 0.0, 28 * F14, t14)
    assert gate_cap(w, t14) == pytest.approx(1.0572e-9 * FIN14, rel=1e-12)
    assert cap_in == pytest.approx(1.0572e-9 * 2 * FIN14, rel=1e-12)


def test_a_cell_too_low_for_one_fin_folds_one_fin_at_a_time(t14):
    w = 5.6 * F14  # three fins, in a 5 F cell that fits none
    area, _, width = gate_area(GateType.INV, 1, w, w, 5 * F14, t14)
    assert width == pytest.approx(4 * 5.3 * F14) and area > 0
    cap_in, cap_out = gate_capacitance(GateType.INV, 1, w, w, 5 * F14, t14)
    assert cap_in > 0 and cap_out > 0 and math.isfinite(cap_out)


FINFET_14 = {"technode": 14, "featuresize": 22e-9, "wireWidth": 22}


def test_the_importer_accepts_finfet_nodes_with_their_wire_width():
    chip = chip_from_v21_params({**FINFET_14, "memcelltype": 2})
    assert chip.technology.node_nm == 14 and chip.cell.type.value == "rram"
    p = derive(chip)
    assert p.wires.wire_width_nm == 22 and p.wires.aspect_ratio == 2.0
    for node in (10, 7):
        chip = chip_from_v21_params({"technode": node, "featuresize": 14e-9, "wireWidth": 14})
        assert chip.technology.node_nm == node


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"wireWidth": 14}, r"wireWidth=14 does not match technode=14: allowed 22"),
        ({"featuresize": 14e-9}, r"featuresize=1.4e-08 does not match technode=14: allowed 2.2e-08"),
        ({"technode": 5, "wireWidth": 14}, r"technode=5 has no NeuroSim V2.1 transistor data; allowed: .*14, 10, 7"),
    ],
)
def test_the_importer_still_refuses_inconsistent_finfet_settings(change, message):
    with pytest.raises(ParamImportError, match=message):
        chip_from_v21_params({**FINFET_14, **change})


def test_hp_warm_and_rram_finfets_need_v21s_transistor_data():
    chip = chip_from_v21_params({**FINFET_14, "memcelltype": 2, "deviceroadmap": 1, "temp": 350})
    assert chip.technology.roadmap is Roadmap.HP and chip.technology.temperature_k == 350
    assert derive(chip).chip.technology.node_nm == 14
    v14_data = {"v21_transistor_data": False}
    rram = chip_from_v21_params({**FINFET_14, "memcelltype": 2}).model_dump()
    hp = chip_from_v21_params({**FINFET_14, "deviceroadmap": 1}).model_dump()
    warm = chip_from_v21_params({**FINFET_14, "temp": 350}).model_dump()
    for dumped, message in [
        (rram, "cell.type=rram is not supported at technology.node_nm=14"),
        (hp, "technology.roadmap=hp is not available at node_nm=14"),
        (warm, "technology.temperature_k=350 is not available at node_nm=14"),
    ]:
        with pytest.raises(ValueError, match=message):
            ChipConfig.model_validate({**dumped, "quirks": v14_data})
