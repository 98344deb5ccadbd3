"""Shared pieces of the data loaders: the error type, path checks and normalisation constants."""

from __future__ import annotations

from pathlib import Path

import torch

from neurocim.errors import InputError

__all__ = ["CIFAR_MEAN", "CIFAR_STD", "IMAGENET_MEAN", "IMAGENET_STD", "DatasetError", "normalise", "require_dir"]

# NeuroSim's CIFAR transform: ToTensor then Normalize(0.5, 0.5), i.e. (x/255 - 0.5) / 0.5 in [-1, 1].
CIFAR_MEAN: tuple[float, float, float] = (0.5, 0.5, 0.5)
CIFAR_STD: tuple[float, float, float] = (0.5, 0.5, 0.5)
# The usual ImageNet statistics, as NeuroSim's ImageNet loader uses.
IMAGENET_MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: tuple[float, float, float] = (0.229, 0.224, 0.225)


class DatasetError(InputError):
    """A data set path is missing or its contents are not in the expected format."""


def require_dir(path: str | Path, what: str) -> Path:
    """``path`` as a Path, or a DatasetError naming ``what`` if it is not an existing folder."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DatasetError(f"{what}: folder not found: {p}")
    if not p.is_dir():
        raise DatasetError(f"{what}: not a folder: {p}")
    return p


def normalise(
    images: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...], max_value: float = 255.0
) -> torch.Tensor:
    """(images / max_value - mean) / std per channel, for (C, H, W) or (N, C, H, W) tensors, as float32."""
    x = images.to(torch.float32) / max_value
    shape = (-1, 1, 1)
    m = torch.tensor(mean, dtype=torch.float32).view(shape)
    s = torch.tensor(std, dtype=torch.float32).view(shape)
    return (x - m) / s
