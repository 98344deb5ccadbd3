"""Benchmark: VGG-8 in hardware mode (8-bit weights and inputs, 1-bit cells, 128-row sub-arrays, 5-bit ADC).

Times neurocim's hardware mode (bit-serial inputs, sliced weights, one ADC conversion per read) layer by layer
on the same inputs (64 CIFAR-shaped random images by default) against
  (a) plain float inference of the same layer (PyTorch), and
  (b) NeuroSim V1.4's own loop structure, re-created here: for every kernel position x sub-array x input bit x
      weight slice, one masked full-size convolution of the whole batch for the array and one for the dummy
      column, each followed by a tensor-wide min/max ADC. (b) is far too slow to run whole on a CPU: a
      representative run of its first iterations is timed per layer and extrapolated to its iteration count.

The arithmetic floor of hardware mode is input bits x weight slices x float work (64x here): every input bit
plane meets every cell slice once. All three run on the same number of PyTorch threads (--threads). The peak
resident memory is printed before and after the neurocim runs (bounded by --chunk-elements), before (b) runs.
Run: python benchmarks/bench_accuracy.py [--images N] [--sample-iterations N] [--threads N] [--chunk-elements N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from neurocim.config.accuracy import AccuracyConfig
from neurocim.config.chip import ChipConfig
from neurocim.models import vgg8
from neurocim.nn import LayerMode, calibrate_, cim_layers, clone_converted, set_mode_

CHIP = ChipConfig.model_validate(
    {
        "cell": {"type": "rram", "bits_per_cell": 1, "on_off_ratio": 17},
        "array": {"rows": 128},
        "adc": {"bits": 5},
        "precision": {"weight_bits": 8, "input_bits": 8},
    }
)
# A fixed full-scale ADC range needs no calibration pass; a calibrated range costs the same per read.
ACCURACY = AccuracyConfig(adc={"range_mode": "full_scale"}, max_chunk_elements=2**20)


def _timed(fn: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def layer_inputs(model: nn.Module, x: Tensor) -> dict[str, Tensor]:
    """The float input of every Conv2d / Linear for images x."""
    seen: dict[str, Tensor] = {}
    hooks = [
        m.register_forward_pre_hook(lambda mod, args, name=n: seen.__setitem__(name, args[0].detach()))
        for n, m in model.named_modules()
        if isinstance(m, nn.Conv2d | nn.Linear)
    ]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return seen


def _adc(t: Tensor, bits: int) -> Tensor:
    """NeuroSim's per-tensor floor ADC: range = min..max of this very tensor."""
    lo, hi = t.min(), t.max()
    if hi == lo:
        return t
    step = (hi - lo) / 2**bits
    return lo + torch.clamp(torch.floor((t - lo) / step), 0, 2**bits - 1) * step


class NeuroSimLoop:
    """One layer of NeuroSim V1.4's hardware-aware forward, loop for loop, stoppable after N inner iterations."""

    def __init__(self, module: nn.Conv2d | nn.Linear, chip: ChipConfig) -> None:
        self.module, self.conv = module, isinstance(module, nn.Conv2d)
        p = chip.precision
        self.w_bits, self.a_bits, self.c_bits = p.weight_bits, p.input_bits, chip.cell.bits_per_cell
        self.rows, self.adc_bits, self.ratio = chip.array.rows, chip.adc.bits, chip.cell.on_off_ratio
        w = module.weight.detach()
        self.weight = torch.clamp(torch.round(w / w.abs().max() * 2 ** (p.weight_bits - 1)), -127, 127) / 128
        self.sub_arrays = self.weight.shape[1] // self.rows
        self.analog = self.conv and self.sub_arrays == 0 and self.weight.shape[1] == 3  # first layer
        self.positions = [(i, j) for i in range(w.shape[2]) for j in range(w.shape[3])] if self.conv else [None]

    @property
    def iterations(self) -> int:
        slices = self.w_bits // self.c_bits
        if self.analog:
            return len(self.positions) * slices
        return len(self.positions) * self.a_bits * max(self.sub_arrays, 1) * slices

    def _op(self, x: Tensor, w: Tensor) -> Tensor:
        m = self.module
        return F.conv2d(x, w, None, m.stride, m.padding, m.dilation) if self.conv else F.linear(x, w)

    def _mask(self, pos, s: int | None) -> Tensor:
        mask = torch.zeros_like(self.weight)
        cols = slice(None) if s is None else slice(s * self.rows, (s + 1) * self.rows)
        if self.conv:
            mask[:, cols, pos[0], pos[1]] = 1
        else:
            mask[:, cols] = 1
        return mask

    def run(self, x: Tensor, limit: int | None = None) -> int:
        """Run the loop on input x (values in [0, 1]; the first layer takes the raw image); returns iterations."""
        cell_range, lower = 2**self.c_bits, 1 / self.ratio
        dummy = torch.full_like(self.weight, (cell_range - 1) * (1 + lower) / 2)
        scale = 2 / (1 - lower)
        done, out = 0, torch.zeros_like(self._op(x, self.weight))
        for pos in self.positions:
            bits_in = [None] if self.analog else range(self.a_bits)
            codes_in = torch.round((2**self.a_bits - 1) * x)
            for _z in bits_in:
                if self.analog:
                    plane = x
                else:
                    plane = torch.fmod(codes_in, 2)
                    codes_in = torch.round((codes_in - plane) / 2)
                for s in [None] if self.sub_arrays == 0 else range(self.sub_arrays):
                    mask = self._mask(pos, s)
                    codes = torch.round((2**self.w_bits - 1) / 2 * (self.weight + 1)) * mask
                    for k in range(self.w_bits // self.c_bits):
                        digit = torch.fmod(codes, cell_range) * mask
                        codes = torch.round((codes - digit) / cell_range) * mask
                        g = (1 - lower) * digit + (cell_range - 1) * lower
                        g = g + g * torch.normal(0.0, torch.zeros_like(g))  # NeuroSim draws variation (here 0)
                        main, ref = self._op(plane, g * mask), self._op(plane, dummy * mask)
                        if not self.analog:
                            main, ref = _adc(main, self.adc_bits), _adc(ref, self.adc_bits)
                        out += (main - ref) * cell_range**k * scale
                        done += 1
                        if limit is not None and done >= limit:
                            return done
        return done


def _peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def time_neurocim(net: nn.Module, hw: nn.Module, inputs: dict[str, Tensor]) -> dict[str, tuple[float, float, float]]:
    """Per layer: (float s, neurocim hardware s, weight mapping s) on the same inputs."""
    modules, times = dict(net.named_modules()), {}
    with torch.no_grad():
        for name, layer in cim_layers(hw).items():
            xin = inputs[name]
            t_float = _timed(lambda m=modules[name], t=xin: m(t), repeat=3)
            t_map = _timed(lambda m=layer, t=xin[:1]: m(t))  # first call: maps the weights onto cells (cached)
            times[name] = (t_float, _timed(lambda m=layer, t=xin: m(t)), t_map)
    return times


def time_neurosim_loop(net: nn.Module, inputs: dict[str, Tensor], names, sample: int) -> dict[str, tuple[float, int]]:
    """Per layer: (extrapolated s, iterations) of NeuroSim's loop structure, timed on its first `sample` iterations."""
    modules, times = dict(net.named_modules()), {}
    with torch.no_grad():
        for name in names:
            xin = inputs[name]
            loop = NeuroSimLoop(modules[name], CHIP)
            x_ns = xin if loop.analog else xin.clamp(min=0) / xin.clamp(min=0).max().clamp(min=1e-12)
            n = min(loop.iterations, sample)
            loop.run(x_ns, limit=1)  # warm-up
            t_sample = _timed(lambda lp=loop, t=x_ns, k=n: lp.run(t, limit=k))
            times[name] = (t_sample / n * loop.iterations, loop.iterations)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64, help="batch of random CIFAR-shaped images")
    parser.add_argument("--sample-iterations", type=int, default=16, help="NeuroSim loop iterations timed per layer")
    parser.add_argument("--compat", action="store_true", help="neurocim in NeuroSim V1.4 compat mode (WAGE, batch ADC)")
    parser.add_argument("--threads", type=int, help="PyTorch CPU threads for all three (default: PyTorch's choice)")
    parser.add_argument("--chunk-elements", type=int, default=2**20, help="accuracy.max_chunk_elements (memory bound)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.compat:
        accuracy = AccuracyConfig(compat="neurosim_v14", max_chunk_elements=args.chunk_elements)
    else:
        accuracy = ACCURACY.model_copy(update={"max_chunk_elements": args.chunk_elements})
    torch.manual_seed(0)
    net = vgg8().eval()
    x = torch.rand(args.images, 3, 32, 32) * 2 - 1
    inputs = layer_inputs(net, x)
    hw = clone_converted(net, CHIP, accuracy).eval()
    calibrate_(hw, [x])  # input ranges only (float pass): the ADC range is full scale (or per call, compat)
    set_mode_(hw, LayerMode.HARDWARE)
    rss_before = _peak_rss_mib()
    ours = time_neurocim(net, hw, inputs)
    rss_ours = _peak_rss_mib()
    loop = time_neurosim_loop(net, inputs, list(ours), args.sample_iterations)
    slices = CHIP.precision.weight_bits // CHIP.cell.bits_per_cell
    floor_factor = CHIP.precision.input_bits * slices
    mode = "NeuroSim V1.4 compat" if args.compat else "PTQ, full-scale ADC range"
    print(f"VGG-8, {args.images} images, 8-bit weights/inputs, 1-bit cells, 128-row sub-arrays, 5-bit ADC ({mode})")
    print(f"torch threads: {torch.get_num_threads()} (all three); arithmetic floor = {floor_factor} x float work")
    print(f"max_chunk_elements = {args.chunk_elements}\n")
    print(f"{'layer':<16}{'float s':>9}{'neurocim s':>12}{'x floor':>9}{'NeuroSim s':>13}{'iters':>7}{'timed':>7}")
    for name, (t_float, t_ours, _) in ours.items():
        t_ns, iters = loop[name]
        ratio = t_ours / (floor_factor * t_float)
        sample = min(iters, args.sample_iterations)
        print(f"{name:<16}{t_float:>9.3f}{t_ours:>12.2f}{ratio:>9.1f}{t_ns:>13.1f}{iters:>7}{sample:>7}")
    f, o, m = (sum(t[i] for t in ours.values()) for i in range(3))
    n = sum(t[0] for t in loop.values())
    print(f"\n(a) float inference, all layers:            {f:9.3f} s")
    print(f"    arithmetic floor ({floor_factor} x float):         {floor_factor * f:9.2f} s")
    print(f"neurocim hardware mode:                      {o:9.2f} s  = {o / (floor_factor * f):.2f} x the floor")
    print(f"    + weight mapping, once per device draw:  {m:9.2f} s  (first call, 1 image)")
    print(f"(b) NeuroSim loop structure (extrapolated):  {n:9.1f} s  (timed {args.sample_iterations} iterations")
    print("    per layer at most, scaled to each layer's iteration count)")
    print(f"speed-up of neurocim over (b): {n / o:.1f} x")
    print(f"peak RSS: {rss_before:.0f} MiB before the hardware runs (model, inputs), {rss_ours:.0f} MiB after them")


if __name__ == "__main__":
    main()
