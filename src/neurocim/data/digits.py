"""scikit-learn's 8x8 handwritten digits (bundled with the package, so offline) with a fixed train/test split."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from torch.utils.data import TensorDataset

from .common import DatasetError

__all__ = ["digits_datasets", "digits_split"]


def digits_split(test_fraction: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) of a class-stratified split of the 1797 digits, fixed by ``seed``.

    Uses numpy's legacy RandomState, whose stream numpy keeps stable across versions.
    """
    if not (isinstance(test_fraction, float | int) and 0.0 < test_fraction < 1.0):
        raise DatasetError(f"digits: test_fraction must be in (0, 1), got {test_fraction!r}")
    labels = _load()[1]
    rng = np.random.RandomState(seed)
    test: list[np.ndarray] = []
    for c in range(10):
        members = rng.permutation(np.flatnonzero(labels == c))
        test.append(members[: int(round(test_fraction * members.size))])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(labels.size), test_idx)
    return train_idx, test_idx


@lru_cache(maxsize=1)
def _load() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency
        raise DatasetError("digits: scikit-learn is required (pip install scikit-learn)") from exc
    bunch = load_digits()
    return bunch.images.astype(np.float32), bunch.target.astype(np.int64)


def digits_datasets(test_fraction: float = 0.25, seed: int = 0) -> tuple[TensorDataset, TensorDataset]:
    """(train, test) TensorDatasets of (float32 image (1, 8, 8) in [-1, 1], int64 label).

    Pixel values 0..16 are mapped as (x/16 - 0.5) / 0.5, the digits analogue of NeuroSim's CIFAR normalisation.
    """
    images, labels = _load()
    x = torch.from_numpy((images / 16.0 - 0.5) / 0.5).unsqueeze(1)
    y = torch.from_numpy(labels)
    train_idx, test_idx = digits_split(test_fraction, seed)
    tr, te = torch.from_numpy(train_idx), torch.from_numpy(test_idx)
    return TensorDataset(x[tr], y[tr]), TensorDataset(x[te], y[te])
