"""VGG-8 for 32x32 CIFAR images, with the layer shapes of NeuroSim's VGG8 (NetWork_VGG8.csv)."""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from neurocim.errors import InputError

from .wage import wage_after

__all__ = ["VGG8", "vgg8"]

# (output channels, max-pool 2x2 after it) for the six 3x3 'same' convolutions.
_CONV_CFG: tuple[tuple[int, bool], ...] = (
    (128, False),
    (128, True),
    (256, False),
    (256, True),
    (512, False),
    (512, True),
)
_FC_CFG: tuple[int, ...] = (1024,)


class VGG8(nn.Module):
    """Six 3x3 convolutions (128-128-256-256-512-512, max-pool after every second) and FC 8192-1024-C.

    No batch norm and no bias, ReLU after every layer but the last, as in NeuroSim's model.
    ``wage_outputs=True`` follows every conv/FC with a :class:`WageOutput` (output divided by the layer's
    WAGE scale, then clipped and rounded to ``act_bits`` unless None): the arithmetic NeuroSim's 8-bit
    checkpoint was trained with, for float evaluation of it as it is. The default is a plain network,
    which is what conversion with the WAGE scheme expects (its CIM layers apply the scaling themselves).
    """

    def __init__(
        self, num_classes: int = 10, *, wage_outputs: bool = False, act_bits: int | None = 8, in_channels: int = 3
    ) -> None:
        super().__init__()
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"vgg8: num_classes must be a positive integer, got {num_classes!r}")
        feats: OrderedDict[str, nn.Module] = OrderedDict()
        c_in = in_channels
        for i, (c_out, pool) in enumerate(_CONV_CFG, start=1):
            conv = nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, bias=False)
            feats[f"conv{i}"] = conv
            if wage_outputs:
                feats[f"wage{i}"] = wage_after(conv, act_bits)
            feats[f"relu{i}"] = nn.ReLU()
            if pool:
                feats[f"pool{i}"] = nn.MaxPool2d(kernel_size=2, stride=2)
            c_in = c_out
        self.features = nn.Sequential(feats)

        head: OrderedDict[str, nn.Module] = OrderedDict()
        n_in = c_in * 4 * 4
        widths = (*_FC_CFG, num_classes)
        for j, n_out in enumerate(widths, start=1):
            fc = nn.Linear(n_in, n_out, bias=False)
            head[f"fc{j}"] = fc
            if wage_outputs:
                head[f"wage_fc{j}"] = wage_after(fc, act_bits)
            if j < len(widths):
                head[f"relu_fc{j}"] = nn.ReLU()
            n_in = n_out
        self.classifier = nn.Sequential(head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[-2:] != (32, 32):
            raise InputError(f"VGG8 expects input of shape (N, C, 32, 32), got {tuple(x.shape)}")
        x = self.features(x)
        return self.classifier(torch.flatten(x, 1))


def vgg8(num_classes: int = 10, *, wage_outputs: bool = False, act_bits: int | None = 8) -> VGG8:
    """NeuroSim's VGG-8 for CIFAR-10 (see :class:`VGG8`)."""
    return VGG8(num_classes, wage_outputs=wage_outputs, act_bits=act_bits)
