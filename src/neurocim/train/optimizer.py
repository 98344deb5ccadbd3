"""The device-update optimizer: desired updates -> pulses per device -> new device states, with per-step statistics."""

# Default rule (compat none), per chip layer: v <- momentum * v + (1 - dampening) * g (v = g without momentum); x = v
# / 2^round(log2 max|v|) (WAGE's scale-free normalisation); the desired change lr * x is quantized to grad_bits (QG,
# stochastic rounding) and becomes n = SR(change * max_level / 2) whole pulses (|n| <= max_level), which the device
# model applies (its own curve, d2d map, c2c noise per pulse, bounds). Under compat neurosim_v21 the update is V2.1's,
# bit for bit (devices/update/neurosim_v21.py). Parameters off the chip (biases, norms) take the same normalised step
# in float. The chip layers share flat buffers (train/flat.py): one vectorised pass updates them all (draws: one
# uniform per device for all layers, then the c2c normals of the written devices).

from __future__ import annotations

import math
import zlib

import numpy as np
import torch
from torch import Tensor, nn

from neurocim.config.accuracy import CompatMode
from neurocim.config.run import RunConfig
from neurocim.devices.update.models import DeviceMap, PulseResponse, draw_device_map
from neurocim.devices.update.neurosim_v21 import (
    V21Curves,
    V21Settings,
    v21_curves,
    v21_delta,
    v21_momentum_,
    v21_round,
    v21_write,
)
from neurocim.train import kernels
from neurocim.train.flat import FlatLayers
from neurocim.train.stats import UpdateStats


def derived_seed(seed: int, *parts: object) -> int:
    """A 62-bit seed from the run seed and names (stable across processes, unlike hash())."""
    key = ":".join(str(p) for p in (seed, *parts)).encode()
    return (zlib.crc32(key) * 2654435761 + seed) % (2**62)


def normalised(v: Tensor) -> Tensor:
    """v / 2^round(log2 max|v|) (zeros stay zeros)."""
    peak = v.abs().max()
    if not peak > 0:
        return torch.zeros_like(v)
    return v / torch.exp2(torch.round(torch.log2(peak)))


class AnalogSGD:
    """SGD with momentum whose updates are programming pulses on simulated devices.

    The chip layers' weights and velocities live in flat buffers (FlatLayers; each Parameter a view), so that
    one vectorised update per step serves every layer; per-step statistics stay tensors until the epoch ends.
    """

    def __init__(
        self, weights: dict[str, nn.Parameter], others: list[nn.Parameter], cfg: RunConfig, fused: bool = True
    ) -> None:
        self.weights, self.others, self.cfg = weights, others, cfg
        t = cfg.train
        self.compat = cfg.accuracy.compat is CompatMode.NEUROSIM_V21
        self.fused = fused  # False: the torch path only (the oracle of the compiled passes)
        self.response = None if self.compat else PulseResponse(t.device, fused)
        self.flat = FlatLayers(weights, list(reversed(list(weights))))  # V2.1's order: parameters in reverse
        self.ends = np.cumsum(self.flat.sizes, dtype=np.int64)
        device = self.flat.data.device
        self.generator = torch.Generator(device=device).manual_seed(derived_seed(t.seed, "update"))
        self.velocity = torch.zeros_like(self.flat.data)
        self.other_velocity = [torch.zeros_like(p) for p in others]
        self.stats = UpdateStats(self.flat)
        self._scratch: tuple[Tensor, Tensor, np.ndarray, np.ndarray] | None = None
        maps = torch.Generator(device=device).manual_seed(derived_seed(t.seed, "devices"))
        d = t.device
        self.curves: dict[str, V21Curves] = {}
        layer_maps: list[DeviceMap] = []
        for name, shape in zip(self.flat.names, self.flat.shapes, strict=True):
            if self.compat:
                z = torch.randn(shape, generator=maps, device=device)
                self.curves[name] = v21_curves(d.nonlinearity_ltp, d.nonlinearity_ltd, d.d2d_sigma, d.max_level, z)
            else:
                layer_maps.append(draw_device_map(shape, d, maps, device))
        self.dmap = DeviceMap.concat(layer_maps, self.flat.sizes) if layer_maps else None
        self.v21 = V21Settings(
            cfg.chip.precision.weight_bits, t.grad_bits, d.max_level, d.c2c_sigma,
            t.momentum, 1.0 - t.dampening, t.learning_rate,
        )

    # ---- programming ---------------------------------------------------------------------------------------
    @torch.no_grad()
    def program_initial_(self) -> None:
        """Put every device on a reachable state: inside its bounds (and the clamp range under compat)."""
        w = self.flat.data
        if self.compat:
            lsb = 2.0 ** (1 - self.cfg.chip.precision.weight_bits)
            w.clamp_(-1.0 + lsb, 1.0 - lsb)
        else:
            m, dmap = self.cfg.train.device.max_level, self.dmap
            assert dmap is not None  # compat none: __init__ drew every device's map
            span = dmap.hi - dmap.lo
            u = ((w - dmap.lo) / span).clamp(0.0, 1.0)
            w.copy_(dmap.lo + torch.round(u * m) / m * span)
        self.flat.touched()

    def begin_epoch(self) -> None:
        self.stats = UpdateStats(self.flat)
        if self.compat:  # V2.1 resets its momentum every epoch
            self.velocity.zero_()

    def zero_grad(self) -> None:
        """Zero the chip layers' gradients (in place, in the flat buffer) and drop the other parameters'."""
        self.flat.zero_grad_()
        for p in self.others:
            p.grad = None

    def epoch_stats(self) -> dict[str, dict[str, float]]:
        """This epoch's update statistics per chip layer (see UpdateStats.per_layer)."""
        return dict(zip(self.flat.names, self.stats.per_layer(), strict=True))

    @torch.no_grad()
    def step(self, lr: float) -> None:
        """Turn the current gradients into pulses and apply them."""
        if self.compat:
            self._step_v21(lr)
        else:
            self._step_devices(lr)
        self.flat.touched()
        self._step_others(lr)

    def _velocity(self, v: Tensor, g: Tensor) -> Tensor:
        t = self.cfg.train
        if t.momentum == 0:
            return g
        return v.mul_(t.momentum).add_(g, alpha=1.0 - t.dampening)

    def _step_devices(self, lr: float) -> None:
        g = self.flat.grads()
        assert self.response is not None and self.dmap is not None  # compat none: both made in __init__
        if self.fused and kernels.fits(g) and kernels.fits(self.velocity):
            self._step_compiled(lr, g)
            return
        v = self._velocity(self.velocity, g)
        factors, per_step, second, limit = self._pulse_scalars(lr, self.flat.layer_peaks(v))
        steps = self.flat.scaled(v, factors)
        steps.add_(torch.rand(steps.shape, generator=self.generator, device=steps.device)).floor_()
        if per_step != 1.0:
            steps.mul_(per_step)
            if second:  # not whole pulses yet
                steps.add_(torch.rand(steps.shape, generator=self.generator, device=steps.device)).floor_()
        if limit:
            steps.clamp_(-limit, limit)
        idx, _, change = self.response.apply_(self.flat.data, steps, self.dmap, self.generator)
        self.stats.add(steps.abs_(), idx, change.neg_())

    def _pulse_scalars(self, lr: float, peaks: list[float]) -> tuple[list[float], float, bool, int]:
        """(factor per layer, pulses per QG step, whether a second rounding follows, the clamp: 0 for none).

        QG on each layer's normalised velocity v / 2^round(log2 peak): SR(-lr x 2^(b-1)) steps of 2^-(b-1), each
        worth max_level / 2^b pulses (negative gradient potentiates); powers of two keep the folded scalars exact.
        A layer at rest (peak 0) gets no pulse.
        """
        if not all(math.isfinite(p) for p in peaks):
            raise FloatingPointError(f"train: non-finite gradient in chip layers {self.flat.names}: peaks {peaks}")
        t, m = self.cfg.train, self.cfg.train.device.max_level
        grid = 2.0 ** (t.grad_bits - 1)
        factors = [-lr * grid / 2.0 ** round(math.log2(p)) if p > 0 else 0.0 for p in peaks]
        per_step = m / (2 * grid)
        limit = m if math.ceil(lr * grid * math.sqrt(2.0) * 1.0001) * per_step + 1 > m else 0  # |x| < sqrt(2)
        return factors, per_step, bool(m % (2 * grid)), limit

    def _step_compiled(self, lr: float, g: Tensor) -> None:
        """_step_devices in compiled passes (CPU float32): the same draws and values as its torch path."""
        v, peaks = self._velocity_peaks(g)
        factors, per_step, second, limit = self._pulse_scalars(lr, peaks)
        idx, n = self._pulses_compiled(v, factors, per_step, second, limit)
        assert self.response is not None and self.dmap is not None  # compat none: both made in __init__
        fields = self.response.compiled_fields(self.flat.data, self.dmap)
        if fields is not None and len(idx):
            flat_data = self.flat.data.numpy()
            change = torch.from_numpy(self.response.apply_compiled_(flat_data, idx, n, fields, self.generator)[1])
            self.stats.add(None, torch.from_numpy(idx), change.neg_())
            return
        at, _, change = self.response.apply_at_(
            self.flat.data, torch.from_numpy(idx), torch.from_numpy(n), self.dmap, self.generator
        )
        self.stats.add(None, at, change.neg_())

    def _velocity_peaks(self, g: Tensor) -> tuple[np.ndarray, list[float]]:
        """The new velocity (as `_velocity`) and each layer's max |v|; with momentum and no dampening in one pass
        (v m + g in float32, the values of torch's v.mul_(m).add_(g): g's factor 1 is exact)."""
        t, out = self.cfg.train, np.empty(len(self.flat.sizes), dtype=np.int32)
        if t.momentum != 0 and t.dampening == 0:
            v = self.velocity.numpy()
            kernels.momentum_peaks(v, g.numpy(), np.float32(t.momentum), self.ends, out)
        else:
            v = self._velocity(self.velocity, g).numpy()
            kernels.segment_peaks(v.view(np.int32), self.ends, out)
        return v, out.view(np.float32).tolist()

    def _pulses_compiled(
        self, v: np.ndarray, factors: list[float], per_step: float, second: bool, limit: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The signed pulses of the devices that get any, (flat indices, counts), and their statistics, in one pass."""
        u_t, u2_t, idx, n = self._work_buffers(len(v))
        u = torch.rand(v.shape, generator=self.generator, out=u_t).numpy()
        u2 = torch.rand(v.shape, generator=self.generator, out=u2_t).numpy() if per_step != 1.0 and second else u[:0]
        pulses_sum, pulses_max, written = self.stats.arrays()
        count = kernels.pulse_counts(
            v, self.ends, np.array(factors, dtype=np.float32), u, u2, np.float32(per_step), np.float32(limit),
            pulses_sum, pulses_max, written, idx, n,
        )  # fmt: skip
        return idx[:count].copy(), n[:count]  # (the indices outlive the step, in the statistics)

    def _work_buffers(self, size: int) -> tuple[Tensor, Tensor, np.ndarray, np.ndarray]:
        """The compiled step's work buffers (uniform draws twice, pulse indices and counts), made once and reused:
        a large network's step would otherwise map and fill them afresh every time."""
        if self._scratch is None or len(self._scratch[2]) != size:
            f32 = torch.float32
            made = (torch.empty(size, dtype=f32), torch.empty(size, dtype=f32), np.empty(size, np.int64))
            self._scratch = (*made, np.empty(size, np.float32))
        return self._scratch

    def _step_v21(self, lr: float) -> None:
        s = V21Settings(**{**self.v21.__dict__, "grad_scale": lr})
        weights, velocity = self.flat.views(self.flat.data), self.flat.views(self.velocity)
        applied: dict[str, Tensor | None] = {}
        for name in self.flat.names:
            w, g = weights[name], self.weights[name].grad
            try:
                x = v21_momentum_(velocity[name], torch.zeros_like(w) if g is None else g, s)
            except ValueError:  # V2.1 asserts and ends training silently; here the layer skips this update
                applied[name] = None
                continue
            u = torch.rand(w.shape, generator=self.generator, device=w.device)
            applied[name] = v21_round(v21_delta(w, x, self.curves[name], s), u, s)
        for name in self.flat.names:
            w, delta = weights[name], applied[name]
            if delta is None:
                continue
            z = torch.randn(w.shape, generator=self.generator, device=w.device)
            new = v21_write(w, delta, z, s)
            if not torch.isfinite(new).all():
                raise FloatingPointError(f"compat neurosim_v21: layer {name!r} weights became NaN, as V2.1's would")
            w.copy_(new)
        delta = self.flat.gather(applied)
        self.stats.add(delta.abs() * (s.max_level / 2), None, delta)

    def _step_others(self, lr: float) -> None:
        for p, v in zip(self.others, self.other_velocity, strict=True):
            if p.grad is not None:
                p.sub_(lr * normalised(self._velocity(v, p.grad)))

    # ---- checkpoint ----------------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {
            "generator": self.generator.get_state(),
            "velocity": {n: v.clone() for n, v in self.flat.views(self.velocity).items()},
            "other_velocity": list(self.other_velocity),
        }

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        mine = self.flat.views(self.velocity)
        for n, v in state["velocity"].items():
            mine[n].copy_(v)
        for own, saved in zip(self.other_velocity, state["other_velocity"], strict=True):
            own.copy_(saved)


class FloatSGD(AnalogSGD):
    """The float baseline: the same normalised momentum update in float (weights kept in [-1, 1]), no device."""

    def __init__(self, weights: dict[str, nn.Parameter], others: list[nn.Parameter], cfg: RunConfig) -> None:
        self.weights, self.others, self.cfg = weights, others, cfg
        self.compat, self.response, self.dmap = False, None, None
        self.flat = FlatLayers(weights, list(reversed(list(weights))))
        device = self.flat.data.device
        self.generator = torch.Generator(device=device).manual_seed(derived_seed(cfg.train.seed, "update"))
        self.velocity = torch.zeros_like(self.flat.data)
        self.other_velocity = [torch.zeros_like(p) for p in others]
        self.stats = UpdateStats(self.flat)

    def program_initial_(self) -> None:
        return None

    def _step_devices(self, lr: float) -> None:
        v = self._velocity(self.velocity, self.flat.grads())
        shifts = [2.0 ** -round(math.log2(p)) if p > 0 else 1.0 for p in self.flat.layer_peaks(v)]
        delta = lr * self.flat.scaled(v, shifts)
        self.stats.add(None, None, delta)
        self.flat.data.sub_(delta).clamp_(-1.0, 1.0)  # the weight range the WAGE scales assume


def finite_or_raise(value: float, where: str) -> float:
    if not math.isfinite(value):
        raise FloatingPointError(f"train: non-finite loss {value} at {where}")
    return value
