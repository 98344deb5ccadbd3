"""Costing a batch of points: garbage collections spaced out while it runs, the thresholds restored after."""

from __future__ import annotations

import gc

import pytest

from neurocim.explore import costing
from neurocim.explore.costing import SPACED_GC_THRESHOLDS, spaced_collections


def test_collections_are_spaced_inside_and_restored_after_even_on_error():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 1000)  # a third threshold already higher is kept
        with pytest.raises(RuntimeError), spaced_collections():
            assert gc.get_threshold() == (SPACED_GC_THRESHOLDS[0], SPACED_GC_THRESHOLDS[1], 1000)
            raise RuntimeError("a failing batch")
        assert gc.get_threshold() == (700, 10, 1000)
    finally:
        gc.set_threshold(*before)


def test_points_are_costed_with_collections_spaced(monkeypatch):
    seen = []
    monkeypatch.setattr(costing, "estimate", lambda chip, workload: seen.append(gc.get_threshold()) or 1 / 0)
    outcomes = costing.cost_points(object(), [object(), object()])  # type: ignore[arg-type]
    assert [o.metrics for o in outcomes] == [None, None] and "ZeroDivisionError" in outcomes[0].message
    assert all(t[0] >= SPACED_GC_THRESHOLDS[0] for t in seen) and len(seen) == 2
    assert gc.get_threshold()[0] < SPACED_GC_THRESHOLDS[0]
