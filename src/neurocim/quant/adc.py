"""ADC transfer functions: NeuroSim's data-dependent min/max quantizers and a fixed-range quantizer."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor


def _check_bits(bits: int) -> None:
    if not isinstance(bits, int) or not 1 <= bits <= 16:
        raise ValueError(f"adc bits={bits!r} must be an integer in 1..16")


def tensor_range(x: Tensor, dims: Sequence[int] | None = None) -> tuple[Tensor, Tensor]:
    """min and max of x over `dims` (all dims when None), kept for broadcasting."""
    if dims is None:
        return x.amin(), x.amax()
    return x.amin(dim=tuple(dims), keepdim=True), x.amax(dim=tuple(dims), keepdim=True)


def minmax_floor_quantize(x: Tensor, bits: int, lo: Tensor, hi: Tensor) -> Tensor:
    """NeuroSim LinearQuantizeOut with a given range: lo + step * clamp(floor((x - lo)/step), 0, 2^b - 1).

    step = (hi - lo)/2^b, so the maximum maps to hi - step (floor bias). Where hi == lo, x passes through
    unchanged (NeuroSim V1.4; no division by zero). The floor is taken as floor((x - lo) 2^b / (hi - lo)), which
    is exact when x, lo and hi are integers (as the engine's partial sums are).
    """
    _check_bits(bits)
    levels = 2.0**bits
    span = hi - lo
    ok = span > 0
    safe = torch.where(ok, span, torch.ones_like(span))
    index = torch.clamp(torch.floor((x - lo) * levels / safe), 0.0, levels - 1.0)
    return torch.where(ok, lo + index * (safe / levels), x)


def linear_quantize_out(x: Tensor, bits: int, dims: Sequence[int] | None = None) -> Tensor:
    """NeuroSim LinearQuantizeOut: the range is min..max of x itself over `dims` (whole tensor by default)."""
    lo, hi = tensor_range(x, dims)
    return minmax_floor_quantize(x, bits, lo, hi)


def snapped_step(top: float, bits: int, unit: float = 1.0) -> float:
    """ADC step covering [0, top] with 2^b - 1 steps, rounded up to a whole number of `unit`s (at least one).

    With unit = the spacing of the ideal partial sums, an ADC with enough bits is lossless.
    """
    _check_bits(bits)
    if not (unit > 0 and math.isfinite(unit)):
        raise ValueError(f"ADC unit={unit} must be a positive finite number")
    if not (top >= 0 and math.isfinite(top)):
        raise ValueError(f"ADC top of range={top} must be a finite number >= 0")
    return unit * max(1, math.ceil(top / (unit * (2**bits - 1)) - 1e-12))


def fixed_range_quantize(x: Tensor, bits: int, lo: float | Tensor, step: float | Tensor) -> Tensor:
    """A fixed-reference ADC: lo + step * clamp(round((x - lo)/step), 0, 2^b - 1), round half to even."""
    _check_bits(bits)
    step_t = torch.as_tensor(step, dtype=x.dtype, device=x.device)
    if bool((step_t <= 0).any()):
        raise ValueError(f"ADC step={step} must be > 0")
    index = torch.clamp(torch.round((x - lo) / step_t), 0.0, 2.0**bits - 1.0)
    return lo + index * step_t


# NeuroSim NonLinearQuantizeOut tables: bin upper edges and outputs as fractions of [min, max].
_NONLINEAR = {
    3: (
        (0.02, 0.08, 0.12, 0.18, 0.3, 0.5, 0.7, 1.0),
        (0.01, 0.05, 0.1, 0.15, 0.24, 0.4, 0.6, 0.85),
    ),
    4: (
        (0.02, 0.05, 0.08, 0.12, 0.16, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.85, 1.0),
        (0.01, 0.035, 0.065, 0.1, 0.14, 0.18, 0.225, 0.275, 0.325, 0.375, 0.425, 0.475, 0.55, 0.65, 0.775, 0.925),
    ),
    5: (
        (0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06)
        + tuple(round(0.08 + 0.02 * i, 2) for i in range(12))
        + (0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.80, 0.90, 1.0),
        (0.001, 0.003, 0.007, 0.010, 0.015, 0.020, 0.030, 0.040, 0.055)
        + tuple(round(0.07 + 0.02 * i, 2) for i in range(12))
        + (0.32, 0.37, 0.42, 0.47, 0.52, 0.57, 0.62, 0.67, 0.75, 0.85, 0.95),
    ),
}


def nonlinear_quantize_out(x: Tensor, bits: int) -> Tensor:
    """NeuroSim NonLinearQuantizeOut (3, 4, 5 bits; identity otherwise): table bins over the tensor's min..max.

    The top bin is half-open, so the maximum itself passes through unquantized, as in NeuroSim.
    """
    _check_bits(bits)
    if bits not in _NONLINEAR or x.numel() == 0:
        return x.clone()
    edges, outs = (torch.tensor(t, dtype=x.dtype, device=x.device) for t in _NONLINEAR[bits])
    lo, hi = tensor_range(x)
    span = hi - lo
    if not bool(span > 0):
        return x.clone()
    frac = (x - lo) / span
    index = torch.bucketize(frac, edges, right=True)
    out = lo + outs[index.clamp(max=len(outs) - 1)] * span
    return torch.where(index >= len(outs), x, out)
