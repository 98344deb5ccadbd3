"""PNG plots of a sweep: Pareto fronts of metric pairs coloured by a swept field, and per-field sensitivity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from neurocim.explore.results import pareto_mask
from neurocim.explore.spec import SweepSpec

# (x, y) metric pairs drawn when both are in the table; accuracy vs energy only in accuracy sweeps
PAIRS = (("energy_j", "accuracy"), ("latency_s", "energy_j"), ("area_m2", "energy_j"))
LOG_SPAN = 20.0  # an axis whose values span more than this ratio is drawn in log scale
MAX_LINES = 12  # lines of one accuracy plot before it shows their mean instead
MAXIMISED = ("accuracy", "tops", "tops_per_w", "tops_per_mm2", "fps")  # better when larger (else smaller)
UNITS = {"energy_j": (1e9, "energy per inference (nJ)"), "latency_s": (1e6, "latency (µs)"),
         "area_m2": (1e6, "area (mm²)"), "accuracy": (100.0, "accuracy (%)")}  # fmt: skip


def plot_sweep_results(frame: pd.DataFrame, front: pd.DataFrame, spec: SweepSpec, out: Path) -> list[Path]:
    """pareto_<y>_<x>.png for each pair and sensitivity.png; only ok points are drawn. Their paths."""
    ok = frame[frame["status"] == "ok"]
    if ok.empty:
        return []
    written = []
    for x, y in PAIRS:
        if x in ok and y in ok and ok[y].notna().all():
            path = out / f"pareto_{_short(y)}_{_short(x)}.png"
            _pareto_plot(ok, x, y, spec.paths[0], path)
            written.append(path)
    if spec.accuracy and ok["accuracy"].notna().all() and ok[spec.paths[0]].nunique() > 1:
        path = out / f"accuracy_vs_{spec.paths[0].split('.')[-1]}.png"
        plot_accuracy_lines(ok, spec.paths[0], list(spec.paths[1:]), path)
        written.append(path)
    path = out / "sensitivity.png"
    if plot_sensitivity(sensitivity(ok, spec), path):
        written.append(path)
    return written


def _short(metric: str) -> str:
    return metric.split("_")[0]


def _figure(size: tuple[float, float]):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=120)
    FigureCanvasAgg(fig)
    return fig


def _pareto_plot(ok: pd.DataFrame, x: str, y: str, color_by: str, path: Path) -> None:
    fig = _figure((6.4, 4.4))
    ax = fig.add_subplot()
    sx, lx = UNITS.get(x, (1.0, x))
    sy, ly = UNITS.get(y, (1.0, y))
    values = ok[color_by]
    if pd.api.types.is_numeric_dtype(values) and values.nunique() > 8:
        points = ax.scatter(ok[x] * sx, ok[y] * sy, c=values, cmap="viridis", s=18, alpha=0.8)
        fig.colorbar(points, ax=ax, label=color_by)
    else:
        for value, group in ok.groupby(color_by, sort=True):
            ax.scatter(group[x] * sx, group[y] * sy, s=18, alpha=0.8, label=f"{value}")
        ax.legend(title=color_by, fontsize="small")
    mask = pareto_mask(ok[[x, y]].to_numpy(), [x in MAXIMISED, y in MAXIMISED])
    front = ok[mask].sort_values(x)
    ax.step(front[x] * sx, front[y] * sy, where="post", color="black", linewidth=1, label="Pareto front")
    ax.scatter(front[x] * sx, front[y] * sy, facecolors="none", edgecolors="black", s=40)
    ax.set_xlabel(lx)
    ax.set_ylabel(ly)
    for column, set_scale in ((x, ax.set_xscale), (y, ax.set_yscale)):
        low, high = ok[column].min(), ok[column].max()
        if low > 0 and high / low > LOG_SPAN:
            set_scale("log")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="png")


def plot_accuracy_lines(ok: pd.DataFrame, field: str, others: list[str], path: Path) -> None:
    """Accuracy (%) against one swept field, one line per combination of the others (error bars: std over
    device draws); with more than MAX_LINES combinations, one line of the mean over them."""
    fig = _figure((6.4, 4.2))
    ax = fig.add_subplot()
    groups = list(ok.groupby(others, sort=True)) if others else [((), ok)]
    if len(groups) > MAX_LINES:
        mean = ok.groupby(field, sort=True)["accuracy"].mean()
        ax.plot(mean.index, 100 * mean.to_numpy(), marker="o", label=f"mean over {len(groups)} settings")
    else:
        for key, group in groups:
            g = group.sort_values(field)
            label = ", ".join(f"{o.split('.')[-1]}={v}" for o, v in zip(others, np.atleast_1d(key), strict=True))
            ax.errorbar(g[field], 100 * g["accuracy"], yerr=100 * g["accuracy_std"], marker="o", capsize=3,
                        label=label or "accuracy")  # fmt: skip
    if "float_accuracy" in ok:
        ax.axhline(100 * ok["float_accuracy"].max(), color="grey", linestyle="--", label="float")
    ax.set_xlabel(field)
    ax.set_ylabel("top-1 accuracy (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format="png")


def sensitivity(ok: pd.DataFrame, spec: SweepSpec) -> pd.DataFrame:
    """How much each swept field moves each objective: spread of the objective's mean over the field's values,
    in % of the objective's overall mean (fields x objectives; 0 for a field with one value)."""
    table = {}
    for metric in spec.objectives:
        overall = float(ok[metric].abs().mean())
        row = {}
        for path in spec.paths:
            means = ok.groupby(path, sort=True)[metric].mean()
            spread = float(means.max() - means.min()) if len(means) > 1 else 0.0
            row[path] = 100.0 * spread / overall if overall > 0 else 0.0
        table[metric] = row
    return pd.DataFrame(table).reindex(list(spec.paths))


def plot_sensitivity(table: pd.DataFrame, path: Path) -> bool:
    """Grouped horizontal bars: one group per field, one bar per objective. False when there is nothing to draw."""
    if table.empty or not np.isfinite(table.to_numpy()).all():
        return False
    fig = _figure((6.4, 1.2 + 0.5 * len(table) * max(1, len(table.columns)) ** 0.5))
    ax = fig.add_subplot()
    height = 0.8 / len(table.columns)
    ys = np.arange(len(table))
    for i, metric in enumerate(table.columns):
        ax.barh(ys + i * height, table[metric], height=height, label=metric)
    ax.set_yticks(ys + 0.4 - height / 2, list(table.index))
    ax.invert_yaxis()
    ax.set_xlabel("spread of the mean over the field's values (% of the mean)")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, format="png")
    return True
