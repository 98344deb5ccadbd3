"""Benchmark: what checking the inputs costs — refusing an alias bomb, validated trace loading, parameter import.

Run: python benchmarks/bench_inputs.py [--repeats N]
Prints the median and fastest of N runs (ms) of: refusing the 254-byte YAML alias bomb (9^7 values once
expanded), loading the chip example YAML, loading VGG-8 traces (tests/data) with every array checked, and
importing the reference NeuroSim parameter files.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n" for a, b in zip("abcdef", "bcdefg", strict=True)
)


def _timed(fn: Callable[[], object], repeats: int) -> dict[str, float]:
    fn()  # warm: imports and first-use costs are not what is measured
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"median_ms": round(statistics.median(times) * 1e3, 2), "fastest_ms": round(min(times) * 1e3, 2)}


def _refuse(load: Callable[[Path], object], path: Path) -> Callable[[], None]:
    def run() -> None:
        try:
            load(path)
        except ValueError:
            return
        raise AssertionError("the alias bomb was accepted")

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per figure")
    args = parser.parse_args()
    from neurocim.compat.param_cpp import config_from_params
    from neurocim.config.io import load_chip_config
    from neurocim.workload.trace_files import load_traces_npz

    params = [json.loads(p.read_text()) for p in sorted((REPO / "tests/data/neurosim_cases").glob("*/params.json"))]
    with tempfile.TemporaryDirectory() as tmp:
        bomb = Path(tmp) / "bomb.yaml"
        bomb.write_text(BOMB)
        figures = {
            "alias_bomb_refused": _timed(_refuse(load_chip_config, bomb), args.repeats),
            "chip_yaml_loaded": _timed(
                lambda: load_chip_config(REPO / "src/neurocim/examples/chip_rram_22nm.yaml"), args.repeats
            ),
            "vgg8_traces_loaded_and_checked": _timed(
                lambda: load_traces_npz(REPO / "tests/data/vgg8_traces.npz"), args.repeats
            ),
            f"{len(params)}_neurosim_param_sets_imported": _timed(
                lambda: [config_from_params(p) for p in params], args.repeats
            ),
        }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
