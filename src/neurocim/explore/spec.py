"""The sweep file: a base run file, the swept space, constraints, strategy, objectives, accuracy on or off."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from neurocim.config.io import ConfigError, format_validation_error, read_mapping
from neurocim.config.run import RunConfig, load_config
from neurocim.explore.constraints import Constraint, parse_constraint
from neurocim.explore.metrics import ACCURACY_METRICS, check_metric
from neurocim.explore.space import Dimension, check_path, dimension, grid_size

MAX_GRID_POINTS = 1_000_000  # a larger grid is sampled or searched instead


class StrategyName(str, Enum):
    GRID = "grid"  # every combination, in order
    RANDOM = "random"  # `samples` distinct points drawn uniformly
    SOBOL = "sobol"  # `samples` distinct points of a scrambled Sobol sequence
    LHS = "lhs"  # `samples` distinct points of a Latin hypercube
    OPTUNA = "optuna"  # `trials` multi-objective trials (NSGA-II or TPE)


class SamplerName(str, Enum):
    NSGA2 = "nsga2"
    TPE = "tpe"


class Direction(str, Enum):
    MIN = "min"
    MAX = "max"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StrategyConfig(_Section):
    name: StrategyName = Field(StrategyName.GRID, description="grid, random, sobol, lhs or optuna")
    samples: int | None = Field(None, ge=1, le=MAX_GRID_POINTS, description="random/sobol/lhs: distinct points drawn")
    trials: int | None = Field(None, ge=1, le=MAX_GRID_POINTS, description="optuna: trials run")
    seed: int = Field(0, ge=0, description="seed of every random choice (same seed, same points)")
    sampler: SamplerName = Field(SamplerName.NSGA2, description="optuna: nsga2 or tpe")
    batch: int = Field(8, ge=1, le=1024, description="optuna: trials asked at once (fixed: keeps runs reproducible)")

    @model_validator(mode="after")
    def _check(self) -> StrategyConfig:
        sampled = self.name in (StrategyName.RANDOM, StrategyName.SOBOL, StrategyName.LHS)
        if sampled and self.samples is None:
            raise ValueError(f"strategy.samples is required for strategy.name={self.name.value}")
        if self.name is StrategyName.OPTUNA and self.trials is None:
            raise ValueError("strategy.trials is required for strategy.name=optuna")
        if self.samples is not None and not sampled:
            raise ValueError(f"strategy.samples={self.samples} is not used by strategy.name={self.name.value}")
        if self.trials is not None and self.name is not StrategyName.OPTUNA:
            raise ValueError(f"strategy.trials={self.trials} is not used by strategy.name={self.name.value}")
        return self


class WorkloadConfig(_Section):
    traces: Path = Field(description="an .npz of traces holding its layer table (as `neurocim run` writes it)")


class SweepFile(_Section):
    base: str | dict[str, Any] = Field(description="run file (path relative to the sweep file) or inline sections")
    workload: WorkloadConfig | None = None
    space: dict[str, Any] = Field(description="field path -> list | {low, high, step} | {low, high, log, count}")
    constraints: list[str] = Field(default_factory=list, description="expressions every point must satisfy")
    strategy: StrategyConfig = StrategyConfig()
    objectives: dict[str, Direction] = Field(default_factory=dict, description="metric -> min | max")
    accuracy: bool = Field(False, description="evaluate accuracy per distinct accuracy setting (else cost only)")

    @field_validator("strategy", mode="before")
    @classmethod
    def _strategy_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @field_validator("space")
    @classmethod
    def _space(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise ValueError("space is empty; give at least one field path and its values")
        return value


@dataclass(frozen=True)
class SweepSpec:
    """A loaded sweep: the resolved base configuration, dimensions, constraints and settings."""

    source: str
    base: RunConfig
    base_dict: dict[str, Any]
    dims: tuple[Dimension, ...]
    constraints: tuple[Constraint, ...]
    strategy: StrategyConfig
    objectives: dict[str, Direction]
    accuracy: bool
    traces: Path | None

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(d.path for d in self.dims)

    def fingerprint(self) -> str:
        """A hash of everything that decides the points and their results (a results folder holds one sweep)."""
        data = {
            "base": self.base_dict,
            "space": {d.path: list(d.values) for d in self.dims},
            "constraints": [c.text for c in self.constraints],
            "strategy": self.strategy.model_dump(mode="json"),
            "objectives": {k: v.value for k, v in self.objectives.items()},
            "accuracy": self.accuracy,
            "traces": _file_stamp(self.traces),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _file_stamp(path: Path | None) -> Any:
    if path is None:
        return None
    return [str(path.resolve()), path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest()[:16]]


def load_sweep(source: str | Path | Mapping[str, Any], base_dir: Path | None = None) -> SweepSpec:
    """A SweepSpec from a YAML/JSON sweep file or a mapping; every problem is a ConfigError naming the field."""
    if isinstance(source, str | Path):
        path = Path(source)
        data, name, folder = read_mapping(path), str(path), path.parent
    elif isinstance(source, Mapping):
        data, name, folder = dict(source), "sweep", base_dir or Path.cwd()
    else:
        raise ConfigError(f"sweep: expected a sweep file path or a mapping, got {type(source).__name__}")
    try:
        sweep = SweepFile.model_validate(data)
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, name)) from None
    base = _base_config(sweep.base, folder, name)
    base_dict = base.model_dump(mode="json")
    dims = _dimensions(sweep.space, base_dict, sweep.accuracy)
    constraints = tuple(parse_constraint(c, base_dict) for c in sweep.constraints)
    objectives = _objectives(sweep)
    traces = _traces(sweep.workload, folder)
    _check_size(sweep.strategy, dims)
    return SweepSpec(name, base, base_dict, dims, constraints, sweep.strategy, objectives, sweep.accuracy, traces)


def _base_config(base: str | dict[str, Any], folder: Path, name: str) -> RunConfig:
    if isinstance(base, str):
        path = Path(base) if Path(base).is_absolute() else folder / base
        if not path.is_file():
            raise ConfigError(f"{name}: base={base!r}: run file not found (looked at {path})")
        return load_config(path)
    return load_config(base)


def _dimensions(space: Mapping[str, Any], base: Mapping[str, Any], accuracy: bool) -> tuple[Dimension, ...]:
    dims = []
    for path, spec in space.items():
        check_path(path, base)
        if path.startswith("accuracy.") and not accuracy:
            raise ConfigError(f"space: field {path!r} changes only accuracy; set `accuracy: true` to sweep it")
        dims.append(dimension(path, spec))
    return tuple(dims)


def _objectives(sweep: SweepFile) -> dict[str, Direction]:
    objectives = dict(sweep.objectives) or {"energy_j": Direction.MIN, "latency_s": Direction.MIN}
    if not sweep.objectives:
        objectives["area_m2"] = Direction.MIN
        if sweep.accuracy:
            objectives = {"accuracy": Direction.MAX, **objectives}
    for metric in objectives:
        check_metric(metric)
        if metric in ACCURACY_METRICS and not sweep.accuracy:
            raise ConfigError(f"objectives: {metric!r} needs `accuracy: true` (this sweep is cost-only)")
    return objectives


def _traces(workload: WorkloadConfig | None, folder: Path) -> Path | None:
    if workload is None:
        return None
    path = workload.traces if workload.traces.is_absolute() else folder / workload.traces
    if not path.is_file():
        raise ConfigError(f"workload.traces={str(workload.traces)!r}: file not found (looked at {path})")
    return path


def _check_size(strategy: StrategyConfig, dims: tuple[Dimension, ...]) -> None:
    size = grid_size(dims)
    if strategy.name is StrategyName.GRID and size > MAX_GRID_POINTS:
        raise ConfigError(
            f"strategy: grid has {size} points, more than {MAX_GRID_POINTS}; sample it (strategy: random, sobol, "
            "lhs with samples) or search it (strategy: optuna with trials)"
        )
    if strategy.samples is not None and strategy.samples > size:
        raise ConfigError(
            f"strategy.samples={strategy.samples} exceeds the {size} distinct points of the space; "
            f"allowed 1..{size} (or strategy: grid)"
        )
