"""Strict numbers for every configuration model: no booleans where numbers go, no infinite or NaN values."""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from neurocim.errors import shown

_NUMBER_TYPES = (int, float)


def _number_type(annotation: Any) -> bool:
    """True when a field holds a number (int or float, optionally None) and not a boolean."""
    if annotation in _NUMBER_TYPES:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return bool(args) and all(a in _NUMBER_TYPES for a in args)
    return False


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        models = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if len(models) == 1 else None
    return None


def boolean_numbers(data: Any, model: type[BaseModel], prefix: str = "") -> list[str]:
    """Messages for booleans given where `model` expects numbers (`rows: true` would otherwise read as 1)."""
    if not isinstance(data, Mapping):
        return []
    problems = []
    for key, value in data.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is None:
            continue
        path = f"{prefix}{key}"
        sub = _submodel(field.annotation)
        if sub is not None:
            problems += boolean_numbers(value, sub, f"{path}.")
        elif isinstance(value, bool) and _number_type(field.annotation):
            problems.append(f"{path}: expected a number, got {str(value).lower()} (a boolean)")
    return problems


def non_finite(value: Any, path: str = "") -> list[str]:
    """Messages for every NaN or infinite float in a validated model (or the containers it holds)."""
    if isinstance(value, BaseModel):
        return [m for key in type(value).model_fields for m in non_finite(getattr(value, key), _join(path, key))]
    if isinstance(value, Mapping):
        return [m for key, item in value.items() for m in non_finite(item, _join(path, str(key)))]
    if isinstance(value, list | tuple):
        return [m for i, item in enumerate(value) for m in non_finite(item, f"{path}[{i}]")]
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{path}: must be a finite number, got {shown(value)}"]
    return []


def non_finite_besides(value: Any, base: Any, path: str = "") -> list[str]:
    """non_finite(value, path) for a value whose `base` (of the same kind) holds no NaN or infinite float: the parts
    equal to the base's are skipped (NaN equals nothing, and what equals a finite value is finite)."""
    if isinstance(value, BaseModel) and type(value) is type(base):
        mine, theirs = value.__dict__, base.__dict__
        return [
            m
            for key in type(value).model_fields
            if mine[key] != theirs[key]
            for m in non_finite_besides(mine[key], theirs[key], _join(path, key))
        ]
    return [] if value == base else non_finite(value, path)


def only_paths(data: Any, paths: list[list[str]]) -> Any:
    """The part of nested mappings `data` on the given key paths (in data's order); a path's whole value is kept."""
    if not isinstance(data, Mapping):
        return data
    out = {}
    for key, value in data.items():
        tails = [path[1:] for path in paths if path and path[0] == key]
        if tails:
            out[key] = value if any(not tail for tail in tails) else only_paths(value, tails)
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
