"""The swept space: one discrete dimension per field path, and points laid over a base configuration."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from neurocim.config.io import ConfigError

SWEPT_SECTIONS = ("chip", "accuracy")  # the run-file sections a sweep may change
MAX_VALUES = 100_000  # values of one range dimension (a larger range is a typo, not a sweep)

Point = dict[str, Any]  # field path -> value, in dimension order


@dataclass(frozen=True)
class Dimension:
    """One swept field: its path, its values (in order), and how it was written (for the Optuna sampler)."""

    path: str
    values: tuple[Any, ...]
    step: float | int | None = None  # a {low, high, step} range: an arithmetic sequence from values[0]

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)


def dimension(path: str, spec: Any) -> Dimension:
    """A dimension from a list of values, {low, high, step} or {low, high, log: true, count}."""
    if isinstance(spec, list | tuple):
        return _from_list(path, spec)
    if isinstance(spec, Mapping):
        return _from_range(path, dict(spec))
    raise ConfigError(
        f"space.{path}: expected a list of values, {{low, high, step}} or {{low, high, log: true, count}}; "
        f"got {spec!r}"
    )


def _from_list(path: str, values: Sequence[Any]) -> Dimension:
    if not values:
        raise ConfigError(f"space.{path}: the list of values is empty; give at least one value")
    for v in values:
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(f"space.{path}: value {v!r} is not finite")
        if isinstance(v, Mapping | list | tuple):
            raise ConfigError(f"space.{path}: value {v!r} is not a scalar; sweep the nested field's own path")
    if len({_canonical(v) for v in values}) != len(values):
        raise ConfigError(f"space.{path}: values {list(values)!r} repeat a value; give each value once")
    return Dimension(path, tuple(values))


def _number(path: str, key: str, spec: Mapping[str, Any]) -> int | float:
    v = spec.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ConfigError(f"space.{path}.{key}: expected a finite number, got {v!r}")
    return v


def _from_range(path: str, spec: dict[str, Any]) -> Dimension:
    log = spec.pop("log", False)
    allowed = {"low", "high", "count"} if log is True else {"low", "high", "step"}
    unknown = sorted(set(spec) - allowed)
    if log not in (True, False) or unknown:
        got = f"log={log!r}" if log not in (True, False) else f"keys {unknown}"
        raise ConfigError(
            f"space.{path}: a range is {{low, high, step}} or {{low, high, log: true, count}}; got {got}"
        )
    low, high = _number(path, "low", spec), _number(path, "high", spec)
    if high < low:
        raise ConfigError(f"space.{path}: high={high} is below low={low}")
    return _log_range(path, low, high, spec.get("count")) if log else _step_range(path, low, high, spec)


def _step_range(path: str, low: float, high: float, spec: Mapping[str, Any]) -> Dimension:
    step = _number(path, "step", spec) if "step" in spec else 1
    if step <= 0:
        raise ConfigError(f"space.{path}.step: expected a number > 0, got {step!r}")
    count = math.floor((high - low) / step + 1e-9) + 1
    if count > MAX_VALUES:
        raise ConfigError(f"space.{path}: {count} values from low={low} to high={high} by step={step}; "
                          f"allowed at most {MAX_VALUES}")
    integral = all(isinstance(v, int) for v in (low, high, step))
    values = tuple(low + k * step if integral else round(low + k * step, 12) for k in range(count))
    return Dimension(path, values, step)


def _log_range(path: str, low: float, high: float, count: Any) -> Dimension:
    if isinstance(count, bool) or not isinstance(count, int) or not 2 <= count <= MAX_VALUES:
        raise ConfigError(f"space.{path}.count: expected an integer 2..{MAX_VALUES}, got {count!r}")
    if low <= 0:
        raise ConfigError(f"space.{path}.low: a log range needs low > 0, got {low!r}")
    ratio = (high / low) ** (1 / (count - 1))
    raw = [low * ratio**k for k in range(count)]
    if isinstance(low, int) and isinstance(high, int):
        values = tuple(dict.fromkeys(round(v) for v in raw))  # rounded to integers, repeats dropped
    else:
        values = tuple(float(f"{v:.12g}") for v in raw)
    return Dimension(path, values)


def check_path(path: str, base: Mapping[str, Any]) -> None:
    """Refuse a field path that the base run configuration does not have, naming what is there."""
    parts = path.split(".")
    if parts[0] not in SWEPT_SECTIONS:
        raise ConfigError(f"space: field {path!r} is not sweepable; paths start with {' or '.join(SWEPT_SECTIONS)}")
    node: Any = base
    for i, part in enumerate(parts):
        if not isinstance(node, Mapping) or part not in node:
            where = ".".join(parts[:i]) or "the run configuration"
            keys = ", ".join(sorted(node)) if isinstance(node, Mapping) else "none (a value, not a section)"
            raise ConfigError(f"space: field {path!r}: {where} has no {part!r}; allowed: {keys}")
        node = node[part]
    if isinstance(node, Mapping):
        raise ConfigError(f"space: field {path!r} is a section; sweep one of its fields: {', '.join(sorted(node))}")


def apply_point(base: Mapping[str, Any], point: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the base configuration (nested dicts) with each field path set to the point's value.

    Only the dicts on a changed path are copied; the rest is shared with `base`, which is not changed.
    """
    out = dict(base)
    for path, value in point.items():
        node, parts = out, path.split(".")
        for part in parts[:-1]:
            node[part] = dict(node[part])
            node = node[part]
        node[parts[-1]] = value
    return out


def lookup(config: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted field path of a nested configuration."""
    node: Any = config
    for part in path.split("."):
        node = node[part]
    return node


def point_key(point: Mapping[str, Any]) -> str:
    """A canonical text of a point (its identity in the results store)."""
    return json.dumps({k: point[k] for k in sorted(point)}, sort_keys=True, separators=(",", ":"))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def grid_size(dims: Sequence[Dimension]) -> int:
    """Points of the full grid of the dimensions."""
    return math.prod(len(d.values) for d in dims)
