"""WAGE quantizers with NeuroSim's semantics: Q, C, shift, error/gradient quantizers, fan-in scale."""

from __future__ import annotations

import math

import torch
from torch import Tensor

# Model: Wu et al., "Training and inference with integers in deep neural networks" (WAGE, ICLR 2018),
# as used by DNN+NeuroSim V1.4 (utee/wage_quantizer.py, wage_initializer.py).


def _check_bits(bits: int, name: str = "bits") -> None:
    if not isinstance(bits, int) or bits < 1:
        raise ValueError(f"{name}={bits!r} must be an integer >= 1")


def wage_lsb(bits: int) -> float:
    """Smallest step of a `bits`-bit WAGE value: 2^-(bits-1)."""
    _check_bits(bits)
    return 2.0 ** (1 - bits)


def wage_clip(x: Tensor, bits: int) -> Tensor:
    """C(x, b): clamp to [-1 + lsb, 1 - lsb]; [-1, 1] for b == 1 or b > 15."""
    _check_bits(bits)
    delta = 0.0 if bits == 1 or bits > 15 else wage_lsb(bits)
    return torch.clamp(x, -1.0 + delta, 1.0 - delta)


def wage_round(x: Tensor, bits: int) -> Tensor:
    """Q(x, b): round half to even onto the 2^-(b-1) grid (no clamp); sign(x) for b == 1; identity for b > 15."""
    _check_bits(bits)
    if bits == 1:
        return torch.sign(x)
    if bits > 15:
        return x
    s = 2.0 ** (bits - 1)
    return torch.round(x * s) / s


def nearest_pow2(x: Tensor) -> Tensor:
    """shift(x) = 2^round(log2 x) for x > 0; 1 where x <= 0 (NeuroSim would divide by zero there)."""
    safe = torch.where(x > 0, x, torch.ones_like(x))
    return torch.exp2(torch.round(torch.log2(safe)))


def wage_error_quantize(x: Tensor, bits: int) -> Tensor:
    """QE: divide by the power of two nearest max|x| (scale discarded), then Q(C(.)). All-zero input gives zeros."""
    peak = x.abs().amax() if x.numel() else x.new_zeros(())
    return wage_round(wage_clip(x / nearest_pow2(peak), bits), bits)


def stochastic_round(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """floor(x + U[0, 1)): unbiased rounding to integers, on x's device."""
    noise = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return torch.floor(x + noise)


def wage_gradient_quantize(x: Tensor, bits: int, lr: float, generator: torch.Generator | None = None) -> Tensor:
    """QG (V1.4): x / shift(max|x|) * lr, stochastically rounded, divided by 2^(bits-1). All-zero input gives zeros."""
    _check_bits(bits)
    peak = x.abs().amax() if x.numel() else x.new_zeros(())
    return stochastic_round(lr * (x / nearest_pow2(peak)), generator) / 2.0 ** (bits - 1)


def wage_init_scale(fan_in: int, bits: int) -> float:
    """Per-layer output divisor of WAGE (wage_init_ with factor 1): 2^ceil(log2(limit_std / sqrt(3/fan_in)))."""
    _check_bits(bits)
    if fan_in < 1:
        raise ValueError(f"fan_in={fan_in} must be >= 1")
    limit = 1.0 - wage_lsb(bits)
    limit_std = (limit if bits > 2 else 0.75) / math.sqrt(3.0)
    float_limit = math.sqrt(3.0 / fan_in)
    return float(2.0 ** math.ceil(math.log2(limit_std / float_limit)))


def wage_init_limit(bits: int) -> float:
    """Half-width of WAGE's uniform weight initialisation: 1 - 2^-(bits-1)."""
    return 1.0 - wage_lsb(bits)


class _WageActivation(torch.autograd.Function):
    """Forward Q(x, bits_a); backward QE(grad, bits_e)."""

    @staticmethod
    def forward(ctx, x: Tensor, bits_a: int, bits_e: int | None) -> Tensor:  # type: ignore[override]
        ctx.bits_e = bits_e
        return wage_round(x, bits_a)

    @staticmethod
    def backward(ctx, grad: Tensor):  # type: ignore[override]
        if ctx.bits_e is None:
            return grad, None, None
        return wage_error_quantize(grad, ctx.bits_e), None, None


def wage_activation(x: Tensor, bits_a: int, bits_e: int | None = None) -> Tensor:
    """WAGEQuantizer_f: Q(C(x, a), a) forward; the clamp's gradient and QE(grad, e) backward (e None: plain)."""
    return _WageActivation.apply(wage_clip(x, bits_a), bits_a, bits_e)


def straight_through(value: Tensor, source: Tensor) -> Tensor:
    """`value` forward, identity gradient to `source`; exact (value + 0, never source + (value - source))."""
    return value.detach() + (source - source.detach())


def wage_weight(w: Tensor, bits: int) -> Tensor:
    """Q(w, bits) with a straight-through gradient, exact in any float precision."""
    return straight_through(wage_round(w.detach(), bits), w)
