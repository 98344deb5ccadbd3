"""Accuracy vs ADC precision over sub-array sizes and cell precisions: where a chip's accuracy knee lies."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from neurocim.config.io import ConfigError
from neurocim.config.run import RunConfig, load_config

CSV_FIELDS = (
    "rows",
    "cell_bits",
    "adc_bits",
    "float_accuracy",
    "accuracy_mean",
    "accuracy_std",
    "repeats",
    "samples",
    "seconds",
)


@dataclass(frozen=True)
class SweepPoint:
    """One chip variant and its accuracy (fractions in [0, 1])."""

    rows: int
    cell_bits: int
    adc_bits: int
    float_accuracy: float
    accuracy_mean: float
    accuracy_std: float
    repeats: int
    samples: int
    seconds: float


def sweep_configs(
    config: RunConfig,
    adc_bits: Sequence[int],
    rows: Sequence[int] | None = None,
    cell_bits: Sequence[int] | None = None,
) -> list[tuple[int, int, int, RunConfig]]:
    """(rows, cell bits, ADC bits, config) for every combination, all validated before anything runs."""
    rows = tuple(rows) if rows else (config.chip.array.rows,)
    cell_bits = tuple(cell_bits) if cell_bits else (config.chip.cell.bits_per_cell,)
    if not adc_bits:
        raise ValueError("sweep: adc_bits is empty; give at least one ADC precision")
    base = config.model_dump(mode="json")
    out = []
    for r, c, b in itertools.product(rows, cell_bits, adc_bits):
        chip = base["chip"]
        variant = {
            **base,
            "chip": {
                **chip,
                "array": {**chip["array"], "rows": r},
                "cell": {**chip["cell"], "bits_per_cell": c},
                "adc": {**chip["adc"], "bits": b},
            },
        }
        try:
            out.append((r, c, b, load_config(variant)))
        except ConfigError as err:
            raise ConfigError(f"sweep point rows={r}, cell_bits={c}, adc_bits={b}: {err}") from None
    return out


def sweep_accuracy(
    config: RunConfig | str | Path | Mapping[str, Any] | None,
    adc_bits: Sequence[int],
    rows: Sequence[int] | None = None,
    cell_bits: Sequence[int] | None = None,
    *,
    repeats: int | None = None,
    progress: bool = True,
) -> list[SweepPoint]:
    """Evaluate every (rows, cell bits, ADC bits) variant of `config`'s chip on its network and data.

    The network and data are built once. Each (rows, cell bits) pair is calibrated once: the calibrated input
    and ADC ranges do not depend on the ADC precision, so every ADC precision reuses them (same result as
    calibrating each point on its own, see neurocim.evaluate).
    """
    from neurocim.accuracy import build_data, build_network
    from neurocim.nn.convert import calibrate_, clone_converted
    from neurocim.nn.evaluate import evaluate_converted

    cfg = config if isinstance(config, RunConfig) else load_config(config)
    variants = sweep_configs(cfg, adc_bits, rows, cell_bits)
    net, data = build_network(cfg.model), build_data(cfg.data)
    cal = list(itertools.islice(data.calibration, cfg.data.calibration_batches))
    points: list[SweepPoint] = []
    ranges: dict[tuple[int, int], dict[str, Any]] = {}  # calibrated state by (rows, cell_bits)
    for r, c, b, variant in _tracked(variants, progress):
        hw = clone_converted(net, variant.chip, variant.accuracy, exclude=variant.model.exclude).eval()
        if (r, c) in ranges:
            hw.load_state_dict(ranges[(r, c)])
        else:
            ranges[(r, c)] = calibrate_(hw, cal).state_dict()
        res = evaluate_converted(hw, data.test, variant, repeats, progress=False)
        points.append(
            SweepPoint(
                r, c, b, res.float_accuracy, res.accuracy_mean, res.accuracy_std, res.repeats, res.samples, res.seconds
            )
        )
    return points


def _tracked(items: list, enabled: bool) -> Iterable:
    if not enabled:
        yield from items
        return
    from rich.console import Console
    from rich.progress import track

    yield from track(items, description="sweep", console=Console(stderr=True), transient=True)


def write_sweep_csv(points: Iterable[SweepPoint], path: str | Path) -> None:
    """One row per point, columns CSV_FIELDS."""
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for p in points:
            writer.writerow(asdict(p))


def read_sweep_csv(path: str | Path) -> list[SweepPoint]:
    """Points back from write_sweep_csv."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        SweepPoint(
            int(r["rows"]), int(r["cell_bits"]), int(r["adc_bits"]),
            float(r["float_accuracy"]), float(r["accuracy_mean"]), float(r["accuracy_std"]),
            int(r["repeats"]), int(r["samples"]), float(r["seconds"]),
        )  # fmt: skip
        for r in rows
    ]


def render_sweep(points: Sequence[SweepPoint]) -> str:
    """A plain-text table, accuracies in %."""
    head = f"{'rows':>5} {'cell bits':>9} {'ADC bits':>8} {'float %':>8} {'chip %':>7} {'± std':>6} {'repeats':>7}"
    lines = [head]
    for p in points:
        lines.append(
            f"{p.rows:>5} {p.cell_bits:>9} {p.adc_bits:>8} {100 * p.float_accuracy:>8.2f} "
            f"{100 * p.accuracy_mean:>7.2f} {100 * p.accuracy_std:>6.2f} {p.repeats:>7}"
        )
    return "\n".join(lines)


def plot_sweep(points: Sequence[SweepPoint], path: str | Path) -> None:
    """Accuracy (%) vs ADC bits, one line per (rows, cell bits), error bars = std, float baseline dashed (PNG)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not points:
        raise ValueError("plot_sweep: no points to plot")
    fig = Figure(figsize=(6.4, 4.2), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for (r, c), group in itertools.groupby(
        sorted(points, key=lambda p: (p.rows, p.cell_bits, p.adc_bits)), key=lambda p: (p.rows, p.cell_bits)
    ):
        g = list(group)
        ax.errorbar(
            [p.adc_bits for p in g],
            [100 * p.accuracy_mean for p in g],
            yerr=[100 * p.accuracy_std for p in g],
            marker="o",
            capsize=3,
            label=f"{r} rows, {c} b/cell",
        )
    baseline = 100 * max(p.float_accuracy for p in points)
    ax.axhline(baseline, color="grey", linestyle="--", label=f"float {baseline:.1f} %")
    ax.set_xlabel("ADC precision (bits)")
    ax.set_ylabel("top-1 accuracy (%)")
    ax.set_ylim(0, 100)
    ax.set_xticks(sorted({p.adc_bits for p in points}))
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format="png")
