"""Accuracy of a network on a CIM chip: convert a copy, calibrate, then float and Monte-Carlo hardware accuracy."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from neurocim.config.run import RunConfig, load_config
from neurocim.nn.base import LayerMode
from neurocim.nn.convert import calibrate_, clone_converted, resample_devices_, set_mode_
from neurocim.report.accuracy import AccuracyResult

if TYPE_CHECKING:
    from neurocim.workload.capture import TraceCapture


def evaluate(
    model: nn.Module,
    loader: Iterable,
    config: RunConfig | str | Path | Mapping[str, Any] | None = None,
    repeats: int | None = None,
    *,
    calibration: Iterable | None = None,
    progress: bool = True,
    capture: TraceCapture | None = None,
) -> AccuracyResult:
    """Top-1 accuracy of `model` in float and on the chip of `config`, over Monte-Carlo device draws.

    The model is not changed: a deep copy is converted (config.chip, config.accuracy, config.model.exclude
    kept digital) and calibrated on the first
    config.data.calibration_batches batches of `calibration` (default: of `loader` itself). Repeat r redraws every
    device map with seed (accuracy.seed, layer, r). With ideal devices the chip is deterministic: it is evaluated
    once and that accuracy stands for every repeat (`deterministic` in the result).

    loader yields (images, labels) batches. repeats: default config.accuracy.monte_carlo_repeats.
    config: a RunConfig, a run file, a mapping, or None for the bundled default.
    capture: records the cost model's traces during the first hardware pass (see neurocim.workload.capture).
    """
    start = time.perf_counter()
    cfg = config if isinstance(config, RunConfig) else load_config(config)
    runs = _repeats(cfg, repeats)
    n_cal = cfg.data.calibration_batches
    hw = clone_converted(model, cfg.chip, cfg.accuracy, exclude=cfg.model.exclude).eval()
    batches = _length(loader)
    total = None if batches is None else n_cal + batches * (1 + _evaluated(cfg, runs))
    with _progress(progress, total) as advance:
        advance(0, "calibrating")
        cal = list(itertools.islice(_counting(calibration if calibration is not None else loader, advance), n_cal))
        if not cal:
            raise ValueError("evaluate: the calibration data yielded no batch")
        device = _device(hw)
        calibrate_(hw, [b[0].to(device) if isinstance(b, list | tuple) else b.to(device) for b in cal])
        return _measure(hw, loader, cfg, runs, advance, start, capture)


def evaluate_converted(
    converted: nn.Module,
    loader: Iterable,
    config: RunConfig,
    repeats: int | None = None,
    *,
    progress: bool = True,
    capture: TraceCapture | None = None,
) -> AccuracyResult:
    """As evaluate, for a model already converted with config.chip / config.accuracy and calibrated.

    The model is switched to float, then to hardware mode with its devices redrawn per repeat; it is left in
    hardware mode on the last repeat's devices.
    """
    start = time.perf_counter()
    runs = _repeats(config, repeats)
    batches = _length(loader)
    total = None if batches is None else batches * (1 + _evaluated(config, runs))
    with _progress(progress, total) as advance:
        return _measure(converted.eval(), loader, config, runs, advance, start, capture)


def _repeats(cfg: RunConfig, repeats: int | None) -> int:
    runs = cfg.accuracy.monte_carlo_repeats if repeats is None else repeats
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ValueError(f"evaluate: repeats={runs!r} must be an integer >= 1")
    return runs


def _evaluated(cfg: RunConfig, runs: int) -> int:
    """Repeats actually run: one when the devices are ideal (every repeat is then the same chip)."""
    return 1 if cfg.accuracy.devices.ideal else runs


def _measure(
    hw: nn.Module,
    loader: Iterable,
    cfg: RunConfig,
    runs: int,
    advance: Callable[[int, str | None], None],
    start: float,
    capture: TraceCapture | None = None,
) -> AccuracyResult:
    advance(0, "float model")
    float_acc, samples = _top1(set_mode_(hw, LayerMode.FLOAT), loader, advance)
    set_mode_(hw, LayerMode.HARDWARE)
    deterministic = cfg.accuracy.devices.ideal
    evaluated = 1 if deterministic else runs
    accuracies = []
    for r in range(evaluated):
        advance(0, f"chip, repeat {r + 1}/{evaluated}")
        with capture.active(hw) if capture is not None and r == 0 else nullcontext():
            accuracies.append(_top1(resample_devices_(hw, r), loader, advance)[0])
    return AccuracyResult(
        float_accuracy=float_acc,
        accuracies=tuple(accuracies * runs if deterministic else accuracies),
        samples=samples,
        deterministic=deterministic,
        seconds=time.perf_counter() - start,
        config=cfg.model_dump(mode="json"),
    )


def _length(loader: Iterable) -> int | None:
    try:
        return len(loader)  # type: ignore[arg-type]
    except TypeError:
        return None


def _counting(batches: Iterable, advance: Callable[[int, str | None], None]) -> Iterable:
    for batch in batches:
        advance(1, None)
        yield batch


def _device(model: nn.Module) -> torch.device:
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def _top1(model: nn.Module, loader: Iterable, advance: Callable[[int, str | None], None]) -> tuple[float, int]:
    """(accuracy in [0, 1], samples) of `model` over (images, labels) batches."""
    device = _device(model)
    correct = total = 0
    with torch.no_grad():
        for batch in loader:
            if not (isinstance(batch, list | tuple) and len(batch) == 2):
                raise ValueError("evaluate: the loader must yield (images, labels) pairs")
            x, y = batch
            pred = model(x.to(device)).argmax(dim=1).cpu()
            correct += int((pred == y).sum())
            total += int(y.numel())
            advance(1, None)
    if total == 0:
        raise ValueError("evaluate: the loader yielded no samples")
    return correct / total, total


@contextmanager
def _progress(enabled: bool, total: int | None):
    """A progress bar on stderr (rich); yields advance(steps, description or None)."""
    if not enabled:
        yield lambda steps, description: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("accuracy", total=total)

        def advance(steps: int, description: str | None) -> None:
            bar.update(task, advance=steps, description=description or None)

        yield advance
