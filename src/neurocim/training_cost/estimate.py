"""Training-cost estimate of a chip on training traces: forward, gradient passes, update and DRAM in one epoch."""

# `estimate_training(config, traces, gradients)` where `gradients(chip, training, traces, workload)` (`workload`: the
# prepared forward traces) returns a `GradientPhases`: the activation-gradient and weight-gradient costs per layer and
# image, the weight-gradient unit's output precision and the area the training hardware adds.

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from neurocim.arch.chip import ChipModel
from neurocim.config.chip import ChipConfig
from neurocim.config.training_hw import TrainingHardwareConfig
from neurocim.errors import InputError
from neurocim.report.records import Report
from neurocim.training_cost.dram import Dram, layer_dram
from neurocim.training_cost.epoch import (
    LayerInputs,
    PhaseCost,
    layer_epoch,
    operations,
    running_leakage,
)
from neurocim.training_cost.forward import training_chip, training_forward
from neurocim.training_cost.gradients import backprop_hardware
from neurocim.training_cost.quirks import LEAKAGE_IDLE_TILES_ONLY
from neurocim.training_cost.report import AREA_PARTS, EpochReport
from neurocim.training_cost.weight_update import WeightUpdate, WriteTerms, inference_buffer_bits, write_parallelism
from neurocim.workload.prepared import PreparedWorkload, prepare
from neurocim.workload.training_traces import TrainingTraces


class TrainingCostError(InputError):
    """A training estimate asked of a configuration that cannot give one."""


class GradientPhases(Protocol):
    """What the back-propagation hardware contributes, per layer and image."""

    gradient_bits: int  # output precision of the weight-gradient unit (bits per weight gradient)
    extra_area_m2: dict[str, float]  # area added, by AREA_PARTS name

    def activation_gradient(self, index: int) -> PhaseCost: ...

    def weight_gradient(self, index: int) -> PhaseCost: ...

    def tile_leakage_w(self, index: int) -> float:
        """Leakage (W) the back-propagation hardware adds to one tile of layer `index`."""
        ...


GradientProvider = Callable[[ChipModel, TrainingHardwareConfig, TrainingTraces, PreparedWorkload], GradientPhases]


@dataclass(frozen=True)
class TrainingEstimate:
    """The epoch report and what it was composed from."""

    report: EpochReport
    write_parallel: int


def estimate_training(
    config: ChipConfig, traces: TrainingTraces | TrainingWorkload, gradients: GradientProvider | None = None
) -> TrainingEstimate:
    """One epoch of on-chip training of `traces`' network on `config`'s chip (layer by layer); `gradients` defaults
    to the chip's transposed read-out and weight-gradient unit (training_cost.gradients). A `TrainingWorkload`
    keeps what the traces give a chip for the next estimate (a sweep over training settings)."""
    workload = traces if isinstance(traces, TrainingWorkload) else TrainingWorkload(traces)
    return workload.estimate(config, gradients)


@dataclass(frozen=True)
class _ChipSide:
    """A chip mapped with the network and its forward (inference) estimate per image."""

    chip: ChipModel
    forward: Report
    training_forward: list[PhaseCost]  # per layer and image


class TrainingWorkload:
    """Training traces prepared once for many chips and training settings. It keeps, by value and for its last
    `keep` chips, the chip model with its forward estimate and the weight update's terms, so an estimate that
    changes only the batch, iterations, DRAM or pulse width reuses them (the read-out settings size the training
    chip's sub-arrays: they change the chip, whose forward reads the workload's caches keep). The update's block
    writes are kept apart: a chip that differs only in the read-out's settings reuses them too."""

    def __init__(self, traces: TrainingTraces, keep: int = 4) -> None:
        self.traces = traces
        self.workload = prepare(traces.network, traces.forward_traces)
        self.keep = keep
        self._sides: OrderedDict[str, _ChipSide] = OrderedDict()
        self._writes: OrderedDict[tuple, tuple[WriteTerms, ...]] = OrderedDict()
        self._block_writes_kept: OrderedDict[tuple, tuple] = OrderedDict()

    def estimate(self, config: ChipConfig, gradients: GradientProvider | None = None) -> TrainingEstimate:
        """One epoch of on-chip training on `config`'s chip."""
        if gradients is None:
            gradients = backprop_hardware
        training = config.training
        if not training.enabled:
            raise TrainingCostError("chip.training.enabled is false: set it to true to estimate the cost of training")
        # the read-out's settings size the training chip's sub-arrays, so they are part of the chip
        chip_only = config.model_copy(update={"training": TrainingHardwareConfig(backprop=training.backprop)})
        chip_key = chip_only.model_dump_json()
        side = self._side(chip_key, config)
        chip, forward, traces = side.chip, side.forward, self.traces
        layers, p = traces.network, chip.ctx.p
        phases = gradients(chip, training, traces, self.workload)
        parallel = write_parallelism(p, training, inference_buffer_bits(p, layers), phases.gradient_bits)
        update = WeightUpdate(chip, training)
        terms = self._write_terms(chip_key, update, training)
        dram = Dram.from_config(training.dram)
        extra_w = [phases.tile_leakage_w(i) for i in range(len(layers))]
        leak = running_leakage(forward, extra_w, p.quirk(LEAKAGE_IDLE_TILES_ONLY))
        epochs = []
        for i, fw in enumerate(side.training_forward):
            parts = LayerInputs(
                fw,
                phases.activation_gradient(i),
                phases.weight_gradient(i),
                terms[i].at(training.write.pulse_width_s),
                layer_dram(dram, layers[i], i == 0, p, phases.gradient_bits),
            )
            epochs.append(layer_epoch(i, parts, training, p, parallel, forward.chip.clock_period_s, leak[i]))
        area = _area(forward.chip, phases.extra_area_m2)
        info = [{"num_tiles": r.num_tiles, "speedup": r.speedup, "utilization": r.utilization} for r in forward.layers]
        report = EpochReport(
            area_m2=sum(area.values()),
            area_breakdown_m2=area,
            layers=epochs,
            num_operations=operations(layers, chip.windows, p, training),
            layer_info=info,
            floorplan=dict(forward.floorplan),
        )
        return TrainingEstimate(report, parallel)

    def _side(self, key: str, config: ChipConfig) -> _ChipSide:
        found = self._sides.get(key)
        if found is None:
            chip = training_chip(config, self.workload)
            report = chip.evaluate(self.workload)
            found = _ChipSide(chip, report, training_forward(chip, report, self.workload))
            _remember(self._sides, key, found, self.keep)
        return found

    def _write_terms(
        self, chip_key: str, update: WeightUpdate, training: TrainingHardwareConfig
    ) -> tuple[WriteTerms, ...]:
        """Per layer, the update as a function of the pulse width: it depends on the chip, the pulse levels, the
        FeFET polarization and gate capacitance, and the read-out's steps (their scan-register energy under V2.1)."""
        w, bp = training.write, training.backprop
        key = (chip_key, w.levels_ltp, w.levels_ltd, w.fefet_polarization_c_per_m2, w.fefet_gate_cap_f, bp.parallel,
               bp.rows_per_adc)  # fmt: skip
        found = self._writes.get(key)
        if found is None:
            writes = self._block_writes(update, training)
            found = tuple(update.layer_terms(i, x) for i, x in enumerate(writes))
            _remember(self._writes, key, found, self.keep)
        return found

    def _block_writes(self, update: WeightUpdate, training: TrainingHardwareConfig) -> tuple:
        """Per layer, every sub-array block's writes (pulses, cells set and reset, the cells' energy): they read the
        chip's mapping, cell and floorplan and the pulses' levels, not its periphery, so training chips that differ
        only in the read-out's settings (which size the periphery) share them."""
        chip, w = update.chip, training.write
        config = chip.ctx.p.chip.model_dump_json(exclude={"training"})
        key = (config, chip.fp, w.levels_ltp, w.levels_ltd, w.fefet_polarization_c_per_m2)
        found = self._block_writes_kept.get(key)
        if found is None:
            layers = self.traces.layers
            found = tuple(update.block_writes(i, x.trace.weights, x.old_weights) for i, x in enumerate(layers))
            _remember(self._block_writes_kept, key, found, self.keep)
        return found


def _remember(store: OrderedDict, key, value, keep: int) -> None:
    """Keep `value` under `key`, dropping the oldest entries beyond `keep`."""
    store[key] = value
    while len(store) > keep:
        store.popitem(last=False)


def _area(chip, extra: dict[str, float]) -> dict[str, float]:
    """The inference chip's area by part plus what the training hardware adds."""
    unknown = set(extra) - set(AREA_PARTS)
    if unknown:
        raise ValueError(f"unknown area parts {sorted(unknown)}; allowed: {AREA_PARTS}")
    a = chip.area_breakdown_m2
    base = {"array": a.array, "interconnect": a.interconnect, "adc": a.adc, "accumulation": a.accumulation,
            "other": a.other, "weight_gradient": 0.0}  # fmt: skip
    return {k: base[k] + extra.get(k, 0.0) for k in AREA_PARTS}
