"""WAGE output scaling of NeuroSim's 8-bit models as a module: y / scale, then clip and round to b bits."""

from __future__ import annotations

import math

import torch
from torch import nn

from neurocim.quant.wage import wage_activation, wage_init_scale

__all__ = ["WageOutput", "wage_after"]


def _check_optional_bits(value: object, name: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"WageOutput: {name} must be None or a positive integer, got {value!r}")


class WageOutput(nn.Module):
    """Divides a layer output by its WAGE scale, then (if ``bits``) clips and rounds it to the WAGE grid.

    This is what NeuroSim's QConv2d/QLinear do after the product: ``Q(C(y / scale, b), b)``
    (:func:`neurocim.quant.wage.wage_activation`). Placed after a plain conv/FC it makes a float model
    compute like NeuroSim's software model. It holds no parameters or buffers (nothing in a state dict).
    Do not keep it in a model converted with the WAGE scheme: the CIM layers apply the same scaling.
    ``error_bits`` (None: plain backward) replaces the backward gradient by QE(grad, error_bits), as in WAGE training.
    """

    def __init__(self, scale: float, bits: int | None = 8, *, error_bits: int | None = None) -> None:
        super().__init__()
        if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
            raise ValueError(f"WageOutput: scale must be a positive finite number, got {scale!r}")
        _check_optional_bits(bits, "bits")
        _check_optional_bits(error_bits, "error_bits")
        self.scale = float(scale)
        self.bits = bits
        self.error_bits = error_bits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x / self.scale
        return y if self.bits is None else wage_activation(y, self.bits, self.error_bits)

    def extra_repr(self) -> str:
        errors = "" if self.error_bits is None else f", error_bits={self.error_bits}"
        return f"scale={self.scale:g}, bits={self.bits}{errors}"


def wage_after(layer: nn.Conv2d | nn.Linear, act_bits: int | None, weight_bits: int = 8) -> WageOutput:
    """The WageOutput that follows ``layer`` in NeuroSim's WAGE model (scale from the layer's fan-in)."""
    return WageOutput(wage_init_scale(int(layer.weight[0].numel()), weight_bits), act_bits)
