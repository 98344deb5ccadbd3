"""Benchmark: resident memory of a long read-dependent sweep on one warm VGG-8 workload (eNVM device resistances).

Run: python benchmarks/bench_explore_memory.py [--points N] [--chunk N]
Sweeps an RRAM chip's on-state resistance (a log range of 200 values) and on/off ratio, random points in chunks of
--chunk, each point a read setting of its own, on one in-process backend, and prints after each chunk the points per
second, the process's resident and peak memory (MB) and what the workload keeps of its derived results (count and
counted bytes, within the workload cache's budget). Without a bound, every read setting adds its read statistics.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the command line does (see bench_explore.py)
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from bench_explore import random_sweep, warm_backend, warm_sweep  # noqa: E402

SPACE = {
    "chip.cell.r_on_ohm": {"low": 2e4, "high": 5e5, "log": True, "count": 200},
    "chip.cell.on_off_ratio": [10.0, 17.0, 50.0],
}


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=300, help="points of the sweep")
    parser.add_argument("--chunk", type=int, default=50, help="points between memory readings")
    args = parser.parse_args()
    torch.set_num_threads(1)
    backend, workload = warm_backend()
    kept = backend.prepared.cache.derived_results
    print(f"base chip costed: resident {_resident_mb():.0f} MB; derived-result budget {kept.budget_bytes / 1e6:.0f} MB")
    start = time.perf_counter()
    for chunk in range(args.points // args.chunk):
        seconds, frame = warm_sweep(random_sweep(SPACE, args.chunk, seed=chunk), backend, workload)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
        print(
            f"{(chunk + 1) * args.chunk:>5} points: {args.chunk / seconds:5.1f} points/s, "
            f"resident {_resident_mb():6.0f} MB (peak {peak_mb:6.0f} MB), "
            f"{len(kept):>6} derived results kept ({kept.nbytes / 1e6:6.1f} MB counted), "
            f"{(frame['status'] == 'ok').sum()} ok",
            flush=True,
        )
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
