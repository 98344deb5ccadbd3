"""Constraints between swept fields: a small, safe expression language over field paths (no eval of code)."""

# An expression is Python-like: field paths (`chip.cell.bits_per_cell`), numbers, strings, True/False/None, arithmetic
# (+ - * / // % **), comparisons (== != < <= > >=, in, not in against a list), and/or/not, and `a if cond else b`.
# Example: `chip.precision.weight_bits % chip.cell.bits_per_cell == 0`.

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from neurocim.config.io import ConfigError

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
MAX_POWER = 64  # exponents above this are refused (no runaway integers)


@dataclass(frozen=True)
class Constraint:
    """One checked expression and the field paths it reads."""

    text: str
    tree: ast.Expression
    paths: tuple[str, ...]

    def holds(self, config: Mapping[str, Any]) -> bool:
        """Whether the constraint is true for a configuration (nested dicts); errors become ConfigError."""
        try:
            return bool(_eval(self.tree.body, config))
        except (ArithmeticError, TypeError, ValueError) as err:
            raise ConfigError(f"constraint {self.text!r}: {err}") from None

    def explain(self, config: Mapping[str, Any]) -> str:
        """The violation message: the expression and the values it read."""
        shown = ", ".join(f"{p}={_read(config, p)!r}" for p in self.paths)
        return f"constraint {self.text!r} is false ({shown})"


def parse_constraint(text: Any, known: Mapping[str, Any]) -> Constraint:
    """Parse and check one expression; every field path must exist in `known` (the base configuration)."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"constraints: expected an expression string, got {text!r}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ConfigError(f"constraints: {text!r} is not an expression ({err.msg})") from None
    paths: list[str] = []
    _check(tree.body, text, paths)
    for path in paths:
        try:
            _read(known, path)
        except KeyError:
            raise ConfigError(f"constraints: {text!r} reads {path!r}, which is not a field of the run file") from None
    return Constraint(text.strip(), tree, tuple(dict.fromkeys(paths)))


_ALLOWED = (
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Constant, ast.Name, ast.Attribute,
    ast.List, ast.Tuple, ast.Load, ast.And, ast.Or, *_BINARY, *_COMPARE, *_UNARY,
)  # fmt: skip


def _check(node: ast.AST, text: str, paths: list[str]) -> None:
    """Refuse any construct outside the language; collect the field paths read."""
    if not isinstance(node, _ALLOWED):
        raise ConfigError(
            f"constraints: {text!r} uses {type(node).__name__}; allowed: field paths, numbers, strings, "
            "arithmetic, comparisons, in, and/or/not, if-else"
        )
    if isinstance(node, ast.Name | ast.Attribute):
        path = _path_of(node)
        if path is None:
            raise ConfigError(f"constraints: {text!r}: attributes only follow field names (chip.adc.bits)")
        paths.append(path)
        return
    if isinstance(node, ast.Constant) and not isinstance(node.value, int | float | str | bool | type(None)):
        raise ConfigError(f"constraints: {text!r}: constant {node.value!r} is not a number or string")
    for child in ast.iter_child_nodes(node):
        _check(child, text, paths)


def _path_of(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _read(config: Mapping[str, Any], path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def _eval(node: ast.AST, config: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name | ast.Attribute):
        return _read(config, _path_of(node) or "")
    if isinstance(node, ast.List | ast.Tuple):
        return [_eval(e, config) for e in node.elts]
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, config))
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, config), _eval(node.right, config)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_POWER:
            raise ValueError(f"exponent {right} exceeds {MAX_POWER}")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, config) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, config)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, config)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, config) else node.orelse, config)
    raise ValueError(f"{type(node).__name__} is not allowed")
