"""Evaluating batches of points: validate, pay accuracy once per distinct setting, cost, store as they finish."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from neurocim.config.chip import ChipConfig
from neurocim.config.derived import check_cost_model_limits
from neurocim.config.io import ConfigError, validate_changed
from neurocim.config.run import RunConfig
from neurocim.explore.accuracy_eval import accuracy_key
from neurocim.explore.backends import Backend
from neurocim.explore.batches import by_read_setting, read_key
from neurocim.explore.costing import Workload, spaced_collections
from neurocim.explore.space import Point, apply_point, point_key
from neurocim.explore.spec import SweepSpec
from neurocim.explore.store import PointRow, ResultStore

OK, INVALID, FAILED = "ok", "invalid", "failed"
BATCH_SECONDS = 1.0  # target time of one committed batch (what a kill can lose)
MAX_BATCH_PER_WORKER = 256


@dataclass(frozen=True)
class _Pending:
    """A valid point waiting for its accuracy and cost."""

    seq: int
    key: str
    point: Point
    chip: ChipConfig
    run: RunConfig | None
    accuracy_key: str | None
    config: str


class PointRunner:
    """Evaluates points of one sweep on a backend, appending each finished batch to the store."""

    def __init__(self, spec: SweepSpec, store: ResultStore, backend: Backend, workload: Workload) -> None:
        self.spec, self.store, self.backend, self.workload = spec, store, backend, workload
        # called after each batch with (rows computed now, points of the batch: new and already stored)
        self.listeners: list[Callable[[list[PointRow], int], None]] = []

    def evaluate(self, batch: Sequence[tuple[int, Point]]) -> list[PointRow]:
        """Rows of the batch's points in order: stored ones as they are, the rest computed and stored."""
        found: dict[str, PointRow] = {}
        pending: dict[str, _Pending] = {}
        keys = [point_key(point) for _, point in batch]
        for (seq, point), key in zip(batch, keys, strict=True):
            if key in self.store or key in found or key in pending:
                continue
            prepared = self.prepare(seq, key, point)
            if isinstance(prepared, PointRow):
                found[key] = prepared
            else:
                pending[key] = prepared
        new = list(found.values()) + self._compute(list(pending.values()))
        self.store.add(new)
        for listener in self.listeners:
            listener(new, len(batch))
        fresh = {r.key: r for r in new}
        return [fresh[k] if k in fresh else self.store.row(k) for k in keys]

    def prepare(self, seq: int, key: str, point: Point) -> PointRow | _Pending:
        """The point's row where it is refused (a constraint, its validation, the cost model's limits, the traces'
        input precision), else what computing it needs."""
        applied = apply_point(self.spec.base_dict, point)
        config = json.dumps(applied, separators=(",", ":"))

        def invalid(message: str) -> PointRow:
            return PointRow(key, seq, INVALID, message, dict(point), {}, None, config, 0.0)

        for constraint in self.spec.constraints:
            try:
                if not constraint.holds(applied):
                    return invalid(constraint.explain(applied))
            except ConfigError as err:
                return invalid(str(err))
        try:
            run = self._run_config(applied, point) if self.spec.accuracy else None
            chip = run.chip if run is not None else self._chip_config(applied["chip"], point)
            check_cost_model_limits(chip)  # what the cost model cannot size is refused before accuracy is paid
            acc_key = accuracy_key(run) if run is not None else None
        except (ConfigError, ValueError) as err:
            return invalid(str(err).replace("\n", "; "))
        if chip.precision.input_bits != self.workload.input_bits:
            return invalid(
                f"chip.precision.input_bits={chip.precision.input_bits} differs from the workload traces' "
                f"{self.workload.input_bits}-bit input codes; record traces at that precision to cost it"
            )
        return _Pending(seq, key, dict(point), chip, run, acc_key, config)

    def _run_config(self, applied: dict, point: Point) -> RunConfig:
        """The point's run configuration, validated strictly where it differs from the (validated) base."""
        return validate_changed(RunConfig, applied, "point", self.spec.base, point)

    def _chip_config(self, section: dict, point: Point) -> ChipConfig:
        """The point's chip configuration, validated strictly where it differs from the base's chip."""
        changed = [path.removeprefix("chip.") for path in point if path.startswith("chip.")]
        return validate_changed(ChipConfig, section, "point", self.spec.base.chip, changed)

    def _compute(self, pending: list[_Pending]) -> list[PointRow]:
        if not pending:
            return []
        accuracy = self._accuracies(pending) if self.spec.accuracy else {}
        rows, to_cost = [], []
        for p in pending:
            acc = accuracy.get(p.accuracy_key) if p.accuracy_key is not None else None
            if acc is not None and acc[0] is None:
                rows.append(PointRow(p.key, p.seq, FAILED, acc[1], p.point, {}, p.accuracy_key, p.config, 0.0))
            else:
                to_cost.append(p)
        settings = [read_key(p.point, self.spec.base_dict) for p in to_cost]
        outcomes = self.backend.cost([p.chip for p in to_cost], settings)
        for p, outcome in zip(to_cost, outcomes, strict=True):
            acc = accuracy.get(p.accuracy_key) if p.accuracy_key is not None else None
            if outcome.metrics is None:
                row = PointRow(p.key, p.seq, FAILED, outcome.message, p.point, {}, p.accuracy_key, p.config,
                               outcome.seconds)  # fmt: skip
            else:
                metrics = {**(acc[0] if acc else {}), **outcome.metrics}
                row = PointRow(p.key, p.seq, OK, "", p.point, metrics, p.accuracy_key, p.config, outcome.seconds)
            rows.append(row)
        return sorted(rows, key=lambda r: r.seq)

    def _accuracies(self, pending: list[_Pending]) -> dict[str, tuple]:
        """Accuracy of every distinct setting among the points: from the store, else evaluated once now."""
        results: dict[str, tuple] = {}
        todo: dict[str, RunConfig] = {}
        for p in pending:
            assert p.accuracy_key is not None and p.run is not None
            stored = self.store.accuracy(p.accuracy_key)
            if stored is not None:
                results[p.accuracy_key] = stored
            else:
                todo.setdefault(p.accuracy_key, p.run)
        for key, outcome in zip(todo, self.backend.accuracy(list(todo.values())), strict=True):
            self.store.add_accuracy(key, outcome.metrics, outcome.message, outcome.seconds)
            results[key] = (outcome.metrics, outcome.message, outcome.seconds)
        return results


def run_planned(runner: PointRunner, points: Sequence[Point], batch: int | None = None) -> None:
    """Evaluate a planned list of points (seq = position), skipping those already stored.

    Points go to the backend in batches and each batch is committed when it finishes; the points of one read setting
    are taken together (see by_read_setting), so that its read pass is paid once. A fixed `batch` sets its size; by
    default it adapts so that a batch takes about BATCH_SECONDS (slow points are committed one by one, fast ones in
    large batches that keep every worker busy), and a batch takes the rest of its last read setting with it.
    """
    base = runner.spec.base_dict
    todo = by_read_setting([(seq, p) for seq, p in enumerate(points) if point_key(p) not in runner.store], base)
    workers = runner.backend.workers
    size, start = batch or workers, 0
    with spaced_collections():
        while start < len(todo):
            began = time.perf_counter()
            stop = start + size if batch is not None else _setting_end(todo, start + size, start + 2 * size, base)
            runner.evaluate(todo[start:stop])
            done, start = stop - start, stop
            if batch is None:
                per_point = (time.perf_counter() - began) / done
                wanted = round(BATCH_SECONDS / max(per_point, 1e-6))
                size = max(workers, min(wanted, 2 * size, MAX_BATCH_PER_WORKER * workers))


def _setting_end(todo: Sequence[tuple[int, Point]], stop: int, limit: int, base: Mapping[str, Any]) -> int:
    """`stop` moved (up to `limit`) past the remaining points of the read setting of the point before it, unless that
    is the base chip's (which every worker holds)."""
    if stop >= len(todo):
        return len(todo)
    last = read_key(todo[stop - 1][1], base)
    while last and stop < min(limit, len(todo)) and read_key(todo[stop][1], base) == last:
        stop += 1
    return stop
