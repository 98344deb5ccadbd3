"""Transistor technology data per node and roadmap, loaded from tech/data/*.json (NeuroSim V1.4 model)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from neurocim.config.chip import Roadmap
from neurocim.tech.nodes import BULK_NODES_NM, NODES_NM, V21_FINFET_NODES_NM

TEMPERATURE_MIN_K = 300
TEMPERATURE_MAX_K = 400

# Bulk junction model (BSIM4-style zero-bias values and grading coefficients, as NeuroSim uses them).
_BUILT_IN_POTENTIAL = 0.9  # V
_CJ0 = 1e-3  # bottom junction cap, F/m^2
_CJSW0 = 2.5e-10  # isolation-edge sidewall cap, F/m
_CJSWG0 = 0.5e-10  # gate-edge sidewall cap, F/m
_MJ = 0.5
_MJSW = 0.33
_MJSWG = 0.33


@dataclass(frozen=True)
class Technology:
    """Device parameters of one node/roadmap; names follow NeuroSim's Technology fields in snake_case, SI units."""

    node_nm: int
    feature_size: float  # m
    roadmap: Roadmap
    temperature_k: int
    vdd: float  # V
    vth: float  # V (dummy 0.1 V for <= 14 nm)
    height_fin: float  # m
    width_fin: float  # m
    pitch_fin: float  # m
    phy_gate_length: float  # m
    cap_ideal_gate: float  # F/m of (effective) width
    cap_fringe: float  # F/m
    cap_junction: float  # F/m^2
    cap_overlap: float  # F/m
    cap_sidewall: float  # F/m
    cap_drain_to_channel: float  # F/m
    build_in_potential: float  # V
    pn_size_ratio: float
    effective_resistance_multiplier: float
    current_on_nmos: tuple[float, ...]  # A/m, index = T - 300 K
    current_on_pmos: tuple[float, ...]
    current_off_nmos: tuple[float, ...]
    current_off_pmos: tuple[float, ...]
    current_gm_nmos: float  # A/(m V)
    current_gm_pmos: float
    cap_polywire: float  # F/m
    max_sheet_num: float = 0.0
    thickness_sheet: float = 0.0
    width_sheet: float = 0.0
    effective_width: float = 0.0  # m per fin / sheet
    max_fin_num: float = 0.0
    max_fin_per_gaa: float = 0.0
    gm_oncurrent: float = 0.0
    cap_draintotal: float = 0.0  # F/m
    # NeuroSim V2.1's FinFETs (14/10/7 nm): caps and currents per metre of fin-pitch effective width, bulk-style
    # layout rules with the FinFET cell height and poly pitch, and no per-node cell rules.
    v21_finfet: bool = False

    def __hash__(self) -> int:
        """A hash of the fields that tell technologies apart (equal technologies agree on them): hashing every
        field, the per-kelvin tables included, took about 15 us, and caches key on technologies."""
        return hash((self.node_nm, self.roadmap, self.temperature_k, self.vdd, self.vth, self.cap_ideal_gate))

    @property
    def is_bulk(self) -> bool:
        return self.node_nm >= 22

    @property
    def is_finfet(self) -> bool:
        return 3 <= self.node_nm <= 14

    @property
    def is_gaa(self) -> bool:
        return self.node_nm <= 2

    @property
    def temperature_index(self) -> int:
        """Index into the current tables for this technology's operating temperature."""
        return self.temperature_k - TEMPERATURE_MIN_K

    @property
    def i_on_nmos(self) -> float:
        """NMOS on current (A/m) at the operating temperature."""
        return self.current_on_nmos[self.temperature_index]

    @property
    def i_on_pmos(self) -> float:
        return self.current_on_pmos[self.temperature_index]

    @property
    def i_off_nmos(self) -> float:
        return self.current_off_nmos[self.temperature_index]

    @property
    def i_off_pmos(self) -> float:
        return self.current_off_pmos[self.temperature_index]


def _interpolate_10k(points: list[float]) -> tuple[float, ...]:
    """Expand 11 samples (300..400 K every 10 K) to 101 entries by linear interpolation, as NeuroSim does."""
    if len(points) != 11:
        raise ValueError(f"a current table needs 11 values (300..400 K every 10 K), got {len(points)}")
    table = [0.0] * 101
    for k, value in enumerate(points):
        table[10 * k] = float(value)
    for i in range(1, 100):
        if i % 10:
            a = table[i // 10 * 10]
            b = table[i // 10 * 10 + 10]
            table[i] = a + (b - a) * (i % 10) / 10
    return tuple(table)


@cache
def _node_data(node_nm: int) -> dict[str, Any]:
    text = resources.files("neurocim.tech").joinpath("data").joinpath(f"node_{node_nm}nm.json").read_text()
    return json.loads(text)


def _check_args(node_nm: int, roadmap: Roadmap, temperature_k: int, v21_finfet: bool) -> None:
    if node_nm not in NODES_NM:
        raise ValueError(f"technology node {node_nm} nm is not supported; allowed: {', '.join(map(str, NODES_NM))}")
    if roadmap is Roadmap.HP and node_nm not in BULK_NODES_NM and not v21_finfet:
        raise ValueError(
            f"roadmap {roadmap.value!r} is not available at {node_nm} nm; HP exists only for "
            f"{', '.join(map(str, BULK_NODES_NM))} nm, use {Roadmap.LSTP.value!r}"
        )
    if not TEMPERATURE_MIN_K <= temperature_k <= TEMPERATURE_MAX_K:
        raise ValueError(
            f"temperature {temperature_k} K is out of range; allowed: {TEMPERATURE_MIN_K}..{TEMPERATURE_MAX_K} K"
        )


def _bulk_fields(e: dict[str, Any]) -> dict[str, Any]:
    cap_fringe = e["cap_fringe"]
    on_n = _interpolate_10k(e["current_on_nmos"])
    on_p = _interpolate_10k(e["current_on_pmos"])
    return {
        "vth": e["vth"],
        "phy_gate_length": e["phy_gate_length"],
        "cap_ideal_gate": e["cap_ideal_gate"],
        "cap_fringe": cap_fringe,
        # 130 nm LSTP and 65 nm HP only; every other bulk node keeps 0.
        "cap_draintotal": cap_fringe / 2 if e.get("cap_draintotal_is_half_fringe") else 0.0,
        "current_gm_nmos": e["current_gm_nmos"],
        "current_gm_pmos": e["current_gm_pmos"],
        "current_on_nmos": on_n,
        "current_on_pmos": on_p,
        "pn_size_ratio": on_n[0] / on_p[0],
    }


def _advanced_fields(node_nm: int, e: dict[str, Any]) -> dict[str, Any]:
    """FinFET (14..3 nm) and GAA (2, 1 nm): per-device caps are spread over the effective width."""
    f: dict[str, Any] = {"vth": e["vth"], "phy_gate_length": e["phy_gate_length"], "pitch_fin": e["pitch_fin"]}
    f["height_fin"] = e.get("height_fin", 0.0)  # not set for 5 nm and below
    if node_nm >= 3:
        f["width_fin"] = e["width_fin"]
        f["max_fin_num"] = e["max_fin_num"]
        if "effective_width" in e:
            width = e["effective_width"]
        elif "effective_width_nm" in e:
            width = e["effective_width_nm"] * 1e-9
        else:
            width = f["width_fin"] + f["height_fin"] * 2
        f["effective_width"] = width
        f["cap_ideal_gate"] = e["gate_cap_per_device_af"] * 1e-18 / width
    else:
        f["max_fin_per_gaa"] = e["max_fin_per_gaa"]
        f["max_sheet_num"] = e["max_sheet_num"]
        f["thickness_sheet"] = e["thickness_sheet_nm"] * 1e-9
        f["width_sheet"] = e["width_sheet_nm"] * 1e-9
        f["width_fin"] = f["width_sheet"]  # used as the drain height
        width = (f["thickness_sheet"] + f["width_sheet"]) * 2
        f["effective_width"] = width
        f["cap_ideal_gate"] = e["gate_cap_per_device_af"] * 1e-18 / (width * f["max_sheet_num"])
    f["cap_draintotal"] = e["drain_cap_per_device"] / width
    f["cap_fringe"] = 0.0
    f["current_gm_nmos"] = f["current_gm_pmos"] = f["gm_oncurrent"] = e["gm"]
    on_n = _interpolate_10k(e["current_on_nmos"])
    on_p = _interpolate_10k(e["current_on_pmos"])
    f["current_on_nmos"] = on_n
    f["current_on_pmos"] = on_p
    f["pn_size_ratio"] = float(int(on_n[0] / on_p[0]))
    return f


# NeuroSim V2.1's planar transistors differ from V1.4's only in these: physical gate length (m) per node (it only
# weighs the poly-wire capacitance, which is zero), the ideal gate capacitance of 90 nm LSTP (F/m), and no drain
# capacitance (V1.4 gives 130 nm LSTP and 65 nm HP half the fringe capacitance).
V21_PHY_GATE_LENGTH_M = {130: 1.3e-7, 90: 9.0e-8, 65: 6.5e-8, 45: 4.5e-8, 32: 3.4e-8, 22: 2.0e-8}
V21_CAP_IDEAL_GATE_90NM_LSTP = 1.5413e-10


V21_NODES_NM = (*V21_PHY_GATE_LENGTH_M, *V21_FINFET_NODES_NM)


@cache
def _v21_finfet_data(node_nm: int, roadmap: Roadmap) -> dict[str, Any]:
    text = resources.files("neurocim.tech").joinpath("data").joinpath("v21_finfet.json").read_text()
    return json.loads(text)["nodes"][str(node_nm)][roadmap.value]


def _v21_finfet_fields(e: dict[str, Any]) -> dict[str, Any]:
    """V2.1's FinFET transistors: per-metre data like the planar nodes, fins counted by the fin pitch."""
    on_n = _interpolate_10k(e["current_on_nmos"])
    on_p = _interpolate_10k(e["current_on_pmos"])
    names = ("vth", "height_fin", "width_fin", "pitch_fin", "phy_gate_length", "cap_ideal_gate")
    return {
        **{name: e[name] for name in names},
        "cap_fringe": 0.0,
        "current_gm_nmos": e["current_gm_nmos"],
        "current_gm_pmos": e["current_gm_pmos"],
        "current_on_nmos": on_n,
        "current_on_pmos": on_p,
        "pn_size_ratio": float(int(on_n[0] / on_p[0])),
        "effective_width": 2 * e["height_fin"] + e["width_fin"],
        "v21_finfet": True,
    }


def _v21_fields(node_nm: int, roadmap: Roadmap, fields: dict[str, Any]) -> dict[str, Any]:
    if node_nm not in V21_NODES_NM:
        allowed = ", ".join(map(str, V21_NODES_NM))
        raise ValueError(f"NeuroSim V2.1's transistor data covers the nodes {allowed} nm, not {node_nm} nm")
    fields = {**fields, "phy_gate_length": V21_PHY_GATE_LENGTH_M[node_nm], "cap_draintotal": 0.0}
    if node_nm == 90 and roadmap is Roadmap.LSTP:
        fields["cap_ideal_gate"] = V21_CAP_IDEAL_GATE_90NM_LSTP
    return fields


def load_technology(
    node_nm: int, roadmap: Roadmap = Roadmap.LSTP, temperature_k: int = 300, v21: bool = False
) -> Technology:
    """Technology parameters for a node (nm), roadmap and operating temperature (K), as NeuroSim V1.4 initialises
    them (as V2.1 does with `v21`: planar nodes and its 14, 10 and 7 nm FinFETs)."""
    roadmap = Roadmap(roadmap)
    v21_finfet = v21 and node_nm in V21_FINFET_NODES_NM  # V2.1 has HP and LSTP FinFETs
    _check_args(node_nm, roadmap, temperature_k, v21_finfet)
    e = _v21_finfet_data(node_nm, roadmap) if v21_finfet else _node_data(node_nm)["roadmaps"][roadmap.value]
    if v21_finfet:
        fields = _v21_finfet_fields(e)
    elif v21:
        fields = _v21_fields(node_nm, roadmap, _bulk_fields(e) if node_nm >= 22 else _advanced_fields(node_nm, e))
    else:
        fields = _bulk_fields(e) if node_nm >= 22 else _advanced_fields(node_nm, e)
    vdd = e["vdd"]
    # Overlap cap is folded into the FinFET/GAA gate cap.
    cap_overlap = fields["cap_ideal_gate"] * 0.2 if node_nm >= 22 else 0.0
    bias = 1 + vdd / _BUILT_IN_POTENTIAL
    # V1.4 tabulates the FinFET/GAA junction cap; V2.1 derives it as for bulk at every node
    cap_junction = e["cap_junction"] if node_nm <= 14 and not v21_finfet else _CJ0 / math.pow(bias, _MJ)
    return Technology(
        node_nm=node_nm,
        feature_size=node_nm * 1e-9,
        roadmap=roadmap,
        temperature_k=temperature_k,
        vdd=vdd,
        height_fin=fields.pop("height_fin", 0.0),
        width_fin=fields.pop("width_fin", 0.0),
        pitch_fin=fields.pop("pitch_fin", 0.0),
        cap_overlap=cap_overlap,
        cap_junction=cap_junction,
        cap_sidewall=_CJSW0 / math.pow(bias, _MJSW),
        cap_drain_to_channel=_CJSWG0 / math.pow(bias, _MJSWG),
        build_in_potential=_BUILT_IN_POTENTIAL,
        effective_resistance_multiplier=e["effective_resistance_multiplier"],
        current_off_nmos=_interpolate_10k(e["current_off_nmos"]),
        current_off_pmos=_interpolate_10k(e["current_off_pmos"]),
        cap_polywire=0.0,
        **fields,
    )
