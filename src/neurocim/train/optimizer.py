"""The device-update optimizer: desired updates -> pulses per device -> new device states, with per-step statistics.

Default rule (compat none), per chip layer: v <- momentum * v + (1 - dampening) * g (v = g without momentum);
x = v / 2^round(log2 max|v|) (WAGE's scale-free normalisation); the desired change lr * x is quantized to
grad_bits (QG, stochastic rounding) and becomes n = SR(change * max_level / 2) whole pulses (|n| <= max_level),
which the device model applies (its own curve, d2d map, c2c noise per pulse, bounds). Under compat neurosim_v21
the update is V2.1's, bit for bit (devices/update/neurosim_v21.py). Parameters off the chip (biases, norms)
take the same normalised step in float.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

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


def stochastic_round(x: Tensor, generator: torch.Generator) -> Tensor:
    return torch.floor(x + torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype))


@dataclass
class StepStats:
    """One update of one layer: pulses applied per device (|n|), summed and maximal, and devices written."""

    pulses_sum: float = 0.0
    pulses_max: float = 0.0
    written: float = 0.0
    devices: int = 0
    updates: int = 0

    def add(self, pulses: Tensor, devices: int, written: int | None = None) -> None:
        """One update: pulse counts of the written devices (`written` of them; None: count the non-zero ones)."""
        a = pulses.abs()
        self.pulses_sum += float(a.sum())
        self.pulses_max = max(self.pulses_max, float(a.max()) if a.numel() else 0.0)
        self.written += float(torch.count_nonzero(a)) if written is None else written
        self.devices += devices
        self.updates += 1


@dataclass
class LayerState:
    """What the optimizer keeps per chip layer."""

    velocity: Tensor
    dmap: DeviceMap | None = None
    curves: V21Curves | None = None
    update_moments: tuple[float, float] = (0.0, 0.0)  # mean and std of the last update over the whole layer
    stats: StepStats = field(default_factory=StepStats)

    def record_update(self, change: Tensor, devices: int) -> None:
        """Moments of an update given its non-zero entries `change` (weight units) in a layer of `devices`."""
        total = float(change.sum())
        squares = float(torch.linalg.vector_norm(change, dtype=torch.float64)) ** 2
        mean = total / devices
        var = (squares - devices * mean**2) / max(devices - 1, 1)
        self.update_moments = (mean, max(var, 0.0) ** 0.5)


class AnalogSGD:
    """SGD with momentum whose updates are programming pulses on simulated devices."""

    def __init__(self, weights: dict[str, nn.Parameter], others: list[nn.Parameter], cfg: RunConfig) -> None:
        self.weights, self.others, self.cfg = weights, others, cfg
        t = cfg.train
        self.compat = cfg.accuracy.compat is CompatMode.NEUROSIM_V21
        self.response = None if self.compat else PulseResponse(t.device)
        device = next(iter(weights.values())).device
        self.generator = torch.Generator(device=device).manual_seed(derived_seed(t.seed, "update"))
        self.layers: dict[str, LayerState] = {}
        self.other_velocity = [torch.zeros_like(p) for p in others]
        maps = torch.Generator(device=device).manual_seed(derived_seed(t.seed, "devices"))
        for name in reversed(list(weights)):  # V2.1's order: parameters in reverse
            w = weights[name]
            state = LayerState(torch.zeros_like(w))
            if self.compat:
                z = torch.randn(w.shape, generator=maps, device=device)
                d = t.device
                state.curves = v21_curves(d.nonlinearity_ltp, d.nonlinearity_ltd, d.d2d_sigma, d.max_level, z)
            else:
                state.dmap = draw_device_map(w.shape, t.device, maps, device)
            self.layers[name] = state
        self.v21 = V21Settings(
            cfg.chip.precision.weight_bits, t.grad_bits, t.device.max_level, t.device.c2c_sigma,
            t.momentum, 1.0 - t.dampening, t.learning_rate,
        )

    # ---- programming ---------------------------------------------------------------------------------------
    @torch.no_grad()
    def program_initial_(self) -> None:
        """Put every device on a reachable state: inside its bounds (and the clamp range under compat)."""
        bits = self.cfg.chip.precision.weight_bits
        for name, state in self.layers.items():
            w = self.weights[name]
            if self.compat:
                lsb = 2.0 ** (1 - bits)
                w.clamp_(-1.0 + lsb, 1.0 - lsb)
            else:
                m = self.cfg.train.device.max_level
                dmap = state.dmap
                assert dmap is not None  # compat none: __init__ drew every layer's device map
                span = dmap.hi - dmap.lo
                u = ((w - dmap.lo) / span).clamp(0.0, 1.0)
                w.copy_(dmap.lo + torch.round(u * m) / m * span)

    def begin_epoch(self) -> None:
        for state in self.layers.values():
            state.stats = StepStats()
            if self.compat:  # V2.1 resets its momentum every epoch
                state.velocity.zero_()

    @torch.no_grad()
    def step(self, lr: float) -> None:
        """Turn the current gradients into pulses and apply them."""
        if self.compat:
            self._step_v21(lr)
        else:
            for name, state in self.layers.items():
                self._step_layer(self.weights[name], state, lr)
        self._step_others(lr)

    def _velocity(self, v: Tensor, g: Tensor) -> Tensor:
        t = self.cfg.train
        if t.momentum == 0:
            return g
        return v.mul_(t.momentum).add_(g, alpha=1.0 - t.dampening)

    def _step_layer(self, w: nn.Parameter, state: LayerState, lr: float) -> None:
        t, m = self.cfg.train, self.cfg.train.device.max_level
        g = w.grad if w.grad is not None else torch.zeros_like(w)
        v = self._velocity(state.velocity, g)
        peak = float(torch.linalg.vector_norm(v, ord=float("inf")))
        if not peak > 0:
            state.record_update(v.new_zeros(0), w.numel())
            state.stats.add(v.new_zeros(0), w.numel())
            return
        # QG on the normalised velocity v / 2^round(log2 peak): SR(-lr x 2^(b-1)) steps of 2^-(b-1), each worth
        # max_level / 2^b pulses (negative gradient potentiates); powers of two keep the folded scalars exact
        grid = 2.0 ** (t.grad_bits - 1)
        steps = torch.mul(v, -lr * grid / 2.0 ** round(math.log2(peak)))
        steps.add_(torch.rand(steps.shape, generator=self.generator, device=steps.device)).floor_()
        per_step = m / (2 * grid)
        if per_step != 1.0:
            steps.mul_(per_step)
            if m % (2 * grid):  # not whole pulses yet
                steps.add_(torch.rand(steps.shape, generator=self.generator, device=steps.device)).floor_()
        if math.ceil(lr * grid * math.sqrt(2.0) * 1.0001) * per_step + 1 > m:  # |x| < sqrt(2) after normalising
            steps.clamp_(-m, m)
        assert self.response is not None and state.dmap is not None  # compat none: both made in __init__
        _, count, change = self.response.apply_(w, steps, state.dmap, self.generator)
        state.record_update(change.neg_(), w.numel())
        state.stats.add(count, w.numel(), written=count.numel())

    def _step_v21(self, lr: float) -> None:
        s = V21Settings(**{**self.v21.__dict__, "grad_scale": lr})
        applied: dict[str, Tensor | None] = {}
        for name, state in self.layers.items():
            w = self.weights[name]
            g = w.grad if w.grad is not None else torch.zeros_like(w)
            try:
                x = v21_momentum_(state.velocity, g, s)
            except ValueError:  # V2.1 asserts and ends training silently; here the layer skips this update
                applied[name] = None
                continue
            u = torch.rand(w.shape, generator=self.generator, device=w.device)
            assert state.curves is not None  # compat neurosim_v21: __init__ drew every layer's curves
            applied[name] = v21_round(v21_delta(w.detach(), x, state.curves, s), u, s)
        for name, state in self.layers.items():
            w, delta = self.weights[name], applied[name]
            if delta is None:
                nothing = torch.zeros(0, device=w.device)
                state.record_update(nothing, w.numel())
                state.stats.add(nothing, w.numel())
                continue
            z = torch.randn(w.shape, generator=self.generator, device=w.device)
            new = v21_write(w.detach(), delta, z, s)
            if not torch.isfinite(new).all():
                raise FloatingPointError(f"compat neurosim_v21: layer {name!r} weights became NaN, as V2.1's would")
            state.record_update(delta, w.numel())
            state.stats.add(delta * (s.max_level / 2), w.numel())
            w.copy_(new)

    def _step_others(self, lr: float) -> None:
        for p, v in zip(self.others, self.other_velocity, strict=True):
            if p.grad is not None:
                p.sub_(lr * normalised(self._velocity(v, p.grad)))

    # ---- checkpoint ----------------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {
            "generator": self.generator.get_state(),
            "velocity": {n: s.velocity for n, s in self.layers.items()},
            "other_velocity": list(self.other_velocity),
        }

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        for n, v in state["velocity"].items():
            self.layers[n].velocity.copy_(v)
        for mine, saved in zip(self.other_velocity, state["other_velocity"], strict=True):
            mine.copy_(saved)


class FloatSGD(AnalogSGD):
    """The float baseline: the same normalised momentum update in float (weights kept in [-1, 1]), no device."""

    def __init__(self, weights: dict[str, nn.Parameter], others: list[nn.Parameter], cfg: RunConfig) -> None:
        self.weights, self.others, self.cfg = weights, others, cfg
        self.compat, self.response = False, None
        device = next(iter(weights.values())).device
        self.generator = torch.Generator(device=device).manual_seed(derived_seed(cfg.train.seed, "update"))
        self.layers = {n: LayerState(torch.zeros_like(w)) for n, w in reversed(list(weights.items()))}
        self.other_velocity = [torch.zeros_like(p) for p in others]

    def program_initial_(self) -> None:
        return None

    def _step_layer(self, w: nn.Parameter, state: LayerState, lr: float) -> None:
        g = w.grad if w.grad is not None else torch.zeros_like(w)
        delta = lr * normalised(self._velocity(state.velocity, g))
        state.record_update(delta, w.numel())
        state.stats.add(torch.zeros(0, device=w.device), w.numel())
        w.sub_(delta).clamp_(-1.0, 1.0)  # the weight range the WAGE scales assume


def finite_or_raise(value: float, where: str) -> float:
    if not math.isfinite(value):
        raise FloatingPointError(f"train: non-finite loss {value} at {where}")
    return value
