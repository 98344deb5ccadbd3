"""Physically faithful pulse-response models: frozen per-device maps and a vectorised, seeded pulse update."""

# A device's state is its position u in [0, 1] between its own bounds lo..hi (weight units, nominally -1..1);
# `max_level` pulses take it across the range. Each model moves u by a whole number of pulses in closed form:
# - linear: u +- k / M;
# - neurosim_v21: exponential curve u(p) = (1 - e^(-p/a)) / (1 - e^(-1/a)), p = P / M, LTP walks it forward with
#   a_LTP, LTD backward with a_LTD (labels as in V2.1: sign = curvature, a from V2.1's table, interpolated);
# - soft_bounds: each pulse moves u by (2/M) times the distance to the bound it moves toward (aihwkit SoftBounds);
# - power_step: du/dP = (1/M) (2 * distance)^gamma (aihwkit PowStep, continuous in P);
# - table: a measured response, interpolated, LTP forward and LTD backward along their own curves. Device-to-device:
#   the NL label (neurosim_v21) or ln(step) (the others) gets N(0, d2d_sigma) per device, frozen; bounds get N(0,
#   bounds_sigma). Cycle-to-cycle: N(0, c2c_sigma^2 * |n|) in u per update of |n| pulses.

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from neurocim.config.train import DeviceUpdateConfig, UpdateModel
from neurocim.devices.update import fused
from neurocim.devices.update.nl_table import a_norm_interpolated
from neurocim.devices.update.pulse_table import PulseTable, interp, read_pulse_table

BOUND_FLOOR = 0.1  # a device's bound never comes closer than this to zero (weight units)


@dataclass(frozen=True)
class DeviceMap:
    """The frozen per-device parameters of one weight tensor: a tensor of its shape, or one number for all devices."""

    lo: Tensor | float  # lower bound, weight units
    hi: Tensor | float  # upper bound
    step_scale: Tensor | float  # pulse-equivalents per pulse (d2d of the step; 1 for neurosim_v21)
    a_ltp: Tensor | float | None  # normalised signed A of each device's LTP / LTD curve (neurosim_v21)
    a_ltd: Tensor | float | None

    def at(self, idx: Tensor) -> DeviceMap:
        """The devices at flat indices `idx`."""

        def pick(t):
            return t.reshape(-1).index_select(0, idx) if isinstance(t, Tensor) else t

        return DeviceMap(*(pick(t) for t in (self.lo, self.hi, self.step_scale, self.a_ltp, self.a_ltd)))

    def strided(self) -> tuple[np.ndarray | int, ...] | None:
        """lo, lo's stride, hi, its stride, a_ltp, .., a_ltd, .. for the compiled passes (a field: float32 array and
        stride), or None unless every per-device field is a contiguous CPU float32 tensor (made once per map)."""
        if "_strided" not in self.__dict__:  # frozen: the cache goes in directly
            fields = (self.lo, self.hi, self.a_ltp, self.a_ltd)
            fit = all(_compilable(f) for f in fields if isinstance(f, Tensor))
            self.__dict__["_strided"] = tuple(x for f in fields for x in _strided(f)) if fit else None
        return self.__dict__["_strided"]

    @staticmethod
    def concat(maps: list[DeviceMap], sizes: list[int]) -> DeviceMap:
        """The maps of several tensors laid end to end (flat), `sizes[i]` devices in `maps[i]`."""

        def join(values: list[Any]) -> Tensor | float:
            if all(v is None for v in values) or all(not isinstance(v, Tensor) and v == values[0] for v in values):
                return values[0]
            like = next(v for v in values if isinstance(v, Tensor))
            return torch.cat([v.reshape(-1) if isinstance(v, Tensor) else like.new_full((n,), v) for v, n in
                              zip(values, sizes, strict=True)])  # fmt: skip

        fields = ("lo", "hi", "step_scale", "a_ltp", "a_ltd")
        return DeviceMap(*(join([getattr(m, f) for m in maps]) for f in fields))


def draw_device_map(shape: torch.Size, cfg: DeviceUpdateConfig, generator: torch.Generator, device) -> DeviceMap:
    """Draw one tensor's devices: d2d z, then bound z's (always all three, so maps are seed-stable)."""
    z = torch.randn(shape, generator=generator, device=device)
    z_hi = torch.randn(shape, generator=generator, device=device)
    z_lo = torch.randn(shape, generator=generator, device=device)
    lo: Tensor | float = -1.0
    hi: Tensor | float = 1.0
    if cfg.bounds_sigma > 0:
        hi = (1.0 + cfg.bounds_sigma * z_hi).clamp(min=BOUND_FLOOR)
        lo = (-1.0 + cfg.bounds_sigma * z_lo).clamp(max=-BOUND_FLOOR)
    if cfg.model is UpdateModel.NEUROSIM_V21:
        labels = [cfg.nonlinearity_ltp, cfg.nonlinearity_ltd]
        if cfg.d2d_sigma > 0:
            a: list[Tensor | float] = [_a_of(nl + cfg.d2d_sigma * z, nl) for nl in labels]
        else:
            a = [float(_a_of(torch.tensor([nl]), nl)) for nl in labels]
        return DeviceMap(lo, hi, 1.0, a[0], a[1])
    scale = torch.exp(cfg.d2d_sigma * z) if cfg.d2d_sigma > 0 else 1.0
    return DeviceMap(lo, hi, scale, None, None)


def _a_of(labels: Tensor, nominal: float) -> Tensor:
    """Signed normalised A of per-device labels; a label at exactly 0 keeps the nominal curvature's sign."""
    sign = torch.where(labels == 0, torch.full_like(labels, 1.0 if nominal > 0 else -1.0), torch.sign(labels))
    return (sign.double() * a_norm_interpolated(labels).abs()).float()


class PulseResponse:
    """Applies signed pulse counts to device states of one model (the table, when any, is read once here)."""

    def __init__(self, cfg: DeviceUpdateConfig, fused: bool = True) -> None:
        self.cfg = cfg
        self.fused = fused  # False: always the torch path (the oracle of the compiled one)
        self.table: PulseTable | None = (
            read_pulse_table(cfg.table_csv) if cfg.model is UpdateModel.TABLE and cfg.table_csv is not None else None
        )
        self._torch_table: tuple[Tensor, ...] | None = None

    def apply(self, w: Tensor, pulses: Tensor, dmap: DeviceMap, generator: torch.Generator | None) -> Tensor:
        """New weights after `pulses` (signed integers; > 0 potentiates) on devices `dmap`, with c2c noise."""
        out = w.detach().clone()
        self.apply_(out, pulses, dmap, generator)
        return out

    def apply_(
        self, w: Tensor, pulses: Tensor, dmap: DeviceMap, generator: torch.Generator | None
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Apply in place, touching only the devices that receive pulses (the others keep their exact state).

        Returns (flat indices written, their pulse counts |n|, the weight change there).
        """
        flat = pulses.reshape(-1)
        idx = torch.nonzero(flat != 0).view(-1)  # (a bool mask: the faster nonzero)
        return self.apply_at_(w, idx, flat.index_select(0, idx), dmap, generator)

    def apply_at_(
        self, w: Tensor, idx: Tensor, n: Tensor, dmap: DeviceMap, generator: torch.Generator | None
    ) -> tuple[Tensor, Tensor, Tensor]:
        """`apply_` given the written devices: flat indices `idx` (in order) and their signed pulses `n` (non-zero)."""
        if idx.numel() == 0:
            return idx, n, n.to(w.dtype)
        fields = self.compiled_fields(w, dmap) if _compilable(n) else None
        if fields is not None:
            counts, changes = self.apply_compiled_(w.view(-1).numpy(), idx.numpy(), n.numpy(), fields, generator)
            return idx, torch.from_numpy(counts), torch.from_numpy(changes)
        sub = dmap.at(idx)
        w_flat = w.view(-1)
        before = w_flat.index_select(0, idx)
        span = sub.hi - sub.lo
        u = ((before - sub.lo) / span).clamp_(0.0, 1.0)
        count = n.abs()
        k = count * sub.step_scale if isinstance(sub.step_scale, Tensor) else count
        moved = self._move(u, k, n > 0, sub)
        if self.cfg.c2c_sigma > 0:
            z = torch.randn(idx.shape, generator=generator, device=w.device, dtype=w.dtype)
            moved = moved + self.cfg.c2c_sigma * torch.sqrt(count) * z
        after = moved.clamp_(0.0, 1.0).mul_(span).add_(sub.lo)
        w_flat.index_copy_(0, idx, after)
        return idx, count, after.sub_(before)

    def compiled_fields(self, w: Tensor, dmap: DeviceMap) -> tuple | None:
        """`dmap.strided()` when this model has compiled passes (neurosim_v21) and `w` fits them, else None."""
        if self.fused and self.cfg.model is UpdateModel.NEUROSIM_V21 and _compilable(w):
            return dmap.strided()
        return None

    def apply_compiled_(
        self, w: np.ndarray, idx: np.ndarray, n: np.ndarray, fields: tuple, generator: torch.Generator | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`apply_at_` on numpy views through the compiled passes, the same values and draws as the torch path:
        `w` the flat float32 device states, `idx` (int64) and `n` (float32) the written devices and their pulses,
        `fields` from `compiled_fields`. Returns (|n|, the weight change) per written device."""
        work = np.empty((6, len(n)), dtype=np.float32)  # the per-device values, one buffer
        before, u, count, r, q, change = work
        fused.exponential_prepare(w, idx, n, *fields, np.float32(self.cfg.max_level), before, u, count, r, q)
        torch.from_numpy(r).expm1_()  # r becomes the curves' spans, q the step's factors: torch's expm1 and exp
        torch.from_numpy(q).exp_()
        c2c = self.cfg.c2c_sigma
        z = torch.randn(idx.shape, generator=generator, dtype=torch.float32).numpy() if c2c > 0 else n[:0]
        lo, lo_s, hi, hi_s = fields[:4]
        fused.exponential_finish(w, idx, before, u, r, q, count, z, np.float32(c2c), lo, lo_s, hi, hi_s, change)
        return count, change

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
            assert t is not None  # model=table: the config requires table_csv and __init__ read it
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


def _compilable(t: Tensor) -> bool:
    """Whether the compiled passes can take this tensor: CPU float32, contiguous."""
    return t.device.type == "cpu" and t.dtype == torch.float32 and t.is_contiguous()


def _strided(value: Tensor | float | None) -> tuple[np.ndarray, int]:  # (a CPU tensor: a view of its memory)
    """A per-device field as (float32 array, stride): a tensor flat with stride 1, a number as one element, stride 0."""
    if isinstance(value, Tensor):
        return value.detach().reshape(-1).numpy(), 1
    assert value is not None  # the exponential model's map holds both curves
    return np.array([value], dtype=np.float32), 0


def _exponential(u: Tensor, dp: Tensor, up: Tensor, dmap: DeviceMap) -> Tensor:
    """Walk each device's exponential curve by dp (normalised pulses): forward for LTP, backward for LTD.

    With S = e^(-1/a) - 1 the curve is u(p) = (e^(-p/a) - 1) / S, so moving by d gives
    u' = ((1 + u S) e^(-d/a) - 1) / S, clamped to [0, 1] (the curve's ends); no logarithm needed. float32 is
    enough: |1/a| <= 1/0.0228 keeps every factor below ~1e38, and an overflow saturates at the top end.
    """
    a = torch.where(up, torch.as_tensor(dmap.a_ltp, device=u.device), torch.as_tensor(dmap.a_ltd, device=u.device))
    a = a.to(u.dtype)
    span = torch.expm1(-1.0 / a)
    d = torch.where(up, dp, -dp)
    return (u * span + 1.0).mul_(torch.exp(-d / a)).sub_(1.0).div_(span).clamp_(0.0, 1.0)


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
