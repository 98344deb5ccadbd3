"""WAGE output scaling of NeuroSim's 8-bit models as a module: y / scale, then clip and round to b bits."""

from __future__ import annotations

import math

import torch
from torch import nn

from neurocim.quant.wage import wage_activation, wage_init_scale

__all__ = ["WageOutput", "wage_after"]


class WageOutput(nn.Module):
    """Divides a layer output by its WAGE scale, then (if ``bits``) clips and rounds it to the WAGE grid.

    This is what NeuroSim's QConv2d/QLinear do after the product: ``Q(C(y / scale, b), b)``
    (:func:`neurocim.quant.wage.wage_activation`). Placed after a plain conv/FC it makes a float model
    compute like NeuroSim's software model. It holds no parameters or buffers (nothing in a state dict).
    Do not keep it in a model converted with the WAGE scheme: the CIM layers apply the same scaling.
    """

    def __init__(self, scale: float, bits: int | None = 8) -> None:
        super().__init__()
        if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
            raise ValueError(f"WageOutput: scale must be a positive finite number, got {scale!r}")
        if bits is not None and (isinstance(bits, bool) or not isinstance(bits, int) or bits < 1):
            raise ValueError(f"WageOutput: bits must be None or a positive integer, got {bits!r}")
        self.scale = float(scale)
        self.bits = bits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x / self.scale
        return y if self.bits is None else wage_activation(y, self.bits)

    def extra_repr(self) -> str:
        return f"scale={self.scale:g}, bits={self.bits}"


def wage_after(layer: nn.Conv2d | nn.Linear, act_bits: int | None, weight_bits: int = 8) -> WageOutput:
    """The WageOutput that follows ``layer`` in NeuroSim's WAGE model (scale from the layer's fan-in)."""
    return WageOutput(wage_init_scale(int(layer.weight[0].numel()), weight_bits), act_bits)
