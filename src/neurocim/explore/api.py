"""`neurocim.explore(...)`: run (or resume) a sweep file into a results folder and return its table."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from neurocim.config.io import ConfigError
from neurocim.explore.backends import check_backend_options, open_backend
from neurocim.explore.costing import load_workload
from neurocim.explore.engine import PointRunner, run_planned
from neurocim.explore.progress import SweepProgress
from neurocim.explore.results import front_summary, pareto_front, results_frame, write_tables
from neurocim.explore.spec import StrategyName, SweepSpec, load_sweep
from neurocim.explore.store import ResultStore

DEFAULT_OUT = "neurocim_explore"
MESSAGES_SHOWN = 8  # distinct invalid/failed messages listed in summary.txt


def explore(
    sweep: str | Path | Mapping[str, Any],
    out: str | Path = DEFAULT_OUT,
    *,
    backend: str = "local",
    workers: int = 1,
    address: str | None = None,
    progress: bool = True,
    plots: bool = True,
    batch: int | None = None,
) -> pd.DataFrame:
    """Run the sweep (a sweep file or mapping) into `out` and return the results table, one row per point.

    Finished points are committed to out/results.sqlite batch by batch (about a second of work each); calling
    again with the same sweep and folder resumes (stored points are not recomputed). Writes results.parquet,
    results.csv, pareto.csv, summary.txt and the PNG plots. batch: points computed between two commits to the
    store (default: as many as take about a second).
    """
    spec = load_sweep(sweep)
    check_backend_options(backend, workers, address)
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int) or batch < 1):
        raise ConfigError(f"batch={batch!r} must be an integer >= 1")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"out={str(folder)!r} exists and is not a folder")
    store = ResultStore(folder, spec.fingerprint())
    try:
        _run(spec, store, backend, workers, address, progress, batch)
        frame = results_frame(spec, store.rows())
        summary = _summary(spec, frame, store)
    finally:
        store.close()
    front = pareto_front(frame, spec.objectives)
    write_tables(frame, front, spec, folder)
    (folder / "summary.txt").write_text(summary + "\n" + front_summary(front, spec) + "\n")
    if plots:
        from neurocim.explore.plots import plot_sweep_results

        plot_sweep_results(frame, front, spec, folder)
    return frame


def _run(spec: SweepSpec, store: ResultStore, backend: str, workers: int, address: str | None, progress: bool,
         batch: int | None) -> None:  # fmt: skip
    from neurocim.explore.strategies import planned_points

    optuna = spec.strategy.name is StrategyName.OPTUNA
    points = None if optuna else planned_points(spec.dims, spec.strategy)
    total = spec.strategy.trials if optuna else len(points or [])
    if not optuna and all(_key(p) in store for p in points or []):
        return  # finished before: nothing to load or start
    workload = load_workload(spec.traces, spec.base)
    engine = open_backend(backend, workload, workers, address)
    try:
        runner = PointRunner(spec, store, engine, workload)
        done = 0 if optuna else len(store)  # a resumed search re-asks its trials (answered from the store)
        with SweepProgress(spec, total or 0, done, enabled=progress) as bar:
            bar.update(store.rows(), 0)  # a resumed sweep shows its best stored point from the start
            runner.listeners.append(bar.update)
            if optuna:
                from neurocim.explore.search import run_optuna

                run_optuna(runner, spec.dims, spec.strategy, spec.objectives)
            else:
                run_planned(runner, points or [], batch)
    finally:
        engine.close()


def _key(point: Mapping[str, Any]) -> str:
    from neurocim.explore.space import point_key

    return point_key(point)


def _summary(spec: SweepSpec, frame: pd.DataFrame, store: ResultStore) -> str:
    counts = frame["status"].value_counts()
    parts = [f"{counts.get(s, 0)} {s}" for s in ("ok", "invalid", "failed")]
    line = f"{spec.source}: {len(frame)} points ({', '.join(parts)})"
    if spec.accuracy:
        paid = store.accuracy_count()
        line += f"; accuracy evaluated {paid} time{'s' * (paid != 1)} (once per distinct accuracy setting)"
    skipped = frame[frame["status"] != "ok"].groupby(["status", "message"], sort=False).size()
    shown = skipped.sort_values(ascending=False, kind="stable").head(MESSAGES_SHOWN)
    lines = [line] + [f"  {n} {status}: {message}" for (status, message), n in shown.items()]
    if len(skipped) > len(shown):
        lines.append(f"  ... {len(skipped) - len(shown)} more distinct messages in results.csv")
    return "\n".join(lines)
