"""Human-readable terminal view of a report (µm², ns, pJ, µW only here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from neurocim.report.records import Report
from neurocim.workload.network import CSV_FIELDS

if TYPE_CHECKING:
    from neurocim.workload.extract import ExtractedNetwork


def _chip_table(report: Report) -> Table:
    c = report.chip
    t = Table(title="Chip", show_header=False)
    a = c.area_breakdown_m2
    rows = [
        ("area", f"{c.area_m2 * 1e6:.4g} mm²"),
        ("  array / ADC / accumulation", f"{a.array * 1e6:.4g} / {a.adc * 1e6:.4g} / {a.accumulation * 1e6:.4g} mm²"),
        ("  interconnect / other", f"{a.interconnect * 1e6:.4g} / {a.other * 1e6:.4g} mm²"),
        ("clock period", f"{c.clock_period_s * 1e9:.4g} ns"),
        ("latency per image", f"{c.latency_s * 1e9:.6g} ns"),
        ("dynamic energy per image", f"{c.dynamic_energy_j * 1e12:.6g} pJ"),
        ("leakage power / energy", f"{c.leakage_power_w * 1e6:.4g} µW / {c.leakage_energy_j * 1e12:.4g} pJ"),
        ("TOPS / TOPS/W / TOPS/mm²", f"{c.tops:.4g} / {c.tops_per_w:.4g} / {c.tops_per_mm2:.4g}"),
        ("FPS", f"{c.fps:.6g}"),
        ("memory utilization", f"{c.memory_utilization * 100:.2f} %"),
    ]
    for name, value in rows:
        t.add_row(name, value)
    return t


def _layer_table(report: Report) -> Table:
    t = Table(title="Layers")
    for col in (
        "layer",
        "tiles",
        "speed-up",
        "util.",
        "latency ns",
        "energy pJ",
        "ADC pJ",
        "accum pJ",
        "other pJ",
        "leakage µW",
    ):
        t.add_column(col, justify="left" if col == "layer" else "right")
    for r in report.layers:
        e = r.energy_breakdown_j
        t.add_row(
            f"{r.layer} {r.name}" if r.name else str(r.layer),
            f"{r.num_tiles:g}",
            f"{r.speedup:g}",
            f"{r.utilization:.3f}",
            f"{r.latency_s * 1e9:.5g}",
            f"{r.dynamic_energy_j * 1e12:.5g}",
            f"{e.adc * 1e12:.4g}",
            f"{e.accumulation * 1e12:.4g}",
            f"{e.other * 1e12:.4g}",
            f"{r.leakage_power_w * 1e6:.4g}",
        )
    return t


def _console(console: Console | None) -> Console:
    if console is not None:
        return console
    console = Console()
    return console if console.is_terminal else Console(width=140)


def render_report(report: Report, console: Console | None = None) -> None:
    """Print the chip summary and the per-layer table."""
    console = _console(console)
    console.print(_chip_table(report))
    console.print(_layer_table(report))


def render_network(network: ExtractedNetwork, console: Console | None = None) -> None:
    """Print a layer table: NeuroSim's eight columns, and where each layer's input comes from."""
    t = Table(title="Network")
    for col in ("layer", *CSV_FIELDS, "inputs"):
        t.add_column(col, justify="left" if col in ("layer", "inputs") else "right")
    for layer in network.layers:
        links = network.links.get(layer.name)
        inputs = "" if links is None else ", ".join(links.inputs) + (f" ({links.merge})" if links.merge else "")
        t.add_row(layer.name, *(str(v) for v in layer.as_row()), inputs)
    _console(console).print(t)
