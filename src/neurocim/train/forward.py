"""The training model: every convertible conv/FC of any PyTorch model becomes a device-backed layer."""

# Two forward paths: `wage` (V2.1's training forward: the product with Q(C(W)), divided by the fan-in scale,
# activations Q(C(.)) and errors QE on the way back; the last layer's output is not rounded) and `hardware`
# (neurocim's CIM layers in hardware mode: bit-serial inputs, sliced weights, ADC, read non-idealities).

from __future__ import annotations

import copy
import math
import weakref
from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional

from neurocim.config.io import ConfigError
from neurocim.config.run import RunConfig
from neurocim.config.train import ForwardPath
from neurocim.nn.base import CIMLayer, LayerMode
from neurocim.nn.convert import convert_, convertible, matches_any, set_submodule
from neurocim.quant.wage import wage_init_scale
from neurocim.train import kernels
from neurocim.train.flat import FlatLayers


class _QuantizedWeight(torch.autograd.Function):
    """Q(C(w, b), b) forward, the gradient straight through to w (the same values as wage_weight, fewer passes)."""

    @staticmethod
    def forward(ctx, w: Tensor, bits: int) -> Tensor:  # type: ignore[override]
        lsb, s = 2.0 ** (1 - bits), 2.0 ** (bits - 1)
        return w.clamp(-1.0 + lsb, 1.0 - lsb).mul_(s).round_().div_(s)

    @staticmethod
    def backward(ctx, grad: Tensor):  # type: ignore[override]
        return grad, None


class _WageOutput(torch.autograd.Function):
    """y / scale, then Q(C(., a), a) (a None: not rounded); backward QE(grad, e), the clip's mask, then / scale.

    One fused node; the scale (a power of two) is folded into the clamp bounds and the rounding factors, so the
    values are exactly those of `wage_activation(y / scale, a, e)` with fewer passes over the activations (one
    compiled pass each way on contiguous CPU float32 tensors, the same values as the torch ops).
    """

    @staticmethod
    def forward(ctx, y: Tensor, scale: float, act_bits: int | None, error_bits: int) -> Tensor:  # type: ignore[override]
        ctx.scale, ctx.error_bits = scale, error_bits
        if act_bits is None:
            ctx.save_for_backward(None)
            return y / scale
        out, inside = (wage_output_compiled if kernels.fits(y) else wage_output_torch)(y, scale, act_bits)
        ctx.save_for_backward(inside)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):  # type: ignore[override]
        (inside,) = ctx.saved_tensors
        quantize = error_quantize_compiled if kernels.fits(grad) else error_quantize_torch
        return quantize(grad, ctx.scale, ctx.error_bits, inside), None, None, None


def wage_output_torch(y: Tensor, scale: float, act_bits: int) -> tuple[Tensor, Tensor]:
    """(Q(C(y / scale, a), a), the clip's mask as floats: 1 inside, else 0, NaN: 0), in torch operations."""
    top, s = (1.0 - 2.0 ** (1 - act_bits)) * scale, 2.0 ** (act_bits - 1)
    clipped = y.clamp(-top, top)
    # a float mask: the backward multiplies by it (a bool mask costs a cast)
    inside = torch.eq(clipped, y, out=torch.empty_like(y))
    return clipped.mul_(s / scale).round_().mul_(1.0 / s), inside  # powers of two: the product is the quotient


def wage_output_compiled(y: Tensor, scale: float, act_bits: int) -> tuple[Tensor, Tensor]:
    """wage_output_torch in one compiled pass (CPU float32, contiguous)."""
    top, s = (1.0 - 2.0 ** (1 - act_bits)) * scale, 2.0 ** (act_bits - 1)
    y_np = y.detach().numpy()
    out, inside = np.empty_like(y_np), np.empty_like(y_np)
    kernels.wage_output(y_np, out, inside, top, s / scale, 1.0 / s)
    return torch.from_numpy(out), torch.from_numpy(inside)


def _error_shift(peak: float) -> float:
    """2^round(log2 max|g|) (NaN or 0: 1)."""
    return 2.0 ** round(math.log2(peak)) if peak > 0 else 1.0


def error_quantize_torch(grad: Tensor, scale: float, error_bits: int, inside: Tensor | None) -> Tensor:
    """QE(grad, e) / scale, times the clip's mask when given, in torch operations."""
    low, high = torch.aminmax(grad)
    shift, s = _error_shift(max(-float(low), float(high))), 2.0 ** (error_bits - 1)  # max |g| in one pass
    # QE: round(C(g / shift) * s) / s, with the (power-of-two) factors folded: the same values in fewer passes
    g = torch.mul(grad, s / shift).clamp_(1.0 - s, s - 1.0).round_().mul_(1.0 / (s * scale))
    return g if inside is None else g.mul_(inside)


def error_quantize_compiled(grad: Tensor, scale: float, error_bits: int, inside: Tensor | None) -> Tensor:
    """error_quantize_torch in one compiled call: max |g|, the shift, the quantization (CPU float32, contiguous)."""
    g, s = grad.numpy(), 2.0 ** (error_bits - 1)
    out = np.empty_like(g)
    mask = inside.numpy() if inside is not None else g.reshape(-1)[:0]
    peak = kernels.error_quantize(g, out, s, 1.0 / (s * scale), mask)
    if math.isinf(peak):
        _error_shift(float(peak))  # refused as the torch path refuses it: round(log2 inf) overflows
    return torch.from_numpy(out)


class QuantizedWeights:
    """Q(C(w), b) of every WAGE layer, one pass over the flat device buffer whenever the weights have changed.

    Each layer computes with its leaf (a view of `values` whose gradient is the layer's Parameter's gradient
    view): the straight-through gradient of the weight quantizer without a per-layer autograd node.
    """

    def __init__(self, flat: FlatLayers, bits: int) -> None:
        self.flat, self.bits = flat, bits
        self.values = torch.empty_like(flat.data)
        self.leaves = {n: v.detach().requires_grad_() for n, v in flat.views(self.values).items()}
        for name, leaf in self.leaves.items():
            leaf.grad = flat.grad_views[name]
        self.seen: dict[str, int] = {}  # each weight's version when `values` were last computed

    def leaf(self, name: str, weight: Tensor) -> Tensor | None:
        """The quantized weights of layer `name`, or None when `weight` is not the one this buffer holds.

        `values` are recomputed (all layers at once) when this layer's weight has changed since they last were: a
        layer's check of its own weight's version suffices, as every layer checks before it computes."""
        if self.flat.weights.get(name) is not weight:
            return None
        if self.seen.get(name) != weight._version:
            lsb, s = 2.0 ** (1 - self.bits), 2.0 ** (self.bits - 1)
            if kernels.fits(self.flat.data):  # one compiled pass, the same values
                f32 = np.float32
                kernels.weight_quantize(self.flat.data.numpy(), self.values.numpy(), f32(1.0 - lsb), f32(s))
            else:
                torch.clamp(self.flat.data, -1.0 + lsb, 1.0 - lsb, out=self.values).mul_(s).round_().div_(s)
            self.seen = dict(zip(self.flat.names, self.flat.versions(), strict=True))
        return self.leaves[name]


class WageTrainLayer(nn.Module):
    """A conv/FC computing with Q(C(W), b_W) / scale, then WAGE activation and error quantization."""

    def __init__(
        self,
        inner: nn.Conv2d | nn.Linear,
        weight_bits: int,
        act_bits: int | None,
        error_bits: int,
        quantize: bool = True,
    ) -> None:
        super().__init__()
        self.inner = inner
        self.weight_bits, self.act_bits, self.error_bits = weight_bits, act_bits, error_bits
        self.quantize = quantize  # False: the same layer in float (the float baseline)
        self.scale = wage_init_scale(inner.weight[0].numel(), weight_bits)
        self.conv = isinstance(inner, nn.Conv2d)
        self.name = ""  # the layer's name in the model, for the shared quantized weights
        self.shared: Callable[[], QuantizedWeights | None] = lambda: None  # a weak reference: copies fall back

    def share(self, name: str, weights: QuantizedWeights) -> None:
        """Compute with `weights`' leaf for `name` (refreshed once per weight update for all layers)."""
        self.name, self.shared = name, weakref.ref(weights)

    @property
    def weight(self) -> nn.Parameter:
        return cast(nn.Parameter, self.inner.weight)  # torch annotates a layer's registered weight as Tensor

    def forward(self, x: Tensor) -> Tensor:
        inner = self.inner
        w = inner.weight
        shared = self.shared() if self.quantize else None
        wq = shared.leaf(self.name, w) if shared is not None else None
        if wq is None:
            wq = _QuantizedWeight.apply(w, self.weight_bits) if self.quantize else w
        if self.conv:
            c = cast(nn.Conv2d, inner)  # self.conv: the wrapped layer is a Conv2d
            y = functional.conv2d(x, wq, c.bias, c.stride, c.padding, c.dilation, c.groups)
        else:
            y = functional.linear(x, wq, inner.bias)
        if not self.quantize:
            return y / self.scale
        return _WageOutput.apply(y, self.scale, self.act_bits, self.error_bits)


def trainable_layers(model: nn.Module, exclude: Sequence[str] = ()) -> list[tuple[str, nn.Conv2d | nn.Linear]]:
    """The conv/FC modules that go on the chip, in module order; refuses a model with none."""
    named = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    targets = [(n, m) for n, m in named if n and convertible(m) and not matches_any(n, exclude)]
    if not targets:
        raise ConfigError(
            f"train: {type(model).__name__} has no convertible layer (nn.Conv2d with groups=1 and zero padding, or "
            f"nn.Linear; excluded: {list(exclude)}); on-chip training needs at least one"
        )
    return targets


def build_training_model(
    model: nn.Module, cfg: RunConfig, float_mode: bool = False
) -> tuple[nn.Module, dict[str, nn.Parameter]]:
    """A copy of `model` with its chip layers in the configured forward path (`float_mode`: the wage path without
    any quantization), and their weights by layer name."""
    model = copy.deepcopy(model)
    targets = trainable_layers(model, cfg.model.exclude)
    t, p = cfg.train, cfg.chip.precision
    if t.forward is ForwardPath.HARDWARE and not float_mode:
        names = {n for n, _ in targets}
        others = [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d | nn.Linear) and n and n not in names]
        convert_(model, cfg.chip, cfg.accuracy, exclude=others, mode=LayerMode.HARDWARE)
        layers = {n: m for n, m in model.named_modules() if isinstance(m, CIMLayer)}
        return model, {n: cast(nn.Parameter, layers[n].weight) for n, _ in targets}  # registered Parameters
    last = targets[-1][0]
    for name, module in targets:
        act = None if name == last else p.input_bits
        set_submodule(model, name, WageTrainLayer(module, p.weight_bits, act, t.error_bits, quantize=not float_mode))
    return model, {n: cast(nn.Parameter, m.weight) for n, m in targets}  # registered Parameters


def share_quantized_weights(model: nn.Module, flat: FlatLayers, bits: int) -> QuantizedWeights | None:
    """Let the model's quantizing WAGE layers compute with one shared buffer of quantized weights (returned: the
    caller keeps it alive; the layers hold weak references), or None when no layer quantizes."""
    layers = {n: m for n, m in model.named_modules() if isinstance(m, WageTrainLayer) and m.quantize}
    if not layers:
        return None
    shared = QuantizedWeights(flat, bits)
    for name, layer in layers.items():
        layer.share(name, shared)
    return shared


def plain_model(model: nn.Module) -> nn.Module:
    """The float model back from a training model built with the wage path (CIM layers are left as they are)."""
    model = copy.deepcopy(model)
    for name, module in list(model.named_modules()):
        if isinstance(module, WageTrainLayer):
            set_submodule(model, name, module.inner)
    return model
