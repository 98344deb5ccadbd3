"""PNG plots of a hardware report: chip area, latency and energy by component, and per layer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np

from neurocim.report.records import AREA_COMPONENTS, Breakdown, Report

# The records count buffer and interconnect inside `other`; the plots split `other` so that parts do not overlap.
STACK_PARTS = ("adc", "accumulation", "other logic", "buffer", "interconnect")
LEAKAGE = "leakage"
UNASSIGNED = "unassigned"  # chip area inside the tiles' outlines that no breakdown component claims
TIME_UNITS = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"))
ENERGY_UNITS = ((1.0, "J"), (1e-3, "mJ"), (1e-6, "µJ"), (1e-9, "nJ"), (1e-12, "pJ"))
COLORS = {
    "array": "#8c564b",
    "adc": "#1f77b4",
    "accumulation": "#ff7f0e",
    "other": "#2ca02c",
    "other logic": "#2ca02c",
    "buffer": "#9467bd",
    "interconnect": "#d62728",
    LEAKAGE: "#7f7f7f",
    UNASSIGNED: "#c7c7c7",
    "total": "#333333",
}
_ROUNDING = 1e-9  # relative slack for float round-off when splitting `other` or the chip area
_MAX_LAYER_LABELS = 30


@dataclass(frozen=True)
class PlotTable:
    """One figure's data in SI units: chip value per component and, except for area, per-layer stacks.

    `chip_rule` says how each chip value follows from the per-layer ones: "sum" (energy, layer-by-layer latency)
    or "max" (pipelined latency: every component is its largest value over the layers).
    """

    components: tuple[str, ...]
    chip: dict[str, float]
    chip_total: float
    layer_names: tuple[str, ...] = ()
    per_layer: dict[str, np.ndarray] = field(default_factory=dict)
    chip_rule: str = "sum"


def _split_other(parts: Breakdown, where: str) -> dict[str, float]:
    """Disjoint parts of a latency or energy breakdown: `other` without its buffer and interconnect shares."""
    rest = parts.other - parts.buffer - parts.interconnect
    if rest < 0:
        if rest < -_ROUNDING * parts.other:
            raise ValueError(
                f"{where}: buffer + interconnect ({parts.buffer + parts.interconnect!r}) exceed other "
                f"({parts.other!r}); the records count both inside other"
            )
        rest = 0.0
    values = {"adc": parts.adc, "accumulation": parts.accumulation, "other logic": rest}
    values.update(buffer=parts.buffer, interconnect=parts.interconnect)
    return values


def _latency_rule(report: Report) -> str:
    """'sum' (layer by layer) or 'max' (pipeline), read off how the chip latency follows from the layers'."""
    latencies = [layer.latency_s for layer in report.layers]
    total = report.chip.latency_s
    if math.isclose(total, sum(latencies), rel_tol=_ROUNDING):
        return "sum"
    if math.isclose(total, max(latencies), rel_tol=_ROUNDING):
        return "max"
    raise ValueError(
        f"report.chip.latency_s={total!r} is neither the sum ({sum(latencies)!r}) nor the maximum "
        f"({max(latencies)!r}) of the layer latencies"
    )


def _layer_table(report: Report, attr: str, rule: str, total: float, leakage: bool) -> PlotTable:
    rows = []
    for layer in report.layers:
        row = _split_other(getattr(layer, attr), f"report.layers[layer={layer.layer}].{attr}")
        if leakage:
            row[LEAKAGE] = layer.leakage_energy_j
        rows.append(row)
    components = STACK_PARTS + ((LEAKAGE,) if leakage else ())
    per_layer = {c: np.array([row[c] for row in rows], dtype=float) for c in components}
    combine = np.max if rule == "max" else np.sum
    return PlotTable(
        components=components,
        chip={c: float(combine(v)) for c, v in per_layer.items()},
        chip_total=total,
        layer_names=tuple(layer.name or f"L{layer.layer}" for layer in report.layers),
        per_layer=per_layer,
        chip_rule=rule,
    )


def _area_table(report: Report) -> PlotTable:
    chip = {c: getattr(report.chip.area_breakdown_m2, c) for c in AREA_COMPONENTS}
    total = report.chip.area_m2
    rest = total - sum(chip.values())
    if rest < -_ROUNDING * total:
        parts = sum(chip.values())
        raise ValueError(f"report.chip.area_breakdown_m2 sums to {parts!r} m², more than area_m2={total!r}")
    components: tuple[str, ...] = AREA_COMPONENTS
    if rest > _ROUNDING * total:
        chip[UNASSIGNED] = rest
        components = AREA_COMPONENTS + (UNASSIGNED,)
    return PlotTable(components=components, chip=chip, chip_total=total)


def breakdown_tables(report: Report) -> dict[str, PlotTable]:
    """The numbers the plots draw (SI units): 'area', 'latency' and 'energy' (dynamic parts plus leakage)."""
    if not report.layers:
        raise ValueError("report.layers is empty: a report to plot needs at least one layer")
    chip = report.chip
    return {
        "area": _area_table(report),
        "latency": _layer_table(report, "latency_breakdown_s", _latency_rule(report), chip.latency_s, False),
        "energy": _layer_table(
            report, "energy_breakdown_j", "sum", chip.dynamic_energy_j + chip.leakage_energy_j, True
        ),
    }


def display_unit(largest: float, units: tuple[tuple[float, str], ...]) -> tuple[float, str]:
    """(scale, name) of the largest unit in which `largest` is at least 1, else the smallest unit."""
    for scale, name in units:
        if largest >= scale:
            return scale, name
    return units[-1]


def _output_dir(out_dir: str | Path, prefix: str) -> Path:
    path = Path(out_dir)
    if path.exists() and not path.is_dir():
        raise ValueError(f"out_dir {str(path)!r} exists and is not a directory")
    if "/" in prefix or "\\" in prefix:
        raise ValueError(f"prefix {prefix!r} must be a file-name prefix without path separators")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _new_figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)  # Agg canvas of this figure only: no display, no global backend switch, no pyplot
    return fig


def _chip_panel(ax, table: PlotTable, units: tuple[tuple[float, str], ...] | None, what: str) -> None:
    """Horizontal bars: one per component, then the chip total."""
    scale, unit = (1e-6, "mm²") if units is None else display_unit(max(table.chip_total, *table.chip.values()), units)
    names = list(table.components) + ["total"]
    values = [table.chip[c] / scale for c in table.components] + [table.chip_total / scale]
    y = np.arange(len(names))[::-1]
    ax.barh(y, values, color=[COLORS[n] for n in names])
    ax.set_yticks(y, names)
    for yi, v in zip(y, values, strict=True):
        ax.annotate(f" {v:.3g}", (v, yi), va="center", fontsize="small")
    ax.set_xlim(0, max(values) * 1.2 if max(values) > 0 else 1.0)
    ax.set_xlabel(f"{what} ({unit})")
    ax.grid(axis="x", alpha=0.3)


def _thin_layer_ticks(ax, names: tuple[str, ...]) -> None:
    step = math.ceil(len(names) / _MAX_LAYER_LABELS)
    ticks = list(range(0, len(names), step))
    ax.set_xticks(ticks, [names[i] for i in ticks], rotation=0 if len(names) <= 10 else 90, fontsize="small")
    ax.set_xlim(-0.6, len(names) - 0.4)


def _segments(x: np.ndarray, bottom: np.ndarray, top: np.ndarray, color: str, label: str):
    """One bar segment per layer as a single collection (one artist, not one per bar: fast for many layers)."""
    from matplotlib.collections import PolyCollection

    left, right = x - 0.4, x + 0.4
    corners = [(left, bottom), (right, bottom), (right, top), (left, top)]
    verts = np.stack([np.column_stack(corner) for corner in corners], axis=1)  # (layers, 4 corners, xy)
    # a (layers, 4, 2) array is the sequence of polygons PolyCollection takes (and its fast path)
    return PolyCollection(cast(Sequence[np.ndarray], verts), facecolors=color, edgecolors="none", label=label)


def _layer_panel(ax, table: PlotTable, units: tuple[tuple[float, str], ...], what: str) -> None:
    """Stacked bars: one per layer, one segment per component."""
    stacks = np.sum([table.per_layer[c] for c in table.components], axis=0)
    scale, unit = display_unit(float(stacks.max()), units)
    x = np.arange(len(table.layer_names), dtype=float)
    bottom = np.zeros(len(x))
    for c in table.components:
        top = bottom + table.per_layer[c] / scale
        ax.add_collection(_segments(x, bottom, top, COLORS[c], c))
        bottom = top
    if table.chip_rule == "max":
        ax.axhline(table.chip_total / scale, color=COLORS["total"], linestyle="--", label="chip (slowest stage)")
    _thin_layer_ticks(ax, table.layer_names)
    y_top = max(float(bottom.max()), table.chip_total / scale if table.chip_rule == "max" else 0.0)
    ax.set_ylim(0, y_top * 1.05 or 1.0)
    ax.set_xlabel("layer")
    ax.set_ylabel(f"{what} ({unit})")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: never hides a bar


def _two_panel_figure(table: PlotTable, units, what: str, title: str):
    n = len(table.layer_names)
    fig = _new_figure(6.0 + min(max(0.25 * n, 5.0), 14.0), 4.8)
    left, right = fig.subplots(1, 2, width_ratios=[1.0, min(max(0.05 * n, 1.3), 3.0)])
    _chip_panel(left, table, units, what)
    rule = "max over layers (pipeline)" if table.chip_rule == "max" else "sum over layers"
    left.set_title(f"chip: {rule}", fontsize="medium")
    _layer_panel(right, table, units, what)
    right.set_title("per layer", fontsize="medium")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _title(text: str, chip_label: str | None) -> str:
    return f"{chip_label}: {text}" if chip_label else text


def plot_report(report: Report, out_dir: str | Path, prefix: str = "", *, chip_label: str | None = None) -> list[Path]:
    """Write {prefix}area.png, {prefix}latency.png and {prefix}energy.png into out_dir; return their paths.

    `chip_label` names the chip in the titles (the report itself does not say which chip it describes).
    """
    folder = _output_dir(out_dir, prefix)
    tables = breakdown_tables(report)
    area = _new_figure(6.4, 3.8)
    _chip_panel(area.subplots(), tables["area"], None, "area")
    area.suptitle(_title("chip area by component", chip_label))
    area.tight_layout()
    latency = _two_panel_figure(
        tables["latency"], TIME_UNITS, "latency per image", _title("latency per image", chip_label)
    )
    energy = _two_panel_figure(
        tables["energy"], ENERGY_UNITS, "energy per image", _title("energy per image (dynamic + leakage)", chip_label)
    )
    paths = []
    for name, fig in (("area", area), ("latency", latency), ("energy", energy)):
        path = folder / f"{prefix}{name}.png"
        fig.savefig(path, format="png")
        fig.clear()  # the figures never enter pyplot's registry; clearing frees their artists at once
        paths.append(path)
    return paths
