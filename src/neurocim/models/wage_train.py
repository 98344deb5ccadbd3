"""WAGE training with NeuroSim V1.4's semantics: quantized weights, activations, errors and gradients."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize

from neurocim.quant.wage import wage_clip, wage_gradient_quantize, wage_init_limit, wage_weight

from .wage import WageOutput

__all__ = ["LOSSES", "GRAD_SCALE_DECREASE", "train_wage", "wage_initialize"]

LOSSES = ("sse", "cross_entropy")
GRAD_SCALE_DECREASE = 8.0  # grad_scale is divided by this at each epoch listed in decrease_at


class _QuantizedWeight(nn.Module):
    """Parametrization: the layer computes with Q(W, bits); the gradient reaches the float W unchanged."""

    def __init__(self, bits: int) -> None:
        super().__init__()
        self.bits = bits

    def forward(self, w: Tensor) -> Tensor:
        return wage_weight(w, self.bits)


def _check_int(value: object, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"train_wage: {name} must be an integer >= {minimum}, got {value!r}")


def _check_real(value: object, name: str, *, positive: bool) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (value <= 0 if positive else value < 0):  # type: ignore[operator]
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"train_wage: {name} must be a finite number {bound}, got {value!r}")


def _check_decrease_at(decrease_at: Sequence[int]) -> None:
    if isinstance(decrease_at, str | bytes) or not isinstance(decrease_at, Sequence):
        raise ValueError(f"train_wage: decrease_at must be a sequence of epoch indices >= 0, got {decrease_at!r}")
    for epoch in decrease_at:
        _check_int(epoch, "decrease_at entry (0-based epoch index)", 0)


def _weighted_layers(model: nn.Module) -> list[nn.Conv2d | nn.Linear]:
    return [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]


def _wage_outputs(model: nn.Module) -> list[WageOutput]:
    outputs = [m for m in model.modules() if isinstance(m, WageOutput)]
    if not outputs:
        raise ValueError(
            "train_wage: the model has no WageOutput module; build it with wage_outputs=True "
            "(vgg8, densenet40) or place neurocim.models.wage.wage_after(layer, act_bits) after each conv/FC"
        )
    return outputs


@contextmanager
def _wage_mode(model: nn.Module, weight_bits: int, act_bits: int, error_bits: int) -> Iterator[None]:
    """Quantize weights, activations and errors while inside; restore the model's own form on the way out."""
    outputs = _wage_outputs(model)
    saved = [(m.bits, m.error_bits) for m in outputs]
    layers = _weighted_layers(model)
    try:
        for m in outputs:
            m.bits, m.error_bits = act_bits, error_bits
        for layer in layers:
            parametrize.register_parametrization(layer, "weight", _QuantizedWeight(weight_bits))
        yield
    finally:
        for layer in layers:
            if parametrize.is_parametrized(layer, "weight"):
                parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
        for m, (bits, error_bits_saved) in zip(outputs, saved, strict=True):
            m.bits, m.error_bits = bits, error_bits_saved


def _loss(logits: Tensor, labels: Tensor, kind: str) -> Tensor:
    """Batch-summed SSE 0.5 * sum((logits - onehot)^2), or mean cross-entropy."""
    if kind == "sse":
        onehot = nn.functional.one_hot(labels, logits.shape[1]).to(logits.dtype)
        return 0.5 * ((logits - onehot) ** 2).sum()
    return nn.functional.cross_entropy(logits, labels)


@torch.no_grad()
def wage_initialize(model: nn.Module, weight_bits: int = 8, generator: torch.Generator | None = None) -> nn.Module:
    """WAGE's initialisation: every conv/FC weight drawn U(-limit, limit), limit = 1 - 2^-(bits-1); returns model."""
    _check_int(weight_bits, "weight_bits", 1)
    limit = wage_init_limit(weight_bits)
    for layer in _weighted_layers(model):
        w = layer.weight
        u = torch.rand(w.shape, generator=generator, device=w.device, dtype=w.dtype)
        w.copy_((2.0 * u - 1.0) * limit)
    return model


def _device_of(model: nn.Module) -> torch.device:
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def train_wage(
    model: nn.Module,
    loader: Iterable,
    *,
    epochs: int = 1,
    weight_bits: int = 8,
    act_bits: int = 8,
    grad_bits: int = 8,
    error_bits: int = 8,
    grad_scale: float = 1.0,
    lr: float = 0.01,
    momentum: float = 0.9,
    weight_decay: float = 1e-4,
    loss: str = "sse",
    decrease_at: Sequence[int] = (),
    max_steps: int | None = None,
    seed: int = 0,
) -> list[float]:
    """Train a model with WAGE outputs the way NeuroSim V1.4's train.py does; returns the mean loss of each epoch.

    Forward: every conv/FC computes with Q(W, weight_bits) (straight-through to the float W); every
    :class:`WageOutput` rounds to ``act_bits`` and quantizes the error QE(., error_bits) on the way back.
    Each step replaces every parameter gradient by QG(grad, grad_bits, grad_scale) (stochastic rounding
    seeded by ``seed``), takes an SGD step, then clamps every parameter (BatchNorm's too) by C(., weight_bits).
    ``grad_scale`` is divided by 8 at each 0-based epoch in ``decrease_at``. ``loss`` "sse" is
    0.5 * sum((logits - onehot)^2) over the batch; the reported epoch loss is per sample. ``max_steps``
    stops early. The model leaves in eval mode with its own parameters, names and WageOutput settings.
    Raises on a non-finite loss.
    """
    for name, bits_value in (("weight_bits", weight_bits), ("act_bits", act_bits), ("grad_bits", grad_bits)):
        _check_int(bits_value, name, 1)
    _check_int(error_bits, "error_bits", 1)
    _check_int(epochs, "epochs", 1)
    _check_int(seed, "seed", 0)
    if max_steps is not None:
        _check_int(max_steps, "max_steps", 1)
    _check_real(grad_scale, "grad_scale", positive=True)
    _check_real(lr, "lr", positive=True)
    _check_real(momentum, "momentum", positive=False)
    _check_real(weight_decay, "weight_decay", positive=False)
    if loss not in LOSSES:
        raise ValueError(f"train_wage: loss must be one of {LOSSES}, got {loss!r}")
    _check_decrease_at(decrease_at)
    _wage_outputs(model)

    device = _device_of(model)
    generator = torch.Generator(device=device).manual_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    losses: list[float] = []
    steps = 0
    bits = (weight_bits, grad_bits)
    model.train()
    with _wage_mode(model, weight_bits, act_bits, error_bits):
        for epoch in range(epochs):
            if epoch in decrease_at:
                grad_scale = grad_scale / GRAD_SCALE_DECREASE
            total, count = 0.0, 0
            for x, y in loader:
                value = _step(model, opt, params, x.to(device), y.to(device), loss, bits, grad_scale, generator)
                if not math.isfinite(value):
                    raise FloatingPointError(f"train_wage: non-finite loss {value} at epoch {epoch}, step {steps}")
                per_sample = value if loss == "cross_entropy" else value / int(y.numel())
                total += per_sample * int(y.numel())
                count += int(y.numel())
                steps += 1
                if max_steps is not None and steps >= max_steps:
                    break
            if count == 0:
                raise ValueError(f"train_wage: the loader yielded no samples in epoch {epoch}")
            losses.append(total / count)
            if max_steps is not None and steps >= max_steps:
                break
    model.eval()
    return losses


def _step(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    params: list[nn.Parameter],
    x: Tensor,
    y: Tensor,
    loss_kind: str,
    bits: tuple[int, int],
    grad_scale: float,
    generator: torch.Generator,
) -> float:
    """One WAGE step: forward, backward, QG on every gradient, SGD, clamp; returns the batch loss."""
    weight_bits, grad_bits = bits
    opt.zero_grad(set_to_none=True)
    batch_loss = _loss(model(x), y, loss_kind)
    value = float(batch_loss.detach())
    if not math.isfinite(value):
        return value
    batch_loss.backward()
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.grad.copy_(wage_gradient_quantize(p.grad, grad_bits, grad_scale, generator))
    opt.step()
    with torch.no_grad():
        for p in params:
            p.copy_(wage_clip(p, weight_bits))
    return value
