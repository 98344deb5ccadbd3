"""A log-spaced histogram of column resistances (weight and weighted sum of R per bin) and sums of f(R) over it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ResistanceHistogram:
    """Weighted positive values in log-spaced bins, `bins_per_octave` (a power of two) to an octave.

    Bin i (absolute, counted from 1.0) holds [2^e (1 + k / n), 2^e (1 + (k + 1) / n)) with e = i // n, k = i % n:
    the exponent and the top log2(n) mantissa bits of a float. count[j] and total[j] are the weight of the values in
    bin first + j and their weighted sum."""

    bins_per_octave: int
    first: int
    count: np.ndarray  # (bins,)
    total: np.ndarray  # (bins,)

    @property
    def weight(self) -> float:
        return float(self.count.sum())

    def sum_of(self, f: Callable[[np.ndarray], np.ndarray]) -> float:
        """Sum of f over the values, each bin's taken at its mean: f(mean) * weight. For a smooth f the error of a
        bin is f''/2 times its weighted variance, at most f'' / 8 * (2^(1/n) - 1)^2 R^2 a value."""
        held = self.count > 0
        weight = self.count[held]
        return float(weight @ f(self.total[held] / weight))

    def trimmed(self) -> ResistanceHistogram:
        """The same histogram without its empty bins at either end."""
        held = np.flatnonzero(self.count)
        if not len(held):
            return ResistanceHistogram(self.bins_per_octave, 0, self.count[:0], self.total[:0])
        lo, hi = held[0], held[-1] + 1
        return ResistanceHistogram(self.bins_per_octave, self.first + int(lo), self.count[lo:hi], self.total[lo:hi])

    @staticmethod
    def combined(parts: list[ResistanceHistogram]) -> ResistanceHistogram:
        """The histogram of the values of every part (same bins per octave)."""
        n = parts[0].bins_per_octave
        if any(p.bins_per_octave != n for p in parts):
            raise ValueError(f"histograms of {sorted({p.bins_per_octave for p in parts})} bins per octave do not add")
        held = [p for p in parts if len(p.count)]
        if not held:
            return parts[0]
        first = min(p.first for p in held)
        stop = max(p.first + len(p.count) for p in held)
        count, total = np.zeros(stop - first), np.zeros(stop - first)
        for p in held:
            at = slice(p.first - first, p.first - first + len(p.count))
            count[at] += p.count
            total[at] += p.total
        return ResistanceHistogram(n, first, count, total)
