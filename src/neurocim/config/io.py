"""Read and write configurations as YAML or JSON, with errors that name the field and the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from neurocim.config.chip import ChipConfig


class ConfigError(ValueError):
    """A configuration file or value that cannot be used."""


def format_validation_error(err: ValidationError, source: str) -> str:
    """One line per problem: `source: field.path: message (got value)`."""
    lines = []
    for e in err.errors():
        msg = e["msg"].removeprefix("Value error, ")
        if not e["loc"]:  # a whole-file check: its message names the fields itself
            lines.append(f"{source}: {msg}")
            continue
        where = ".".join(str(p) for p in e["loc"])
        got = e.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{source}: {where}: {msg}{shown}")
    return "\n".join(lines)


def read_mapping(path: str | Path) -> dict[str, Any]:
    """Parse a YAML or JSON file into a dictionary."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    text = path.read_text()
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: cannot parse ({err})") from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level, got {type(data).__name__}")
    return data


def chip_config_from(data: dict[str, Any] | ChipConfig, source: str = "config") -> ChipConfig:
    """Validate a chip configuration given as a dictionary (bare, or under a `chip:` key)."""
    if isinstance(data, ChipConfig):
        return data
    section = data.get("chip", data) if isinstance(data, dict) else data
    try:
        return ChipConfig.model_validate(section)
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, source)) from None


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
    path = Path(path)
    text = json.dumps(data, indent=1) if path.suffix.lower() == ".json" else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text)
