"""The `neurocim train-estimate` job: a chip (YAML, or NeuroSim V2.1 parameters) and training traces to an epoch."""

from __future__ import annotations

from pathlib import Path

from neurocim.config.chip import ChipConfig
from neurocim.config.io import load_chip_config
from neurocim.training_cost.estimate import TrainingCostError, TrainingEstimate, estimate_training
from neurocim.workload.training_traces import read_training_npz


def load_training_chip(config: str | Path | None = None, neurosim_params: str | Path | None = None) -> ChipConfig:
    """The chip of a training estimate: a neurocim YAML/JSON, or a NeuroSim V2.1 parameter JSON (compat
    neurosim_v21, its training settings as chip.training)."""
    if (config is None) == (neurosim_params is None):
        raise TrainingCostError("give exactly one of CONFIG.yaml or --neurosim-params PARAMS.json")
    if neurosim_params is not None:
        from neurocim.compat.param_cpp_v21_training import load_v21_params_json

        return load_v21_params_json(neurosim_params)
    assert config is not None
    return load_chip_config(config)


def estimate_training_from_files(
    traces: str | Path, config: str | Path | None = None, neurosim_params: str | Path | None = None
) -> TrainingEstimate:
    """One epoch of on-chip training: the chip from `config` or `neurosim_params`, the network and one traced
    update from the `traces` npz (the reference layout, or the one `neurocim train` records)."""
    return estimate_recorded(load_training_chip(config, neurosim_params), traces)


def estimate_recorded(chip: ChipConfig, traces: str | Path) -> TrainingEstimate:
    """One epoch of on-chip training on `chip` from a training-traces npz whose precisions match the chip's."""
    if not chip.training.enabled:
        raise TrainingCostError("chip.training.enabled is false: set it to true to estimate the cost of training")
    recorded = read_training_npz(traces)
    p = chip.precision
    if (recorded.weight_bits, recorded.input_bits) != (p.weight_bits, p.input_bits):
        raise TrainingCostError(
            f"{traces}: the traces hold {recorded.weight_bits}-bit weights and {recorded.input_bits}-bit inputs, "
            f"the chip has precision.weight_bits={p.weight_bits}, precision.input_bits={p.input_bits}"
        )
    return estimate_training(chip, recorded)
