"""The on-chip training loop: forward on the chip's quantization, pulses on the devices, per-epoch records."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sized
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from neurocim.config.accuracy import QuantScheme
from neurocim.config.io import ConfigError
from neurocim.config.run import RunConfig, load_config
from neurocim.config.train import ForwardPath, InitKind, LossKind, TrainConfig
from neurocim.train import checkpoint as ckpt
from neurocim.train.forward import build_training_model, plain_model, share_quantized_weights
from neurocim.train.optimizer import AnalogSGD, FloatSGD, derived_seed, finite_or_raise
from neurocim.train.progress import progress_bar
from neurocim.train.records import EpochRecord, TrainResult
from neurocim.train.stats import EpochStats, input_activity_hooks, layer_arrays, layer_records

ConfigLike = RunConfig | TrainConfig | str | Path | Mapping[str, Any] | None


def resolve_config(config: ConfigLike, epochs: int | None = None) -> RunConfig:
    """A RunConfig from a run file/mapping/RunConfig, or a TrainConfig on the bundled training chip."""
    if isinstance(config, TrainConfig):
        cfg = load_config(ckpt.DEFAULT_TRAIN_RUN).model_copy(update={"train": config})
    else:
        cfg = load_config(ckpt.DEFAULT_TRAIN_RUN if config is None else config)
    if epochs is not None:
        data = cfg.train.model_dump()
        data["epochs"] = epochs
        try:
            cfg = cfg.model_copy(update={"train": TrainConfig.model_validate(data)})
        except ValueError as err:
            raise ConfigError(f"--epochs={epochs}: {err}") from None
    check_chip(cfg)
    return cfg


def check_chip(cfg: RunConfig) -> None:
    """On-chip training keeps one device per synapse; its cell must hold the device's levels."""
    cell, p, d = cfg.chip.cell, cfg.chip.precision, cfg.train.device
    if cfg.train.forward is ForwardPath.HARDWARE and cfg.accuracy.scheme is not QuantScheme.WAGE:
        raise ConfigError(
            f"train.forward=hardware needs accuracy.quantization.scheme=wage (got {cfg.accuracy.scheme.value}): "
            "the device weights span the WAGE range -1..1 and each layer's output is scaled by its fan-in"
        )
    if cell.bits_per_cell != p.weight_bits:
        raise ConfigError(
            f"chip.cell.bits_per_cell={cell.bits_per_cell} differs from chip.precision.weight_bits={p.weight_bits}: "
            "on-chip training keeps each weight in one device (set both to the same value, e.g. 5 as in V2.1)"
        )
    if 2**cell.bits_per_cell < d.max_level:
        raise ConfigError(
            f"train.device.max_level={d.max_level} levels do not fit chip.cell.bits_per_cell={cell.bits_per_cell} "
            f"({2**cell.bits_per_cell} codes); allowed max_level <= 2^bits_per_cell, or raise the cell bits"
        )


def _loss(logits: Tensor, labels: Tensor, kind: LossKind) -> Tensor:
    if kind is LossKind.SSE:
        onehot = nn.functional.one_hot(labels, logits.shape[1]).to(logits.dtype)
        return 0.5 * ((logits - onehot) ** 2).sum()
    return nn.functional.cross_entropy(logits, labels, reduction="sum")


@torch.no_grad()
def _wage_init_(weights: dict[str, nn.Parameter], bits: int, seed: int) -> None:
    """U(-limit, limit), limit = 1 - 2^-(bits-1), on every chip layer (seeded; V2.1 draws from ±1.5 and clamps)."""
    gen = torch.Generator().manual_seed(derived_seed(seed, "init"))
    limit = 1.0 - 2.0 ** (1 - bits)
    for w in weights.values():
        w.copy_(((torch.rand(w.shape, generator=gen) * 2 - 1) * limit).to(w.device, w.dtype))


def evaluate_loss(model: nn.Module, loader: Iterable, kind: LossKind, device: torch.device) -> tuple[float, float]:
    """(mean loss per sample, accuracy) of `model` on `loader`."""
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            logits = model(x)
            total += float(_loss(logits, y, kind))
            correct += int((logits.argmax(1) == y).sum())
            count += int(y.numel())
    if count == 0:
        raise ValueError("train: the test loader yielded no samples")
    return total / count, correct / count


class TrainingRun:
    """One training run's state: the model on the chip, its optimizer, records; saved and resumed by checkpoint."""

    def __init__(self, model: nn.Module, cfg: RunConfig, *, float_mode: bool = False) -> None:
        self.cfg, self.float_mode = cfg, float_mode
        t = cfg.train
        self.model, self.weights = build_training_model(model, cfg, float_mode)
        if t.init is InitKind.WAGE:
            _wage_init_(self.weights, cfg.chip.precision.weight_bits, t.seed)
        chip_ids = {id(w) for w in self.weights.values()}
        others = [p for p in self.model.parameters() if p.requires_grad and id(p) not in chip_ids]
        opt_cls = FloatSGD if float_mode else AnalogSGD
        self.optimizer = opt_cls(self.weights, others, cfg)
        self.optimizer.program_initial_()
        self.quantized = share_quantized_weights(self.model, self.optimizer.flat, cfg.chip.precision.weight_bits)
        self.records: list[EpochRecord] = []
        self.arrays: dict[str, Any] = {}
        self.traces: dict[str, Any] = {}  # the last epoch's training step, as the training-cost model reads it
        self.device = next(iter(self.weights.values())).device

    def epoch(self, epoch: int, train_loader: Iterable, test_loader: Iterable, advance: Callable) -> EpochRecord:
        cfg, t = self.cfg, self.cfg.train
        start, lr = time.perf_counter(), t.rate_at(epoch)
        self.optimizer.begin_epoch()
        if t.forward is ForwardPath.HARDWARE and not self.float_mode:
            from neurocim.nn.convert import calibrate_

            calibrate_(self.model, train_loader, max_batches=t.calibration_batches)
        stats = EpochStats()
        batches = len(train_loader) if isinstance(train_loader, Sized) else None
        self.model.train()
        before: dict[str, Tensor] = {}
        for i, (x, y) in enumerate(train_loader):
            x, y = x.to(self.device), y.to(self.device)
            self.optimizer.zero_grad()
            logits = self.model(x)
            loss = _loss(logits, y, t.loss)
            stats.add(finite_or_raise(loss.item(), f"epoch {epoch}, batch {i}"), logits.detach(), y)
            loss.backward()
            if batches is None or i == batches - 1:
                before = {n: w.detach().clone() for n, w in self.weights.items()}
            self.optimizer.step(lr)
            advance(1)
        if stats.count == 0:
            raise ValueError(f"train: the training loader yielded no samples in epoch {epoch}")
        with input_activity_hooks(self.model, list(self.weights), cfg.chip.precision.input_bits) as activity:
            test_loss, test_acc = evaluate_loss(self.model, test_loader, t.loss, self.device)
        layers = layer_records(self.weights, self.optimizer, activity)
        self.arrays.update(layer_arrays(epoch, self.weights, before, cfg.chip.precision.weight_bits))
        if epoch == t.epochs - 1 and not self.float_mode:
            from neurocim.train.cost import training_traces

            self.traces = training_traces(self.model, self.weights, before, cfg, x)
        record = EpochRecord(
            epoch=epoch,
            train_loss=stats.loss,
            train_accuracy=stats.accuracy,
            test_loss=test_loss,
            test_accuracy=test_acc,
            learning_rate=lr,
            pulses_per_update_mean=_weighted(layers, self.weights, "pulses_per_update_mean"),
            devices_written_fraction=_weighted(layers, self.weights, "devices_written_fraction"),
            seconds=time.perf_counter() - start,
            layers=layers,
        )
        self.records.append(record)
        return record

    def trained_model(self) -> nn.Module:
        return plain_model(self.model)


def _weighted(layers: dict, weights: dict[str, nn.Parameter], key: str) -> float:
    sizes = {n: w.numel() for n, w in weights.items()}
    total = sum(sizes.values())
    return sum(getattr(layers[n], key) * sizes[n] for n in layers) / total


def train(
    model: nn.Module,
    train_loader: Iterable,
    test_loader: Iterable,
    config: ConfigLike = None,
    *,
    epochs: int | None = None,
    out: str | Path | None = None,
    progress: bool = False,
    float_baseline: bool = False,
    restart: bool = False,
    epoch_loaders: Callable[[int], Iterable] | None = None,
) -> TrainResult:
    """Train `model` on the chip of `config` (run file, mapping, RunConfig or TrainConfig; None: bundled default).

    Every convertible conv/FC becomes an array of simulated devices updated by pulses (config.train.device);
    the rest of the model trains digitally. With `out`, a checkpoint is written after every epoch and a later
    call with the same `out` resumes from it (refused when it does not match the model or the configuration;
    `restart` ignores it). `float_baseline` also trains the same model in float with the same settings.
    `epoch_loaders(epoch)`, when given, supplies each epoch's training loader (seeded shuffling).
    Returns per-epoch records, the final test accuracy and the trained model (`result.model`: conv/FC layers
    holding the device weights in the WAGE range; evaluate it on a chip with the WAGE scheme, which applies the
    fan-in scales; with the hardware forward, the CIM layers themselves).
    """
    cfg = resolve_config(config, epochs)
    run = TrainingRun(model, cfg)
    start = 0
    out_path = None if out is None else Path(out)
    if out_path is not None and not restart:
        start = ckpt.resume(run, out_path / ckpt.CHECKPOINT)
    float_acc = ckpt.saved_float_accuracy(out_path, cfg, restart) if float_baseline else None
    steps = len(train_loader) if isinstance(train_loader, Sized) else None
    total = None if steps is None else steps * (cfg.train.epochs - start)
    with progress_bar(progress, total) as advance:
        for epoch in range(start, cfg.train.epochs):
            loader = epoch_loaders(epoch) if epoch_loaders is not None else train_loader
            record = run.epoch(epoch, loader, test_loader, lambda n: advance(n, None))
            advance(0, f"epoch {epoch + 1}/{cfg.train.epochs}: test {record.test_accuracy:.1%}")
            if out_path is not None:
                ckpt.save(run, out_path / ckpt.CHECKPOINT, epoch + 1)
        if float_baseline and float_acc is None:
            float_acc = _float_run(model, cfg, train_loader, test_loader, epoch_loaders, advance)
            if out_path is not None:
                ckpt.save_float_accuracy(out_path, cfg, float_acc)
    result = TrainResult(run.records, cfg.model_dump(mode="json"), float_acc, dict(run.arrays), run.trained_model())
    result.traces = run.traces
    if cfg.chip.training.enabled and run.traces:
        from neurocim.train.cost import training_cost

        result.cost = training_cost(cfg, run.traces).report
    return result


def _float_run(model, cfg, train_loader, test_loader, epoch_loaders, advance) -> float:
    run = TrainingRun(model, cfg, float_mode=True)
    for epoch in range(cfg.train.epochs):
        loader = epoch_loaders(epoch) if epoch_loaders is not None else train_loader
        record = run.epoch(epoch, loader, test_loader, lambda n: None)
        advance(0, f"float baseline epoch {epoch + 1}/{cfg.train.epochs}: test {record.test_accuracy:.1%}")
    return run.records[-1].test_accuracy
