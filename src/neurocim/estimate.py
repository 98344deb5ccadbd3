"""Hardware estimate of a CIM chip running a network: the public entry points of the cost model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from neurocim.arch.chip import ChipModel
from neurocim.circuits.context import CircuitContext, technology_args
from neurocim.compat.param_cpp import load_params_json
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import check_cost_model_limits, derive
from neurocim.config.io import ConfigError, load_chip_config
from neurocim.report.records import Report, check_report
from neurocim.tech.technology import load_technology
from neurocim.verbs import make_callable
from neurocim.workload.network import Layer, WorkloadError, load_network_csv
from neurocim.workload.prepared import PreparedWorkload, prepare
from neurocim.workload.trace_files import load_traces, load_traces_npz
from neurocim.workload.traces import LayerTrace

make_callable(__name__, "neurocim.estimate:estimate")  # neurocim.estimate(chip, workload) whichever name is bound


def build_context(config: ChipConfig, workload: PreparedWorkload | None = None) -> CircuitContext:
    """Technology, settings with derived quantities and memory cell of a chip (one the cost model can size); with a
    `workload`, the technology is kept in its cache (loading one takes about 0.1 ms)."""
    check_cost_model_limits(config)
    p = derive(config)
    if workload is None:
        return CircuitContext.of(p)
    args = technology_args(p)
    return CircuitContext.of(p, workload.cache.result(("technology", *args), lambda: load_technology(*args)))


def estimate(
    config: ChipConfig, layers: Sequence[Layer] | PreparedWorkload, traces: Sequence[LayerTrace] | None = None
) -> Report:
    """Area, latency, energy, leakage and efficiency of `config` running `layers` on `traces`, or running a prepared
    workload (`estimate(config, workload)`; preparing once lets many chips share what they derive from the traces)."""
    if isinstance(layers, PreparedWorkload):
        if traces is not None:
            raise TypeError("estimate(config, workload) takes no traces: the workload holds them")
        workload = layers
    elif traces is None:
        raise TypeError("estimate(config, layers, traces) needs the traces of the layers")
    else:
        workload = prepare(layers, traces)
    ctx = build_context(config, workload)
    # the layer records carry the workload's layer names (the chip's layers are the workload's)
    return check_report(ChipModel(ctx, workload.layers, workload=workload).evaluate(workload))


@dataclass(frozen=True)
class Estimator:
    """Re-costs one prepared workload under many chips; what the estimates derive from the traces is kept in the
    workload's cache, so every chip after the first pays only for what its settings change."""

    workload: PreparedWorkload

    def estimate(self, chip: ChipConfig) -> Report:
        """Area, latency, energy, leakage and efficiency of `chip` running the workload."""
        return estimate(chip, self.workload)

    def sweep(self, chips: Iterable[ChipConfig]) -> list[Report]:
        """The estimates of several chips, in order."""
        return [self.estimate(chip) for chip in chips]


def estimate_from_files(
    network: str | Path | None,
    traces: str | Path,
    config: str | Path | None = None,
    neurosim_params: str | Path | None = None,
) -> Report:
    """The CLI's job: load a config (YAML or NeuroSim params JSON), a network CSV and traces, and estimate.

    network may be None when traces is an npz holding its layer table (as `neurocim run` writes it).
    """
    if neurosim_params is not None and config is None:
        chip = load_params_json(neurosim_params)
    elif config is not None and neurosim_params is None:
        chip = load_chip_config(config)
    else:
        raise ConfigError("estimate_from_files: give exactly one of config (YAML) or neurosim_params (JSON)")
    if network is None:
        if Path(traces).is_dir():
            raise WorkloadError(f"{traces}: a folder of CSV traces needs its network CSV (--network)")
        layers, layer_traces = load_traces_npz(traces, input_bits=chip.precision.input_bits)
    else:
        layers = load_network_csv(network)
        layer_traces = load_traces(traces, layers, chip.precision.input_bits)
    return estimate(chip, prepare(layers, layer_traces, copy=False))  # the traces just loaded are ours to keep
