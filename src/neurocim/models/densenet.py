"""DenseNet-40 (growth 12, compression 0.5) for 32x32 CIFAR images, with NeuroSim's layer shapes."""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from neurocim.errors import InputError

from .wage import wage_after

__all__ = ["ConvUnit", "DenseBottleneck", "DenseNet40", "DenseTransition", "densenet40"]


class ConvUnit(nn.Sequential):
    """conv (stride 1, 'same' padding, no bias) -> [WageOutput] -> BatchNorm -> ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, *, wage_outputs: bool, act_bits: int | None) -> None:
        conv = nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2, bias=False)
        parts: OrderedDict[str, nn.Module] = OrderedDict(conv=conv)
        if wage_outputs:
            parts["wage"] = wage_after(conv, act_bits)
        parts["bn"] = nn.BatchNorm2d(c_out)
        parts["relu"] = nn.ReLU()
        super().__init__(parts)


class DenseBottleneck(nn.Module):
    """1x1 conv to 4*growth channels, 3x3 conv to growth channels, output concatenated as [new, input]."""

    def __init__(self, c_in: int, growth: int, *, wage_outputs: bool, act_bits: int | None) -> None:
        super().__init__()
        self.reduce = ConvUnit(c_in, 4 * growth, 1, wage_outputs=wage_outputs, act_bits=act_bits)
        self.grow = ConvUnit(4 * growth, growth, 3, wage_outputs=wage_outputs, act_bits=act_bits)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.grow(self.reduce(x)), x], dim=1)


class DenseTransition(nn.Module):
    """1x1 conv unit that compresses the channels, then 2x2 average pooling."""

    def __init__(self, c_in: int, c_out: int, *, wage_outputs: bool, act_bits: int | None) -> None:
        super().__init__()
        self.unit = ConvUnit(c_in, c_out, 1, wage_outputs=wage_outputs, act_bits=act_bits)
        self.pool = nn.AvgPool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.unit(x))


class DenseNet40(nn.Module):
    """Stem 3x3 conv 3->24, three dense blocks of 6 bottlenecks with transitions 96->48 and 120->60,
    average pool 8 and a bias-free FC 132->C: 39 convolutions and 1 FC, as in NeuroSim's DenseNet40.

    ``wage_outputs=True`` inserts the WAGE output scaling of NeuroSim's 8-bit model after every conv/FC
    (:class:`~neurocim.models.wage.WageOutput`), for float evaluation of NeuroSim's checkpoint as it is;
    without it (the default, and what WAGE-scheme conversion expects) the network is plain.
    """

    def __init__(
        self,
        num_classes: int = 10,
        *,
        growth: int = 12,
        blocks_per_stage: int = 6,
        reduction: float = 0.5,
        wage_outputs: bool = False,
        act_bits: int | None = 8,
    ) -> None:
        super().__init__()
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"densenet40: num_classes must be a positive integer, got {num_classes!r}")
        planes = 2 * growth
        self.conv1 = ConvUnit(3, planes, 3, wage_outputs=wage_outputs, act_bits=act_bits)
        stages: list[nn.Module] = []
        for stage in range(3):
            layers = []
            for _ in range(blocks_per_stage):
                layers.append(DenseBottleneck(planes, growth, wage_outputs=wage_outputs, act_bits=act_bits))
                planes += growth
            stages.append(nn.Sequential(*layers))
            if stage < 2:
                out = int(planes * reduction)
                stages.append(DenseTransition(planes, out, wage_outputs=wage_outputs, act_bits=act_bits))
                planes = out
        self.dense1, self.trans1, self.dense2, self.trans2, self.dense3 = stages
        self.avgpool = nn.AvgPool2d(8)
        fc = nn.Linear(planes, num_classes, bias=False)
        head: OrderedDict[str, nn.Module] = OrderedDict(fc=fc)
        if wage_outputs:
            head["wage"] = wage_after(fc, act_bits)
        self.classifier = nn.Sequential(head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[-2:] != (32, 32):
            raise InputError(f"DenseNet40 expects input of shape (N, 3, 32, 32), got {tuple(x.shape)}")
        x = self.trans1(self.dense1(self.conv1(x)))
        x = self.trans2(self.dense2(x))
        x = self.avgpool(self.dense3(x))
        return self.classifier(torch.flatten(x, 1))


def densenet40(num_classes: int = 10, *, wage_outputs: bool = False, act_bits: int | None = 8) -> DenseNet40:
    """NeuroSim's DenseNet-40 for CIFAR-10 (see :class:`DenseNet40`)."""
    return DenseNet40(num_classes, wage_outputs=wage_outputs, act_bits=act_bits)
