"""The back-propagation hardware as the epoch composer reads it: transposed read-out (activation gradient) and the
weight-gradient unit, per layer and image, with the area they add (a `GradientPhases` for `estimate_training`)."""

from __future__ import annotations

from neurocim.arch.chip import ChipModel
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.report.records import Breakdown, Report
from neurocim.training_cost.backprop import TransposedReadout, activation_gradient_cost
from neurocim.training_cost.epoch import PhaseCost, forward_phase
from neurocim.training_cost.estimate import phase_from_cost
from neurocim.training_cost.weight_gradient import WeightGradientUnit
from neurocim.workload.training_traces import TrainingTraces


def _subarrays(chip: ChipModel) -> int:
    """Sub-arrays of the chip: every tile's PEs' grids."""
    fp, count = chip.fp, 0
    if chip.tile_nm is not None:
        pe = chip.tile_nm.pe
        count += fp.num_tile_nm * fp.num_pe_nm * pe.num_subarray_row * pe.num_subarray_col
    pe = chip.tile_cm.pe
    count += fp.num_tile_cm * fp.num_pe_cm**2 * pe.num_subarray_row * pe.num_subarray_col
    return count


class BackpropHardware:
    """Activation-gradient pass on the forward arrays' transposed read-out, and the weight-gradient unit."""

    def __init__(
        self, chip: ChipModel, training: TrainingHardwareConfig, traces: TrainingTraces, forward: Report
    ) -> None:
        self.chip, self.training, self.traces, self.forward = chip, training, traces, forward
        ctx = chip.ctx
        self.readout = TransposedReadout(ctx, training)
        self.unit = WeightGradientUnit(ctx, training, traces.network)
        self.gradient_bits = int(self.unit.out_precision_bits)
        n = _subarrays(chip)
        extra = self.readout.area
        self.extra_area_m2 = {
            "adc": extra.adc_m2 * n,
            "accumulation": extra.accumulation_m2 * n,
            "other": extra.other_m2 * n,
            "weight_gradient": self.unit.area_m2,
        }

    def activation_gradient(self, index: int) -> PhaseCost:
        """Per image: the transposed read-out of the layer's arrays (the layer's duplicates share the work), plus
        the forward pass's buffer and interconnect traffic, which the errors take in the other direction."""
        if index == 0:
            return PhaseCost()
        chip, layer = self.chip, self.traces.layers[index]
        dup = chip.fp.speedup[index]
        cost = activation_gradient_cost(chip.ctx, self.training, index, layer.layer, layer.trace,
                                        windows=chip.windows[index], duplication=dup, readout=self.readout)  # fmt: skip
        arrays = phase_from_cost(cost)
        moved = forward_phase(self.forward.layers[index])
        return PhaseCost(
            arrays.latency_s + _moved(moved.latency_parts),
            arrays.energy_j + _moved(moved.energy_parts),
            arrays.peak_latency_s,
            arrays.peak_energy_j,
            _with_traffic(arrays.latency_parts, moved.latency_parts),
            _with_traffic(arrays.energy_parts, moved.energy_parts),
        )

    def weight_gradient(self, index: int) -> PhaseCost:
        """Per image: the weight-gradient unit on the layer's recorded input activity."""
        return phase_from_cost(self.unit.layer_cost(index, self.traces.layers[index].activity).cost)


def _moved(parts: Breakdown) -> float:
    return parts.buffer + parts.interconnect


def _with_traffic(arrays: Breakdown, moved: Breakdown) -> Breakdown:
    """The arrays' components plus the buffer and interconnect traffic (parts of other)."""
    return Breakdown(arrays.adc, arrays.accumulation, arrays.other + _moved(moved), moved.buffer, moved.interconnect)


def backprop_hardware(
    chip: ChipModel, training: TrainingHardwareConfig, traces: TrainingTraces, forward: Report
) -> BackpropHardware:
    """The default gradient provider of `estimate_training`."""
    return BackpropHardware(chip, training, traces, forward)
