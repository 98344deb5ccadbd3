"""compat neurosim_v21: DNN+NeuroSim V2.1's weight update, reproduced bit for bit given the same random draws."""

# Formulas from V2.1's Training_pytorch (train.py's update loop and utee/wage_quantizer.py's QG/W), in our words in
# shared/research/neurosim_wrapper_training_spec.md B1.3-B1.5. The quirks kept here (and only here): momentum
# renormalised in place, stochastic rounding of a weight-unit delta as if it were in LSBs (one LSB with probability
# |d|), one c2c draw per updated element whatever the pulse count, NaN for NL = 0 or for a weight above B - 1.

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import torch
from torch import Tensor

from neurocim.devices.update.nl_table import a_norm_truncated


@dataclass(frozen=True)
class V21Curves:
    """One tensor's frozen per-element curve parameters: signed A (pulses) and B, float64, for LTP and LTD."""

    a_ltp: Tensor
    b_ltp: Tensor
    a_ltd: Tensor
    b_ltd: Tensor
    labels_ltp: Tensor  # the per-element labels after d2d (float32), kept for the records
    labels_ltd: Tensor

    def to(self, device: torch.device) -> V21Curves:
        return V21Curves(**{f.name: getattr(self, f.name).to(device) for f in fields(self)})


@dataclass(frozen=True)
class V21Settings:
    """The scalars of V2.1's update: weight/gradient bits, pulses, c2c, momentum (gamma, alpha), grad_scale."""

    weight_bits: int
    grad_bits: int
    max_level: int
    c2c_sigma: float
    gamma: float
    alpha: float
    grad_scale: float


def v21_curves(nl_ltp: float, nl_ltd: float, d2d_sigma: float, max_level: int, z_d2d: Tensor) -> V21Curves:
    """Per-element labels NL + z*d2d (float32; one z for both directions) and their A, B (float64)."""
    z = z_d2d.detach().cpu().float().numpy()
    sigma = np.float32(d2d_sigma)
    out = []
    labels = []
    for nl in (nl_ltp, nl_ltd):
        label = (np.float32(nl) + z * sigma).astype(np.float32)
        a = a_norm_truncated(label) * max_level
        with np.errstate(divide="ignore", invalid="ignore"):  # NL = 0: A = 0, NaN as in V2.1
            b = 2.0 / (1.0 - np.exp(-max_level / a))
        out += [torch.from_numpy(a), torch.from_numpy(b)]
        labels.append(torch.from_numpy(label))
    device = z_d2d.device
    a_ltp, b_ltp, a_ltd, b_ltd = (t.to(device) for t in out)
    return V21Curves(a_ltp, b_ltp, a_ltd, b_ltd, labels[0].to(device), labels[1].to(device))


def _clip(x: Tensor, bits: int) -> Tensor:
    lsb = 2.0 ** (1 - bits)
    return torch.clamp(x, -1.0 + lsb, 1.0 - lsb)


def _shift(peak: Tensor) -> Tensor:
    return torch.exp2(torch.round(torch.log2(peak)))


def v21_momentum_(velocity: Tensor, grad: Tensor, s: V21Settings) -> Tensor:
    """v <- gamma*v + alpha*g, then v /= shift(max|v|) in place (the stored state); returns grad_scale * v."""
    velocity.mul_(torch.tensor(s.gamma, dtype=torch.float32)).add_(torch.tensor(s.alpha, dtype=torch.float32) * grad)
    peak = velocity.abs().max()
    if not peak > 0:
        raise ValueError("compat neurosim_v21: all-zero velocity (V2.1 stops training on this assertion)")
    velocity.div_(_shift(peak))
    return velocity * s.grad_scale


def v21_delta(w: Tensor, x: Tensor, curves: V21Curves, s: V21Settings) -> Tensor:
    """QG's effective delta d = w - C(w(P(w) - n), b_W) before stochastic rounding (weight units)."""
    n = torch.round(x / 2 * s.max_level)
    ltp = n < 0
    a = torch.where(ltp, curves.a_ltp, curves.a_ltd).float()
    b = torch.where(ltp, curves.b_ltp, curves.b_ltd).float()
    p0 = -a * torch.log(1 - (w + 1) / b)
    w_new = b * (1 - torch.exp(-(p0 - n) / a)) - 1
    return w - _clip(w_new, s.weight_bits)


def v21_round(delta: Tensor, uniform: Tensor, s: V21Settings) -> Tensor:
    """floor(d + u) / 2^(b_G - 1): what SGD (lr 1) subtracts."""
    return torch.floor(delta + uniform) / 2.0 ** (s.grad_bits - 1)


def v21_write(w: Tensor, applied: Tensor, normal: Tensor, s: V21Settings) -> Tensor:
    """SGD step w - delta, c2c noise z * 2 sigma on updated elements, then the clamp C(., b_W)."""
    stepped = w - applied
    noise = normal * torch.tensor(2 * s.c2c_sigma, dtype=torch.float32) * torch.sign(applied.abs())
    return _clip(stepped + noise, s.weight_bits)
