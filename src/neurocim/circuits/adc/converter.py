"""The column converter interface: what the read pass collects of the column resistances, and the energy from it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from neurocim.circuits.adc.piecewise_fit import PiecewiseSums
from neurocim.circuits.adc.resistance_histogram import ResistanceHistogram

# Default histogram resolution: with 128 bins per octave a bin spans at most 0.55 % of its resistances, so a smooth
# energy evaluated at a bin's mean is off by about f''/24 * width^2 a value (below 1e-5 of a power law ~ 1/R).
DEFAULT_BINS_PER_OCTAVE = 128


@dataclass(frozen=True)
class ReadStatistic:
    """What the read pass sums over a block's finite column resistances R for a converter (hashable: a cache key).

    breaks and kinds: per piece of [-inf, b0), [b0, b1), ..., [b_last, inf) the weight of the values in it and their
    weighted sum of R ('lin') or ln R ('log'); exact for a piecewise lin/log energy (`PiecewiseSums`).
    bins_per_octave: a log-spaced histogram of R (weight and weighted sum of R per bin, `ResistanceHistogram`),
    enough for any smooth energy of R; 0 for none. Neither: the energy does not depend on a finite R."""

    breaks: tuple[float, ...] = ()
    kinds: tuple[str, ...] = ()
    bins_per_octave: int = 0

    def __post_init__(self) -> None:
        if self.kinds and len(self.kinds) != len(self.breaks) + 1:
            raise ValueError(f"{len(self.breaks)} breaks need {len(self.breaks) + 1} pieces, got kinds {self.kinds}")
        if self.breaks and not self.kinds:
            raise ValueError(f"breaks {self.breaks} need the kinds of their pieces")
        if set(self.kinds) - {"lin", "log"}:
            raise ValueError(f"piece kinds are 'lin' or 'log', got {self.kinds}")
        n = self.bins_per_octave
        if n < 0 or n & (n - 1) or n > 1 << 16:
            raise ValueError(f"bins_per_octave must be 0 or a power of two up to 65536, got {n}")

    @property
    def reads_resistances(self) -> bool:
        """Whether the pass must compute the column resistances (else only live and idle columns are counted)."""
        return bool(self.kinds) or self.bins_per_octave > 0


@dataclass(frozen=True)
class ColumnStats:
    """The column conversions of some sub-array blocks: how many read a finite R (live) or none (idle, R = inf),
    and what the converter's ReadStatistic asked for of the live ones."""

    live: float  # conversions of columns with a conducting row
    idle: float  # conversions of columns with no conducting row
    pieces: PiecewiseSums | None = None  # one group per block
    histogram: ResistanceHistogram | None = None  # over every block

    @property
    def conversions(self) -> float:
        return self.live + self.idle

    @staticmethod
    def stacked(parts: list[ColumnStats]) -> ColumnStats:
        """The statistics of several sets of blocks together (piece sums: their groups one after the other)."""
        pieces = [p.pieces for p in parts if p.pieces is not None]
        histograms = [p.histogram for p in parts if p.histogram is not None]
        return ColumnStats(
            sum(p.live for p in parts),
            sum(p.idle for p in parts),
            PiecewiseSums.stacked(pieces) if pieces else None,
            ResistanceHistogram.combined(histograms) if histograms else None,
        )


class ColumnConverter(ABC):
    """A column ADC as the read pass sees it: a switching energy per conversion, a static energy per conversion
    that depends on the column resistance R, and the static energy summed over ColumnStats.

    A converter only implements static_energy to be on the fast path: by default the read pass collects a
    log-spaced histogram of R and the sum is evaluated at every bin's mean. A converter whose energy is a piecewise
    lin/log fit asks for exact piece sums instead (read_statistic, summed_static_energy)."""

    column_switching_energy: float  # J per conversion, trace independent

    @abstractmethod
    def static_energy(self, column_resistance: np.ndarray) -> np.ndarray:
        """Trace-dependent energy (J) of one conversion of every column, vectorised in the input's precision
        (float32 or float64); R = inf means no conducting row. The element-wise reference of the fast path."""

    def read_statistic(self) -> ReadStatistic:
        """What the read pass must collect for summed_static_energy."""
        return ReadStatistic(bins_per_octave=DEFAULT_BINS_PER_OCTAVE)

    def idle_energy(self) -> float:
        """static_energy of a column with no conducting row (R = inf), J; evaluated once per converter (its settings
        do not change)."""
        found = self.__dict__.get("_idle_energy")
        if found is None:
            found = self.__dict__["_idle_energy"] = float(self.static_energy(np.array([np.inf]))[0])
        return found

    def summed_static_energy(self, stats: ColumnStats) -> float | None:
        """static_energy summed over the conversions behind `stats` (J); None where the statistics cannot give it
        (the caller then reads the blocks element-wise)."""
        if stats.histogram is None:
            return None
        return stats.histogram.sum_of(self.static_energy) + stats.idle * self.idle_energy()
