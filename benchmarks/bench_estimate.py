"""Benchmark: VGG-8 hardware estimate end to end (SRAM and RRAM chips), and a sweep of non-trace settings on
reused traces.

Run: python benchmarks/bench_estimate.py [--sweep N] [--rram-sweep N]
Prints wall times, configurations per second and peak resident memory (targets on a 2-core machine:
<= 1 s per estimate end to end, >= 100 configurations/s in the sweep, <= 2 GB).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from neurocim.config.chip import ChipConfig
from neurocim.config.io import load_chip_config
from neurocim.estimate import estimate, estimate_from_files
from neurocim.workload.traces import load_traces_npz

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "src" / "neurocim" / "examples"
CHIPS = {"sram": EXAMPLES / "chip_sram_22nm.yaml", "rram": EXAMPLES / "chip_rram_22nm.yaml"}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def end_to_end(config: Path) -> float:
    """Load traces, estimate, write JSON: seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = estimate_from_files(DATA / "vgg8_network.csv", DATA / "vgg8_traces.npz", config=config)
        report.write_json(Path(tmp) / "out.json")
        return time.perf_counter() - t0


def _variants(base: dict) -> list[ChipConfig]:
    out = []
    for bits in (3, 4, 5, 6, 7, 8):
        for bus in ("xy_bus", "htree"):
            for buf in ("register_file", "sram"):
                variant = {**base, "adc": {**base.get("adc", {}), "bits": bits},
                           "interconnect": {**base.get("interconnect", {}), "global_bus": bus},
                           "buffers": {**base.get("buffers", {}), "global_type": buf}}
                out.append(ChipConfig.model_validate(variant))
    return out


def sweep(n: int, base: dict | None = None) -> tuple[int, float]:
    """Evaluate n configurations that differ only in non-trace settings, reusing loaded traces."""
    layers, traces = load_traces_npz(DATA / "vgg8_traces.npz")
    variants = _variants(base or {})
    configs = [variants[i % len(variants)] for i in range(n)]
    t0 = time.perf_counter()
    for cfg in configs:
        estimate(cfg, layers, traces)
    return n, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sweep", type=int, default=24, help="configurations in the (default SRAM chip) sweep")
    parser.add_argument("--rram-sweep", type=int, default=0, help="configurations in a sweep of the RRAM chip")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    for name, config in CHIPS.items():
        figures[f"{name}_vgg8_end_to_end_first_s"] = round(end_to_end(config), 3)
        figures[f"{name}_vgg8_end_to_end_warm_s"] = round(end_to_end(config), 3)
    n, t_sweep = sweep(args.sweep)
    figures.update(sweep_configs=n, sweep_s=round(t_sweep, 3), sweep_configs_per_s=round(n / t_sweep, 2))
    if args.rram_sweep:
        base = load_chip_config(CHIPS["rram"]).model_dump(mode="json")
        n, t_sweep = sweep(args.rram_sweep, base)
        figures.update(rram_sweep_configs=n, rram_sweep_s=round(t_sweep, 3),
                       rram_sweep_configs_per_s=round(n / t_sweep, 2))
    figures["peak_rss_mb"] = round(_peak_mb(), 1)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
