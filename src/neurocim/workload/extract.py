"""Layer tables from PyTorch models: shapes, pooling and residual/dense merges from one recorded forward pass."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeGuard

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from neurocim.workload.network import Layer, WorkloadError

NETWORK_INPUT = "input"  # name of the network's input in LayerLinks.inputs

_ADD_OPS = {"add", "add_", "__add__", "__iadd__", "__radd__"}
_CAT_OPS = {"cat", "concat", "concatenate"}


@dataclass(frozen=True)
class LayerLinks:
    """Where a layer's input comes from: the layers (or the network input) feeding it, and how they merge."""

    inputs: tuple[str, ...]  # producer layer names, NETWORK_INPUT for the network's input
    merge: str = ""  # "add" (residual), "concat" (dense), "add+concat", or "" for a plain chain


@dataclass(frozen=True)
class ExtractedNetwork:
    """The layer table of a model (conv and linear layers in execution order) and how the layers connect."""

    layers: tuple[Layer, ...]
    links: dict[str, LayerLinks]  # by layer name

    def names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def select(self, names: Iterable[str]) -> list[Layer]:
        """The layers whose name is in `names`, in execution order."""
        wanted = set(names)
        return [layer for layer in self.layers if layer.name in wanted]


@dataclass
class _Origin:
    """What a tensor was computed from: the layers whose outputs reach it, merges on the way, the input."""

    layers: frozenset[str] = frozenset()
    merges: frozenset[str] = frozenset()
    from_input: bool = False

    def __or__(self, other: _Origin) -> _Origin:
        return _Origin(self.layers | other.layers, self.merges | other.merges, self.from_input or other.from_input)


@dataclass
class _Recorder(TorchFunctionMode):
    """Follows one forward pass: every torch op passes its inputs' origin on to its outputs."""

    origins: dict[int, _Origin] = field(default_factory=dict)
    alive: list[torch.Tensor] = field(default_factory=list)  # keeps ids unique while the pass runs
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # layer -> input shape of its first call
    modules: dict[str, nn.Conv2d | nn.Linear] = field(default_factory=dict)
    links: dict[str, LayerLinks] = field(default_factory=dict)
    pooled: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        super().__init__()

    def origin(self, value) -> _Origin:
        if isinstance(value, torch.Tensor):
            return self.origins.get(id(value), _Origin())
        if isinstance(value, list | tuple):
            out = _Origin()
            for item in value:
                out = out | self.origin(item)
            return out
        return _Origin()

    def tag(self, value, origin: _Origin) -> None:
        if isinstance(value, torch.Tensor):
            self.origins[id(value)] = origin
            self.alive.append(value)
        elif isinstance(value, list | tuple):
            for item in value:
                self.tag(item, origin)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        name = getattr(func, "__name__", "")
        origin = self.origin(list(args) + list(kwargs.values()))
        tensors = [a for a in (args[0] if name in _CAT_OPS and args else args) if isinstance(a, torch.Tensor)]
        if name in _ADD_OPS and len(tensors) >= 2:
            origin = _Origin(origin.layers, origin.merges | {"add"}, origin.from_input)
        elif name in _CAT_OPS and len(tensors) >= 2:
            origin = _Origin(origin.layers, origin.merges | {"concat"}, origin.from_input)
        elif name == "max_pool2d" and _is_2x2(args, kwargs) and not origin.merges:
            self.pooled.update(origin.layers)
        self.tag(out, origin)
        return out

    def before_layer(self, name: str, module: nn.Conv2d | nn.Linear, x: torch.Tensor) -> None:
        if name in self.shapes:
            return
        self.shapes[name], self.modules[name] = tuple(x.shape), module
        origin = self.origin(x)
        inputs = sorted(origin.layers) + ([NETWORK_INPUT] if origin.from_input else [])
        self.links[name] = LayerLinks(tuple(inputs), "+".join(sorted(origin.merges)))

    def after_layer(self, name: str, y) -> None:
        self.tag(y, _Origin(frozenset({name})))


def _is_2x2(args: tuple, kwargs: dict) -> bool:
    kernel = args[1] if len(args) > 1 else kwargs.get("kernel_size")
    stride = args[2] if len(args) > 2 else kwargs.get("stride")
    return _pair(kernel) == (2, 2) and _pair(stride or kernel) == (2, 2)


def _pair(value) -> tuple:
    return tuple(value) if isinstance(value, list | tuple) else (value, value)


def extract_network(model: nn.Module, example_input: torch.Tensor) -> ExtractedNetwork:
    """The NeuroSim layer table of every nn.Conv2d / nn.Linear `model` runs on `example_input` (one image is used).

    A conv layer's feature map is its unpadded input (NeuroSim's convention; padded only when the kernel is
    larger than the input); a linear layer is a 1x1 kernel on an N x 1 map, N = vectors per image (1 for a
    flat input). `pooled` marks a layer whose output reaches a 2x2 max-pool before any other layer or merge.
    The structure comes from the ops one forward pass runs, so any control flow is fine; a module called
    more than once is described by its first call.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"extract_network: model must be an nn.Module, got {type(model).__name__}")
    if not isinstance(example_input, torch.Tensor) or example_input.dim() < 2 or len(example_input) < 1:
        raise WorkloadError("extract_network: example_input must be a batched tensor (N, ...) with N >= 1")
    rec = _run_recorded(model, example_input[:1])
    if not rec.shapes:
        raise WorkloadError(f"extract_network: {type(model).__name__} ran no nn.Conv2d or nn.Linear layer")
    layers = tuple(_layer_of(n, rec.modules[n], rec.shapes[n], n in rec.pooled) for n in rec.shapes)
    return ExtractedNetwork(layers, dict(rec.links))


def _is_layer(module: nn.Module) -> TypeGuard[nn.Conv2d | nn.Linear]:
    return isinstance(module, nn.Conv2d | nn.Linear)


def _run_recorded(model: nn.Module, x: torch.Tensor) -> _Recorder:
    rec = _Recorder()
    handles = []
    for name, module in model.named_modules():
        if name and _is_layer(module):
            handles.append(module.register_forward_pre_hook(lambda m, a, n=name: rec.before_layer(n, m, a[0])))
            handles.append(module.register_forward_hook(lambda m, a, y, n=name: rec.after_layer(n, y)))
    was_training = model.training
    x = x.detach().clone()
    rec.tag(x, _Origin(from_input=True))
    try:
        model.eval()
        with torch.no_grad(), rec:
            model(x)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return rec


def _layer_of(name: str, m: nn.Conv2d | nn.Linear, input_shape: tuple[int, ...], pooled: bool) -> Layer:
    if isinstance(m, nn.Linear):
        vectors = math.prod(input_shape[1:-1])  # a flat (N, F) input: one vector per image
        return Layer(vectors, 1, m.in_features, 1, 1, m.out_features, pooled=pooled, stride=1, name=name)
    if m.groups != 1:
        raise WorkloadError(
            f"layer {name!r}: groups={m.groups}; the layer table describes dense convolutions only "
            "(groups=1); exclude the layer from the chip"
        )
    if m.stride[0] != m.stride[1]:
        raise WorkloadError(f"layer {name!r}: stride={tuple(m.stride)}; the layer table needs equal strides")
    h, w = input_shape[-2:]
    kh, kw = m.kernel_size
    if kh > h or kw > w:  # only padding makes such a layer possible: describe the padded map
        pads = m._reversed_padding_repeated_twice  # (left, right, top, bottom)
        h, w = h + int(pads[2] + pads[3]), w + int(pads[0] + pads[1])
    return Layer(h, w, m.in_channels, kh, kw, m.out_channels, pooled=pooled, stride=m.stride[0], name=name)
