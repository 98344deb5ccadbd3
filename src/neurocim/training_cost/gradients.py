"""The back-propagation hardware as the epoch composer reads it: transposed read-out and weight-gradient unit."""

from __future__ import annotations

from neurocim.arch.chip import ChipModel
from neurocim.arch.chip_traffic import global_buffer_transfer
from neurocim.arch.cost import Part
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.training_cost.ag_pass import ActivationGradientPass, GradientCost
from neurocim.training_cost.epoch import PhaseCost
from neurocim.training_cost.estimate import phase_from_cost
from neurocim.training_cost.weight_gradient import WeightGradientUnit
from neurocim.workload.prepared import PreparedWorkload
from neurocim.workload.training_traces import TrainingTraces


def _phase(cost: GradientCost) -> PhaseCost:
    """An activation-gradient cost as a phase: the total with its components, the compute-only peak."""
    total = phase_from_cost(cost.total)
    return PhaseCost(
        total.latency_s, total.energy_j, cost.peak.latency, cost.peak.energy, total.latency_parts, total.energy_parts
    )


class BackpropHardware:
    """Activation-gradient pass on the forward arrays' transposed read-out, and the weight-gradient unit."""

    def __init__(
        self, chip: ChipModel, training: TrainingHardwareConfig, traces: TrainingTraces, workload: PreparedWorkload
    ) -> None:
        self.traces, self.chip = traces, chip
        ag = ActivationGradientPass(chip, training)
        self._ag = [_phase(c) for c in ag.layer_costs(workload)]
        self.unit = WeightGradientUnit(chip.ctx, training, traces.network, windows=chip.windows)
        self.gradient_bits = int(self.unit.out_precision_bits)
        self._second = ag.second  # seconds per unit of the chip's buffer latencies
        self._activations = chip.global_buffer_costs(workload)
        extra = ag.area
        self.extra_area_m2 = {
            "adc": extra.adc_m2,
            "accumulation": extra.accumulation_m2,
            "other": extra.other_m2,
            "weight_gradient": self.unit.area_m2,
        }

    def activation_gradient(self, index: int) -> PhaseCost:
        """Per image: the transposed read-out composed through the layer's PEs and tiles, with the buffer and
        interconnect traffic of the errors (none for the first layer)."""
        return self._ag[index]

    def weight_gradient(self, index: int) -> PhaseCost:
        """Per image: the weight-gradient unit on the layer's recorded input activity (the peak), with the global
        buffer passing the layer's activations and errors in twice and its weight gradients out to DRAM and back."""
        found = self.unit.layer_cost(index, self.traces.layers[index].activity)
        act_t, act_e = self._activations[index]
        grad_t, grad_e = global_buffer_transfer(self.chip, found.gradient_bits, found.gradient_bits)
        moved_t, moved_e = 2 * (act_t + grad_t * self._second), 2 * (act_e + grad_e)
        return phase_from_cost(found.cost.plus(Part.BUFFER, moved_t, moved_e))


def backprop_hardware(
    chip: ChipModel, training: TrainingHardwareConfig, traces: TrainingTraces, workload: PreparedWorkload
) -> BackpropHardware:
    """The default gradient provider of `estimate_training`."""
    return BackpropHardware(chip, training, traces, workload)
