"""Accuracy of on-chip training vs device nonlinearity and vs cycle-to-cycle variation, with and without momentum."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from neurocim.config.run import RunConfig, load_config
from neurocim.config.train import UpdateModel
from neurocim.train.loop import resolve_config
from neurocim.train.run import train_run

SWEEP_FIELDS = ("sweep", "value", "momentum", "seed", "test_accuracy")


@dataclass(frozen=True)
class TrainPoint:
    """One training run of a sweep: which setting (`nonlinearity` or `c2c`), its value, momentum, seed, accuracy."""

    sweep: str
    value: float
    momentum: float
    seed: int
    test_accuracy: float


def _variant(cfg: RunConfig, sweep: str, value: float, momentum: float, seed: int) -> RunConfig:
    data = cfg.model_dump(mode="json")
    t = data["train"]
    t.update(momentum=momentum, seed=seed, dampening=t["dampening"] if momentum > 0 else 0.0)
    if sweep == "nonlinearity":  # symmetric saturating device: LTP +NL, LTD -NL (V2.1's label convention)
        t["device"].update(model=UpdateModel.NEUROSIM_V21.value, nonlinearity_ltp=value, nonlinearity_ltd=-value)
    else:
        t["device"]["c2c_sigma"] = value
    return load_config(data)


def sweep_training(
    config: RunConfig | str | Path | None,
    nonlinearities: Sequence[float],
    c2c: Sequence[float],
    momenta: Sequence[float],
    seeds: Sequence[int],
    epochs: int | None = None,
    report: Callable[[TrainPoint], None] | None = None,
) -> list[TrainPoint]:
    """Train once per (setting, value, momentum, seed); nonlinearity runs use the neurosim_v21 device with no c2c
    noise beyond the file's, c2c runs the file's own device. Returns every point (in run order)."""
    cfg = resolve_config(config)
    plan = [("nonlinearity", v) for v in nonlinearities] + [("c2c", v) for v in c2c]
    points = []
    for sweep, value in plan:
        for momentum in momenta:
            for seed in seeds:
                result = train_run(_variant(cfg, sweep, value, momentum, seed), epochs=epochs)
                point = TrainPoint(sweep, float(value), float(momentum), int(seed), result.test_accuracy)
                points.append(point)
                if report is not None:
                    report(point)
    return points


def mean_accuracy(points: Sequence[TrainPoint]) -> dict[tuple[str, float, float], float]:
    """Mean test accuracy over seeds, keyed by (sweep, value, momentum)."""
    groups: dict[tuple[str, float, float], list[float]] = {}
    for p in points:
        groups.setdefault((p.sweep, p.value, p.momentum), []).append(p.test_accuracy)
    return {k: sum(v) / len(v) for k, v in groups.items()}


def write_sweep_csv(points: Sequence[TrainPoint], path: str | Path) -> None:
    with Path(path).open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(SWEEP_FIELDS)
        for p in points:
            writer.writerow([p.sweep, p.value, p.momentum, p.seed, p.test_accuracy])


def render_sweep(points: Sequence[TrainPoint]) -> str:
    lines = [f"{'sweep':<13}{'value':>8}{'momentum':>10}{'accuracy':>10}"]
    for (sweep, value, momentum), acc in mean_accuracy(points).items():
        lines.append(f"{sweep:<13}{value:>8g}{momentum:>10g}{acc:>10.2%}")
    return "\n".join(lines)


def plot_sweep(points: Sequence[TrainPoint], path: str | Path) -> None:
    """Two panels: mean accuracy vs nonlinearity and vs c2c, one line per momentum."""
    from neurocim.train.plots import new_figure

    means = mean_accuracy(points)
    fig, axes = new_figure(10, 4, 2)
    labels = ("nonlinearity |NL| (LTP +NL, LTD -NL)", "cycle-to-cycle sigma (fraction of range)")
    for ax, sweep, label in zip(axes, ("nonlinearity", "c2c"), labels, strict=True):
        for momentum in sorted({k[2] for k in means if k[0] == sweep}):
            xs = sorted(k[1] for k in means if k[0] == sweep and k[2] == momentum)
            ax.plot(xs, [means[(sweep, x, momentum)] for x in xs], "o-", label=f"momentum {momentum:g}")
        ax.set(xlabel=label, ylabel="test accuracy", title=f"On-chip training vs {sweep}")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
