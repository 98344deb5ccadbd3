"""NeuroSim V2.1's data-dependent sense-amp read time on the reference traces, read element-wise (compat neurosim_v21).

Run: python benchmarks/v21_sense_time.py [--layer 1 --layer 8 ...] [--case t23_inference_only]
Per layer (its reads run alone): the reads of its sub-arrays, V2.1's mean per-read conversion time (the slowest
column's, clamped to 1-10 ns; circuits/adc/mlsa_timing_v21.py), and the layer's ADC latency in the whole network's
estimate with V1.4's fixed conversion time (quirk v21_mlsa_read_time off) replaced by V2.1's mean read time, next to
the reference's (inference-only cases print the ADC latency). With the quirk on, the estimate itself takes every
read's time: this checks that law against the reference independently of the estimate's wiring.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from unittest import mock

import numpy as np

from neurocim.arch.pe_reads import PeReader
from neurocim.arch.subarray.subarray import SubArray
from neurocim.circuits.adc.mlsa_timing_v21 import MlsaTimingV21, v21_references
from neurocim.compat.param_cpp_v21 import chip_from_v21_params
from neurocim.config.chip import ChipConfig, Roadmap
from neurocim.estimate import build_context, estimate
from neurocim.workload.prepared import prepare
from neurocim.workload.training_traces import read_training_npz

REF = Path(__file__).resolve().parents[2] / "shared" / "reference" / "neurosim_v21"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="t23_inference_only")
    parser.add_argument("--layer", type=int, action="append", help="network layer (1-based; default 1 and 8)")
    args = parser.parse_args()
    params = json.loads((REF / "cases" / args.case / "params.json").read_text())
    expected = json.loads((REF / "cases" / args.case / "expected.json").read_text())
    chip = chip_from_v21_params(params)
    quirks = {**chip.quirks, "v21_mlsa_read_time": False}  # V1.4's fixed conversion time
    chip = ChipConfig.model_validate({**chip.model_dump(), "quirks": quirks})
    ctx = build_context(chip)
    p = ctx.p
    refs = v21_references(p.chip.adc.levels, p.chip.cell.r_on_ohm, p.chip.cell.r_off_ohm, p.chip.array.rows)
    timing = MlsaTimingV21.build(
        refs, p.chip.technology.node_nm, p.chip.technology.roadmap is Roadmap.LSTP, True, p.read_voltage_v
    )
    adc = SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9).mode.adc
    conversion_s = adc.converter.conversion_latency
    per_read_s = adc.latency()  # conversion and encoding
    traces = read_training_npz(REF / "traces" / "vgg8_v21_seed117.npz")
    seen = [0.0, 0.0]  # reads, summed read time
    plain_read, plain_init = SubArray.read, PeReader.__init__

    def read(self, activity, column_resistance, clk_freq, adc_levels=None, counts=None):
        if column_resistance is not None and counts is not None:
            seen[0] += float(np.sum(counts))
            seen[1] += float(np.dot(counts, timing.read_latency(column_resistance)))
        return plain_read(self, activity, column_resistance, clk_freq, adc_levels, counts=counts)

    def element_wise(self, *a, **k):  # the element-wise read hands every block's resistances to SubArray.read
        plain_init(self, *a, **k)
        self._read_statistic = None

    print(f"{args.case}: neurocim's conversion {conversion_s * 1e9:.4f} ns, with encoding {per_read_s * 1e9:.4f} ns")
    head = ("layer", "reads", "V2.1 read ns", "ADC lat rescaled", "NeuroSim", "dev %")
    print("{:>5s} {:>9s} {:>12s} {:>16s} {:>11s} {:>7s}".format(*head))
    full = estimate(chip, prepare(traces.network, traces.forward_traces))  # the fast read pass, every layer
    with mock.patch.object(SubArray, "read", read), mock.patch.object(PeReader, "__init__", element_wise):
        for number in args.layer or [1, 8]:
            i = number - 1
            seen[:] = [0.0, 0.0]
            start = time.perf_counter()
            estimate(chip, prepare(traces.network[i : i + 1], traces.forward_traces[i : i + 1]))  # its reads alone
            mean_s = seen[1] / seen[0]
            rescaled = full.layers[i].latency_breakdown_s.adc * (mean_s + per_read_s - conversion_s) / per_read_s
            want = expected["layers"][i]["latency_breakdown_s"]["adc"]
            print(f"{number:5d} {seen[0]:9.0f} {mean_s * 1e9:12.4f} {rescaled:16.5g} {want:11.5g} "
                  f"{(rescaled - want) / want * 100:+7.1f}   ({time.perf_counter() - start:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
