"""Benchmark: one estimate per read-dependent change (rows, cell bits, mapping, cell type, node) on warm VGG-8.

Run: python benchmarks/bench_read_points.py [--repeats N]
Prints, per change of the base RRAM chip, the wall and CPU milliseconds of an estimate on a workload whose base chip was
estimated first (each change runs a new read pass; changes that share row bands reuse their distinct vectors). The
environment is set as the command line sets it (values in it win).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

import torch  # noqa: E402

from neurocim.config.chip import ChipConfig  # noqa: E402
from neurocim.estimate import estimate  # noqa: E402
from neurocim.workload.prepared import prepare  # noqa: E402
from neurocim.workload.trace_files import load_traces_npz  # noqa: E402

TRACES = Path(__file__).resolve().parents[1] / "tests" / "data" / "vgg8_traces.npz"
BASE = {"cell": {"type": "rram"}}
CHANGES = {
    "rows 64": {"array": {"rows": 64}},
    "rows 256": {"array": {"rows": 256}},
    "cell bits 2": {"cell": {"type": "rram", "bits_per_cell": 2}},
    "cell bits 4": {"cell": {"type": "rram", "bits_per_cell": 4}},
    "conventional mapping": {"mapping": "conventional"},
    "FeFET": {"cell": {"type": "fefet"}},
    "node 32 nm": {"technology": {"node_nm": 32}},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="fresh workloads, each through every change")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for _ in range(args.repeats):
        workload = prepare(*load_traces_npz(TRACES))
        estimate(ChipConfig.model_validate(BASE), workload)  # the base chip's read statistics, compiled kernels
        for name, change in CHANGES.items():
            chip = ChipConfig.model_validate({**BASE, **change})
            wall, cpu = time.perf_counter(), time.process_time()
            estimate(chip, workload)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"{name:<22} {1e3 * wall:8.0f} ms wall {1e3 * cpu:8.0f} ms CPU", flush=True)


if __name__ == "__main__":
    main()
