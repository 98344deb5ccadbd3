"""Print how far the weight-gradient unit and the transposed read-out are from the NeuroSim V2.1 reference cases.

Per case: the weight-gradient area, every layer's peak weight-gradient latency and energy (NeuroSim's "peak": compute
only, no buffers or DRAM), and with --ag the activation-gradient pass through the chip (ActivationGradientPass: peak,
and total less the reference's two DRAM transfers, which it does not split out) next to the reference's, with the time
the pass takes after the forward pass. The chip comes from the case's params.json through the V2.1 importer (as
`train-estimate --neurosim-params`), all training quirks on.

    python benchmarks/v21_training_units_gap.py [--ag] [--cases t01_default,t03_sram]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from neurocim.arch.chip import ChipModel
from neurocim.compat.param_cpp_v21_training import load_v21_params_json
from neurocim.compat.quirks import TRAINING_QUIRKS
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context
from neurocim.training_cost.ag_pass import ActivationGradientPass
from neurocim.training_cost.weight_gradient import WeightGradientUnit
from neurocim.workload.prepared import prepare
from neurocim.workload.training_traces import read_training_npz

REF = Path(__file__).resolve().parents[2] / "shared/reference/neurosim_v21"


def context_of(chip: ChipConfig):
    """The chip's circuit context with every training quirk on and NeuroSim's valid-convolution window count."""
    ctx = build_context(chip)
    quirks = ctx.p.quirks | {q.name for q in TRAINING_QUIRKS} | {"windows_ignore_padding"}
    return replace(ctx, p=replace(ctx.p, quirks=quirks))


def dev(ours: float, ref: float) -> str:
    return f"{ours:11.4g} {ref:11.4g} {100 * (ours / ref - 1) if ref else 0.0:+8.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ag", action="store_true", help="also the activation-gradient reads (slow: every trace)")
    parser.add_argument("--cases", default="", help="comma-separated case ids (default: every ok case)")
    args = parser.parse_args()
    cases = sorted(p for p in (REF / "cases").iterdir() if (p / "expected.json").exists())
    if args.cases:
        cases = [c for c in cases if c.name in args.cases.split(",")]
    traces = read_training_npz(REF / "traces/vgg8_v21_seed117.npz")
    network = traces.network
    for case in cases:
        exp = json.loads((case / "expected.json").read_text())
        params = json.loads((case / "params.json").read_text())
        if exp["case"]["status"] != "ok" or not params["trainingEstimation"]:
            continue
        try:
            chip = load_v21_params_json(case / "params.json")
        except ValueError as err:  # pydantic's ValidationError is a ValueError
            print(f"== {case.name}   skipped: {str(err).splitlines()[0].strip()}")
            continue
        ctx = context_of(chip)
        images = chip.training.images_per_epoch
        unit = WeightGradientUnit(ctx, chip.training, network)
        area_ref = exp["chip"]["area_breakdown_m2"]["weight_gradient"]
        print(f"== {case.name}   weight-gradient area {dev(unit.area_m2, area_ref)}")
        print("layer  WG latency: ours ref dev            WG energy: ours ref dev")
        for i, layer in enumerate(exp["layers"]):
            c = unit.layer_cost(i, params["layer_activity"][i]).cost
            ref = layer["peak"]["weight_gradient"]
            print(
                f"{i + 1:5d}  {dev(c.latency * images, ref['latency_s'])}   {dev(c.energy * images, ref['energy_j'])}"
            )
        if not args.ag:
            continue
        print_ag(ctx, chip, traces, exp, images)


def print_ag(ctx, chip: ChipConfig, traces, exp: dict, images: int) -> None:
    """The activation-gradient pass (peak and total, no DRAM) per layer next to the reference's, per epoch."""
    layers = [t.layer for t in traces.layers]
    workload = prepare(layers, [t.trace for t in traces.layers])
    model = ChipModel(ctx, layers, workload=workload)  # the forward pass
    t0 = time.perf_counter()
    ag = ActivationGradientPass(model, chip.training)
    costs = ag.layer_costs(workload)
    print(f"activation-gradient pass {time.perf_counter() - t0:.3f} s; read-out area {ag.area.total_m2:.4g} m^2")
    print("layer  AG peak latency: ours ref dev   AG peak energy: ours ref dev   AG total (less DRAM): latency, energy")
    for i, c in enumerate(costs):
        ref, full = exp["layers"][i]["peak"]["activation_gradient"], exp["layers"][i]["training"]["activation_gradient"]
        peak = f"{dev(c.peak.latency * images, ref['latency_s'])}   {dev(c.peak.energy * images, ref['energy_j'])}"
        total = f"{dev(c.total.latency * images, full['latency_s'])}   {dev(c.total.energy * images, full['energy_j'])}"
        print(f"{i + 1:5d}  {peak}   {total}")


if __name__ == "__main__":
    main()
