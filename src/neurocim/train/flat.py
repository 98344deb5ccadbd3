"""All chip layers' weights and gradients in flat buffers (each layer a view), for one update per step."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.autograd.graph import increment_version


class FlatLayers:
    """The chip layers' weights laid end to end in `data`, in the optimizer's layer order.

    On construction every Parameter becomes a view of `data` (zero_grad_ makes its `.grad` a view of `grad`), so
    that one vectorised update of `data` updates every layer; per-layer scalars (peaks, factors) take one call each.
    """

    def __init__(self, weights: dict[str, nn.Parameter], order: list[str]) -> None:
        self.weights = weights
        self.names = list(order)
        self.params = [weights[n] for n in self.names]
        self.sizes = [weights[n].numel() for n in self.names]
        self.shapes = [weights[n].shape for n in self.names]
        self.offsets = [sum(self.sizes[:i]) for i in range(len(self.sizes))]
        self.data = torch.cat([weights[n].detach().reshape(-1) for n in self.names])
        self.grad = torch.zeros_like(self.data)
        self.grad_views = self.views(self.grad)
        for name, view in self.views(self.data).items():
            weights[name].data = view

    def touched(self) -> None:
        """After `data` changed in place: the Parameters' version counters follow (caches keyed on them see it)."""
        increment_version(self.params)

    def versions(self) -> tuple[int, ...]:
        """The Parameters' version counters (they change whenever a weight does)."""
        return tuple(p._version for p in self.params)

    def zero_grad_(self) -> None:
        """Zero the gradients, each Parameter's `.grad` a view of `grad` (backward accumulates in place there)."""
        self.grad.zero_()
        for name in self.names:
            if self.weights[name].grad is not self.grad_views[name]:
                self.weights[name].grad = self.grad_views[name]

    def grads(self) -> Tensor:
        """The current gradients, flat (`grad` itself unless a Parameter's `.grad` was replaced; None: zeros)."""
        current = {n: self.weights[n].grad for n in self.names}
        if all(g is self.grad_views[n] for n, g in current.items()):
            return self.grad
        return self.gather(current)

    def views(self, flat: Tensor) -> dict[str, Tensor]:
        """Per-layer views (the layers' shapes) of a flat tensor laid out like `data`."""
        return {
            n: flat[o : o + s].view(shape)
            for n, o, s, shape in zip(self.names, self.offsets, self.sizes, self.shapes, strict=True)
        }

    def gather(self, tensors: dict[str, Tensor | None]) -> Tensor:
        """One flat tensor from per-layer tensors (None: zeros)."""
        parts = zip((tensors[n] for n in self.names), self.sizes, strict=True)
        return torch.cat([self.data.new_zeros(s) if t is None else t.reshape(-1) for t, s in parts])

    def layer_peaks(self, flat: Tensor) -> list[float]:
        """max |x| of each layer's segment of `flat` (one synchronisation for all layers)."""
        return torch.stack([part.max() for part in flat.abs().split(self.sizes)]).tolist()

    def scaled(self, flat: Tensor, per_layer: list[float]) -> Tensor:
        """`flat` times one factor per layer (a new tensor)."""
        out = torch.empty_like(flat)
        for part, into, factor in zip(flat.split(self.sizes), out.split(self.sizes), per_layer, strict=True):
            torch.mul(part, factor, out=into)
        return out

    def layer_ids(self) -> Tensor:
        """The layer (position in `names`) of every element (built on demand: 8 bytes per weight)."""
        lengths = torch.tensor(self.sizes, device=self.data.device)
        return torch.arange(len(self.sizes), device=self.data.device).repeat_interleave(lengths)
