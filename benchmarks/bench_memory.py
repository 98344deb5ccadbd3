"""Peak resident memory and wall time of one DenseNet-40 hardware estimate, each chip in a fresh process.

The reference DenseNet-40 traces (../shared/reference/neurosim_v14/traces/densenet40_seed0.npz, 40 layers) are the
largest workload the project ships against; the issue's target is a peak below 2 GB on a 2-core machine.

Run: python benchmarks/bench_memory.py [--chips sram,rram,fefet] [--traces PATH]
Prints, per chip, the process's peak resident memory (MB), the load and estimate seconds, and the figure before the
estimate (traces loaded, numba and LLVM in), so that what the estimate itself holds is visible.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACES = ROOT.parent / "shared" / "reference" / "neurosim_v14" / "traces" / "densenet40_seed0.npz"
CHIPS = {name: ROOT / "src" / "neurocim" / "examples" / f"chip_{name}_22nm.yaml" for name in ("sram", "rram", "fefet")}

_CHILD = """
import json, resource, sys, time
from neurocim.arch.subarray import read_kernel  # the compiled kernels count as the process's baseline
from neurocim.config.io import load_chip_config
from neurocim.estimate import estimate
from neurocim.workload.prepared import prepare
from neurocim.workload.trace_files import load_traces_npz

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

start = time.perf_counter()
chip = load_chip_config(sys.argv[1])
workload = prepare(*load_traces_npz(sys.argv[2], network_key="network_csv_fixed_cout"), copy=False)
loaded_s, before_mb = time.perf_counter() - start, peak_mb()
start = time.perf_counter()
report = estimate(chip, workload)
print(json.dumps({"load_s": loaded_s, "estimate_s": time.perf_counter() - start, "before_mb": before_mb,
                  "peak_mb": peak_mb(), "layers": len(report.layers)}))
"""


def measure(chip: Path, traces: Path) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"), "OMP_WAIT_POLICY": "PASSIVE"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(chip), str(traces)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chips", default="sram,rram,fefet", help="comma-separated: sram, rram, fefet")
    parser.add_argument("--traces", type=Path, default=TRACES, help="DenseNet-40 traces (npz)")
    args = parser.parse_args()
    if not args.traces.is_file():
        sys.exit(f"{args.traces}: DenseNet-40 traces not found (they live in ../shared/reference/neurosim_v14/traces)")
    for name in args.chips.split(","):
        m = measure(CHIPS[name], args.traces)
        print(
            f"DenseNet-40 ({m['layers']} layers), {name:5s}: peak {m['peak_mb']:7.0f} MB "
            f"(before the estimate {m['before_mb']:6.0f} MB)   load {m['load_s']:5.2f} s   "
            f"estimate {m['estimate_s']:5.2f} s"
        )


if __name__ == "__main__":
    main()
