"""Import NeuroSim `Param.cpp` settings (its variable names and command-line values) as a ChipConfig, strictly."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from neurocim.compat.param_schema import (
    DEFAULT_RESISTANCE_OFF_OHM,
    DEFAULT_RESISTANCE_ON_OHM,
    FOOTPRINTS,
    SPECS,
    ParamValueError,
)
from neurocim.config.chip import ChipConfig
from neurocim.config.io import ConfigError
from neurocim.config.parse import ParseError, parse_settings, read_text
from neurocim.errors import shown

_NOT_FIELDS = {"resistanceOff", "transistortype", *(n for pair in FOOTPRINTS.values() for n in pair)}


class ParamImportError(ConfigError):
    """A NeuroSim parameter set that cannot be expressed as a neurocim configuration."""


def _set(tree: dict, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        tree = tree.setdefault(key, {})
    tree[leaf] = value


def _unknown(names: list[str]) -> str:
    hints = []
    for name in names:
        close = difflib.get_close_matches(name, SPECS, n=1)
        hints.append(f"{shown(name)}" + (f" (did you mean {close[0]}?)" if close else ""))
    return f"unknown NeuroSim parameter(s): {', '.join(hints)}; known: {', '.join(sorted(SPECS))}"


def read_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Each given NeuroSim name read by its declared kind: name -> neurocim value (refusals name the parameter)."""
    if not isinstance(params, Mapping):
        raise ParamImportError(f"expected an object mapping NeuroSim parameter names to values, got {shown(params)}")
    unknown = [name for name in params if name not in SPECS]
    if unknown:
        raise ParamImportError(_unknown(unknown))
    values, problems = {}, []
    for name, value in params.items():
        try:
            values[name] = SPECS[name].read(name, value)
        except ParamValueError as err:
            problems.append(str(err))
    if problems:
        raise ParamImportError("; ".join(problems))
    return values


def config_dict_from_params(params: Mapping[str, Any]) -> dict:
    """Translate NeuroSim parameter names to a ChipConfig dictionary (not yet validated)."""
    values = read_params(params)
    tree: dict = {}
    for name, value in values.items():
        if name not in _NOT_FIELDS:
            _set(tree, SPECS[name].path, value)
    if "resistanceOn" in values or "resistanceOff" in values:
        r_on = values.get("resistanceOn", DEFAULT_RESISTANCE_ON_OHM)
        r_off = values.get("resistanceOff", DEFAULT_RESISTANCE_OFF_OHM)
        if r_on <= 0 or r_off <= 0:
            raise ParamImportError(
                f"resistanceOn={r_on} and resistanceOff={r_off} must both be positive (cell.r_on_ohm, "
                "cell.on_off_ratio = resistanceOff / resistanceOn)"
            )
        _set(tree, "cell.on_off_ratio", r_off / r_on)
    _set_footprint(values, tree)
    cell = tree.get("cell", {})
    if cell.get("type", "sram") == "sram":
        cell.pop("bits_per_cell", None)  # NeuroSim stores one bit per SRAM cell whatever cellBit says
    if values.get("operationmode") == "sequential":
        tree.get("array", {}).pop("parallel_rows", None)  # sequential reads one row at a time
    return tree


def _set_footprint(values: Mapping[str, Any], tree: dict) -> None:
    """The footprint names of the cell in use set cell.height_f / width_f; the other cells' names are unused."""
    cell = tree.get("cell", {})
    key = "sram" if cell.get("type", "sram") == "sram" else cell.get("access", "cmos")
    height, width = FOOTPRINTS.get(key, (None, None))
    if height is not None and height in values:
        _set(tree, "cell.height_f", values[height])
    if width is not None and width in values:
        _set(tree, "cell.width_f", values[width])


def _sources(params: Mapping[str, Any]) -> dict[str, list[str]]:
    """neurocim field path -> the given NeuroSim names that set it."""
    out: dict[str, list[str]] = {}
    for name in params:
        if name in SPECS:
            out.setdefault(SPECS[name].path, []).append(name)
    if "resistanceOn" in params or "resistanceOff" in params:
        out["cell.on_off_ratio"] = [n for n in ("resistanceOff", "resistanceOn") if n in params]
    return out


def _explain(message: str, params: Mapping[str, Any]) -> str:
    """A neurocim validation message with the NeuroSim parameters behind each field it names."""
    sources = _sources(params)
    named = []
    for path, names in sources.items():
        if re.search(rf"(?<![\w.]){re.escape(path)}(?![\w])", message):
            named += [f"{n}={shown(params[n])} -> {path}" for n in names]
    return f"{message} [NeuroSim: {', '.join(named)}]" if named else message


def config_from_params(params: Mapping[str, Any]) -> ChipConfig:
    """Build a validated ChipConfig from NeuroSim parameter names and values.

    Every name is read by its declared kind (compat/param_schema.py): flags take true/false/0/1, integers refuse
    fractions and booleans. Names left out get the value NeuroSim's Param.cpp gives them, and every refusal names
    the NeuroSim parameter, its value, what is allowed and the neurocim field it maps to. The chip reproduces
    NeuroSim V1.4's quirks (compat neurosim_v14), as a file written for the original expects."""
    return validated_config({**config_dict_from_params(params), "compat": "neurosim_v14"}, params)


def validated_config(tree: Mapping[str, Any], params: Mapping[str, Any]) -> ChipConfig:
    """`tree` validated as a ChipConfig; a refusal is explained in the NeuroSim names of `params`."""
    try:
        return ChipConfig.model_validate(tree)
    except ValidationError as err:
        lines = []
        for e in err.errors():
            path = ".".join(str(p) for p in e["loc"])
            msg = e["msg"].removeprefix("Value error, ")
            lines.append(_explain(f"{path}: {msg}" if path and path not in msg else msg, params))
        raise ParamImportError("\n".join(lines)) from None


def load_params_json(path: str | Path) -> ChipConfig:
    """Read a JSON file of NeuroSim parameters (as `param_cpp_values` / params.json) into a ChipConfig."""
    path = Path(path)
    try:
        data = parse_settings(read_text(path, "NeuroSim parameter file"), str(path), as_json=True)
    except ParseError as err:
        raise ParamImportError(str(err)) from None
    if isinstance(data, dict) and "param_cpp_values" in data:
        data = data["param_cpp_values"]
    if not isinstance(data, dict):
        raise ParamImportError(f"{path}: expected an object mapping NeuroSim parameter names to values")
    try:
        return config_from_params(data)
    except ParamImportError as err:
        raise ParamImportError(f"{path}: {err}") from None
