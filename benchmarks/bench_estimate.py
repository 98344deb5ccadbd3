"""Benchmark: VGG-8 hardware estimate end to end, and a sweep of non-trace settings on reused traces.

Run: python benchmarks/bench_estimate.py [--sweep N]
Prints wall times, configurations per second and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from neurocim.config.chip import ChipConfig
from neurocim.estimate import estimate, estimate_from_files
from neurocim.workload.traces import load_traces_npz

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
CONFIG = Path(__file__).resolve().parents[1] / "src" / "neurocim" / "examples" / "chip_sram_22nm.yaml"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def end_to_end() -> float:
    """Load traces, estimate, write JSON: seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = estimate_from_files(DATA / "vgg8_network.csv", DATA / "vgg8_traces.npz", config=CONFIG)
        report.write_json(Path(tmp) / "out.json")
        return time.perf_counter() - t0


def sweep(n: int) -> tuple[int, float]:
    """Evaluate n configurations that differ only in non-trace settings, reusing loaded traces."""
    layers, traces = load_traces_npz(DATA / "vgg8_traces.npz")
    variants = []
    for bits in (3, 4, 5, 6, 7, 8):
        for bus in ("xy_bus", "htree"):
            for buf in ("register_file", "sram"):
                variants.append({"adc": {"bits": bits}, "interconnect": {"global_bus": bus},
                                 "buffers": {"global_type": buf}})
    configs = [ChipConfig.model_validate(variants[i % len(variants)]) for i in range(n)]
    t0 = time.perf_counter()
    for cfg in configs:
        estimate(cfg, layers, traces)
    return n, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sweep", type=int, default=24, help="configurations in the sweep")
    args = parser.parse_args()
    first = end_to_end()
    again = end_to_end()
    n, t_sweep = sweep(args.sweep)
    figures = {
        "vgg8_end_to_end_first_s": round(first, 3),
        "vgg8_end_to_end_warm_s": round(again, 3),
        "sweep_configs": n,
        "sweep_s": round(t_sweep, 3),
        "sweep_configs_per_s": round(n / t_sweep, 2),
        "peak_rss_mb": round(_peak_mb(), 1),
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
