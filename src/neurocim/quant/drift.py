"""Conductance drift / retention: NeuroSim's Retention formula and a power-law drift factor."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

# Model: G(t) = G0 * (t / t0)^(+-v), t0 = 1 s (NeuroSim V1.4 manual, retention section).


def random_drift_sign(shape: Sequence[int], generator: torch.Generator | None = None, device=None) -> Tensor:
    """Drift direction per element, uniform over {-1, 0, +1} (float32)."""
    return torch.randint(-1, 2, tuple(shape), generator=generator, device=device).float()


def neurosim_retention(
    x: Tensor,
    time_s: float,
    coefficient: float,
    toward_target: bool,
    target: float,
    sign: Tensor | None = None,
    dims: Sequence[int] | None = None,
) -> Tensor:
    """NeuroSim Retention: clamp((x + 1) * t^(v s) - 1, min x, max x), min/max over `dims` (all when None).

    s = sign(T' - (x+1)/2) with T' = ((max - min) * target + 1)/2 when toward_target, else the given random
    `sign`. t = 0 with v > 0 is degenerate as in NeuroSim (values collapse to the range ends) but never NaN.
    """
    if time_s < 0:
        raise ValueError(f"drift time_s={time_s} must be >= 0")
    if dims is None:
        lo, hi = x.amin(), x.amax()
    else:
        lo, hi = x.amin(dim=tuple(dims), keepdim=True), x.amax(dim=tuple(dims), keepdim=True)
    shifted = (x + 1.0) / 2.0
    if toward_target:
        goal = ((hi - lo) * target + 1.0) / 2.0
        sign = torch.sign(goal - shifted)
    elif sign is None:
        raise ValueError("neurosim_retention: random direction needs a `sign` tensor")
    ratio = torch.pow(torch.as_tensor(float(time_s), dtype=x.dtype, device=x.device), coefficient * sign)
    scaled = torch.where(shifted == 0, torch.zeros_like(x), 2.0 * shifted * ratio)
    return torch.minimum(torch.maximum(scaled - 1.0, lo), hi)


def drift_factor(sign: Tensor, time_s: float, coefficient: float, reference_time_s: float = 1.0) -> Tensor:
    """(max(t, t0)/t0)^(v * sign): 1 before t0, so t = 0 means freshly programmed."""
    if time_s < 0:
        raise ValueError(f"drift time_s={time_s} must be >= 0")
    if reference_time_s <= 0:
        raise ValueError(f"drift reference_time_s={reference_time_s} must be > 0")
    ratio = max(time_s, reference_time_s) / reference_time_s
    return torch.pow(torch.full_like(sign, ratio), coefficient * sign)
