"""The back-propagation hardware as the epoch composer reads it: transposed read-out and weight-gradient unit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from neurocim.arch.chip import ChipModel
from neurocim.arch.chip_traffic import global_buffer_transfer
from neurocim.arch.cost import Part
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.training_cost.ag_pass import ActivationGradientPass, GradientCost
from neurocim.training_cost.backprop import BackpropArea, training_chip_area
from neurocim.training_cost.epoch import PhaseCost, phase_from_cost
from neurocim.training_cost.quirks import AG_LEAKAGE_SKIPS_FIRST_LAYER, has_quirk
from neurocim.training_cost.weight_gradient import WeightGradientUnit
from neurocim.training_cost.weight_update import gradient_buffer, inference_buffer_bits
from neurocim.workload.network import Layer
from neurocim.workload.prepared import PreparedWorkload
from neurocim.workload.training_traces import TrainingTraces


def _phase(cost: GradientCost) -> PhaseCost:
    """An activation-gradient cost as a phase: the total with its components, the compute-only peak."""
    total = phase_from_cost(cost.total)
    return PhaseCost(
        total.latency_s,
        total.energy_j,
        cost.peak.latency,
        cost.peak.energy,
        total.latency_parts,
        total.energy_parts,
        cost.adc_with_forward,
    )


AREA_PARTS_CHIP = ("array", "interconnect", "adc", "accumulation", "other")  # the forward chip's, by AREA_PARTS name


@dataclass(frozen=True)
class TrainingArea:
    """A training chip's area (m^2) by AREA_PARTS name, and its weight-gradient unit."""

    parts_m2: dict[str, float]
    unit: WeightGradientUnit


def training_area(chip: ChipModel, training: TrainingHardwareConfig, layers: Sequence[Layer],
                  readout: BackpropArea) -> TrainingArea:  # fmt: skip
    """The chip with every sub-array grown by its transposed read-out (`readout`), the global buffer grown to hold
    the weight gradients, and the weight-gradient unit (its gradient accumulator laid out along that buffer)."""
    p = chip.ctx.p
    unit = WeightGradientUnit(chip.ctx, training, layers, windows=chip.windows)
    buffer_bits, _ = gradient_buffer(p, training, inference_buffer_bits(p, layers), int(unit.out_precision_bits))
    grown = training_chip_area(chip, readout, buffer_bits)
    unit.lay_out(chip.fp.num_tile_row * max(grown.tile_height_cm, grown.tile_height_nm))  # the global buffer's height
    parts = {k: getattr(grown, k) for k in AREA_PARTS_CHIP}
    return TrainingArea(parts | {"weight_gradient": unit.area_m2}, unit)


def readout_tile_leakage_w(ag: ActivationGradientPass, num_layers: int) -> list[float]:
    """Per layer, the leakage (W) the transposed read-out adds to one of its tiles; NeuroSim V2.1 (quirk
    ag_leakage_skips_first_layer) adds none to the first layer's, which computes no activation gradient."""
    skip_first = has_quirk(ag.ctx.p, AG_LEAKAGE_SKIPS_FIRST_LAYER)
    return [0.0 if i == 0 and skip_first else ag.tile_leakage_w(i) for i in range(num_layers)]


class BackpropHardware:
    """Activation-gradient pass on the forward arrays' transposed read-out, and the weight-gradient unit."""

    def __init__(
        self, chip: ChipModel, training: TrainingHardwareConfig, traces: TrainingTraces, workload: PreparedWorkload
    ) -> None:
        self.traces, self.chip = traces, chip
        ag = ActivationGradientPass(chip, training)
        self._tile_leakage_w = readout_tile_leakage_w(ag, len(traces.network))
        # the pass reads the chip and the read-out's settings only: a sweep over the other training settings shares it
        key = (
            "activation_gradient",
            chip.ctx.p.chip.model_dump_json(exclude={"training"}),
            training.backprop.model_dump_json(),
        )
        self._ag = workload.cache.result(key, lambda: [_phase(c) for c in ag.layer_costs(workload)])
        area = training_area(chip, training, traces.network, ag.readout.area)
        self.unit = area.unit
        self.gradient_bits = int(self.unit.out_precision_bits)
        self.extra_area_m2 = {k: area.parts_m2[k] - getattr(chip.area, k) for k in AREA_PARTS_CHIP}
        self.extra_area_m2["weight_gradient"] = self.unit.area_m2
        self._second = ag.second  # seconds per unit of the chip's buffer latencies
        self._activations = chip.global_buffer_costs(workload)

    def activation_gradient(self, index: int) -> PhaseCost:
        """Per image: the transposed read-out composed through the layer's PEs and tiles, with the buffer and
        interconnect traffic of the errors (none for the first layer)."""
        return self._ag[index]

    def tile_leakage_w(self, index: int) -> float:
        """The transposed read-out's leakage in one tile of layer `index` (W)."""
        return self._tile_leakage_w[index]

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
