"""Post-training quantization ranges: per-tensor / per-channel scales from max or percentile, and a range observer."""

from __future__ import annotations

import torch
from torch import Tensor

_MAX_SAMPLE = 1 << 20  # elements used to estimate a percentile (torch.quantile's limit is 2^24)


def _check_percentile(percentile: float) -> None:
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile={percentile} must be in (0, 100]")


def abs_percentile(x: Tensor, percentile: float, dim: int | None = None) -> Tensor:
    """The `percentile` of |x|, over everything (dim None) or along `dim` with the other dims reduced."""
    _check_percentile(percentile)
    a = x.detach().abs()
    a = a.reshape(1, -1) if dim is None else a.movedim(dim, 0).reshape(a.shape[dim], -1)
    if a.shape[1] == 0:
        return a.new_zeros(a.shape[0]).squeeze(0) if dim is None else a.new_zeros(a.shape[0])
    if a.shape[1] > _MAX_SAMPLE:  # evenly strided subsample keeps it deterministic
        step = -(-a.shape[1] // _MAX_SAMPLE)
        a = a[:, ::step]
    q = torch.quantile(a.float(), percentile / 100.0, dim=1).to(x.dtype)
    return q.squeeze(0) if dim is None else q


def abs_range(x: Tensor, method: str = "max", percentile: float = 99.99, dim: int | None = None) -> Tensor:
    """max|x| or a percentile of |x|; per tensor (dim None) or one value per index of `dim`."""
    if method == "percentile":
        return abs_percentile(x, percentile, dim)
    if method != "max":
        raise ValueError(f"range method={method!r}; allowed: 'max', 'percentile'")
    a = x.detach().abs()
    if dim is None:
        return a.amax() if a.numel() else a.new_zeros(())
    return a.movedim(dim, 0).reshape(a.shape[dim], -1).amax(dim=1)


def safe_scale(scale: Tensor) -> Tensor:
    """A scale usable as a divisor: non-positive or non-finite entries (constant-zero data) become 1."""
    return torch.where(torch.isfinite(scale) & (scale > 0), scale, torch.ones_like(scale))


def weight_scale(w: Tensor, per_channel: bool, method: str = "max", percentile: float = 99.99) -> Tensor:
    """Scale s with w/s in [-1, 1]: one per output channel (dim 0) or one per tensor; never zero."""
    return safe_scale(abs_range(w, method, percentile, dim=0 if per_channel else None))


def symmetric_codes(x: Tensor, scale: Tensor, levels: int) -> Tensor:
    """Integer codes round(x/scale * levels) clamped to [-levels, levels] (half to even)."""
    if levels < 1:
        raise ValueError(f"levels={levels} must be >= 1")
    return torch.clamp(torch.round(x / safe_scale(scale) * levels), -levels, levels)


def fake_quantize_symmetric(x: Tensor, scale: Tensor, bits: int) -> Tensor:
    """x quantized to the symmetric signed grid with 2^(bits-1)-1 positive levels, returned in x's units."""
    if bits < 2:
        raise ValueError(f"bits={bits} must be >= 2 for a signed symmetric quantizer")
    levels = 2 ** (bits - 1) - 1
    s = safe_scale(scale)
    return symmetric_codes(x, s, levels) * s / levels


class RangeObserver:
    """Running statistics of a stream of tensors: min, max and a conservative (max over batches) |x| percentile."""

    def __init__(self, method: str = "max", percentile: float = 99.99) -> None:
        if method not in ("max", "percentile"):
            raise ValueError(f"range method={method!r}; allowed: 'max', 'percentile'")
        _check_percentile(percentile)
        self.method = method
        self.percentile = percentile
        self.minimum = float("inf")
        self.maximum = float("-inf")
        self.abs_range = 0.0
        self.count = 0

    def update(self, x: Tensor) -> None:
        if x.numel() == 0:
            return
        x = x.detach()
        low, high = float(x.amin()), float(x.amax())
        self.minimum = min(self.minimum, low)
        self.maximum = max(self.maximum, high)
        if self.method == "max":  # max |x| from the extremes, without an |x| copy of the tensor
            self.abs_range = max(self.abs_range, abs(low), abs(high))
        else:
            self.abs_range = max(self.abs_range, float(abs_range(x, self.method, self.percentile)))
        self.count += x.numel()

    @property
    def seen(self) -> bool:
        return self.count > 0
