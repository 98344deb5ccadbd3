"""Deviation of neurocim's forward pass from NeuroSim V2.1's reference runs: per layer and chip, in percent.

Run: python benchmarks/v21_forward_gap.py [--case t23_inference_only ...] [--compat neurosim_v21|neurosim_v14]
Reads ../shared/reference/neurosim_v21 (cases and the VGG-8 traces). Forward latency and energy of a training case are
per epoch (per image x batchSize x numIteration); the layer breakdown and the chip area breakdown are compared only
for an inference-only case (a training chip adds the activation-gradient read-out to them). A training case runs on the
training chip (sub-arrays grown by the read-out). Prints one table per case.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.compat.quirks import ChipCompat
from neurocim.estimate import estimate
from neurocim.training_cost.forward import forward_phase, global_buffer_passes, image_loads, training_chip
from neurocim.workload.prepared import prepare
from neurocim.workload.training_traces import read_training_npz

REF = Path(__file__).resolve().parents[2] / "shared" / "reference" / "neurosim_v21"
DEFAULT_CASES = ("t23_inference_only", "t01_default", "t02_rram", "t03_sram", "t05_fefet_22nm",
                 "t07_fefet_cellbit2", "t08_adc_fw_5bit", "t22_conventional_mapping")  # fmt: skip
PARTS = ("adc", "accumulation", "other", "buffer", "interconnect")


def _dev(got: float, want: float) -> str:
    if want == 0:
        return "   n/a" if got == 0 else "  +inf"
    return f"{(got - want) / want * 100:+7.1f}"


def case_rows(case: str, compat: ChipCompat, workload) -> list[tuple[str, float, float]]:
    """(quantity, neurocim, NeuroSim) for every compared quantity of one case."""
    params = json.loads((REF / "cases" / case / "params.json").read_text())
    expected = json.loads((REF / "cases" / case / "expected.json").read_text())
    chip = chip_from_v21_params(params).model_copy(update={"compat": compat})
    training = bool(params.get("trainingEstimation", True))
    model = training_chip(chip, workload) if training else None  # laid out over the grown sub-arrays
    report = model.evaluate(workload) if model is not None else estimate(chip, workload)
    scale = params["batchSize"] * params["numIteration"] if training else 1
    rows = [("chip.area_m2", report.chip.area_m2, expected["chip"]["area_m2"])]
    if not training:
        for key, value in expected["chip"]["area_breakdown_m2"].items():
            if key != "weight_gradient":
                rows.append((f"chip.area.{key}", getattr(report.chip.area_breakdown_m2, key), value))
    floor = expected["floorplan"]
    for key in ("num_tiles", "speedup", "utilization"):
        for i, (got, want) in enumerate(zip((getattr(r, key) for r in report.layers), floor[key], strict=True)):
            rows.append((f"floorplan.L{i + 1}.{key}", got, want))
    if model is not None:  # V2.1's training forward loads no image and passes over the global buffer twice
        forward = forward_phase(report, buffer_again=global_buffer_passes(model, workload))
    else:
        forward = forward_phase(report, image_loads(chip, workload.layers))
    for fw, ref in zip(forward, expected["layers"], strict=True):
        name = f"L{ref['layer']}"
        rows += [
            (f"{name}.fw.latency_s", fw.total.latency_s * scale, ref["training"]["forward"]["latency_s"]),
            (f"{name}.fw.energy_j", fw.total.energy_j * scale, ref["training"]["forward"]["energy_j"]),
            (f"{name}.peak.latency_s", fw.peak.latency_s * scale, ref["peak"]["forward"]["latency_s"]),
            (f"{name}.peak.energy_j", fw.peak.energy_j * scale, ref["peak"]["forward"]["energy_j"]),
            (f"{name}.leakage_power_w", fw.leakage_power_w, ref["leakage_power_w"]),
        ]
        if not training:
            for part in PARTS:
                rows.append((f"{name}.lat.{part}", getattr(fw.latency_s, part), ref["latency_breakdown_s"][part]))
                rows.append((f"{name}.en.{part}", getattr(fw.energy_j, part), ref["energy_breakdown_j"][part]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="case id (repeatable; default: the forward-relevant ones)")
    parser.add_argument("--compat", default="neurosim_v21", choices=[c.value for c in ChipCompat])
    args = parser.parse_args()
    traces = read_training_npz(REF / "traces" / "vgg8_v21_seed117.npz")
    workload = prepare(traces.network, traces.forward_traces)
    for case in args.case or DEFAULT_CASES:
        start = time.perf_counter()
        rows = case_rows(case, ChipCompat(args.compat), workload)
        print(f"\n== {case} (compat {args.compat}, {time.perf_counter() - start:.1f} s)")
        print(f"{'quantity':34s} {'neurocim':>12s} {'NeuroSim':>12s} {'dev %':>7s}")
        for name, got, want in rows:
            print(f"{name:34s} {got:12.5g} {want:12.5g} {_dev(got, want)}")
        devs = [abs(g - w) / abs(w) for _, g, w in rows if w]
        print(f"worst |dev| {max(devs) * 100:.1f} %, median {sorted(devs)[len(devs) // 2] * 100:.2f} %")


if __name__ == "__main__":
    main()
