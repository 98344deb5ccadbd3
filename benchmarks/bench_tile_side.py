"""Benchmark: what a chip's tile side costs when a sweep misses it (a setting the tiles read changed) on VGG-8 traces.

Run: python benchmarks/bench_tile_side.py [--warm N] [--misses N] [--seed S] [--profile]
A warm workload (loaded, its base read statistics derived by a first estimate of the 22 nm RRAM base chip) is walked
over random chips that differ in what the tile side reads and the rest does not (ADC bits, tile buffer type, clock,
pipeline, speed-up): `--warm` of them first, then `--misses` others whose tile side is not kept yet, each timed (wall
and this process's CPU: on a shared machine the CPU time is the work). Prints the miss cost in ms per tile-side
compute (median and mean); with `--profile`, the same walk again under cProfile (its CPU ms per miss and its top
functions, by cumulative time or `--sort`).
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import random
import statistics
import time
from pathlib import Path

import numpy as np

from neurocim.arch.tile_work import tile_side
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context, estimate
from neurocim.workload.prepared import PreparedWorkload, prepare
from neurocim.workload.trace_files import load_traces_npz

TRACES = Path(__file__).resolve().parents[1] / "tests" / "data" / "vgg8_traces.npz"
BASE = {"cell": {"type": "rram"}}
TILE_FIELDS = {  # what the tile side reads of the read-independent fields bench_explore.py sweeps
    ("adc", "bits"): [3, 4, 5, 6, 7, 8],
    ("buffers", "tile_type"): ["register_file", "sram"],
    ("clock", "max_frequency_hz"): [2.5e8, 5e8, 1e9],
    ("pipeline", "enabled"): [True, False],
    ("pipeline", "speedup_degree"): [1, 2, 4, 8],
}


def chips(seed: int) -> list[ChipConfig]:
    """Every combination of TILE_FIELDS on the base chip, in a random order."""
    combos = list(itertools.product(*TILE_FIELDS.values()))
    random.Random(seed).shuffle(combos)
    out = []
    for combo in combos:
        data: dict = {section: dict(values) for section, values in BASE.items()}
        for (section, name), value in zip(TILE_FIELDS, combo, strict=True):
            data.setdefault(section, {})[name] = value
        out.append(ChipConfig.model_validate(data))
    return out


def is_kept(chip: ChipConfig, workload: PreparedWorkload) -> bool:
    """Whether the workload keeps the tile side of `chip` (the default float32 read pass, no growth)."""
    ctx = build_context(chip)
    return workload.cache.tile_sides.find(ctx.p, (ctx.tech, ctx.cell, np.dtype(np.float32).str, None)) is not None


def walk(workload: PreparedWorkload, configs: list[ChipConfig], misses: int) -> list[tuple[float, float]]:
    """(wall s, CPU s) of the tile side of the first `misses` configs it does not keep yet (the others are skipped)."""
    times = []
    for chip in configs:
        if len(times) >= misses:
            break
        if is_kept(chip, workload):
            continue
        ctx = build_context(chip)
        start, cpu = time.perf_counter(), time.process_time()
        tile_side(ctx, workload.layers, workload)
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=60, help="tile sides computed before the timed ones")
    parser.add_argument("--misses", type=int, default=120, help="tile sides timed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="also profile the timed walk (a fresh workload)")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (a pstats key)")
    args = parser.parse_args()

    def warm_workload() -> tuple[PreparedWorkload, list[ChipConfig]]:
        workload = prepare(*load_traces_npz(TRACES))
        estimate(ChipConfig.model_validate(BASE), workload)
        configs = chips(args.seed)
        walk(workload, configs[: args.warm], args.warm)
        return workload, configs[args.warm :]

    workload, rest = warm_workload()
    times = walk(workload, rest, args.misses)
    wall = [1e3 * t for t, _ in times]
    cpu = [1e3 * c for _, c in times]
    print(f"tile-side misses: {len(times)} after {args.warm} warm: wall median {statistics.median(wall):.2f} ms, "
          f"mean {statistics.mean(wall):.2f} ms; CPU median {statistics.median(cpu):.2f} ms, "
          f"mean {statistics.mean(cpu):.2f} ms per miss", flush=True)  # fmt: skip
    if args.profile:
        workload, rest = warm_workload()
        profile = cProfile.Profile()
        profile.enable()
        times = walk(workload, rest, args.misses)
        profile.disable()
        total = sum(c for _, c in times)
        print(f"profiled: {len(times)} misses, {1e3 * total / len(times):.2f} ms CPU per miss", flush=True)
        pstats.Stats(profile).sort_stats(args.sort).print_stats(45)


if __name__ == "__main__":
    main()
