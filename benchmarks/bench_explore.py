"""Benchmark: design-space exploration on VGG-8 traces — cost-only points per second over fields that keep the
sub-array read statistics and over fields that change them, the Ray backend against the local one, and an
accuracy-in-the-loop sweep on the digits default with the accuracy evaluations it paid.

Run: python benchmarks/bench_explore.py [--points N] [--read-points N] [--backend-points N] [--workers N] [--skip-cost]
                                       [--skip-backends] [--skip-ray] [--skip-accuracy] [--probe] [--pareto-points N]
Prints, for the cost-only sweeps, points/s of the explore engine on a warm workload (loaded, its read statistics
derived by a first estimate of the base chip; every point validated, costed and committed to the results store): a
random sample of the read-independent fields' grid; the same points once more into a fresh store (every tile side
kept: what a point costs above its tiles); the read-dependent sweep; a random sample of both kinds of fields together
(a read pass per distinct read setting, the other points priced as read-independent ones); the whole
read-independent grid (its 1152 points on a fresh warm workload: what a grid sweep over those fields costs); whole
`neurocim.explore` runs (which load the workload and derive its read statistics again); and a random sample of the
issue's list of read-independent fields (with node, temperature and ADC type) on an SRAM chip. With each, the median
costing time per point. Then, on the read-independent sweep and on a read-dependent one (READ_DEPENDENT and the ADC
precision), the process pool / local and Ray / local wall-time ratios with whether their tables equal the local one.
Last, the seconds of the Pareto front of --pareto-points random points (two and three objectives).
Targets (issue 16): >= 1000 points/s on one core for read-independent fields, >= 100 points/s for read-dependent ones.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

# As the command line does (neurocim/cli.py): numba's OpenMP threads sleep between launches instead of spinning (on a
# busy machine the read-dependent points took four times the CPU without it), and NumPy's large arrays take plain pages.
# Values in the environment win.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

import neurocim  # noqa: E402
from neurocim.estimate import estimate  # noqa: E402
from neurocim.explore.backends import InProcess  # noqa: E402
from neurocim.explore.costing import Workload, load_workload  # noqa: E402
from neurocim.explore.engine import PointRunner, run_planned  # noqa: E402
from neurocim.explore.results import pareto_mask, results_frame  # noqa: E402
from neurocim.explore.spec import load_sweep  # noqa: E402
from neurocim.explore.store import ResultStore  # noqa: E402
from neurocim.explore.strategies import planned_points  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TRACES = ROOT / "tests" / "data" / "vgg8_traces.npz"
BASE = {"chip": {"cell": {"type": "rram"}}}
# fields that leave the sub-array read statistics unchanged in the cost core (ADC precision, buffers, bus, clock,
# pipeline). Node, ADC type, roadmap and temperature are not among them today: for an eNVM chip each of their values
# re-derives the read statistics (the SAR ADC asks for other column statistics than the flash ADC; timed with
# --probe).
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
# the list of such fields as it reads (node, ADC type and bits, buffers, bus, clock, pipeline, temperature), on
# an SRAM chip, whose reads depend on none of them (its strips' row counts are kept whatever the technology)
SRAM_BASE = {"chip": {"cell": {"type": "sram"}}}
SRAM_FIELDS = {
    **READ_INDEPENDENT,
    "chip.technology.node_nm": [22, 32, 45, 65],
    "chip.technology.temperature_k": [300, 350],
    "chip.adc.type": ["flash", "sar"],
}
# fields that change them (sub-array rows, cell bits, mapping, cell type)
READ_DEPENDENT = {
    "chip.array.rows": [64, 128, 256],
    "chip.cell.bits_per_cell": [1, 2, 4],
    "chip.mapping": ["novel", "conventional"],
    "chip.cell.type": ["rram", "fefet"],
}


def random_sweep(space: dict[str, Any], samples: int, seed: int = 0, base: dict = BASE) -> dict[str, Any]:
    """A sweep file's mapping: `samples` random points of `space` on the VGG-8 traces, from `base`."""
    return {"base": base, "workload": {"traces": str(TRACES)}, "space": space,
            "strategy": {"name": "random", "samples": samples, "seed": seed}}  # fmt: skip


def timed_sweep(sweep: dict[str, Any], **options: Any) -> tuple[float, pd.DataFrame]:
    """(wall seconds, table) of one explore run into a fresh folder, without plots; the run's CPU seconds in this
    process (a shared machine's wall time depends on its load) are in the table's `attrs["cpu_s"]`."""
    with tempfile.TemporaryDirectory() as out:
        gc.collect()  # what the lines before left behind is collected before the clock starts
        start, cpu, children = time.perf_counter(), time.process_time(), _children_cpu_s()
        frame = neurocim.explore(sweep, out, progress=False, plots=False, **options)
        seconds = time.perf_counter() - start
        frame.attrs["cpu_s"] = time.process_time() - cpu
        frame.attrs["children_cpu_s"] = _children_cpu_s() - children
        return seconds, frame


def _children_cpu_s() -> float:
    """CPU seconds of this process's finished child processes (a process pool's workers, once it is shut down)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def warm_sweep(sweep: dict[str, Any], backend: InProcess, workload: Workload) -> tuple[float, pd.DataFrame]:
    """(wall seconds, table) of the explore engine over a sweep's points on an open in-process backend whose workload
    is warm, into a fresh store (no plots or exported tables); its CPU seconds in `attrs["cpu_s"]`."""
    spec = load_sweep(sweep)
    points = planned_points(spec.dims, spec.strategy)
    with tempfile.TemporaryDirectory() as out:
        store = ResultStore(Path(out), spec.fingerprint())
        try:
            gc.collect()  # what the lines before left behind is collected before the clock starts
            start, cpu = time.perf_counter(), time.process_time()
            run_planned(PointRunner(spec, store, backend, workload), points)
            seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
            frame = results_frame(spec, store.rows())
        finally:
            store.close()
    frame.attrs["cpu_s"] = cpu_s
    return seconds, frame


def _report(label: str, seconds: float, frame: pd.DataFrame) -> float:
    ok = frame[frame["status"] == "ok"]
    rate = len(frame) / seconds
    per_point_ms = 1e3 * ok["seconds"].median() if len(ok) else float("nan")
    cpu_s = frame.attrs.get("cpu_s", float("nan"))
    children = frame.attrs.get("children_cpu_s", 0.0)
    workers = f" + its finished child processes' {children:.2f} s" if children else ""
    print(f"{label:<44} {len(frame):>5} points ({len(ok)} ok) in {seconds:7.2f} s: {rate:8.1f} points/s "
          f"(median costing {per_point_ms:.2f} ms/point; this process's CPU {cpu_s:.2f} s{workers}: "
          f"{len(frame) / (cpu_s + children):.1f} points per CPU-s)", flush=True)  # fmt: skip
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


def warm_backend(base: dict = BASE) -> tuple[InProcess, Workload]:
    """An in-process backend on the VGG-8 workload, warm: the base chip's read statistics derived, kernels compiled."""
    spec = load_sweep(random_sweep(READ_INDEPENDENT, 1, base=base))
    workload = load_workload(spec.traces, spec.base)
    backend = InProcess(workload)
    backend.cost([spec.base.chip])
    return backend, workload


def cost_only(points: int, read_points: int) -> None:
    backend, workload = warm_backend()
    seconds, frame = warm_sweep(random_sweep(READ_INDEPENDENT, points), backend, workload)
    _report("read-independent fields, warm workload", seconds, frame)
    seconds, frame = warm_sweep(random_sweep(READ_INDEPENDENT, points), backend, workload)
    _report("the same points again (tile sides kept)", seconds, frame)
    seconds, frame = warm_sweep(random_sweep(READ_DEPENDENT, read_points), backend, workload)
    _report("read-dependent fields, warm workload", seconds, frame)
    seconds, frame = warm_sweep(random_sweep({**READ_DEPENDENT, **READ_INDEPENDENT}, points), backend, workload)
    settings = len(frame[list(READ_DEPENDENT)].drop_duplicates())
    _report(f"both kinds of fields ({settings} read settings)", seconds, frame)
    grid = {**random_sweep(READ_INDEPENDENT, 1), "strategy": {"name": "grid"}}
    backend, workload = warm_backend()  # the whole grid on a workload that has costed the base chip only
    seconds, frame = warm_sweep(grid, backend, workload)
    _report("read-independent fields, the whole grid", seconds, frame)
    seconds, frame = timed_sweep(random_sweep(READ_INDEPENDENT, points, seed=2))
    _report("read-independent fields, whole explore run", seconds, frame)
    backend, workload = warm_backend(SRAM_BASE)
    seconds, frame = warm_sweep(random_sweep(SRAM_FIELDS, points, base=SRAM_BASE), backend, workload)
    _report("SRAM, the issue's list with node and temperature", seconds, frame)
    seconds, frame = warm_sweep(random_sweep(SRAM_FIELDS, points, base=SRAM_BASE), backend, workload)
    _report("the same points again", seconds, frame)


def backends(points: int, read_points: int, workers: int, skip_ray: bool) -> None:
    """The in-process backend, the local process pool and Ray on a cheap sweep (read-independent fields: one read
    setting, the base chip's) and on one where parallelism matters (every point a read setting of its own or few)."""
    cheap = ("read-independent", random_sweep(READ_INDEPENDENT, points, seed=1))
    dependent = ("read-dependent", random_sweep({**READ_DEPENDENT, "chip.adc.bits": [4, 5, 6]}, read_points, seed=1))
    for name, sweep in (cheap, dependent):
        local_s, local = timed_sweep(sweep)
        _report(f"{name}: local, 1 worker (in process)", local_s, local)
        pool_s, pool = timed_sweep(sweep, workers=workers)
        _report(f"{name}: local process pool, {workers} workers", pool_s, pool)
        line = f"{name}: pool / local(1 worker) wall-time ratio {pool_s / local_s:.2f}, tables equal: "
        line += str(_same(pool, local))
        if not skip_ray:
            ray_s, ray = timed_sweep(sweep, backend="ray", workers=workers)
            _report(f"{name}: ray, {workers} workers (includes ray.init)", ray_s, ray)
            line += f"; ray / local {ray_s / local_s:.2f}, tables equal: {_same(ray, local)}"
        print(line, flush=True)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return a.drop(columns="seconds").equals(b.drop(columns="seconds"))


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


def pareto(points: int) -> None:
    """Seconds of the Pareto front of `points` random points, two and three objectives (the front a sweep's table
    and plots take)."""
    rng = np.random.default_rng(0)
    for objectives in (2, 3):
        values = rng.random((points, objectives))
        start = time.perf_counter()
        front = pareto_mask(values, [False, True, False][:objectives])
        seconds = time.perf_counter() - start
        print(f"Pareto front of {points} points, {objectives} objectives: {seconds:.3f} s ({front.sum()} on it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=400, help="points of the read-independent sweep")
    parser.add_argument("--read-points", type=int, default=8, help="points of the read-dependent sweep")
    parser.add_argument("--workers", type=int, default=2, help="workers of the pool and Ray runs")
    parser.add_argument("--backend-points", type=int, default=24, help="points of the read-dependent backend sweep")
    parser.add_argument("--skip-backends", action="store_true", help="no backend comparison")
    parser.add_argument("--skip-ray", action="store_true", help="no Ray run in the backend comparison")
    parser.add_argument("--skip-cost", action="store_true", help="no in-process cost-only sweeps")
    parser.add_argument("--skip-accuracy", action="store_true", help="no accuracy-in-the-loop sweep")
    parser.add_argument("--probe", action="store_true", help="also time one estimate per PROBES change")
    parser.add_argument("--pareto-points", type=int, default=20000, help="points of the Pareto front timing (0: none)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one core per worker: the points are the parallelism
    if args.probe:
        probe()
    if not args.skip_cost:
        cost_only(args.points, args.read_points)
    if not args.skip_backends:
        backends(args.points, args.backend_points, args.workers, args.skip_ray)
    if not args.skip_accuracy:
        accuracy_in_the_loop()
    if args.pareto_points:
        pareto(args.pareto_points)


if __name__ == "__main__":
    main()
