"""Multi-objective search with Optuna (NSGA-II or TPE): trials asked in fixed batches, answered by the runner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from neurocim.explore.engine import OK, PointRunner
from neurocim.explore.space import Dimension, Point
from neurocim.explore.spec import Direction, SamplerName, StrategyConfig


def run_optuna(runner: PointRunner, dims: Sequence[Dimension], strategy: StrategyConfig, objectives: dict) -> int:
    """Run strategy.trials trials; a point already in the store is answered from it. Returns trials told.

    The sampler is seeded and trials are asked strategy.batch at a time whatever the number of workers, so a
    rerun asks the same points in the same order: a resumed search recomputes nothing and ends where an
    uninterrupted one does.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directions: list[Literal["maximize", "minimize"]] = [
        "maximize" if d is Direction.MAX else "minimize" for d in objectives.values()
    ]
    study = optuna.create_study(directions=directions, sampler=_sampler(strategy))
    assert strategy.trials is not None
    told = 0
    while told < strategy.trials:
        trials = [study.ask() for _ in range(min(strategy.batch, strategy.trials - told))]
        points = [_suggest(trial, dims) for trial in trials]
        rows = runner.evaluate([(t.number, p) for t, p in zip(trials, points, strict=True)])
        for trial, row in zip(trials, rows, strict=True):
            if row.status == OK:
                study.tell(trial, [row.metrics[m] for m in objectives])
            else:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
        told += len(trials)
    return told


def _sampler(strategy: StrategyConfig):
    import optuna

    if strategy.sampler is SamplerName.TPE:
        return optuna.samplers.TPESampler(seed=strategy.seed)
    return optuna.samplers.NSGAIISampler(seed=strategy.seed)


def _suggest(trial, dims: Sequence[Dimension]) -> Point:
    """A point from a trial: step ranges as Optuna int/float ranges, every other dimension as categories."""
    point: Point = {}
    for d in dims:
        if d.step is not None and d.numeric and len(d.values) > 1:
            low, high = d.values[0], d.values[-1]
            if all(isinstance(v, int) for v in (low, high, d.step)):
                point[d.path] = trial.suggest_int(d.path, low, high, step=d.step)
            else:
                value = trial.suggest_float(d.path, low, high, step=d.step)
                distances = [abs(v - value) for v in d.values]
                point[d.path] = d.values[distances.index(min(distances))]  # the listed value, exactly
        else:
            point[d.path] = trial.suggest_categorical(d.path, list(d.values))
    return point
