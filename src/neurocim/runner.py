"""One configuration, both answers: the network's accuracy on the chip and the chip's cost, from one run."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn

from neurocim.config.run import RunConfig, load_config
from neurocim.errors import InputError
from neurocim.report.accuracy import AccuracyResult
from neurocim.report.records import Report, check_finite
from neurocim.workload.extract import ExtractedNetwork
from neurocim.workload.network import CSV_FIELDS, Layer
from neurocim.workload.traces import LayerTrace


@dataclass(frozen=True)
class RunResult:
    """Accuracy over Monte-Carlo device draws, the chip report of the on-chip layers, and what it was built from."""

    config: RunConfig
    accuracy: AccuracyResult
    report: Report
    network: ExtractedNetwork  # every conv/linear layer of the model
    chip_layers: tuple[Layer, ...]  # those mapped to the chip (converted to CIM layers), in report order
    traces: tuple[LayerTrace, ...]  # captured during the first hardware pass, one image
    seconds: float

    @property
    def digital_layers(self) -> list[str]:
        """Conv/linear layers kept off the chip (model.exclude, grouped convolutions)."""
        on_chip = {layer.name for layer in self.chip_layers}
        return [name for name in self.network.names() if name not in on_chip]

    def to_dict(self) -> dict[str, Any]:
        acc, digital = self.accuracy, self.digital_layers
        hardware = self.report.to_dict()
        out = {
            "accuracy": {
                "float": acc.float_accuracy,
                "mean": acc.accuracy_mean,
                "std": acc.accuracy_std,
                "repeats": acc.repeats,
                "values": list(acc.accuracies),
                "samples": acc.samples,
                "deterministic": acc.deterministic,
            },
            **hardware,
            "network": [self._layer_entry(layer, digital) for layer in self.network.layers],
            "seconds": self.seconds,
        }
        check_finite({k: v for k, v in out.items() if k != "network"}, "run")
        out["config"] = self.config.model_dump(mode="json")
        return out

    def _layer_entry(self, layer: Layer, digital: list[str]) -> dict[str, Any]:
        links = self.network.links.get(layer.name)
        entry: dict[str, Any] = {"name": layer.name, "on_chip": layer.name not in digital}
        entry.update({field: getattr(layer, field) for field in CSV_FIELDS})
        if links is not None:
            entry.update(inputs=list(links.inputs), merge=links.merge)
        return entry

    def write_json(self, path: str | Path) -> None:
        """Write to_dict() as JSON, atomically (a failed write leaves no partial file)."""
        from neurocim.report.outputs import write_text_atomic

        write_text_atomic(path, json.dumps(self.to_dict(), indent=1), "JSON result")

    def summary(self) -> str:
        """A few lines: accuracy, then the chip's headline figures."""
        c = self.report.chip
        lines = [
            self.accuracy.summary(),
            f"chip: {len(self.chip_layers)} layers on chip"
            + (
                f" ({len(self.digital_layers)} kept digital: {', '.join(self.digital_layers)})"
                if self.digital_layers
                else ""
            ),
            f"  area {c.area_m2 * 1e6:.3f} mm², clock {c.clock_period_s * 1e9:.3f} ns, "
            f"latency {c.latency_s * 1e6:.3f} µs/image, energy {c.dynamic_energy_j * 1e9:.3f} nJ/image, "
            f"leakage {c.leakage_power_w * 1e3:.3f} mW",
            f"  {c.tops:.4g} TOPS, {c.tops_per_w:.4g} TOPS/W, {c.tops_per_mm2:.4g} TOPS/mm², {c.fps:.4g} FPS",
        ]
        if self.report.floorplan.get("hierarchy_clamped"):
            lines.append(
                "  note: the network is too small for this sub-array's PE/tile hierarchy (NeuroSim stops here); "
                "the smallest PE and tile are used"
            )
        return "\n".join(lines)

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write run.json, summary.txt, traces.npz and the area/latency/energy PNGs into out_dir; their paths.

        The files are written into a staging folder first: a failure leaves neither partial files nor an empty
        out_dir behind."""
        from neurocim.report.outputs import staged_folder
        from neurocim.report.plots import plot_report

        out = Path(out_dir)
        text = json.dumps(self.to_dict(), indent=1)  # checks the figures before anything is written
        with staged_folder(out) as stage:
            (stage / "run.json").write_text(text)
            (stage / "summary.txt").write_text(self.summary() + "\n")
            self.save_traces(stage / "traces.npz")
            plots = plot_report(self.report, stage, chip_label=self._chip_label())
        return [out / "run.json", out / "summary.txt", out / "traces.npz"] + [out / p.name for p in plots]

    def _chip_label(self) -> str:
        chip = self.config.chip
        return f"{chip.technology.node_nm} nm {chip.cell.type.value.upper()}, {self.config.model.name}"

    def save_traces(self, path: str | Path) -> None:
        """The captured traces and layer table as a compact npz (reference layout; `neurocim estimate` reads it)."""
        from neurocim.workload.trace_files import save_traces_npz

        save_traces_npz(path, self.chip_layers, self.traces, weight_bits=self.config.chip.precision.weight_bits)

    def write_neurosim_traces(self, folder: str | Path) -> None:
        """NeuroSim's network CSV and per-layer CSV trace files, to cross-check with the original tool."""
        from neurocim.report.outputs import staged_folder

        with staged_folder(folder, "NeuroSim trace folder") as stage:
            self._write_neurosim_files(stage)

    def _write_neurosim_files(self, folder: Path) -> None:
        from neurocim.workload.network import write_network_csv
        from neurocim.workload.trace_csv import write_traces_csv_folder

        chip = self.config.chip
        write_network_csv(folder / "NetWork.csv", self.chip_layers)
        write_traces_csv_folder(
            folder,
            self.traces,
            weight_bits=chip.precision.weight_bits,
            sub_array=chip.array.rows,
            parallel_read=chip.array.parallel_rows or chip.array.rows,
        )


def run(
    config: RunConfig | str | Path | Mapping[str, Any] | None = None,
    repeats: int | None = None,
    progress: bool = True,
    *,
    model: nn.Module | None = None,
    test_data: Iterable | None = None,
    calibration_data: Iterable | None = None,
) -> RunResult:
    """Evaluate the network of `config` on its chip and estimate the chip's cost on traces of that evaluation.

    The layer table comes from the model (one forward pass); the traces (one test image's input codes and the
    stored weight codes of every CIM layer) are captured during the first hardware pass of the accuracy run.
    model / test_data / calibration_data replace config.model and config.data (a float model; loaders of
    (images, labels) batches; calibration defaults to test_data).
    """
    from neurocim.accuracy import build_data, build_network
    from neurocim.estimate import estimate
    from neurocim.nn.evaluate import evaluate
    from neurocim.report.progress import status
    from neurocim.workload.capture import TraceCapture
    from neurocim.workload.extract import extract_network

    start = time.perf_counter()
    cfg = config if isinstance(config, RunConfig) else load_config(config)
    if test_data is None:
        data = build_data(cfg.data)
        test_data = data.test
        calibration_data = data.calibration if calibration_data is None else calibration_data
    net = build_network(cfg.model) if model is None else model
    network = extract_network(net, _first_images(test_data))
    capture = TraceCapture(image=0)
    accuracy = evaluate(net, test_data, cfg, repeats, calibration=calibration_data, progress=progress, capture=capture)
    chip_layers = tuple(network.select(capture.records))
    traces = tuple(capture.traces(chip_layers))
    with status("estimating the chip's area, latency and energy", progress):
        report = estimate(cfg.chip, chip_layers, traces)
    return RunResult(cfg, accuracy, report, network, chip_layers, traces, time.perf_counter() - start)


def network_of(config: RunConfig | str | Path | Mapping[str, Any] | None = None) -> ExtractedNetwork:
    """The layer table of a run file's model, from one forward pass of one test image (no accuracy run)."""
    from neurocim.accuracy import build_data, build_network
    from neurocim.workload.extract import extract_network

    cfg = config if isinstance(config, RunConfig) else load_config(config)
    return extract_network(build_network(cfg.model), _first_images(build_data(cfg.data).test))


def _first_images(loader):
    for batch in loader:
        return batch[0] if isinstance(batch, list | tuple) else batch
    raise InputError("run: the test data yielded no batch")
