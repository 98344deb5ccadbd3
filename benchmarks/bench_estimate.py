"""Benchmark: VGG-8 hardware estimate end to end (SRAM and RRAM chips), and a sweep of non-trace settings on
reused traces.

Run: python benchmarks/bench_estimate.py [--sweep N] [--rram-sweep N] [--sar-sweep N] [--repeats N] [--combos] [--cli N]
Prints wall times (the first estimate in the process, and the median, fastest and slowest of N warm ones: on a
shared machine single runs scatter), configurations per second (all of a sweep, and those after its first
configuration, which also derives the reused trace statistics) and peak resident memory (targets on a 2-core
machine: <= 1 s per estimate end to end, >= 100 configurations/s in the sweep, <= 2 GB).
With --combos, every cell (SRAM, RRAM, FeFET) x ADC (flash current sense, flash voltage sense, SAR) combination is
timed end to end in the warm process (traces loaded again for every run, so nothing derived from them is reused);
--sar-sweep times a sweep of the RRAM chip with a SAR ADC (the sweep varies ADC bits, buses and buffers); --cli times
`neurocim estimate` on the RRAM chip as a fresh process N times (target <= 3 s, start-up included); --sweep-repeats N
runs every sweep N times on a fresh workload and prints the median and the fastest.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# As the command line does (neurocim/cli.py): numba's OpenMP threads sleep between launches instead of spinning, which
# on a machine busy with other work costs several times the wall time, and NumPy's large arrays take plain pages (no
# stalls in the kernel's huge-page compaction). Values in the environment win.
_ENVIRONMENT = dict(os.environ)  # what the command line is started with: it makes the same choices itself
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from neurocim.config.chip import ChipConfig  # noqa: E402
from neurocim.config.io import load_chip_config  # noqa: E402
from neurocim.estimate import estimate, estimate_from_files  # noqa: E402
from neurocim.workload.prepared import prepare  # noqa: E402
from neurocim.workload.trace_files import load_traces_npz  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "src" / "neurocim" / "examples"
CHIPS = {"sram": EXAMPLES / "chip_sram_22nm.yaml", "rram": EXAMPLES / "chip_rram_22nm.yaml"}
CELLS = {**CHIPS, "fefet": EXAMPLES / "chip_fefet_22nm.yaml"}
ADCS = {
    "flash_current": {"type": "flash", "sense_mode": "current"},
    "flash_voltage": {"type": "flash", "sense_mode": "voltage"},
    "sar": {"type": "sar"},
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def end_to_end(config: Path) -> tuple[float, float]:
    """Load traces, estimate, write JSON: (wall seconds, CPU seconds of all threads; on a busy machine the wall
    time also counts waiting for a core)."""
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        report = estimate_from_files(DATA / "vgg8_network.csv", DATA / "vgg8_traces.npz", config=config)
        report.write_json(Path(tmp) / "out.json")
        return time.perf_counter() - t0, time.process_time() - c0


def with_adc(config: Path, adc: dict) -> dict:
    """The chip of a config file with its ADC section updated by `adc`, as a plain dict."""
    base = load_chip_config(config).model_dump(mode="json")
    return {**base, "adc": {**base.get("adc", {}), **adc}}


def estimate_once(chip: ChipConfig) -> tuple[float, float]:
    """Load the VGG-8 traces and estimate `chip` on them (nothing derived from traces is reused): (wall seconds, CPU
    seconds of all threads)."""
    t0, c0 = time.perf_counter(), time.process_time()
    layers, traces = load_traces_npz(DATA / "vgg8_traces.npz", input_bits=chip.precision.input_bits)
    estimate(chip, layers, traces)
    return time.perf_counter() - t0, time.process_time() - c0


def combos(repeats: int) -> dict[str, float]:
    """Median, fastest and slowest warm estimate (wall s, and the median's CPU s) of every cell x ADC combination."""
    figures: dict[str, float] = {}
    for cell, config in CELLS.items():
        for adc_name, adc in ADCS.items():
            chip = ChipConfig.model_validate(with_adc(config, adc))
            estimate_once(chip)  # the process warm for this combination (compiled code, imports)
            warm = sorted(estimate_once(chip) for _ in range(max(repeats, 1)))
            name = f"{cell}_{adc_name}_vgg8_warm"
            figures[f"{name}_s"] = round(warm[len(warm) // 2][0], 3)
            figures[f"{name}_cpu_s"] = round(warm[len(warm) // 2][1], 3)
            figures[f"{name}_min_s"] = round(warm[0][0], 3)
            figures[f"{name}_max_s"] = round(warm[-1][0], 3)
    return figures


def command_line(config: Path) -> tuple[float, float]:
    """`neurocim estimate` of VGG-8 on `config` in a fresh process (imports, numba start-up, loading, estimate,
    report): (wall seconds, CPU seconds of the process)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "neurocim.cli", "estimate", str(config), "--network"]
        command += [str(DATA / "vgg8_network.csv"), "--traces", str(DATA / "vgg8_traces.npz"), "--quiet"]
        command += ["--json", str(Path(tmp) / "out.json")]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_ENVIRONMENT)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _variants(base: dict) -> list[ChipConfig]:
    out = []
    for bits in (3, 4, 5, 6, 7, 8):
        for bus in ("xy_bus", "htree"):
            for buf in ("register_file", "sram"):
                variant = {
                    **base,
                    "adc": {**base.get("adc", {}), "bits": bits},
                    "interconnect": {**base.get("interconnect", {}), "global_bus": bus},
                    "buffers": {**base.get("buffers", {}), "global_type": buf},
                }
                out.append(ChipConfig.model_validate(variant))
    return out


def sweep(n: int, base: dict | None = None) -> tuple[int, float, float]:
    """Evaluate n configurations that differ only in non-trace settings on one prepared workload.

    Returns (n, seconds for all n, seconds for the n - 1 after the first): the first configuration also derives
    what every configuration reuses from the traces (cell digits, bit planes, block statistics)."""
    workload = prepare(*load_traces_npz(DATA / "vgg8_traces.npz"))
    variants = _variants(base or {})
    configs = [variants[i % len(variants)] for i in range(n)]
    t0 = time.perf_counter()
    estimate(configs[0], workload)
    t1 = time.perf_counter()
    for cfg in configs[1:]:
        estimate(cfg, workload)
    t2 = time.perf_counter()
    return n, t2 - t0, t2 - t1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sweep", type=int, default=24, help="configurations in the (default SRAM chip) sweep")
    parser.add_argument("--rram-sweep", type=int, default=0, help="configurations in a sweep of the RRAM chip")
    parser.add_argument("--sar-sweep", type=int, default=0, help="configurations in a sweep of the RRAM chip with SAR")
    parser.add_argument("--repeats", type=int, default=5, help="warm end-to-end runs per chip")
    parser.add_argument("--combos", action="store_true", help="time every cell x ADC combination")
    parser.add_argument("--only-combos", action="store_true", help="skip the end-to-end runs and the SRAM sweep")
    parser.add_argument("--sweep-repeats", type=int, default=1, help="sweeps of each kind, each on a fresh workload")
    parser.add_argument("--cli", type=int, default=0, help="runs of `neurocim estimate` (RRAM chip) as a process")
    args = parser.parse_args()
    figures: dict[str, float | str | None] = {}
    if args.cli:  # first, so that no run of this process shares a core with it
        runs = sorted(command_line(CHIPS["rram"]) for _ in range(args.cli))
        figures["rram_vgg8_command_line_s"] = round(runs[len(runs) // 2][0], 3)
        figures["rram_vgg8_command_line_cpu_s"] = round(runs[len(runs) // 2][1], 3)
        figures["rram_vgg8_command_line_min_s"] = round(runs[0][0], 3)
        figures["rram_vgg8_command_line_max_s"] = round(runs[-1][0], 3)
    if args.combos or args.only_combos:
        figures.update(combos(args.repeats))
    for name, config in {} if args.only_combos else CHIPS.items():
        wall, cpu = end_to_end(config)
        figures[f"{name}_vgg8_end_to_end_first_s"] = round(wall, 3)
        figures[f"{name}_vgg8_end_to_end_first_cpu_s"] = round(cpu, 3)
        warm = sorted(end_to_end(config) for _ in range(max(args.repeats, 1)))
        median = warm[len(warm) // 2]
        figures[f"{name}_vgg8_end_to_end_warm_s"] = round(median[0], 3)
        figures[f"{name}_vgg8_end_to_end_warm_cpu_s"] = round(median[1], 3)
        figures[f"{name}_vgg8_end_to_end_warm_min_s"] = round(warm[0][0], 3)
        figures[f"{name}_vgg8_end_to_end_warm_max_s"] = round(warm[-1][0], 3)
    runs = [("sweep", args.sweep, None)] if args.sweep and not args.only_combos else []
    if args.rram_sweep:
        runs.append(("rram_sweep", args.rram_sweep, load_chip_config(CELLS["rram"]).model_dump(mode="json")))
    if args.sar_sweep:
        runs.append(("rram_sar_sweep", args.sar_sweep, with_adc(CELLS["rram"], ADCS["sar"])))
    for name, count, base in runs:  # each sweep --sweep-repeats times on a fresh workload: median and fastest
        found = sorted((sweep(count, base) for _ in range(max(args.sweep_repeats, 1))), key=lambda r: r[2])
        n, t_all, t_rest = found[len(found) // 2]
        figures.update(
            {
                f"{name}_configs": n,
                f"{name}_s": round(t_all, 3),
                f"{name}_configs_per_s": round(n / t_all, 2),
                f"{name}_after_first_configs_per_s": round((n - 1) / t_rest, 2) if n > 1 else None,
                f"{name}_after_first_fastest_configs_per_s": round((n - 1) / found[0][2], 2) if n > 1 else None,
            }
        )
    figures["peak_rss_mb"] = round(_peak_mb(), 1)
    figures["omp_wait_policy"] = os.environ.get("OMP_WAIT_POLICY", "default")  # spinning matters on a busy machine
    figures["numpy_madvise_hugepage"] = os.environ.get("NUMPY_MADVISE_HUGEPAGE", "default")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
