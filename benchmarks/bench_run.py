"""Benchmark: the README's main job, `neurocim run` on the bundled default (digits CNN on a 22 nm RRAM chip).

Run: python benchmarks/bench_run.py [--threads N]
Prints the wall time of the whole run (target on a 2-core machine: under a minute), of its accuracy part, and
of everything else (model/data loading, layer table, trace capture, estimate, writing the outputs).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, help="PyTorch CPU threads (default: PyTorch's choice)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    import torch

    import neurocim

    if args.threads:
        torch.set_num_threads(args.threads)
    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = neurocim.run(progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        result.save(tmp)
    total = time.perf_counter() - t1
    figures = {
        "import_s": round(t_import, 2),
        "run_and_save_s": round(total, 2),
        "accuracy_s": round(result.accuracy.seconds, 2),
        "rest_s": round(total - result.accuracy.seconds, 2),
        "threads": torch.get_num_threads(),
        "hardware_accuracy_mean": round(result.accuracy.accuracy_mean, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
