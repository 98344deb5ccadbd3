"""Import the training settings of NeuroSim V2.1's `Param.cpp` (its names) as `chip.training`, strictly."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from neurocim.compat.param_cpp import ParamImportError
from neurocim.config.chip import ChipConfig
from neurocim.config.parse import ParseError, parse_settings, read_text
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.errors import shown

# V2.1 name -> (path in chip.training, how the value converts)
_FIELDS: dict[str, tuple[str, str]] = {
    "trainingEstimation": ("enabled", "flag"),
    "batchSize": ("batch_size", "int"),
    "numIteration": ("iterations_per_epoch", "int"),
    "parallelBP": ("backprop.parallel", "flag"),
    "numRowMuxedAG": ("backprop.rows_per_adc", "int"),
    "levelOutputAG": ("backprop.adc_levels", "int"),
    "numRowSubArrayWG": ("weight_gradient.rows", "int"),
    "numColSubArrayWG": ("weight_gradient.cols", "int"),
    "numRowMuxedWG": ("weight_gradient.rows_per_adc", "int"),
    "levelOutputWG": ("weight_gradient.adc_levels", "int"),
    "bufferOverHeadConstraint": ("weight_gradient.buffer_overhead_limit", "float"),
    "writePulseWidth": ("write.pulse_width_s", "float"),
    "maxNumLevelLTP": ("write.levels_ltp", "int"),
    "maxNumLevelLTD": ("write.levels_ltd", "int"),
    "polarization": ("write.fefet_polarization_c_per_m2", "uc_per_cm2"),
    "gateCapFeFET": ("write.fefet_gate_cap_f", "float"),
    "dramType": ("dram.type", "dram"),
}
_DRAM = {1: "gddr5", 2: "hbm2"}
TRAINING_PARAMS = frozenset(_FIELDS)


def _convert(name: str, value: Any, kind: str) -> Any:
    """One V2.1 value as neurocim takes it; refusals name the parameter, the value and what is allowed."""
    if kind == "flag":
        if value in (True, False, 0, 1) and not isinstance(value, float):
            return bool(value)
        raise ParamImportError(f"{name}={shown(value)}: allowed true/false (or 1/0)")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParamImportError(f"{name}={shown(value)}: allowed a number")
    if kind == "int":
        if float(value) != int(value):
            raise ParamImportError(f"{name}={shown(value)}: allowed a whole number")
        return int(value)
    if kind == "dram":
        if value not in _DRAM:
            raise ParamImportError(f"{name}={shown(value)}: allowed 1 (GDDR5) or 2 (HBM2)")
        return _DRAM[int(value)]
    if kind == "uc_per_cm2":
        return float(value) * 0.01  # uC/cm^2 -> C/m^2
    return float(value)


def training_from_v21_params(params: Mapping[str, Any]) -> TrainingHardwareConfig:
    """`chip.training` from NeuroSim V2.1 parameter names (others are ignored here: they belong to the chip); names
    left out keep neurocim's defaults, which are V2.1's shipped values."""
    tree: dict[str, Any] = {}
    problems = []
    for name, (path, kind) in _FIELDS.items():
        if name not in params:
            continue
        try:
            value = _convert(name, params[name], kind)
        except ParamImportError as err:
            problems.append(str(err))
            continue
        node = tree
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    if problems:
        raise ParamImportError("; ".join(problems))
    try:
        return TrainingHardwareConfig.model_validate(tree)
    except ValidationError as err:
        by_path = {path: name for name, (path, _) in _FIELDS.items()}
        lines = []
        for e in err.errors():
            path = ".".join(str(p) for p in e["loc"])
            name = by_path.get(path, path)
            lines.append(f"{name} (chip.training.{path}): {e['msg'].removeprefix('Value error, ')}")
        raise ParamImportError("\n".join(lines)) from None


def load_v21_params_json(path: str | Path) -> ChipConfig:
    """A NeuroSim V2.1 parameter JSON (Param.cpp names and the command-line values, as the reference cases'
    params.json) as a ChipConfig: the chip (compat neurosim_v21) and its training settings."""
    from neurocim.compat.param_cpp_v21 import chip_from_v21_params

    path = Path(path)
    try:
        data = parse_settings(read_text(path, "NeuroSim parameter file"), str(path), as_json=True)
    except ParseError as err:
        raise ParamImportError(str(err)) from None
    if not isinstance(data, dict):
        raise ParamImportError(f"{path}: expected an object of NeuroSim parameter names and values")
    chip = chip_from_v21_params(data)
    return chip.model_copy(update={"training": training_from_v21_params(data)})
