"""Piecewise lin/log fits of a column resistance and the per-piece weighted sums they can be summed over."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PiecewiseFit:
    """y = a_i * f_i(x) + b_i on [breaks[i-1], breaks[i]), with f_i = x ('lin') or ln(x) ('log')."""

    breaks: tuple[float, ...]
    kinds: tuple[str, ...]
    slopes: tuple[float, ...]
    offsets: tuple[float, ...]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PiecewiseFit:
        kinds, slopes, offsets = zip(*d["pieces"], strict=True)
        return cls(tuple(d["breaks"]), tuple(kinds), tuple(slopes), tuple(offsets))

    def affine(self, x_scale: float, mul: float, add: float) -> PiecewiseFit:
        """The fit of R -> mul * self(x_scale * R) + add (x_scale > 0), with the constants folded into the pieces."""
        slopes, offsets = [], []
        for kind, a, b in zip(self.kinds, self.slopes, self.offsets, strict=True):
            if kind == "log":  # a ln(sR) + b = a ln R + (a ln s + b)
                slopes.append(mul * a)
                offsets.append(mul * (a * math.log(x_scale) + b) + add)
            else:
                slopes.append(mul * a * x_scale)
                offsets.append(mul * b + add)
        breaks = tuple(b / x_scale for b in self.breaks)
        return PiecewiseFit(breaks, self.kinds, tuple(slopes), tuple(offsets))

    def piece_index(self, x: np.ndarray) -> np.ndarray:
        """Index of the piece each x falls in (x < b0 -> 0, b0 <= x < b1 -> 1, ...)."""
        return np.searchsorted(np.asarray(self.breaks), x, side="right")

    def __call__(self, x: np.ndarray | float) -> np.ndarray:
        """Evaluate at positive, finite x (array in, array out; float32 input is evaluated in float32).

        Every piece is evaluated on all of x and the pieces are laid over each other from the last one down
        (cheaper than gathering per-element coefficients)."""
        x = as_float_array(x)
        real = x.dtype.type
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # callers mask x <= 0 and inf
            log_x = np.log(x) if "log" in self.kinds else None

            def piece(i: int) -> np.ndarray:
                out = (log_x if self.kinds[i] == "log" else x) * real(self.slopes[i])
                out += real(self.offsets[i])
                return out

            y = np.asarray(piece(len(self.kinds) - 1))
            for i in range(len(self.breaks) - 1, -1, -1):
                below = x < real(self.breaks[i])
                if below.any():
                    np.copyto(y, piece(i), where=below)
        return y

    def sum_over(self, sums: PiecewiseSums) -> np.ndarray | None:
        """max(self(x), 0) summed over the values behind `sums`, per group; None when the clamp at 0 could act
        (some piece is negative somewhere on the range of its values) or the breaks differ. In plain floats: the
        sums have a few groups (often one) of a few pieces."""
        if (sums.breaks, sums.kinds) != (self.breaks, self.kinds):
            return None
        lows, highs = (ends.tolist() for ends in sums.range_ends)
        found = []
        for weights, totals, low, high in zip(sums.weight.tolist(), sums.total.tolist(), lows, highs, strict=True):
            group = 0.0
            for w, t, f_lo, f_hi, a, b in zip(weights, totals, low, high, self.slopes, self.offsets, strict=True):
                if w <= 0:
                    continue
                # pieces are monotone: non-negative at both ends of their range means the clamp never acts inside
                if not (a * f_lo + b >= 0 and a * f_hi + b >= 0):  # a nan end (0 * inf) counts as negative
                    return None
                group += a * t + b * w
            found.append(group)
        return np.array(found)

    def total_over(self, sums: PiecewiseSums) -> float | None:
        """max(self(x), 0) summed over every value behind `sums`; None where the clamp at 0 could act. The groups'
        merged range is checked first, then (where it is too wide) every group's own."""
        found = self.sum_over(sums.merged)
        if found is None:
            found = self.sum_over(sums)
        return None if found is None else float(found.sum())

    @cached_property
    def _steps(self) -> tuple[tuple[float, float, float], list[tuple[float, tuple[float, ...]]]]:
        """(coefficients of x, ln x and 1 of the last piece, [(break, change of the three below it)] downwards)."""
        coef = [
            (a, 0.0, b) if k == "lin" else (0.0, a, b)
            for k, a, b in zip(self.kinds, self.slopes, self.offsets, strict=True)
        ]
        steps = [
            (self.breaks[j], tuple(lo - hi for lo, hi in zip(coef[j], coef[j + 1], strict=True)))
            for j in range(len(self.breaks) - 1, -1, -1)
        ]
        return coef[-1], steps

    def blended(self, x: np.ndarray) -> np.ndarray:
        """The fit at positive, finite x to a few units in the last place, in x's precision: the hot path.

        Instead of laying pieces over each other (a masked copy per piece), the coefficients of x, ln x and 1
        start at the last piece's and step to the piece below at every break x lies under, as arithmetic on
        the comparison masks."""
        x = as_float_array(x)
        real = x.dtype.type
        last, steps = self._steps
        coef: list = [real(c) for c in last]  # of x, of ln x, and 1
        for brk, step in steps:
            below = x < real(brk)
            if not below.any():
                break  # nothing lies under this break, so nothing under the lower ones either
            for c, delta in enumerate(step):
                if delta:
                    coef[c] = np.multiply(below, real(delta), dtype=x.dtype) + coef[c]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # callers mask x <= 0 and inf
            if "log" in self.kinds:
                y = np.log(x)
                y *= coef[1]
                if np.ndim(coef[0]) or coef[0]:
                    y += x * coef[0]
            else:
                y = x * coef[0]
            y += coef[2]
        return y


@dataclass(frozen=True)
class PiecewiseSums:
    """Weighted sums over positive finite values split at a fit's breaks, per group (e.g. per sub-array).

    Per group g and piece i: the weight of the values in the piece, the weighted sum of x over the 'lin' pieces
    and of ln x over the 'log' pieces, and a range [x_min, x_max] holding the group's values: enough to sum any
    fit with these breaks and kinds over the values without the values themselves."""

    breaks: tuple[float, ...]
    kinds: tuple[str, ...]
    weight: np.ndarray  # (groups, pieces)
    total: np.ndarray  # (groups, pieces): sum of w*x ('lin') or w*ln x ('log')
    x_min: np.ndarray  # (groups,), inf when empty
    x_max: np.ndarray  # (groups,), at most 0 when empty

    @cached_property
    def merged(self) -> PiecewiseSums:
        """The sums of every group's values together, as one group."""
        return PiecewiseSums(
            self.breaks,
            self.kinds,
            self.weight.sum(axis=0, keepdims=True),
            self.total.sum(axis=0, keepdims=True),
            self.x_min.min(initial=np.inf, keepdims=True),
            self.x_max.max(initial=0.0, keepdims=True),
        )

    @staticmethod
    def stacked(parts: list[PiecewiseSums]) -> PiecewiseSums:
        """The groups of sums with the same breaks and kinds, one after the other."""
        if any((p.breaks, p.kinds) != (parts[0].breaks, parts[0].kinds) for p in parts):
            raise ValueError("only sums at the same breaks and of the same kinds stack")
        arrays = (np.concatenate([getattr(p, f) for p in parts]) for f in ("weight", "total", "x_min", "x_max"))
        return PiecewiseSums(parts[0].breaks, parts[0].kinds, *arrays)

    @cached_property
    def range_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """f_i (x or ln x) at the ends of the range each piece's values can lie in, (groups, pieces) each: what a
        fit's clamp check needs of the sums, kept for every fit they are summed with."""
        edges = np.array((-math.inf,) + self.breaks + (math.inf,))
        is_log = np.array([k == "log" for k in self.kinds])
        lo = np.maximum(self.x_min[:, None], edges[:-1])
        hi = np.minimum(self.x_max[:, None], edges[1:])
        with np.errstate(divide="ignore", invalid="ignore"):
            return tuple(np.where(is_log, np.log(v), v) for v in (lo, hi))


def as_float_array(x: np.ndarray | float) -> np.ndarray:
    """x as a floating array: float32 stays float32 (the fast chip path), anything else becomes float64."""
    a = np.asarray(x)
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float64)
