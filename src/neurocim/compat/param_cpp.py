"""Import NeuroSim `Param.cpp` settings (its variable names and command-line values) as a ChipConfig."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from neurocim.config.chip import ChipConfig


class ParamImportError(ValueError):
    """A NeuroSim parameter set that cannot be expressed as a neurocim configuration."""


def _choice(name: str, options: Mapping[Any, str]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in options:
            allowed = ", ".join(f"{k} ({v})" for k, v in options.items())
            raise ParamImportError(f"{name}={value!r} is not supported; allowed: {allowed}")
        return options[value]

    return convert


def _flag(true_value: str, false_value: str) -> Callable[[Any], str]:
    return lambda value: true_value if bool(value) else false_value


def _levels_to_bits(value: Any) -> int:
    levels = int(value)
    bits = round(math.log2(levels)) if levels > 0 else -1
    if levels < 2 or 2**bits != levels:
        raise ParamImportError(f"levelOutput={value!r} must be a power of two >= 2 (ADC levels)")
    return bits


# NeuroSim name -> (config path, converter). Paths are dotted into ChipConfig.
_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "operationmode": ("array.read_mode", _choice("operationmode", {1: "sequential", 2: "parallel"})),
    "memcelltype": ("cell.type", _choice("memcelltype", {1: "sram", 2: "rram", 3: "fefet"})),
    "accesstype": ("cell.access", _choice("accesstype", {1: "cmos", 2: "bjt", 3: "diode", 4: "none"})),
    "deviceroadmap": ("technology.roadmap", _choice("deviceroadmap", {1: "hp", 2: "lstp"})),
    "technode": ("technology.node_nm", int),
    "temp": ("technology.temperature_k", int),
    "globalBusType": ("interconnect.global_bus", _flag("htree", "xy_bus")),
    "globalBufferType": ("buffers.global_type", _flag("sram", "register_file")),
    "tileBufferType": ("buffers.tile_type", _flag("sram", "register_file")),
    "peBufferType": ("buffers.pe_type", _flag("sram", "register_file")),
    "globalBufferCoreSizeRow": ("buffers.global_core_rows", int),
    "globalBufferCoreSizeCol": ("buffers.global_core_cols", int),
    "tileBufferCoreSizeRow": ("buffers.tile_core_rows", int),
    "tileBufferCoreSizeCol": ("buffers.tile_core_cols", int),
    "chipActivation": ("activation.place", _flag("chip", "tile")),
    "reLu": ("activation.function", _flag("relu", "sigmoid")),
    "Activationtype": ("activation.sigmoid_lut", _flag("sram", "rram")),
    "novelMapping": ("mapping", _flag("novel", "conventional")),
    "SARADC": ("adc.type", _flag("sar", "flash")),
    "currentMode": ("adc.sense_mode", _flag("current", "voltage")),
    "pipeline": ("pipeline.enabled", bool),
    "speedUpDegree": ("pipeline.speedup_degree", int),
    "validated": ("calibration.validated", bool),
    "synchronous": ("clock.synchronous", bool),
    "clkFreq": ("clock.max_frequency_hz", float),
    "algoWeightMax": ("precision.weight_max", float),
    "algoWeightMin": ("precision.weight_min", float),
    "synapseBit": ("precision.weight_bits", int),
    "numBitInput": ("precision.input_bits", int),
    "numRowSubArray": ("array.rows", int),
    "numColSubArray": ("array.cols", int),
    "numColMuxed": ("array.cols_per_adc", int),
    "relaxArrayCellHeight": ("array.relax_cell_height", bool),
    "relaxArrayCellWidth": ("array.relax_cell_width", bool),
    "levelOutput": ("adc.bits", _levels_to_bits),
    "dumcolshared": ("adc.dummy_column_shared", int),
    "cellBit": ("cell.bits_per_cell", int),
    "resistanceOn": ("cell.r_on_ohm", float),
    "readVoltage": ("cell.read_voltage_v", float),
    "readPulseWidth": ("cell.read_pulse_width_s", float),
    "accessVoltage": ("cell.access_voltage_v", float),
    "writeVoltage": ("cell.write_voltage_v", float),
    "minSenseVoltage": ("cell.min_sense_voltage_v", float),
    "inputtoggle": ("interconnect.input_toggle", float),
    "outputtoggle": ("interconnect.output_toggle", float),
    "globalBusDelayTolerance": ("interconnect.global_delay_tolerance", float),
    "localBusDelayTolerance": ("interconnect.local_delay_tolerance", float),
    "treeFoldedRatio": ("interconnect.tree_folded_ratio", float),
    "maxGlobalBusWidth": ("interconnect.max_global_bus_width", int),
    "sync_data_transfer": ("interconnect.sync_data_transfer", bool),
    "speciallayout": ("sizing.special_layout", bool),
    "sizingfactor_MUX": ("sizing.mux_driver_factor", float),
    "sizingfactor_WLdecoder": ("sizing.wl_decoder_factor", float),
    "switchmatrixsizeratio": ("sizing.switch_matrix_ratio", float),
    "newswitchmatrixsizeratio": ("sizing.new_switch_matrix_ratio", float),
    "buffernumber": ("sizing.wl_repeaters", int),
    "buffersizeratio": ("sizing.wl_repeater_size", float),
}
# Cell footprints: applied only to the cell type they describe.
_FOOTPRINTS = {
    "sram": ("heightInFeatureSizeSRAM", "widthInFeatureSizeSRAM"),
    "cmos": ("heightInFeatureSize1T1R", "widthInFeatureSize1T1R"),
    "none": ("heightInFeatureSizeCrossbar", "widthInFeatureSizeCrossbar"),
}
_HANDLED = {"resistanceOff", "numRowParallel", "transistortype", *(n for pair in _FOOTPRINTS.values() for n in pair)}


def _set(tree: dict, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        tree = tree.setdefault(key, {})
    tree[leaf] = value


def config_dict_from_params(params: Mapping[str, Any]) -> dict:
    """Translate NeuroSim parameter names to a ChipConfig dictionary (not yet validated)."""
    unknown = sorted(set(params) - set(_FIELDS) - _HANDLED)
    if unknown:
        raise ParamImportError(f"unknown NeuroSim parameter(s): {', '.join(unknown)}")
    if params.get("transistortype", 1) != 1:
        raise ParamImportError(f"transistortype={params['transistortype']!r} is not supported; allowed: 1 (CMOS)")
    tree: dict = {}
    for name, value in params.items():
        if name in _FIELDS:
            path, convert = _FIELDS[name]
            _set(tree, path, convert(value))
    _set_resistances(params, tree)
    _set_footprint(params, tree)
    if tree.get("array", {}).get("read_mode", "parallel") == "parallel" and "numRowParallel" in params:
        _set(tree, "array.parallel_rows", int(params["numRowParallel"]))
    if tree.get("cell", {}).get("type", "sram") == "sram":
        tree["cell"].pop("bits_per_cell", None)  # NeuroSim forces one bit per SRAM cell
    return tree


def _set_resistances(params: Mapping[str, Any], tree: dict) -> None:
    if "resistanceOff" not in params:
        return
    r_on = float(params.get("resistanceOn", 100e3))
    r_off = float(params["resistanceOff"])
    if r_on <= 0 or r_off <= 0:
        raise ParamImportError(f"resistanceOn={r_on} and resistanceOff={r_off} must both be positive")
    _set(tree, "cell.on_off_ratio", r_off / r_on)


def _set_footprint(params: Mapping[str, Any], tree: dict) -> None:
    cell = tree.get("cell", {})
    key = "sram" if cell.get("type", "sram") == "sram" else cell.get("access", "cmos")
    if key not in _FOOTPRINTS:
        return
    h_name, w_name = _FOOTPRINTS[key]
    if h_name in params:
        _set(tree, "cell.height_f", float(params[h_name]))
    if w_name in params:
        _set(tree, "cell.width_f", float(params[w_name]))


def config_from_params(params: Mapping[str, Any]) -> ChipConfig:
    """Build a validated ChipConfig from NeuroSim parameter names and values; it reproduces NeuroSim V1.4's quirks
    (compat neurosim_v14), as a file written for the original expects."""
    return ChipConfig.model_validate({**config_dict_from_params(params), "compat": "neurosim_v14"})


def load_params_json(path: str | Path) -> ChipConfig:
    """Read a JSON file of NeuroSim parameters (as `param_cpp_values` / params.json) into a ChipConfig."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"NeuroSim parameter file not found: {path}")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ParamImportError(f"{path}: not valid JSON ({err})") from err
    if isinstance(data, dict) and "param_cpp_values" in data:
        data = data["param_cpp_values"]
    if not isinstance(data, dict):
        raise ParamImportError(f"{path}: expected an object mapping NeuroSim parameter names to values")
    return config_from_params(data)
