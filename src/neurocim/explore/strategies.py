"""Which points a sweep visits: the full grid, seeded random draws, Sobol or Latin-hypercube samples."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

from neurocim.explore.space import Dimension, Point, grid_size, point_key
from neurocim.explore.spec import StrategyConfig, StrategyName

MAX_DRAWS_PER_SAMPLE = 64  # draws tried per requested distinct point before the space is judged too small


def planned_points(dims: Sequence[Dimension], strategy: StrategyConfig) -> list[Point]:
    """The points of a grid/random/sobol/lhs strategy, in order (same seed, same list)."""
    if strategy.name is StrategyName.GRID:
        return list(grid_points(dims))
    if strategy.name is StrategyName.OPTUNA:
        raise ValueError("planned_points: optuna asks its points as it goes (see neurocim.explore.search)")
    assert strategy.samples is not None
    return sampled_points(dims, strategy.name, strategy.samples, strategy.seed)


def grid_points(dims: Sequence[Dimension]) -> Iterator[Point]:
    """Every combination, the last dimension varying fastest."""
    for values in itertools.product(*(d.values for d in dims)):
        yield {d.path: v for d, v in zip(dims, values, strict=True)}


def sampled_points(dims: Sequence[Dimension], name: StrategyName, samples: int, seed: int) -> list[Point]:
    """`samples` distinct points: unit-cube draws mapped to value indices; repeats are skipped."""
    if samples > grid_size(dims):
        raise ValueError(f"strategy.samples={samples} exceeds the {grid_size(dims)} distinct points of the space")
    draw = _unit_sampler(name, len(dims), seed)
    points: dict[str, Point] = {}
    budget = MAX_DRAWS_PER_SAMPLE * samples
    while len(points) < samples and budget > 0:
        n = 1 << max(3, (samples - len(points) - 1).bit_length())  # powers of two keep Sobol balanced
        for u in draw(n):
            point = {d.path: _pick(d, x) for d, x in zip(dims, u, strict=True)}
            points.setdefault(point_key(point), point)
            if len(points) == samples:
                break
        budget -= n
    if len(points) < samples:  # a space much smaller than its product hides repeats: fill from the grid, in order
        for point in grid_points(dims):
            points.setdefault(point_key(point), point)
            if len(points) == samples:
                break
    return list(points.values())


def _pick(dim: Dimension, u: float):
    """The value of a dimension at unit coordinate u in [0, 1): equal-width bins, one per value."""
    return dim.values[min(int(u * len(dim.values)), len(dim.values) - 1)]


def _unit_sampler(name: StrategyName, d: int, seed: int):
    """A function n -> (n, d) points in [0, 1)^d, continuing one seeded sequence across calls."""
    if name is StrategyName.RANDOM:
        rng = np.random.default_rng(seed)
        return lambda n: rng.random((n, d))
    from scipy.stats import qmc

    engine = qmc.Sobol(d, scramble=True, seed=seed) if name is StrategyName.SOBOL else qmc.LatinHypercube(d, seed=seed)
    return engine.random
