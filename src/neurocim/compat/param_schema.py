"""The NeuroSim Param.cpp names neurocim imports: each one's declared kind, allowed values and neurocim field."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from neurocim.errors import InputError, shown


class ParamValueError(InputError):
    """A NeuroSim parameter value of the wrong kind or outside what is allowed (message without the file)."""


@dataclass(frozen=True)
class ParamSpec:
    """One Param.cpp name: how NeuroSim declares it, and the neurocim field (dotted path) it sets."""

    kind: str  # "flag" (bool, or int used as one), "int", "float", "choice"
    path: str
    convert: Callable[[Any], Any] = lambda v: v
    choices: Mapping[int, str] | None = None

    def read(self, name: str, value: Any) -> Any:
        """The neurocim value of `name=value`, or ParamValueError saying what is allowed."""
        read_as = {"flag": _flag, "int": _integer, "float": _number, "choice": _integer}[self.kind]
        parsed: Any = read_as(name, value, self)
        if self.choices is not None:
            if parsed not in self.choices:
                allowed = ", ".join(f"{k} ({v})" for k, v in self.choices.items())
                raise ParamValueError(f"{name}={shown(value)} is not supported; allowed: {allowed} ({self.path})")
            parsed = self.choices[parsed]
        return self.convert(parsed)


def _flag(name: str, value: Any, spec: ParamSpec) -> bool:
    if isinstance(value, bool) or (type(value) is int and value in (0, 1)):
        return bool(value)
    raise ParamValueError(
        f"{name}={shown(value)} is a flag: allowed true, false, 0 or 1 (JSON booleans or integers) ({spec.path})"
    )


def _integer(name: str, value: Any, spec: ParamSpec) -> int:
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value) and value.is_integer():
        return int(value)
    what = "a boolean" if isinstance(value, bool) else "a fraction" if type(value) is float else type(value).__name__
    raise ParamValueError(f"{name}={shown(value)} must be an integer, got {what} ({spec.path})")


def _number(name: str, value: Any, spec: ParamSpec) -> float:
    if type(value) in (int, float) and math.isfinite(value):
        return float(value)
    what = "a boolean" if isinstance(value, bool) else "not finite" if type(value) is float else type(value).__name__
    raise ParamValueError(f"{name}={shown(value)} must be a finite number, got {what} ({spec.path})")


def _levels_to_bits(levels: int) -> int:
    bits = levels.bit_length() - 1
    if levels < 2 or 1 << bits != levels:
        raise ParamValueError(f"levelOutput={levels} must be a power of two >= 2 (ADC levels) (adc.bits)")
    return bits


def _pick(true_value: str, false_value: str) -> Callable[[bool], str]:
    return lambda flag: true_value if flag else false_value


def _spec(kind: str, path: str, convert: Callable[[Any], Any] | None = None, **choices: str) -> ParamSpec:
    table = {int(k.lstrip("_")): v for k, v in choices.items()} or None
    return ParamSpec(kind, path, convert or (lambda v: v), table)


# Param.cpp name -> spec. Kinds follow Param.h (bool / int / double); int flags (relaxArrayCell*, sync_data_transfer,
# speciallayout) accept 0/1 like the bools.
SPECS: dict[str, ParamSpec] = {
    "operationmode": _spec("choice", "array.read_mode", _1="sequential", _2="parallel"),
    "memcelltype": _spec("choice", "cell.type", _1="sram", _2="rram", _3="fefet"),
    "accesstype": _spec("choice", "cell.access", _1="cmos", _2="bjt", _3="diode", _4="none"),
    "deviceroadmap": _spec("choice", "technology.roadmap", _1="hp", _2="lstp"),
    "technode": _spec("int", "technology.node_nm"),
    "temp": _spec("int", "technology.temperature_k"),
    "globalBusType": _spec("flag", "interconnect.global_bus", _pick("htree", "xy_bus")),
    "globalBufferType": _spec("flag", "buffers.global_type", _pick("sram", "register_file")),
    "tileBufferType": _spec("flag", "buffers.tile_type", _pick("sram", "register_file")),
    "peBufferType": _spec("flag", "buffers.pe_type", _pick("sram", "register_file")),
    "globalBufferCoreSizeRow": _spec("int", "buffers.global_core_rows"),
    "globalBufferCoreSizeCol": _spec("int", "buffers.global_core_cols"),
    "tileBufferCoreSizeRow": _spec("int", "buffers.tile_core_rows"),
    "tileBufferCoreSizeCol": _spec("int", "buffers.tile_core_cols"),
    "chipActivation": _spec("flag", "activation.place", _pick("chip", "tile")),
    "reLu": _spec("flag", "activation.function", _pick("relu", "sigmoid")),
    "Activationtype": _spec("flag", "activation.sigmoid_lut", _pick("sram", "rram")),
    "novelMapping": _spec("flag", "mapping", _pick("novel", "conventional")),
    "SARADC": _spec("flag", "adc.type", _pick("sar", "flash")),
    "currentMode": _spec("flag", "adc.sense_mode", _pick("current", "voltage")),
    "pipeline": _spec("flag", "pipeline.enabled"),
    "speedUpDegree": _spec("int", "pipeline.speedup_degree"),
    "validated": _spec("flag", "calibration.validated"),
    "synchronous": _spec("flag", "clock.synchronous"),
    "clkFreq": _spec("float", "clock.max_frequency_hz"),
    "algoWeightMax": _spec("float", "precision.weight_max"),
    "algoWeightMin": _spec("float", "precision.weight_min"),
    "synapseBit": _spec("int", "precision.weight_bits"),
    "numBitInput": _spec("int", "precision.input_bits"),
    "numRowSubArray": _spec("int", "array.rows"),
    "numColSubArray": _spec("int", "array.cols"),
    "numRowParallel": _spec("int", "array.parallel_rows"),
    "numColMuxed": _spec("int", "array.cols_per_adc"),
    "relaxArrayCellHeight": _spec("flag", "array.relax_cell_height"),
    "relaxArrayCellWidth": _spec("flag", "array.relax_cell_width"),
    "levelOutput": _spec("int", "adc.bits", _levels_to_bits),
    "dumcolshared": _spec("int", "adc.dummy_column_shared"),
    "cellBit": _spec("int", "cell.bits_per_cell"),
    "resistanceOn": _spec("float", "cell.r_on_ohm"),
    "resistanceOff": _spec("float", "cell.on_off_ratio"),
    "readVoltage": _spec("float", "cell.read_voltage_v"),
    "readPulseWidth": _spec("float", "cell.read_pulse_width_s"),
    "accessVoltage": _spec("float", "cell.access_voltage_v"),
    "writeVoltage": _spec("float", "cell.write_voltage_v"),
    "minSenseVoltage": _spec("float", "cell.min_sense_voltage_v"),
    "heightInFeatureSizeSRAM": _spec("float", "cell.height_f"),
    "widthInFeatureSizeSRAM": _spec("float", "cell.width_f"),
    "heightInFeatureSize1T1R": _spec("float", "cell.height_f"),
    "widthInFeatureSize1T1R": _spec("float", "cell.width_f"),
    "heightInFeatureSizeCrossbar": _spec("float", "cell.height_f"),
    "widthInFeatureSizeCrossbar": _spec("float", "cell.width_f"),
    "inputtoggle": _spec("float", "interconnect.input_toggle"),
    "outputtoggle": _spec("float", "interconnect.output_toggle"),
    "globalBusDelayTolerance": _spec("float", "interconnect.global_delay_tolerance"),
    "localBusDelayTolerance": _spec("float", "interconnect.local_delay_tolerance"),
    "treeFoldedRatio": _spec("float", "interconnect.tree_folded_ratio"),
    "maxGlobalBusWidth": _spec("int", "interconnect.max_global_bus_width"),
    "sync_data_transfer": _spec("flag", "interconnect.sync_data_transfer"),
    "speciallayout": _spec("flag", "sizing.special_layout"),
    "sizingfactor_MUX": _spec("float", "sizing.mux_driver_factor"),
    "sizingfactor_WLdecoder": _spec("float", "sizing.wl_decoder_factor"),
    "switchmatrixsizeratio": _spec("float", "sizing.switch_matrix_ratio"),
    "newswitchmatrixsizeratio": _spec("float", "sizing.new_switch_matrix_ratio"),
    "buffernumber": _spec("int", "sizing.wl_repeaters"),
    "buffersizeratio": _spec("float", "sizing.wl_repeater_size"),
    "transistortype": _spec("choice", "technology (conventional CMOS only)", _1="cmos"),
}

# Values NeuroSim's Param.cpp starts from that neurocim's own defaults do not give by themselves.
DEFAULT_RESISTANCE_ON_OHM = 100e3
DEFAULT_RESISTANCE_OFF_OHM = 1.7e6  # a fixed value, not 17 x resistanceOn: changing only resistanceOn moves the ratio
# Footprint names per cell: only the ones of the cell in use apply (the others describe cells not simulated).
FOOTPRINTS = {
    "sram": ("heightInFeatureSizeSRAM", "widthInFeatureSizeSRAM"),
    "cmos": ("heightInFeatureSize1T1R", "widthInFeatureSize1T1R"),
    "none": ("heightInFeatureSizeCrossbar", "widthInFeatureSizeCrossbar"),
}
