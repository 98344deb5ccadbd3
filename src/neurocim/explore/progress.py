"""A rich progress bar for a sweep: points done, ETA, invalid/failed counts and the best point so far."""

from __future__ import annotations

from typing import TYPE_CHECKING

from neurocim.explore.spec import Direction, SweepSpec
from neurocim.explore.store import PointRow

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class SweepProgress:
    """Context manager; `update(rows, advanced)` counts new rows and advances by a batch's points (or trials).
    Disabled, it only keeps the counts."""

    def __init__(self, spec: SweepSpec, total: int, done: int, enabled: bool = True) -> None:
        self.spec, self.total, self.enabled = spec, total, enabled
        self.counts = {"ok": 0, "invalid": 0, "failed": 0}
        self.best: PointRow | None = None
        self._done = done
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> SweepProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("explore"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                TextColumn("{task.fields[best]}"), console=Console(stderr=True), transient=False,
            )  # fmt: skip
            self._progress.start()
            self._task = self._progress.add_task("explore", total=self.total, completed=self._done, best="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, rows: list[PointRow], advanced: int) -> None:
        """Count newly finished rows, keep the best ok point on the first objective, advance the bar."""
        metric, direction = next(iter(self.spec.objectives.items()))
        sign = -1.0 if direction is Direction.MAX else 1.0
        for row in rows:
            self.counts[row.status] = self.counts.get(row.status, 0) + 1
            better = self.best is None or sign * row.metrics.get(metric, 0.0) < sign * self.best.metrics[metric]
            if row.status == "ok" and better:
                self.best = row
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=advanced, best=self.describe())

    def describe(self) -> str:
        """`best energy_j=1.2e-06 (chip.adc.bits=4) · 3 invalid` — the best point so far and the skipped counts."""
        parts = []
        if self.best is not None:
            metric = next(iter(self.spec.objectives))
            fields = ", ".join(f"{k}={v}" for k, v in self.best.fields.items())
            parts.append(f"best {metric}={self.best.metrics[metric]:.4g} ({fields})")
        parts += [f"{self.counts[s]} {s}" for s in ("invalid", "failed") if self.counts.get(s)]
        return " · ".join(parts)
