"""The strict NeuroSim Param.cpp importer: typed values, NeuroSim's derivations for what is left out, named refusals."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocim.compat.param_cpp import ParamImportError, config_from_params, load_params_json
from neurocim.compat.param_schema import SPECS
from neurocim.config.chip import (
    AccessType,
    ActivationFunction,
    ActivationPlace,
    AdcType,
    BufferType,
    BusType,
    CellType,
    ChipConfig,
    MappingType,
    Roadmap,
    SenseMode,
)
from neurocim.config.derived import Derived, derive

REPO = Path(__file__).resolve().parents[2]
CASE_FILES = sorted((REPO / "tests" / "data" / "neurosim_cases").glob("*/params.json")) + sorted(
    (REPO.parent / "shared" / "reference" / "neurosim_v14" / "cases").glob("*/params.json")
)
CASES = {f"{p.parent.parent.name}/{p.parent.name}": json.loads(p.read_text()) for p in CASE_FILES}
DEFAULTS = CASES["neurosim_cases/v01_default"]  # NeuroSim V1.4's Param.cpp as shipped, at 22 nm


def _derived(params: dict) -> tuple:
    """What the cost model reads of the chip NeuroSim's `params` describe: the derived quantities and the settings,
    parallel rows resolved (all rows or a number equal to them are the same chip)."""
    return _resolved(derive(config_from_params(params)))


def _resolved(p: Derived) -> tuple:
    settings = p.chip.model_dump(exclude={"array": {"parallel_rows"}})
    return dataclasses.replace(p, chip=ChipConfig()), settings, p.chip.array.rows_in_parallel


@pytest.mark.parametrize(
    "params", [{}, {"technode": 22}, {"param_cpp_values": {}}], ids=["empty", "technode", "wrapped"]
)
def test_a_few_values_are_enough_the_rest_derived_as_neurosim_does(params, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(params))
    assert _resolved(derive(load_params_json(path))) == _derived(DEFAULTS)


@pytest.mark.parametrize("name", ["x01_sram_7nm", "x07_sram_2nm"])
def test_per_node_values_follow_technode(name):
    case = CASES[f"neurosim_cases/{name}"]
    assert _derived({"technode": case["technode"]}) == _derived(case)


def test_resistance_off_stays_at_neurosims_fixed_value_when_only_resistance_on_is_given():
    p = derive(config_from_params({"memcelltype": 2, "resistanceOn": 50e3}))
    assert p.chip.cell.r_on_ohm == 50e3 and p.chip.cell.r_off_ohm == pytest.approx(1.7e6, rel=1e-12)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"pipeline": "false"}, r"pipeline='false' is a flag: allowed true, false, 0 or 1 .*\(pipeline\.enabled\)"),
        ({"SARADC": "no"}, r"SARADC='no' is a flag.*\(adc\.type\)"),
        ({"validated": 2}, r"validated=2 is a flag"),
        ({"technode": True}, r"technode=True must be an integer, got a boolean \(technology\.node_nm\)"),
        ({"technode": 22.9}, r"technode=22\.9 must be an integer, got a fraction"),
        ({"numRowSubArray": 128.9}, r"numRowSubArray=128\.9 must be an integer, got a fraction \(array\.rows\)"),
        ({"cellBit": {}}, r"cellBit=\{\} must be an integer, got dict"),
        ({"clkFreq": float("nan")}, r"clkFreq=nan must be a finite number"),
        ({"clkFreq": "1e9"}, r"clkFreq='1e9' must be a finite number, got str"),
        ({"operationmode": 3}, r"operationmode=3 is not supported; allowed: 1 \(sequential\), 2 \(parallel\)"),
        ({"levelOutput": 33}, r"levelOutput=33 must be a power of two"),
        ({"levelOutput": 8192}, r"adc\.bits: .*less than or equal to 12 \[NeuroSim: levelOutput=8192 -> adc\.bits\]"),
        ({"technode": 23}, r"node_nm=23 is not supported.*\[NeuroSim: technode=23 -> technology\.node_nm\]"),
        ({"memcelltype": 2, "technode": 7}, r"rram.*\[NeuroSim: memcelltype=2 -> cell\.type, technode=7"),
        ({"numRowSubArray": 64, "numRowParallel": 128}, r"numRowParallel=128 -> array\.parallel_rows"),
        ({"resistanceOn": 2e6}, r"\[NeuroSim: resistanceOn=2000000\.0 -> cell\.on_off_ratio\]"),
        ({"transistortype": 2}, r"transistortype=2 is not supported; allowed: 1 \(cmos\)"),
        ({"numColMuxd": 8}, r"unknown NeuroSim parameter\(s\): 'numColMuxd' \(did you mean numColMuxed\?\)"),
    ],
)
def test_bad_values_are_refused_naming_the_neurosim_parameter(params, message):
    with pytest.raises(ParamImportError, match=message):
        config_from_params(params)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"technode": 22, "technode": 7}', "duplicate key 'technode'"),
        ('{"clkFreq": Infinity}', "Infinity is not allowed"),
        ('{"clkFreq": 1e400}', r"clkFreq=inf must be a finite number"),
        ("[1, 2]", "expected an object mapping NeuroSim parameter names"),
        ("", "the file is empty"),
    ],
)
def test_bad_parameter_files_name_the_file(tmp_path, text, message):
    path = tmp_path / "p.json"
    path.write_text(text)
    with pytest.raises(ParamImportError, match=message) as err:
        load_params_json(path)
    assert str(err.value).startswith(str(path))
    with pytest.raises(ParamImportError, match="is a directory"):
        load_params_json(tmp_path)


# What NeuroSim uses for each name, read back from the derived parameters the cost model sees.
_CELLS = {CellType.SRAM: 1, CellType.RRAM: 2, CellType.FEFET: 3}
_ACCESS = {AccessType.CMOS: 1, AccessType.BJT: 2, AccessType.DIODE: 3, AccessType.NONE: 4}
_USED = {
    "operationmode": lambda p: 1 if p.sequential else 2,
    "memcelltype": lambda p: _CELLS[p.chip.cell.type],
    "accesstype": lambda p: _ACCESS[p.chip.cell.access],
    "deviceroadmap": lambda p: 1 if p.chip.technology.roadmap is Roadmap.HP else 2,
    "technode": lambda p: p.chip.technology.node_nm,
    "temp": lambda p: p.chip.technology.temperature_k,
    "globalBusType": lambda p: p.chip.interconnect.global_bus is BusType.HTREE,
    "globalBufferType": lambda p: p.chip.buffers.global_type is BufferType.SRAM,
    "tileBufferType": lambda p: p.chip.buffers.tile_type is BufferType.SRAM,
    "peBufferType": lambda p: p.chip.buffers.pe_type is BufferType.SRAM,
    "chipActivation": lambda p: p.chip.activation.place is ActivationPlace.CHIP,
    "reLu": lambda p: p.chip.activation.function is ActivationFunction.RELU,
    "Activationtype": lambda p: p.chip.activation.sigmoid_lut is CellType.SRAM,
    "novelMapping": lambda p: p.chip.mapping is MappingType.NOVEL,
    "SARADC": lambda p: p.chip.adc.type is AdcType.SAR,
    "currentMode": lambda p: p.chip.adc.sense_mode is SenseMode.CURRENT,
    "pipeline": lambda p: p.chip.pipeline.enabled,
    "speedUpDegree": lambda p: p.chip.pipeline.speedup_degree,
    "validated": lambda p: p.chip.calibration.validated,
    "synchronous": lambda p: p.chip.clock.synchronous,
    "clkFreq": lambda p: p.chip.clock.max_frequency_hz,
    "numRowSubArray": lambda p: p.chip.array.rows,
    "numColSubArray": lambda p: p.chip.array.cols,
    "numColMuxed": lambda p: p.cols_muxed,
    "levelOutput": lambda p: p.chip.adc.levels,
    "cellBit": lambda p: p.cell_bits,
    "resistanceOn": lambda p: p.chip.cell.r_on_ohm,
    "resistanceOff": lambda p: p.chip.cell.r_off_ohm,
    "readPulseWidth": lambda p: p.chip.cell.read_pulse_width_s,
    "accessVoltage": lambda p: p.chip.cell.access_voltage_v,
    "writeVoltage": lambda p: p.chip.cell.write_voltage_v,
    "inputtoggle": lambda p: p.input_toggle,
    "outputtoggle": lambda p: p.output_toggle,
    "algoWeightMax": lambda p: p.chip.precision.weight_max,
    "algoWeightMin": lambda p: p.chip.precision.weight_min,
    "speciallayout": lambda p: p.chip.sizing.special_layout,
    "sync_data_transfer": lambda p: p.chip.interconnect.sync_data_transfer,
    "globalBusDelayTolerance": lambda p: p.chip.interconnect.global_delay_tolerance,
    "localBusDelayTolerance": lambda p: p.chip.interconnect.local_delay_tolerance,
    "treeFoldedRatio": lambda p: p.chip.interconnect.tree_folded_ratio,
    "maxGlobalBusWidth": lambda p: p.chip.interconnect.max_global_bus_width,
    "relaxArrayCellHeight": lambda p: p.chip.array.relax_cell_height,
    "relaxArrayCellWidth": lambda p: p.chip.array.relax_cell_width,
    "heightInFeatureSize1T1R": lambda p: p.cell_height_f,
    "widthInFeatureSize1T1R": lambda p: p.cell_width_f,
    "minSenseVoltage": lambda p: p.chip.cell.min_sense_voltage_v,
    "synapseBit": lambda p: p.chip.precision.weight_bits,
    "numBitInput": lambda p: p.chip.precision.input_bits,
    "numRowParallel": lambda p: p.chip.array.rows_in_parallel,
}


def _neurosim_value(name: str, given: dict) -> object:
    """The value NeuroSim runs with for `name`: the one given, else Param.cpp's, after its own adjustments."""
    value = given.get(name, DEFAULTS[name])
    sram = given.get("memcelltype", 1) == 1
    sequential = given.get("operationmode", 2) == 1
    if name == "cellBit" and sram:
        return 1  # an SRAM cell holds one bit
    if name == "numColMuxed" and sram and sequential:
        return math.ceil(given.get("synapseBit", 8) / 1)  # one synapse's columns share the sense amplifier
    if name == "numRowParallel":
        return 1 if sequential else given.get("numRowParallel", given.get("numRowSubArray", 128))
    if name == "resistanceOff":
        return given.get("resistanceOff", 1.7e6)
    return value


def _check_matches_neurosim(given: dict, derived: Derived) -> None:
    for name, used in _USED.items():
        if name in ("heightInFeatureSize1T1R", "widthInFeatureSize1T1R") and (
            given.get("memcelltype", 1) == 1 or given.get("accesstype", 1) != 1
        ):
            continue  # describes a cell that is not simulated
        expected, got = _neurosim_value(name, given), used(derived)
        if isinstance(expected, float) or isinstance(got, float):
            assert got == pytest.approx(expected, rel=1e-12), name
        else:
            assert got == expected, name


_BAD = ["false", "no", None, [], {}, 22.9, 0.5, True, -1, 0, 3, 10**9, float("inf"), float("nan"), "8"]
_GOOD = {
    "flag": [True, False, 0, 1],
    "int": [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 350, 7, 22, 65, 1.0 * 64],
    "choice": [1, 2, 3, 4],
    "float": [0.05, 0.5, 1, 2.0, 1e-8, 1e5, 1.7e6, 1e9, -1.0],
}


@st.composite
def _mutated(draw) -> dict:
    params = dict(draw(st.sampled_from(sorted(CASES.items())))[1])
    names = sorted(set(params) | set(SPECS))
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(names))
        action = draw(st.sampled_from(["drop", "good", "good", "bad"]))
        if action == "drop":
            params.pop(name, None)
        else:
            params[name] = draw(st.sampled_from(_GOOD[SPECS[name].kind] if action == "good" else _BAD))
    return params


@settings(max_examples=120, deadline=None)
@given(params=_mutated())
def test_mutated_neurosim_files_are_read_as_neurosim_reads_them_or_refused_by_name(params):
    try:
        config = config_from_params(params)
    except ParamImportError as err:
        assert any(name in str(err) for name in params), f"refusal names no given parameter: {err}"
        return
    _check_matches_neurosim(params, derive(config))
