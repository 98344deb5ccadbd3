"""Benchmark: one VGG-8 training-epoch estimate (NeuroSim V2.1's reference traces) and a sweep over training settings
(batch size, DRAM, write pulse, read-out ADC levels) on one prepared training workload.

Run: python benchmarks/bench_train_cost.py [--traces NPZ] [--sweep N] [--stand-in]
Prints the trace loading time, the first epoch estimate in the process (chip built, forward pass, update pulses
counted), two more chips' estimates on the same workload (one differing only in the read-out's ADC levels, which
reuses every forward read statistic and the update's block writes; one with another forward ADC), and the sweep's
configurations per second (targets: an epoch estimate <= 2 s in-process, >= 50 training settings per second); wall
and CPU seconds (the CPU figure is the one to compare on a machine other work shares). With --stand-in the
activation- and weight-gradient phases are fixed per-image costs: the figures then cover the forward pass, weight
update, DRAM and composition only, and the output says so.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from neurocim.arch.cost import Cost, Part
from neurocim.config.chip import ChipConfig
from neurocim.training_cost.epoch import PhaseCost, phase_from_cost
from neurocim.training_cost.estimate import TrainingWorkload
from neurocim.workload.training_traces import read_training_npz

ROOT = Path(__file__).resolve().parents[1]
TRACES = ROOT.parent / "shared" / "reference" / "neurosim_v21" / "traces" / "vgg8_v21_seed117.npz"
CHIP = {
    "technology": {"node_nm": 32},
    "cell": {"type": "fefet", "bits_per_cell": 5, "r_on_ohm": 240e3, "on_off_ratio": 100, "write_voltage_v": 4.0},
    "precision": {"weight_bits": 5, "input_bits": 8},
    "pipeline": {"enabled": False},
    "compat": "neurosim_v21",
    "training": {"enabled": True},
}


class StandIn:
    """Fixed per-image gradient costs (no back-propagation hardware model)."""

    gradient_bits = 15
    extra_area_m2: dict = {}

    def activation_gradient(self, index: int) -> PhaseCost:
        return PhaseCost() if index == 0 else phase_from_cost(Cost().plus(Part.ADC, 1e-5, 1e-8))

    def weight_gradient(self, index: int) -> PhaseCost:
        return phase_from_cost(Cost().plus(Part.OTHER, 1e-5, 1e-7))

    def tile_leakage_w(self, index: int) -> float:
        return 0.0


@contextmanager
def _timed(what: str) -> Iterator[None]:
    """Prints the wall and CPU seconds of the block (CPU time: the figure to compare on a shared machine)."""
    t0, c0 = time.perf_counter(), time.process_time()
    yield
    print(f"{what}: {time.perf_counter() - t0:.2f} s (CPU {time.process_time() - c0:.2f} s)")


def _chip(**training) -> ChipConfig:
    return ChipConfig.model_validate({**CHIP, "training": {**CHIP["training"], **training}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=Path, default=TRACES)
    parser.add_argument("--sweep", type=int, default=96, help="training settings in the sweep")
    parser.add_argument("--stand-in", action="store_true", help="fixed gradient costs instead of the models")
    args = parser.parse_args()
    models = not args.stand_in
    provider = None if models else (lambda chip, training, traces, forward: StandIn())
    print(f"gradient phases: {'back-propagation models' if models else 'STAND-IN fixed costs (models not used)'}")

    with _timed("traces loaded"):
        traces = read_training_npz(args.traces)

    workload = TrainingWorkload(traces)
    with _timed("first epoch estimate (chip, forward, update pulses, compose)"):
        first = workload.estimate(_chip(), provider)
    with _timed("a training chip differing only in the read-out's ADC levels, same workload"):
        workload.estimate(_chip(backprop={"adc_levels": 128}), provider)  # a chip the sweep below does not hold
    with _timed("another chip (forward ADC of 4 bits), same workload"):
        workload.estimate(ChipConfig.model_validate({**CHIP, "adc": {"bits": 4}}), provider)
    m = first.report.metrics()
    print(f"  TOPS/W {m['tops_per_w']:.4g}, TOPS {m['tops']:.4g}, epochs/s {m['fps']:.4g}")

    grid = itertools.product(
        (50, 100, 200, 400, 800, 1600),
        ({"type": "hbm2"}, {"type": "gddr5"}),
        (10e-9, 50e-9, 200e-9, 1e-6),
        (16, 32),
    )
    settings = [
        {"batch_size": b, "dram": d, "write": {"pulse_width_s": w}, "weight_gradient": {"adc_levels": a},
         "backprop": {"adc_levels": 2 * a}}  # fmt: skip
        for b, d, w, a in itertools.islice(grid, args.sweep)
    ]
    configs = [_chip(**s) for s in settings]
    seen: set[str] = set()
    repeat_s, repeats = 0.0, 0
    t0, c0 = time.perf_counter(), time.process_time()
    for config in configs:
        chip = config.training.backprop.model_dump_json()  # the read-out's settings size the training chip
        start = time.perf_counter()
        workload.estimate(config, provider)
        if chip in seen:
            repeat_s, repeats = repeat_s + time.perf_counter() - start, repeats + 1
        seen.add(chip)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"sweep of {len(configs)} training settings: {elapsed:.2f} s, {len(configs) / elapsed:.1f} per second "
          f"(CPU {cpu:.2f} s, {len(configs) / cpu:.1f} per CPU second)")  # fmt: skip
    if repeats:
        print(f"  the {repeats} settings on a training chip already costed: {repeats / repeat_s:.1f} per second "
              f"({len(seen)} training chips: the read-out's ADC levels size its sub-arrays)")


if __name__ == "__main__":
    main()
