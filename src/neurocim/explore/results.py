"""The results table of a sweep (pandas), its Pareto front, and the files written from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from neurocim.explore.metrics import ACCURACY_METRICS, CHIP_METRICS
from neurocim.explore.spec import Direction, SweepSpec
from neurocim.explore.store import PointRow

LEAD_COLUMNS = ("point", "status", "message")
TAIL_COLUMNS = ("seconds", "config")


def results_frame(spec: SweepSpec, rows: Sequence[PointRow]) -> pd.DataFrame:
    """One row per point, in sweep order: swept fields, status, message, objectives, every metric, seconds, config."""
    metrics = list(spec.objectives) + [
        m for m in (ACCURACY_METRICS if spec.accuracy else ()) + CHIP_METRICS if m not in spec.objectives
    ]
    records = []
    for r in rows:
        record = {"point": r.seq, **{p: r.fields.get(p) for p in spec.paths}, "status": r.status, "message": r.message}
        record.update({m: r.metrics.get(m, np.nan) for m in metrics})
        record.update(seconds=r.seconds, config=r.config)
        records.append(record)
    columns = ["point", *spec.paths, "status", "message", *metrics, *TAIL_COLUMNS]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for m in metrics:
        frame[m] = frame[m].astype("float64")
    return frame.sort_values("point", kind="stable").reset_index(drop=True)


def pareto_mask(values: np.ndarray, maximize: Sequence[bool]) -> np.ndarray:
    """Which rows of `values` (points x objectives) no other row dominates (ties: both stay on the front).

    The rows are taken in lexicographic order, in which a row's dominators all come before it: for two objectives a
    running minimum of the second decides (O(n log n)); for more, each row is checked against the front found so
    far (a row dominated by any earlier row is dominated by one on that front)."""
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2 or v.shape[1] != len(maximize):
        raise ValueError(f"pareto_mask: values of shape {v.shape} do not match {len(maximize)} objectives")
    if not np.isfinite(v).all():
        raise ValueError("pareto_mask: objective values must be finite")
    v = np.where(np.asarray(maximize), -v, v)  # everything minimised
    keep = np.ones(len(v), dtype=bool)
    if len(v) == 0 or v.shape[1] == 0:
        return keep
    order = np.lexsort(v.T[::-1])  # by the first objective, then the second, ...
    ranked = v[order]
    keep[order] = _front_of_two(ranked) if v.shape[1] <= 2 else _front_of_sorted(ranked)
    return keep


def _front_of_two(ranked: np.ndarray) -> np.ndarray:
    """pareto_mask of rows in lexicographic order, one or two objectives: a row is dominated by an earlier row of a
    smaller first value whose second is at most its own, or by the first row of its own first value if that one's
    second is smaller."""
    first = ranked[:, 0]
    second = ranked[:, 1] if ranked.shape[1] == 2 else np.zeros(len(ranked))
    starts = np.r_[True, first[1:] != first[:-1]]  # rows where a new first value begins
    group = np.cumsum(starts) - 1
    group_best = second[starts]  # the smallest second value of every group (its first row's)
    best_before = np.r_[np.inf, np.minimum.accumulate(group_best)[:-1]]  # ... over the groups before each
    return (best_before[group] > second) & (group_best[group] >= second)


def _front_of_sorted(ranked: np.ndarray) -> np.ndarray:
    """pareto_mask of rows in lexicographic order: each row against the front of the rows before it."""
    keep = np.zeros(len(ranked), dtype=bool)
    front = np.empty_like(ranked)
    size = 0
    for i, row in enumerate(ranked):
        found = front[:size]
        if not (np.all(found <= row, axis=1) & np.any(found < row, axis=1)).any():
            front[size] = row
            size += 1
            keep[i] = True
    return keep


def pareto_front(frame: pd.DataFrame, objectives: Mapping[str, Direction]) -> pd.DataFrame:
    """The non-dominated ok points, sorted by the first objective (best first)."""
    ok = frame[frame["status"] == "ok"]
    if ok.empty:
        return ok.copy()
    names = list(objectives)
    mask = pareto_mask(ok[names].to_numpy(), [objectives[n] is Direction.MAX for n in names])
    first = names[0]
    return ok[mask].sort_values(first, ascending=objectives[first] is Direction.MIN, kind="stable")


def write_tables(frame: pd.DataFrame, front: pd.DataFrame, spec: SweepSpec, out: Path) -> list[Path]:
    """results.parquet, results.csv and pareto.csv (swept fields, objectives and status, no config) in `out`."""
    paths = [out / "results.parquet", out / "results.csv", out / "pareto.csv"]
    frame.to_parquet(paths[0], index=False)
    frame.to_csv(paths[1], index=False)
    front[["point", *spec.paths, *spec.objectives, *_headline(spec)]].to_csv(paths[2], index=False)
    return paths


def _headline(spec: SweepSpec) -> list[str]:
    extra = ["energy_j", "latency_s", "area_m2", "tops_per_w", "tops_per_mm2"]
    return [m for m in extra if m not in spec.objectives]


def front_summary(front: pd.DataFrame, spec: SweepSpec, limit: int = 20) -> str:
    """A plain-text table of the front (first `limit` points): swept fields and objectives."""
    if front.empty:
        return "Pareto front: no valid point"
    columns = ["point", *spec.paths, *spec.objectives]
    shown = front[columns].head(limit)
    text = shown.to_string(index=False, float_format=lambda x: f"{x:.4g}")
    more = f"\n... {len(front) - limit} more in pareto.csv" if len(front) > limit else ""
    return f"Pareto front ({len(front)} points):\n{text}{more}"
