"""A small bias-free CNN for scikit-learn's 8x8 handwritten digits (the offline quick-start model)."""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from neurocim.errors import InputError

__all__ = ["DigitsCNN", "digits_cnn"]


class DigitsCNN(nn.Module):
    """conv 3x3 1->8, conv 3x3 8->16, max-pool 2, FC 256->32, FC 32->10 (ReLU between, no bias).

    About 9.8 k weights: small enough to ship trained, big enough to exercise conv and FC mapping.
    Input: (N, 1, 8, 8) images normalised to [-1, 1].
    """

    def __init__(self, num_classes: int = 10, *, width: int = 8, hidden: int = 32) -> None:
        super().__init__()
        for field, value in (("num_classes", num_classes), ("width", width), ("hidden", hidden)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"digits_cnn: {field} must be a positive integer, got {value!r}")
        self.features = nn.Sequential(
            OrderedDict(
                conv1=nn.Conv2d(1, width, 3, padding=1, bias=False),
                relu1=nn.ReLU(),
                conv2=nn.Conv2d(width, 2 * width, 3, padding=1, bias=False),
                relu2=nn.ReLU(),
                pool2=nn.MaxPool2d(2),
            )
        )
        self.classifier = nn.Sequential(
            OrderedDict(
                fc1=nn.Linear(2 * width * 4 * 4, hidden, bias=False),
                relu_fc1=nn.ReLU(),
                fc2=nn.Linear(hidden, num_classes, bias=False),
            )
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1:] != (1, 8, 8):
            raise InputError(f"DigitsCNN expects input of shape (N, 1, 8, 8), got {tuple(x.shape)}")
        return self.classifier(torch.flatten(self.features(x), 1))


def digits_cnn(num_classes: int = 10, *, width: int = 8, hidden: int = 32) -> DigitsCNN:
    """The digits CNN (see :class:`DigitsCNN`), randomly initialised."""
    return DigitsCNN(num_classes, width=width, hidden=hidden)
