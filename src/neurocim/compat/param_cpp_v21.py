"""Import NeuroSim V2.1 `Param.cpp` settings of its inference core as a ChipConfig (compat neurosim_v21), strictly."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

from neurocim.compat.param_cpp import ParamImportError, config_dict_from_params, validated_config
from neurocim.compat.v21_defaults import (
    V21_ACCESS_RESISTANCE_OHM,
    V21_DEFAULTS,
    V21_SRAM_TRANSISTOR_WIDTHS,
    V21_WIRE_WIDTH_NM,
)
from neurocim.config.chip import ChipConfig
from neurocim.errors import shown
from neurocim.tech.technology import V21_NODES_NM

# Param.cpp names both cores share (read as the V1.4 importer reads them).
SHARED_NAMES = frozenset(
    {
        "operationmode", "memcelltype", "accesstype", "transistortype", "deviceroadmap", "globalBufferType",
        "globalBufferCoreSizeRow", "globalBufferCoreSizeCol", "tileBufferType", "tileBufferCoreSizeRow",
        "tileBufferCoreSizeCol", "peBufferType", "chipActivation", "reLu", "novelMapping", "SARADC", "currentMode",
        "pipeline", "speedUpDegree", "algoWeightMax", "algoWeightMin", "clkFreq", "temp", "technode",
        "globalBusDelayTolerance", "localBusDelayTolerance", "treeFoldedRatio", "maxGlobalBusWidth",
        "numRowSubArray", "numColSubArray", "relaxArrayCellHeight", "relaxArrayCellWidth", "numColMuxed",
        "levelOutput", "cellBit", "heightInFeatureSizeSRAM", "widthInFeatureSizeSRAM", "heightInFeatureSize1T1R",
        "widthInFeatureSize1T1R", "heightInFeatureSizeCrossbar", "widthInFeatureSizeCrossbar", "minSenseVoltage",
        "resistanceOn", "resistanceOff", "readVoltage", "readPulseWidth", "accessVoltage", "writeVoltage",
        "synapseBit", "numBitInput",
    }
)  # fmt: skip
# V2.1 names of the inference core that only fix what compat neurosim_v21 derives: checked, not stored.
CHECKED_NAMES = frozenset(
    {
        "featuresize", "wireWidth", "widthSRAMCellNMOS", "widthSRAMCellPMOS", "widthAccessCMOS", "maxConductance",
        "minConductance", "resistanceAccess", "nonlinearIV", "nonlinearity",
    }
)  # fmt: skip
# Names of the training estimate and of the command line: read by the training importer, not here.
TRAINING_NAMES = frozenset(
    {
        "trainingEstimation", "parallelBP", "batchSize", "numIteration", "bufferOverHeadConstraint",
        "numRowSubArrayWG", "numColSubArrayWG", "numRowMuxedAG", "levelOutputAG", "numRowMuxedWG", "levelOutputWG",
        "dramType", "writePulseWidth", "gateCapFeFET", "polarization", "maxNumLevelLTP", "maxNumLevelLTD", "epoch",
        "layer_activity", "layer_activity_str",
    }
)  # fmt: skip
KNOWN_NAMES = SHARED_NAMES | CHECKED_NAMES | TRAINING_NAMES


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def _number(params: Mapping[str, Any], name: str) -> float:
    value = params[name]
    if type(value) not in (int, float) or not math.isfinite(value):
        raise ParamImportError(f"{name}={shown(value)} must be a finite number")
    return float(value)


def _check_fixed(params: Mapping[str, Any]) -> list[str]:
    """What the checked names must agree with: the node's V2.1 wire width, the resistances, V2.1's fixed values."""
    problems = []
    node = params["technode"]
    if node not in V21_NODES_NM:
        allowed = ", ".join(str(n) for n in V21_NODES_NM)
        return [
            f"technode={shown(node)} has no NeuroSim V2.1 transistor data; allowed: {allowed}"
        ]
    wire_nm = V21_WIRE_WIDTH_NM[node]
    if not _close(_number(params, "wireWidth"), wire_nm):
        problems.append(f"wireWidth={shown(params['wireWidth'])} does not match technode={node}: allowed {wire_nm}")
    if not _close(_number(params, "featuresize"), wire_nm * 1e-9):
        problems.append(
            f"featuresize={shown(params['featuresize'])} does not match technode={node}: allowed {wire_nm * 1e-9:g} "
            "(the node's wire width in m)"
        )
    expected = {
        "maxConductance": 1.0 / _number(params, "resistanceOn"),
        "minConductance": 1.0 / _number(params, "resistanceOff"),
        "resistanceAccess": V21_ACCESS_RESISTANCE_OHM,
        **V21_SRAM_TRANSISTOR_WIDTHS,
    }
    for name, want in expected.items():
        if not _close(_number(params, name), want):
            problems.append(f"{name}={shown(params[name])} is not supported; allowed: {want:g}")
    if params["nonlinearIV"] not in (False, 0):
        value = shown(params["nonlinearIV"])
        problems.append(f"nonlinearIV={value} is not supported (cross-point I-V nonlinearity); allowed: false")
    if _number(params, "nonlinearity") <= 0:
        problems.append(f"nonlinearity={shown(params['nonlinearity'])} must be positive")
    return problems


def _clip_cell_bits(params: dict[str, Any]) -> None:
    """V2.1 prints an error for cellBit > synapseBit and goes on with cellBit = synapseBit; so does this import."""
    cell, synapse = params.get("cellBit"), params.get("synapseBit")
    if type(cell) is int and type(synapse) is int and cell > synapse:
        warnings.warn(
            f"cellBit={cell} exceeds synapseBit={synapse}; NeuroSim V2.1 goes on with cellBit={synapse}, and so does "
            "this import",
            stacklevel=3,
        )
        params["cellBit"] = synapse


def v21_config_dict(params: Mapping[str, Any]) -> dict:
    """The ChipConfig dictionary (not yet validated) of V2.1 parameter names; missing names take V2.1's defaults."""
    if not isinstance(params, Mapping):
        raise ParamImportError(f"expected an object mapping NeuroSim parameter names to values, got {shown(params)}")
    unknown = sorted(name for name in params if name not in KNOWN_NAMES)
    if unknown:
        raise ParamImportError(
            f"unknown NeuroSim V2.1 parameter(s): {', '.join(shown(n) for n in unknown)}; known: "
            f"{', '.join(sorted(KNOWN_NAMES))}"
        )
    merged = {**V21_DEFAULTS, **params}
    if merged.get("pipeline") not in (False, 0):
        raise ParamImportError(
            f"pipeline={shown(merged['pipeline'])} is not supported: NeuroSim V2.1 crashes in pipeline mode (it reads "
            "each layer's latencies before storing them), so it has no numbers to reproduce; allowed: false"
        )
    problems = _check_fixed(merged)
    if problems:
        raise ParamImportError("; ".join(problems))
    _clip_cell_bits(merged)
    tree = config_dict_from_params({k: v for k, v in merged.items() if k in SHARED_NAMES})
    tree["compat"] = "neurosim_v21"
    tree["calibration"] = {"validated": False}  # V2.1 has no silicon calibration factors
    tree["clock"] = {**tree.get("clock", {}), "synchronous": False}  # its latencies are in seconds, not cycles
    tree["interconnect"] = {**tree.get("interconnect", {}), "global_bus": "htree"}  # its only global bus
    # its 1T1R WL switch matrix has minimum-width transmission gates (no V1.4 width tuning)
    tree["sizing"] = {**tree.get("sizing", {}), "new_switch_matrix_ratio": 1.0}
    return tree


def chip_from_v21_params(params: Mapping[str, Any]) -> ChipConfig:
    """A validated ChipConfig (compat neurosim_v21) from NeuroSim V2.1 `Param.cpp` names and command-line values.

    Names left out take the shipped V2.1 `Param.cpp` values. The training names (trainingEstimation, batchSize,
    dramType, ...) are accepted and left to the training importer; the names V2.1 adds to its inference core
    (featuresize, wireWidth, SRAM transistor widths, conductances, access resistance) must agree with what compat
    neurosim_v21 derives from the node and the resistances. Every refusal names the parameter, its value and what is
    allowed."""
    return validated_config(v21_config_dict(params), params)
