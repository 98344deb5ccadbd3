"""Float training and evaluation; the digits CNN trained on CPU and shipped as weights/digits_cnn.pt."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader

from .checkpoint import load_neurosim_checkpoint
from .digits import DigitsCNN, digits_cnn

__all__ = ["DIGITS_WEIGHTS", "TrainResult", "evaluate_float", "load_pretrained_digits", "train_digits", "train_float"]

DIGITS_WEIGHTS = Path(__file__).with_name("weights") / "digits_cnn.pt"
log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """What a training run produced: the model, the mean loss per epoch, test accuracy and wall time."""

    model: nn.Module
    epoch_losses: list[float] = field(default_factory=list)
    test_accuracy: float | None = None
    seconds: float = 0.0


def _device_of(model: nn.Module) -> torch.device:
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


@torch.no_grad()
def evaluate_float(model: nn.Module, loader: Iterable) -> float:
    """Top-1 accuracy in [0, 1] of ``model`` (eval mode, no gradients) over ``loader``'s (input, label) batches."""
    device = _device_of(model)
    was_training = model.training
    model.eval()
    correct = total = 0
    try:
        for x, y in loader:
            pred = model(x.to(device)).argmax(dim=1)
            correct += int((pred.cpu() == y).sum())
            total += int(y.numel())
    finally:
        model.train(was_training)
    if total == 0:
        raise ValueError("evaluate_float: the loader yielded no samples")
    return correct / total


def train_float(
    model: nn.Module,
    loader: Iterable,
    *,
    epochs: int = 1,
    lr: float = 3e-3,
    weight_decay: float = 0.0,
    max_steps: int | None = None,
) -> list[float]:
    """Train ``model`` in float with Adam and cross-entropy; returns the mean loss of each epoch.

    ``max_steps`` stops early after that many optimiser steps (the last epoch's mean covers the steps run).
    Raises if the loss becomes non-finite.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"train_float: epochs must be a positive integer, got {epochs!r}")
    device = _device_of(model)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    losses: list[float] = []
    steps = 0
    for epoch in range(epochs):
        total, count = 0.0, 0
        for x, y in loader:
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x.to(device)), y.to(device))
            if not torch.isfinite(loss):
                raise FloatingPointError(f"train_float: non-finite loss {loss.item()} at epoch {epoch}, step {steps}")
            loss.backward()
            opt.step()
            total += loss.item() * int(y.numel())
            count += int(y.numel())
            steps += 1
            if max_steps is not None and steps >= max_steps:
                break
        losses.append(total / max(count, 1))
        if max_steps is not None and steps >= max_steps:
            break
    model.eval()
    return losses


def train_digits(*, epochs: int = 20, seed: int = 0, lr: float = 3e-3, batch_size: int = 32) -> TrainResult:
    """Train :func:`~neurocim.models.digits.digits_cnn` on the digits train split (CPU, seeded) and test it."""
    from ..data.digits import digits_datasets

    start = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a model this small only loses time to thread synchronisation
    try:
        torch.manual_seed(seed)
        train_set, test_set = digits_datasets(seed=0)
        model = digits_cnn()
        loader = DataLoader(
            train_set, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed)
        )
        losses = train_float(model, loader, epochs=epochs, lr=lr)
        acc = evaluate_float(model, DataLoader(test_set, batch_size=512))
    finally:
        torch.set_num_threads(threads)
    seconds = time.perf_counter() - start
    log.info("digits_cnn: %d epochs, final loss %.4f, test accuracy %.4f, %.1f s", epochs, losses[-1], acc, seconds)
    return TrainResult(model, losses, acc, seconds)


def load_pretrained_digits(path: str | Path | None = None, *, retrain_if_missing: bool = True) -> DigitsCNN:
    """The trained digits CNN in eval mode, from the shipped weights (or ``path``).

    If the file is absent and ``retrain_if_missing``, trains it (a few seconds) and tries to save it there.
    """
    target = Path(path) if path is not None else DIGITS_WEIGHTS
    if not target.is_file():
        if not retrain_if_missing:
            raise FileNotFoundError(f"digits weights not found: {target}")
        log.warning("digits weights not found at %s: training them now", target)
        result = train_digits()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            torch.save(result.model.state_dict(), target)
        except OSError as exc:  # read-only install: keep the freshly trained model anyway
            log.warning("could not save digits weights to %s: %s", target, exc)
        return result.model.eval()  # type: ignore[return-value]
    model = digits_cnn()
    load_neurosim_checkpoint(model, target)
    return model.eval()


def main() -> None:  # pragma: no cover - regenerates the shipped weights
    """Retrain the digits CNN and overwrite the shipped weights file."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = train_digits()
    DIGITS_WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    torch.save(result.model.state_dict(), DIGITS_WEIGHTS)
    print(
        f"saved {DIGITS_WEIGHTS} ({DIGITS_WEIGHTS.stat().st_size} bytes): "
        f"test accuracy {result.test_accuracy:.4f}, {result.seconds:.1f} s"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
