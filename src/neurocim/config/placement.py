"""Where a setting lives: find keys written in the wrong section of a run file and name their one home."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

# Names people bring from NeuroSim or other tools for hardware values that live once in the chip section.
CHIP_ALIASES: dict[str, str] = {
    "adc_bits": "adc.bits",
    "adc_precision": "adc.bits",
    "adc_levels": "adc.bits",
    "levels": "adc.bits",
    "cell_bits": "cell.bits_per_cell",
    "cellbit": "cell.bits_per_cell",
    "weight_bits": "precision.weight_bits",
    "synapse_bits": "precision.weight_bits",
    "input_bits": "precision.input_bits",
    "activation_bits": "precision.input_bits",
    "sub_array_rows": "array.rows",
    "subarray_rows": "array.rows",
    "rows": "array.rows",
    "parallel_rows": "array.parallel_rows",
    "on_off_ratio": "cell.on_off_ratio",
    "onoffratio": "cell.on_off_ratio",
}
_KIND = {"chip": "a hardware setting", "accuracy": "an accuracy-model setting"}
_GENERIC_LEAVES = {"bits", "type", "enabled", "calibration", "percentile"}  # too common to guess a home from


def _submodel(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    ann = model.model_fields[key].annotation
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def field_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted paths of every leaf setting of a config model (sections are walked, not listed)."""
    out = []
    for key in model.model_fields:
        sub = _submodel(model, key)
        out.extend(field_paths(sub, f"{prefix}{key}.") if sub else [f"{prefix}{key}"])
    return out


def _home(path: str, leaf: str, paths: list[str], aliases: Mapping[str, str]) -> str | None:
    """The one path in the other section this key means, or None when that cannot be told."""
    if path in paths:
        return path
    if leaf in aliases:
        return aliases[leaf]
    same_leaf = [p for p in paths if p.rsplit(".", 1)[-1] == leaf]
    return same_leaf[0] if len(same_leaf) == 1 and leaf not in _GENERIC_LEAVES else None


def misplaced(
    data: Mapping[str, Any],
    model: type[BaseModel],
    section: str,
    other: type[BaseModel],
    other_section: str,
    aliases: Mapping[str, str] | None = None,
    prefix: str = "",
) -> list[str]:
    """Messages for keys of `data` (validated as `model`) that are settings of `other` instead."""
    paths, aliases = field_paths(other), aliases or {}
    problems = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key in model.model_fields:
            sub = _submodel(model, key)
            if sub is not None and isinstance(value, Mapping):
                problems += misplaced(value, sub, section, other, other_section, aliases, f"{path}.")
            continue
        home = _home(path, str(key), paths, aliases)
        if home is not None:
            problems.append(
                f"{section}.{path} is {_KIND.get(other_section, 'a ' + other_section + ' setting')}: "
                f"it is set once, as {other_section}.{home}; remove it from {section}"
            )
    return problems


def misplaced_sections(data: Mapping[str, Any], sections: Mapping[str, type[BaseModel]]) -> list[str]:
    """Messages for top-level keys that are not sections but settings of one (e.g. `adc:` for `chip.adc`)."""
    problems = []
    for key in data:
        if key in sections:
            continue
        homes = [f"{name}.{key}" for name, model in sections.items() if key in model.model_fields]
        if homes:
            problems.append(
                f"'{key}' is not a top-level section (allowed: {', '.join(sections)}); "
                f"did you mean {' or '.join(homes)}?"
            )
    return problems
