"""Benchmark: design-space exploration on VGG-8 traces — cost-only points per second over fields that keep the
sub-array read statistics and over fields that change them, the Ray backend against the local one, and an
accuracy-in-the-loop sweep on the digits default with the accuracy evaluations it paid.

Run: python benchmarks/bench_explore.py [--points N] [--read-points N] [--workers N] [--skip-ray] [--skip-accuracy]
                                       [--probe]
Prints points/s of whole `neurocim.explore` runs (workload already loaded and the first estimate made, so that
start-up is not counted; every point is validated, costed and committed to the results store), the per-point
costing time alone, and the Ray/local ratio. Targets (issue 16): >= 1000 points/s on one core for
read-independent fields, >= 100 points/s for read-dependent ones.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import torch

import neurocim
from neurocim.estimate import estimate

ROOT = Path(__file__).resolve().parents[1]
TRACES = ROOT / "tests" / "data" / "vgg8_traces.npz"
BASE = {"chip": {"cell": {"type": "rram"}}}
# fields that leave the sub-array read statistics unchanged in the cost core (ADC precision, buffers, bus, clock,
# pipeline). Node, ADC type, roadmap and temperature are not among them today: for an eNVM chip each of their values
# re-derives the read statistics (timed with --probe).
READ_INDEPENDENT = {
    "chip.adc.bits": [3, 4, 5, 6, 7, 8],
    "chip.buffers.global_type": ["register_file", "sram"],
    "chip.buffers.tile_type": ["register_file", "sram"],
    "chip.interconnect.global_bus": ["xy_bus", "htree"],
    "chip.clock.max_frequency_hz": [2.5e8, 5e8, 1e9],
    "chip.pipeline.enabled": [True, False],
    "chip.pipeline.speedup_degree": [1, 2, 4, 8],
}
PROBES = (
    {"technology": {"node_nm": 32}},
    {"technology": {"temperature_k": 350}},
    {"technology": {"roadmap": "hp"}},
    {"adc": {"type": "sar"}},
)
# fields that change them (sub-array rows, cell bits, mapping, cell type)
READ_DEPENDENT = {
    "chip.array.rows": [64, 128, 256],
    "chip.cell.bits_per_cell": [1, 2, 4],
    "chip.mapping": ["novel", "conventional"],
    "chip.cell.type": ["rram", "fefet"],
}


def _sweep(space: dict[str, list], samples: int, seed: int = 0) -> dict[str, Any]:
    return {"base": BASE, "workload": {"traces": str(TRACES)}, "space": space,
            "strategy": {"name": "random", "samples": samples, "seed": seed}}  # fmt: skip


def timed_sweep(sweep: dict[str, Any], **options: Any) -> tuple[float, pd.DataFrame]:
    """(wall seconds, table) of one explore run into a fresh folder, without plots."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        frame = neurocim.explore(sweep, out, progress=False, plots=False, **options)
        return time.perf_counter() - start, frame


def _report(label: str, seconds: float, frame: pd.DataFrame) -> float:
    ok = frame[frame["status"] == "ok"]
    rate = len(frame) / seconds
    per_point_ms = 1e3 * ok["seconds"].median() if len(ok) else float("nan")
    print(f"{label:<44} {len(frame):>5} points ({len(ok)} ok) in {seconds:7.2f} s: {rate:8.1f} points/s "
          f"(median costing {per_point_ms:.2f} ms/point)", flush=True)  # fmt: skip
    return rate


def probe() -> None:
    """Seconds of one estimate of each PROBES change on a workload whose base reads are already derived."""
    from neurocim.config.chip import ChipConfig
    from neurocim.workload.prepared import prepare
    from neurocim.workload.trace_files import load_traces_npz

    workload = prepare(*load_traces_npz(TRACES))
    estimate(ChipConfig.model_validate(BASE["chip"]), workload)
    for change in PROBES:
        chip = ChipConfig.model_validate({**BASE["chip"], **change})
        start = time.perf_counter()
        estimate(chip, workload)
        print(f"one estimate with {change}: {time.perf_counter() - start:.2f} s", flush=True)


def cost_only(points: int, read_points: int) -> None:
    timed_sweep(_sweep(READ_INDEPENDENT, 2, seed=99))  # warm-up: load the workload, first estimate, compile
    seconds, frame = timed_sweep(_sweep(READ_INDEPENDENT, points))
    _report("read-independent fields, local, 1 worker", seconds, frame)
    seconds, frame = timed_sweep(_sweep(READ_DEPENDENT, read_points))
    _report("read-dependent fields, local, 1 worker", seconds, frame)


def backends(points: int, workers: int) -> None:
    sweep = _sweep(READ_INDEPENDENT, points, seed=1)
    local_s, local = timed_sweep(sweep)
    _report("local, 1 worker (in process)", local_s, local)
    pool_s, pool = timed_sweep(sweep, workers=workers)
    _report(f"local process pool, {workers} workers", pool_s, pool)
    ray_s, ray = timed_sweep(sweep, backend="ray", workers=workers)
    _report(f"ray, {workers} workers (includes ray.init)", ray_s, ray)
    same = ray.drop(columns="seconds").equals(local.drop(columns="seconds"))
    print(f"ray / local(1 worker) wall-time ratio {ray_s / local_s:.2f}; pool / local {pool_s / local_s:.2f}; "
          f"tables equal: {same}", flush=True)  # fmt: skip


def accuracy_in_the_loop() -> None:
    space = {"chip.adc.bits": [3, 4, 5, 6], "chip.technology.node_nm": [22, 32], "chip.adc.type": ["flash", "sar"]}
    sweep = {"base": str(ROOT / "src" / "neurocim" / "examples" / "default_run.yaml"), "space": space, "accuracy": True}
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        frame = neurocim.explore(sweep, out, progress=False, plots=False)
        seconds = time.perf_counter() - start
        summary = (Path(out) / "summary.txt").read_text().splitlines()[0]
    paid = summary.split("; ")[-1]
    print(f"accuracy in the loop (digits default): {len(frame)} points in {seconds:.1f} s; {paid}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=400, help="points of the read-independent sweep")
    parser.add_argument("--read-points", type=int, default=8, help="points of the read-dependent sweep")
    parser.add_argument("--workers", type=int, default=2, help="workers of the pool and Ray runs")
    parser.add_argument("--skip-ray", action="store_true", help="no backend comparison")
    parser.add_argument("--skip-accuracy", action="store_true", help="no accuracy-in-the-loop sweep")
    parser.add_argument("--probe", action="store_true", help="also time one estimate per PROBES change")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one core per worker: the points are the parallelism
    if args.probe:
        probe()
    cost_only(args.points, args.read_points)
    if not args.skip_ray:
        backends(args.points, args.workers)
    if not args.skip_accuracy:
        accuracy_in_the_loop()


if __name__ == "__main__":
    main()
