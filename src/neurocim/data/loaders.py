"""One entry point for data: get_loaders(name, root, ...) -> (train loader or None, test loader)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import torch
from torch.utils.data import DataLoader, Dataset

from .cifar import CIFAR10
from .common import DatasetError, require_dir
from .digits import digits_datasets
from .imagefolder import ImageFolder

__all__ = ["DATASET_NAMES", "Loaders", "get_datasets", "get_loaders"]

DATASET_NAMES: tuple[str, ...] = ("digits", "cifar10", "imagenet")
_ALIASES = {
    "digits": "digits",
    "cifar10": "cifar10",
    "cifar": "cifar10",
    "imagenet": "imagenet",
    "imagefolder": "imagenet",
}


class Loaders(NamedTuple):
    """The train loader (None when not asked for) and the test loader."""

    train: DataLoader | None
    test: DataLoader


def _canonical(name: str) -> str:
    if not isinstance(name, str):
        raise DatasetError(f"data set name must be a string, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "").replace("_", "")
    if key not in _ALIASES:
        raise DatasetError(f"unknown data set {name!r}; known: {', '.join(DATASET_NAMES)}")
    return _ALIASES[key]


def get_datasets(
    name: str,
    root: str | Path | None = None,
    *,
    train: bool = True,
    augment: bool = True,
    image_size: int = 224,
    resize: int = 256,
) -> tuple[Dataset | None, Dataset]:
    """(train dataset or None, test dataset) for ``name``.

    - ``digits``: scikit-learn's 8x8 digits, offline, fixed 75/25 split; ``root`` must be None.
    - ``cifar10``: ``root`` is the ``cifar-10-batches-py`` folder or the folder holding it.
    - ``imagenet``: ``root`` holds ``val/`` (and ``train/`` if ``train``) with one sub-folder per class.
    ``augment`` applies the training augmentation (CIFAR pad-crop-flip, ImageNet random crop-flip) to the train split.
    """
    key = _canonical(name)
    if key == "digits":
        if root is not None:
            raise DatasetError(f"digits: ships with scikit-learn and takes no root, got root={str(root)!r}")
        tr, te = digits_datasets()
        return (tr if train else None), te
    if root is None:
        where = "the cifar-10-batches-py folder or its parent" if key == "cifar10" else "a folder with train/ and val/"
        raise DatasetError(f"{key}: root is required ({where}); it cannot be downloaded here")
    if key == "cifar10":
        test = CIFAR10(root, train=False)
        return (CIFAR10(root, train=True, augment=augment) if train else None), test
    base = require_dir(root, "ImageNet root")
    splits = ("train", "val") if train else ("val",)
    for split in splits:
        if not (base / split).is_dir():
            raise DatasetError(
                f"ImageNet root {base}: sub-folder '{split}' not found (expected {base}/{split}/<class>/*.jpg)"
            )
    val = ImageFolder(base / "val", resize=resize, crop=image_size)
    return (ImageFolder(base / "train", resize=resize, crop=image_size, augment=augment) if train else None), val


def get_loaders(
    name: str,
    root: str | Path | None = None,
    *,
    batch_size: int = 64,
    test_batch_size: int | None = None,
    train: bool = True,
    augment: bool = True,
    num_workers: int = 0,
    seed: int = 0,
    image_size: int = 224,
    resize: int = 256,
) -> Loaders:
    """DataLoaders for ``name`` (see :func:`get_datasets`); the train loader shuffles, seeded by ``seed``."""
    checks = (
        ("batch_size", batch_size, 1),
        ("test_batch_size", batch_size if test_batch_size is None else test_batch_size, 1),
        ("num_workers", num_workers, 0),
    )
    for field, value, low in checks:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise DatasetError(f"get_loaders: {field} must be an integer >= {low}, got {value!r}")
    train_set, test_set = get_datasets(name, root, train=train, augment=augment, image_size=image_size, resize=resize)
    train_loader = None
    if train_set is not None:
        gen = torch.Generator().manual_seed(seed)
        train_loader = DataLoader(
            train_set, batch_size=batch_size, shuffle=True, generator=gen, num_workers=num_workers
        )
    test_loader = DataLoader(test_set, batch_size=test_batch_size or batch_size, shuffle=False, num_workers=num_workers)
    return Loaders(train_loader, test_loader)
