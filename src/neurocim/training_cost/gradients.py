"""The back-propagation hardware as the epoch composer reads it: transposed read-out and weight-gradient unit."""

from __future__ import annotations

from neurocim.arch.chip import ChipModel
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.training_cost.ag_pass import ActivationGradientPass, GradientCost
from neurocim.training_cost.backprop import training_chip_area
from neurocim.training_cost.epoch import PhaseCost
from neurocim.training_cost.estimate import phase_from_cost
from neurocim.training_cost.quirks import AG_LEAKAGE_SKIPS_FIRST_LAYER, has_quirk
from neurocim.training_cost.weight_gradient import WeightGradientUnit
from neurocim.training_cost.weight_update import gradient_buffer, inference_buffer_bits
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
        self.traces = traces
        ag = ActivationGradientPass(chip, training)
        # V2.1 adds the read-out's leakage only where it computes an activation gradient (not the first layer)
        skip_first = has_quirk(chip.ctx.p, AG_LEAKAGE_SKIPS_FIRST_LAYER)
        self._tile_leakage_w = [
            0.0 if i == 0 and skip_first else ag.tile_leakage_w(i) for i in range(len(traces.network))
        ]
        self._ag = [_phase(c) for c in ag.layer_costs(workload)]
        layers, p = traces.network, chip.ctx.p
        bits = int(WeightGradientUnit(chip.ctx, training, layers, windows=chip.windows).out_precision_bits)
        buffer_bits, _ = gradient_buffer(p, training, inference_buffer_bits(p, layers), bits)
        grown = training_chip_area(chip, ag.readout.area, buffer_bits)
        # the gradient accumulator is laid out along the global buffer, beside the rows of tiles
        height = chip.fp.num_tile_row * max(grown.tile_height_cm, grown.tile_height_nm)
        self.unit = WeightGradientUnit(chip.ctx, training, layers, windows=chip.windows, accumulator_height_m=height)
        self.gradient_bits = int(self.unit.out_precision_bits)
        parts = ("array", "interconnect", "adc", "accumulation", "other")
        self.extra_area_m2 = {k: getattr(grown, k) - getattr(chip.area, k) for k in parts}
        self.extra_area_m2["weight_gradient"] = self.unit.area_m2

    def activation_gradient(self, index: int) -> PhaseCost:
        """Per image: the transposed read-out composed through the layer's PEs and tiles, with the buffer and
        interconnect traffic of the errors (none for the first layer)."""
        return self._ag[index]

    def tile_leakage_w(self, index: int) -> float:
        """The transposed read-out's leakage in one tile of layer `index` (W)."""
        return self._tile_leakage_w[index]

    def weight_gradient(self, index: int) -> PhaseCost:
        """Per image: the weight-gradient unit on the layer's recorded input activity."""
        return phase_from_cost(self.unit.layer_cost(index, self.traces.layers[index].activity).cost)


def backprop_hardware(
    chip: ChipModel, training: TrainingHardwareConfig, traces: TrainingTraces, workload: PreparedWorkload
) -> BackpropHardware:
    """The default gradient provider of `estimate_training`."""
    return BackpropHardware(chip, training, traces, workload)
