"""Read and write configurations as YAML or JSON, with errors that name the field and the file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from neurocim.config.chip import ChipConfig
from neurocim.config.parse import ParseError, parse_settings, read_text
from neurocim.config.strict import boolean_numbers, non_finite, non_finite_besides, only_paths
from neurocim.errors import InputError, clipped, shown

Model = TypeVar("Model", bound=BaseModel)


class ConfigError(InputError):
    """A configuration file or value that cannot be used."""


def format_validation_error(err: ValidationError, source: str) -> str:
    """One line per problem: `source: field.path: message (got value)`."""
    lines = []
    for e in err.errors():
        msg = e["msg"].removeprefix("Value error, ")
        if not e["loc"]:  # a whole-file check: its message names the fields itself
            lines.append(f"{source}: {msg}")
            continue
        where = clipped(".".join(str(p) for p in e["loc"]))
        got = e.get("input")
        echo = "" if isinstance(got, dict) else f" (got {shown(got)})"
        lines.append(f"{source}: {where}: {msg}{echo}")
    return "\n".join(lines)


def validate_strictly(model: type[Model], data: Any, source: str, prefix: str = "") -> Model:
    """model.model_validate(data), refusing booleans for numbers and non-finite values; errors name the fields.

    `prefix` is the dotted path of `data` in its file (e.g. "chip." for the chip section of a run file).
    """
    return _validate(model, data, source, prefix, data, None)


def validate_changed(
    model: type[Model], data: Any, source: str, base: Model, changed: Iterable[str], prefix: str = ""
) -> Model:
    """validate_strictly(model, data, source, prefix) for `data` that is the dump of `base` (a model validate_strictly
    accepted) with the values at the dotted paths `changed` replaced: the same model, or the same error, with the
    checks for booleans and non-finite values made only where data and base differ (a sweep's points)."""
    paths = [path.split(".") for path in changed]
    return _validate(model, data, source, prefix, only_paths(data, paths), base)


def _validate(model: type[Model], data: Any, source: str, prefix: str, checked: Any, base: Model | None) -> Model:
    """model.model_validate(data) with the strict checks: booleans for numbers looked for in `checked` (data, or the
    part of it that differs from a model's dump), non-finite values in the parts of the model not equal to `base`."""
    problems = boolean_numbers(checked, model, prefix)
    if problems:
        raise ConfigError("\n".join(f"{source}: {p}" for p in problems))
    try:
        validated = model.model_validate(data)
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, source)) from None
    where = prefix.rstrip(".")
    problems = non_finite(validated, where) if base is None else non_finite_besides(validated, base, where)
    if problems:
        raise ConfigError("\n".join(f"{source}: {p}" for p in problems))
    return validated


def read_mapping(path: str | Path) -> dict[str, Any]:
    """Parse a YAML or JSON file into a dictionary."""
    path = Path(path)
    try:
        data = parse_settings(read_text(path), str(path), as_json=path.suffix.lower() == ".json")
    except ParseError as err:
        raise ConfigError(str(err)) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level, got {type(data).__name__}")
    return data


def chip_config_from(data: dict[str, Any] | ChipConfig, source: str = "config") -> ChipConfig:
    """Validate a chip configuration given as a dictionary (bare, or under a `chip:` key)."""
    if isinstance(data, ChipConfig):
        return data
    section = data.get("chip", data) if isinstance(data, dict) else data
    return validate_strictly(ChipConfig, section, source)


def load_chip_config(path_or_data: str | Path | dict[str, Any] | ChipConfig) -> ChipConfig:
    """A ChipConfig from a YAML/JSON path, a dictionary or an existing ChipConfig."""
    if isinstance(path_or_data, dict | ChipConfig):
        return chip_config_from(path_or_data)
    return chip_config_from(read_mapping(path_or_data), str(path_or_data))


def dump_chip_config(config: ChipConfig, path: str | Path) -> None:
    """Write a ChipConfig as YAML (or JSON for a .json path); round-trips through load_chip_config."""
    dump_config(config, path)


def dump_config(config: BaseModel, path: str | Path) -> None:
    """Write any configuration model as YAML (or JSON for a .json path)."""
    data = config.model_dump(mode="json")
    from neurocim.report.outputs import write_text_atomic

    path = Path(path)
    text = json.dumps(data, indent=1) if path.suffix.lower() == ".json" else yaml.safe_dump(data, sort_keys=False)
    write_text_atomic(path, text, "configuration file")
