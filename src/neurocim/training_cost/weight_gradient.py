"""The weight-gradient unit of on-chip training: SRAM compute-in-memory arrays and the batch gradient accumulator."""

# Interface (what the epoch composer calls):
#
# * `WeightGradientUnit(ctx, training, network, windows=None, accumulator_height_m=0.0)` sizes the unit once per chip
#   and network: `ctx` is the chip's `CircuitContext` (`neurocim.estimate.build_context(chip)`), `training` its
#   `ChipConfig.training`; `ctx.p` carries the rest of the chip's settings and the quirks; `windows[i]` is the number
#   of input vectors (output positions) of layer i (default: NeuroSim's valid-convolution count under
#   `windows_ignore_padding`, else the padded convolution's H*W/stride^2); `accumulator_height_m` is the side the
#   gradient accumulator is laid out along (the global buffer's height; 0 lays it out in one row); `.lay_out(height)`
#   lays it out again along another side (the chip's area needs the unit's precision before the buffer's height).
# * `.area_m2` (arrays + adder tree across arrays + gradient accumulator) and `.area_parts_m2`; `.out_precision_bits`
#   (bits of one partial weight gradient); `.num_array_write_parallel` (sub-arrays of the forward arrays whose
#   gradients the buffer holds at once, the divisor of the weight-update latency).
# * `.layer_cost(index, activity) -> WgLayerCost`: per image, the unit's compute (`cost`: a `Cost` in seconds and
#   joules, booked to ADC / accumulation / other; NeuroSim's "peak" weight-gradient value, without buffers or DRAM)
#   and `gradient_bits`, the weight-gradient bits written to DRAM and read back once each per image.
#
# `activity` is the layer's input activity (fraction of 1 bits), what the core reads per layer.

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from neurocim.arch.cost import Cost, Part
from neurocim.circuits.base import Layout
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.logic.adder import Adder
from neurocim.circuits.logic.adder_tree import AdderTree
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.training_cost.quirks import (
    ACCUMULATION_FORWARD_MUX,
    ARRAYS_FLOOR,
    SPEED_UP_IGNORES_CAPACITY,
    has_quirk,
)
from neurocim.training_cost.weight_update import inference_buffer_bits, write_parallelism
from neurocim.training_cost.wg_array import WgArray
from neurocim.workload.network import Layer


@dataclass(frozen=True)
class WgLayerCost:
    """Per image: the unit's compute for one layer, and the gradient bits moved to DRAM (and back) once each."""

    cost: Cost
    gradient_bits: int


def layer_windows(ctx: CircuitContext, layer: Layer) -> int:
    """Output positions of a layer: NeuroSim's valid-convolution count, or the padded convolution's."""
    if ctx.p.quirk("windows_ignore_padding"):
        return max(layer.num_windows, 1)
    return max(math.ceil(layer.ifm_h / layer.stride) * math.ceil(layer.ifm_w / layer.stride), 1)


class WeightGradientUnit:
    """SRAM arrays sized for the layer with the largest input feature map, their adder tree, and the adders that
    accumulate gradients over the batch."""

    def __init__(self, ctx: CircuitContext, training: TrainingHardwareConfig, network: Sequence[Layer],
                 windows: Sequence[int] | None = None, accumulator_height_m: float = 0.0) -> None:  # fmt: skip
        if not network:
            raise ValueError("the weight-gradient unit needs at least one layer")
        # the unit is timed in seconds whatever the chip's clocking (NeuroSim V2.1 has no synchronous mode)
        ctx = replace(ctx, p=ctx.p.with_synchronous_clock(False))
        self.ctx, self.training, self.network = ctx, training, tuple(network)
        self.windows = tuple(windows) if windows is not None else tuple(layer_windows(ctx, x) for x in network)
        if len(self.windows) != len(self.network) or min(self.windows) < 1:
            raise ValueError(f"windows {self.windows} must give a positive count for each of {len(network)} layers")
        p = ctx.p
        cfg = training.weight_gradient
        self.rows, self.cols = cfg.rows, cfg.cols
        self.array = WgArray(ctx, cfg.rows, cfg.cols, training.backprop.parallel, cfg.adc_levels, cfg.rows_per_adc)
        largest = max(range(len(network)), key=lambda i: (network[i].ifm_h * network[i].ifm_w * network[i].in_channels,
                                                          -i))  # fmt: skip
        self.arrays_in_row, self.arrays_in_col = self._array_counts(
            self.windows[largest], network[largest].in_channels * p.chip.precision.input_bits
        )
        trees = math.ceil(self.arrays_in_col * self.cols / cfg.rows_per_adc)
        self.accumulation = AdderTree(ctx, max(self.arrays_in_row, 1), self.array.sum_bits, trees)
        stages = math.ceil(math.log2(self.arrays_in_row)) if self.arrays_in_row > 1 else 0
        self.out_precision_bits = self.array.sum_bits - 1 + stages
        self.num_array_write_parallel = write_parallelism(
            p, training, inference_buffer_bits(p, network), self.out_precision_bits
        )
        self.gradient_accumulator = Adder(
            ctx, self.out_precision_bits + math.ceil(math.log2(training.batch_size)),
            self.num_array_write_parallel * p.chip.array.rows * p.chip.array.cols,
        )  # fmt: skip
        self.lay_out(accumulator_height_m)

    def _array_counts(self, rows_needed: int, cols_needed: int) -> tuple[int, int]:
        if has_quirk(self.ctx.p, ARRAYS_FLOOR):
            return max(rows_needed // self.rows, 1), max(cols_needed // self.cols, 1)
        return math.ceil(rows_needed / self.rows), math.ceil(cols_needed / self.cols)

    def lay_out(self, accumulator_height_m: float) -> None:
        """Set the area (m^2) and its parts, the gradient accumulator in a column of the given height (0: one row)."""
        self.area_parts_m2 = self._layout(accumulator_height_m)
        self.area_m2 = sum(self.area_parts_m2.values())

    def _layout(self, accumulator_height_m: float) -> dict[str, float]:
        arrays = self.array.layout() * self.arrays_in_row * self.arrays_in_col
        tree = self.accumulation.layout(0.0, math.sqrt(self.array.layout())).area if self.arrays_in_row > 1 else 0.0
        if accumulator_height_m > 0:
            accumulator = self.gradient_accumulator.layout(accumulator_height_m, 0.0, Layout.NONE).area
        else:
            accumulator = self.gradient_accumulator.layout().area
        return {"arrays": arrays, "accumulation": tree, "gradient_accumulator": accumulator}

    @property
    def leakage_w(self) -> float:
        """Leakage (W) of the arrays, the tree across them and the gradient accumulator."""
        tree = self.accumulation.leakage if self.arrays_in_row > 1 else 0.0
        return self.array.leakage_w * self.num_arrays + tree + self.gradient_accumulator.leakage

    @property
    def num_arrays(self) -> int:
        return self.arrays_in_row * self.arrays_in_col

    def _tree(self, num_reads: float) -> tuple[float, float]:
        """Adder tree across the arrays: latency (s) per error vector, energy (J) of `num_reads` error vectors."""
        if self.arrays_in_row <= 1:
            return 0.0, 0.0
        p = self.ctx.p
        latency = self.accumulation.latency(self._tree_steps(), self.arrays_in_row, 0.0, p.chip.clock.max_frequency_hz)
        return latency, self.accumulation.energy(num_reads, self.arrays_in_row)

    def _tree_steps(self) -> int:
        """Additions each adder tree makes per error vector: one per ADC step in a parallel read-out; in a sequential
        one, the array's row sums (one per input channel, all at once) shared among the trees."""
        p, cfg = self.ctx.p, self.training.weight_gradient
        if not self.array.parallel:
            return max(math.ceil(self.array.num_adder * self.arrays_in_col / self.accumulation.num_adder_tree), 1)
        return p.cols_muxed if has_quirk(p, ACCUMULATION_FORWARD_MUX) else cfg.rows_per_adc

    def _copies_and_rounds(self, rows: int, cols: int) -> tuple[float, int]:
        """How many copies of a layer's activation matrix the unit holds at once (they share the error vectors), and
        in how many rounds it holds all of it when the matrix needs more arrays than the unit has."""
        need_row, need_col = max(math.ceil(rows / self.rows), 1), max(math.ceil(cols / self.cols), 1)
        if has_quirk(self.ctx.p, SPEED_UP_IGNORES_CAPACITY):
            if rows != 1:
                return max(self.arrays_in_row // need_row, 1) * max(self.arrays_in_col // need_col, 1), 1
            return self.arrays_in_row * max(cols // self.cols, 1), 1
        need = need_row * need_col
        if need <= self.num_arrays:
            return self.num_arrays // need, 1
        return 1, math.ceil(need / self.num_arrays)

    def layer_cost(self, index: int, activity: float) -> WgLayerCost:
        """Per image: computing layer `index`'s weight gradients (K_h x K_w shifted passes, C_out error vectors each)
        and accumulating them with the batch's."""
        if not 0.0 <= activity <= 1.0 or math.isnan(activity):
            raise ValueError(f"activity must be a fraction in [0, 1], got {activity}")
        layer, p = self.network[index], self.ctx.p
        reads = layer.out_channels
        read, write = self.array.read(activity), self.array.write(activity)
        t_tree, e_tree = self._tree(reads)
        rows, cols = self.windows[index], layer.in_channels * p.chip.precision.input_bits
        used = rows * cols / (self.num_arrays * self.rows * self.cols)
        passes = layer.kernel_h * layer.kernel_w
        copies, rounds = self._copies_and_rounds(rows, cols)
        t_pass = ((read.latency_s + t_tree) * reads / copies + write.latency_s) * rounds
        cost = Cost()
        scale = self.num_arrays * used * passes
        cost = cost.plus(Part.ADC, 0.0, read.energy_adc_j * reads * scale)
        cost = cost.plus(Part.ACCUMULATION, 0.0, (read.energy_accum_j * reads * self.num_arrays + e_tree) * used
                         * passes)  # fmt: skip
        cost = cost.plus(Part.OTHER, t_pass * passes, (read.energy_other_j * reads + write.energy_j) * scale)
        weights = layer.rows * layer.out_channels
        adders = self.gradient_accumulator.num_adder
        adds = math.ceil(weights / adders)
        t_acc = self.gradient_accumulator.latency(1e20, 0.0, adds)
        cost = cost.plus(Part.ACCUMULATION, t_acc, self.gradient_accumulator.energy(adds, min(weights, adders)))
        return WgLayerCost(cost, weights * self.out_precision_bits)
