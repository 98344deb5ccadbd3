"""Strategies: the grid and seeded samplers give the documented number of distinct points, reproducibly."""

from __future__ import annotations

import math

import pytest

from neurocim.explore.space import dimension, point_key
from neurocim.explore.spec import StrategyConfig
from neurocim.explore.strategies import planned_points

DIMS = (
    dimension("chip.adc.bits", {"low": 3, "high": 8, "step": 1}),
    dimension("chip.array.rows", {"low": 32, "high": 512, "log": True, "count": 5}),
    dimension("chip.adc.type", ["flash", "sar"]),
)


def test_grid_is_every_combination_last_field_fastest():
    points = planned_points(DIMS, StrategyConfig(name="grid"))
    assert len(points) == math.prod(len(d.values) for d in DIMS) == 60
    assert points[0] == {"chip.adc.bits": 3, "chip.array.rows": 32, "chip.adc.type": "flash"}
    assert points[1] == {"chip.adc.bits": 3, "chip.array.rows": 32, "chip.adc.type": "sar"}
    assert len({point_key(p) for p in points}) == 60


@pytest.mark.parametrize("name", ["random", "sobol", "lhs"])
def test_samplers_give_distinct_reproducible_points(name):
    strategy = StrategyConfig(name=name, samples=25, seed=7)
    points = planned_points(DIMS, strategy)
    assert len(points) == 25 and len({point_key(p) for p in points}) == 25
    assert points == planned_points(DIMS, strategy)  # same seed, same points
    assert points != planned_points(DIMS, StrategyConfig(name=name, samples=25, seed=8))
    for point in points:
        assert all(point[d.path] in d.values for d in DIMS)


def test_samplers_reach_every_point_of_a_small_space():
    points = planned_points(DIMS, StrategyConfig(name="random", samples=60, seed=0))
    assert len({point_key(p) for p in points}) == 60
