"""Pareto fronts on hand-made sets, the results table's columns, and how batches are cut for workers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neurocim.explore.batches import chunks
from neurocim.explore.results import pareto_front, pareto_mask
from neurocim.explore.spec import Direction


def test_pareto_mask_minimises_and_maximises():
    # (energy min, accuracy max): b dominates a; c and d trade off; e ties with d and stays
    values = np.array([[2.0, 0.80], [1.0, 0.90], [0.5, 0.70], [3.0, 0.95], [3.0, 0.95], [4.0, 0.95]])
    assert pareto_mask(values, [False, True]).tolist() == [False, True, True, True, True, False]
    assert pareto_mask(values[:, :1], [False]).tolist() == [False, False, True, False, False, False]


def plain_pareto_mask(values: np.ndarray, maximize: list[bool]) -> np.ndarray:
    """The definition, row against row: the oracle of the sorted fronts."""
    v = np.where(maximize, -values, values)
    return np.array([not any((w <= u).all() and (w < u).any() for w in v) for u in v], dtype=bool)


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    objectives=st.integers(1, 4),
    points=st.integers(0, 40),
    levels=st.sampled_from([3, 1000]),  # few levels: many ties and duplicate rows
)
def test_pareto_mask_equals_the_definition(data, objectives, points, levels):
    values = data.draw(hnp.arrays(np.float64, (points, objectives), elements=st.integers(0, levels - 1).map(float)))
    maximize = data.draw(st.lists(st.booleans(), min_size=objectives, max_size=objectives))
    assert pareto_mask(values, maximize).tolist() == plain_pareto_mask(values, maximize).tolist()


def test_pareto_mask_refuses_non_finite_values():
    with pytest.raises(ValueError, match="finite"):
        pareto_mask(np.array([[1.0, np.nan]]), [False, False])
    with pytest.raises(ValueError, match="objectives"):
        pareto_mask(np.ones((2, 3)), [False, False])


def test_pareto_front_ignores_points_without_results():
    frame = pd.DataFrame(
        {
            "point": [0, 1, 2, 3],
            "status": ["ok", "invalid", "ok", "ok"],
            "energy_j": [1.0, np.nan, 2.0, 0.5],
            "latency_s": [1.0, np.nan, 0.5, 3.0],
        }
    )
    front = pareto_front(frame, {"energy_j": Direction.MIN, "latency_s": Direction.MIN})
    assert front["point"].tolist() == [3, 0, 2]  # sorted by the first objective, best first


def test_chunks_keep_order_and_cover_everything():
    items = list(range(10))
    parts = chunks(items, 3)
    assert [x for p in parts for x in p] == items and [len(p) for p in parts] == [3, 4, 3]
    assert chunks([1], 4) == [[1]] and chunks([], 2) == []


def test_progress_keeps_the_best_point_and_the_skipped_counts():
    from neurocim.explore.progress import SweepProgress
    from neurocim.explore.spec import load_sweep
    from neurocim.explore.store import PointRow

    spec = load_sweep({"base": {}, "space": {"chip.adc.bits": [3, 4, 5]}, "objectives": {"tops_per_w": "max"}})

    def row(bits, status, tops_per_w=None):
        metrics = {} if tops_per_w is None else {"tops_per_w": tops_per_w}
        return PointRow(str(bits), bits, status, "", {"chip.adc.bits": bits}, metrics, None, "{}", 0.0)

    with SweepProgress(spec, total=3, done=0, enabled=False) as bar:
        bar.update([row(3, "ok", 20.0), row(4, "invalid")], 2)
        bar.update([row(5, "ok", 30.0)], 1)
    assert bar.describe() == "best tops_per_w=30 (chip.adc.bits=5) · 1 invalid"
