"""Physically faithful pulse-response models: frozen per-device maps and a vectorised, seeded pulse update.

A device's state is its position u in [0, 1] between its own bounds lo..hi (weight units, nominally -1..1);
`max_level` pulses take it across the range. Each model moves u by a whole number of pulses in closed form:
- linear: u +- k / M;
- neurosim_v21: exponential curve u(p) = (1 - e^(-p/a)) / (1 - e^(-1/a)), p = P / M, LTP walks it forward with
  a_LTP, LTD backward with a_LTD (labels as in V2.1: sign = curvature, a from V2.1's table, interpolated);
- soft_bounds: each pulse moves u by (2/M) times the distance to the bound it moves toward (aihwkit SoftBounds);
- power_step: du/dP = (1/M) (2 * distance)^gamma (aihwkit PowStep, continuous in P);
- table: a measured response, interpolated, LTP forward and LTD backward along their own curves.
Device-to-device: the NL label (neurosim_v21) or ln(step) (the others) gets N(0, d2d_sigma) per device, frozen;
bounds get N(0, bounds_sigma). Cycle-to-cycle: N(0, c2c_sigma^2 * |n|) in u per update of |n| pulses.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from neurocim.config.train import DeviceUpdateConfig, UpdateModel
from neurocim.devices.update.nl_table import a_norm_interpolated
from neurocim.devices.update.pulse_table import PulseTable, interp, read_pulse_table

BOUND_FLOOR = 0.1  # a device's bound never comes closer than this to zero (weight units)


@dataclass(frozen=True)
class DeviceMap:
    """The frozen per-device parameters of one weight tensor (same shape as the weight)."""

    lo: Tensor  # lower bound, weight units
    hi: Tensor  # upper bound
    step_scale: Tensor  # pulse-equivalents per pulse (d2d of the step; 1 for neurosim_v21)
    a_ltp: Tensor | None  # normalised signed A of each device's LTP / LTD curve (neurosim_v21)
    a_ltd: Tensor | None


def draw_device_map(shape: torch.Size, cfg: DeviceUpdateConfig, generator: torch.Generator, device) -> DeviceMap:
    """Draw one tensor's devices: d2d z, then bound z's (always in this order, so maps are seed-stable)."""
    z = torch.randn(shape, generator=generator, device=device)
    z_hi = torch.randn(shape, generator=generator, device=device)
    z_lo = torch.randn(shape, generator=generator, device=device)
    hi = (1.0 + cfg.bounds_sigma * z_hi).clamp(min=BOUND_FLOOR)
    lo = (-1.0 + cfg.bounds_sigma * z_lo).clamp(max=-BOUND_FLOOR)
    if cfg.model is UpdateModel.NEUROSIM_V21:
        a = [_a_of(nl + cfg.d2d_sigma * z, nl) for nl in (cfg.nonlinearity_ltp, cfg.nonlinearity_ltd)]
        return DeviceMap(lo, hi, torch.ones_like(z), a[0], a[1])
    return DeviceMap(lo, hi, torch.exp(cfg.d2d_sigma * z), None, None)


def _a_of(labels: Tensor, nominal: float) -> Tensor:
    """Signed normalised A of per-device labels; a label at exactly 0 keeps the nominal curvature's sign."""
    sign = torch.where(labels == 0, torch.full_like(labels, 1.0 if nominal > 0 else -1.0), torch.sign(labels))
    return (sign.double() * a_norm_interpolated(labels).abs()).float()


class PulseResponse:
    """Applies signed pulse counts to device states of one model (the table, when any, is read once here)."""

    def __init__(self, cfg: DeviceUpdateConfig) -> None:
        self.cfg = cfg
        self.table: PulseTable | None = read_pulse_table(cfg.table_csv) if cfg.model is UpdateModel.TABLE else None
        self._torch_table: tuple[Tensor, ...] | None = None

    def apply(self, w: Tensor, pulses: Tensor, dmap: DeviceMap, generator: torch.Generator | None) -> Tensor:
        """New weights after `pulses` (signed integers; > 0 potentiates) on devices `dmap`, with c2c noise."""
        span = dmap.hi - dmap.lo
        u = ((w - dmap.lo) / span).clamp(0.0, 1.0)
        k = pulses.abs() * dmap.step_scale
        moved = self._move(u, k, pulses > 0, dmap)
        c2c = self.cfg.c2c_sigma
        if c2c > 0:
            z = torch.randn(w.shape, generator=generator, device=w.device)
            moved = moved + c2c * torch.sqrt(pulses.abs()) * z
        return torch.where(pulses != 0, dmap.lo + moved.clamp(0.0, 1.0) * span, w)  # unwritten devices stay as is

    def _move(self, u: Tensor, k: Tensor, up: Tensor, dmap: DeviceMap) -> Tensor:
        m, model = float(self.cfg.max_level), self.cfg.model
        if model is UpdateModel.LINEAR:
            return u + torch.where(up, k, -k) / m
        if model is UpdateModel.SOFT_BOUNDS:
            keep = (1.0 - 2.0 / m) ** k if m > 2 else torch.zeros_like(k)
            return torch.where(up, 1.0 - (1.0 - u) * keep, u * keep)
        if model is UpdateModel.POWER_STEP:
            return _power_step(u, k, up, m, self.cfg.gamma)
        if model is UpdateModel.NEUROSIM_V21:
            return _exponential(u, k / m, up, dmap)
        return self._table_move(u, k, up)

    def _table_move(self, u: Tensor, k: Tensor, up: Tensor) -> Tensor:
        if self._torch_table is None or self._torch_table[0].device != u.device:
            t = self.table
            self._torch_table = tuple(
                torch.as_tensor(a.copy(), dtype=torch.float64, device=u.device)
                for a in (t.pulses, t.ltp, t.ltd[::-1])
            )
        pulses, ltp, ltd_rev = self._torch_table
        top = pulses[-1]
        scale = top / self.cfg.max_level  # table pulses per pulse (1 when max_level matches the table)
        ud, kd = u.double(), k.double() * scale
        p_up = interp(ud, ltp, pulses)  # LTP position of u
        q_down = top - interp(ud, ltd_rev, pulses)  # LTD pulses already taken from the top to reach u
        new_up = interp((p_up + kd).clamp(max=top), pulses, ltp)
        new_down = interp(top - (q_down + kd).clamp(max=top), pulses, ltd_rev)
        return torch.where(up, new_up, new_down).to(u.dtype)


def _exponential(u: Tensor, dp: Tensor, up: Tensor, dmap: DeviceMap) -> Tensor:
    """Walk each device's exponential curve by dp (normalised pulses): forward for LTP, backward for LTD."""
    a = torch.where(up, dmap.a_ltp, dmap.a_ltd).double()
    span = torch.expm1(-1.0 / a)
    p = -a * torch.log1p(u.double() * span)
    p_new = (p + torch.where(up, dp, -dp).double()).clamp(0.0, 1.0)
    return (torch.expm1(-p_new / a) / span).to(u.dtype)


def _power_step(u: Tensor, k: Tensor, up: Tensor, m: float, gamma: float) -> Tensor:
    """Distance s to the bound moved toward obeys ds/dP = -(2^gamma / M) s^gamma (closed form in P)."""
    s = torch.where(up, 1.0 - u, u).double()
    c = 2.0**gamma / m * k.double()
    if gamma == 1.0:
        s_new = s * torch.exp(-c)
    elif gamma < 1.0:
        s_new = (s ** (1.0 - gamma) - (1.0 - gamma) * c).clamp(min=0.0) ** (1.0 / (1.0 - gamma))
    else:
        s_new = torch.where(s > 0, (s ** (1.0 - gamma) + (gamma - 1.0) * c) ** (1.0 / (1.0 - gamma)), s)
    s_new = s_new.to(u.dtype)
    return torch.where(up, 1.0 - s_new, s_new)
