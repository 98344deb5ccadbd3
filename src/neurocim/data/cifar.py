"""CIFAR-10 in its python format (cifar-10-batches-py) from a local folder, read without arbitrary unpickling."""

from __future__ import annotations

import io
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from .common import CIFAR_MEAN, CIFAR_STD, DatasetError, normalise, require_dir

__all__ = ["CIFAR10", "cifar10_folder", "read_cifar_batch", "write_cifar_batch"]

TRAIN_BATCHES: tuple[str, ...] = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCHES: tuple[str, ...] = ("test_batch",)
FOLDER_NAME = "cifar-10-batches-py"
_PIXELS = 3 * 32 * 32


def _numpy_reconstruct():  # numpy >= 2 moved numpy.core to numpy._core
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # pragma: no cover - numpy < 2
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickler that builds only plain containers and numpy arrays (no other class or function)."""

    def find_class(self, module: str, name: str):  # noqa: ANN201 - pickle protocol
        if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            return _numpy_reconstruct()
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        if (module, name) == ("_codecs", "encode"):  # how protocol 2 stores bytes objects
            import codecs

            return codecs.encode
        raise pickle.UnpicklingError(f"global '{module}.{name}' is not allowed in a CIFAR batch")


def read_cifar_batch(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """One CIFAR-10 batch pickle -> (uint8 images (N, 3, 32, 32), int64 labels (N,))."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"CIFAR-10 batch file not found: {path}")
    try:
        obj = _ArrayOnlyUnpickler(io.BytesIO(path.read_bytes()), encoding="latin1").load()
    except Exception as exc:
        raise DatasetError(f"{path}: not a CIFAR-10 python batch ({type(exc).__name__}: {exc})") from exc
    if not isinstance(obj, dict):
        raise DatasetError(f"{path}: expected a pickled dict, got {type(obj).__name__}")
    entries = {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in obj.items()}
    for field in ("data", "labels"):
        if field not in entries:
            raise DatasetError(f"{path}: field '{field}' missing (found {sorted(map(str, entries))})")
    data = np.asarray(entries["data"])
    labels = np.asarray(entries["labels"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != _PIXELS:
        raise DatasetError(f"{path}: field 'data' must be uint8 of shape (N, {_PIXELS}), got {data.dtype} {data.shape}")
    if labels.shape != (data.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise DatasetError(
            f"{path}: field 'labels' must be {data.shape[0]} integers, got {labels.dtype} {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(f"{path}: field 'labels' outside 0..9 (min {labels.min()}, max {labels.max()})")
    return data.reshape(-1, 3, 32, 32), labels.astype(np.int64)


def write_cifar_batch(path: str | Path, images: np.ndarray, labels: Sequence[int], batch_label: str = "batch") -> None:
    """Write uint8 images (N, 3, 32, 32) and labels as a CIFAR-10 python batch (for samples and tests)."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (3, 32, 32):
        raise DatasetError(f"write_cifar_batch: images must be uint8 (N, 3, 32, 32), got {images.dtype} {images.shape}")
    labels = [int(v) for v in labels]
    if len(labels) != images.shape[0]:
        raise DatasetError(f"write_cifar_batch: {len(labels)} labels for {images.shape[0]} images")
    record = {
        b"batch_label": batch_label.encode(),
        b"labels": labels,
        b"data": images.reshape(images.shape[0], _PIXELS),
        b"filenames": [f"img_{i:05d}.png".encode() for i in range(len(labels))],
    }
    Path(path).write_bytes(pickle.dumps(record, protocol=2))


def cifar10_folder(root: str | Path) -> Path:
    """The 'cifar-10-batches-py' folder: ``root`` itself or its child of that name."""
    base = require_dir(root, "CIFAR-10 root")
    folder = base / FOLDER_NAME if (base / FOLDER_NAME).is_dir() else base
    expected = (*TRAIN_BATCHES, *TEST_BATCHES)
    if not any((folder / name).is_file() for name in expected):
        raise DatasetError(
            f"CIFAR-10 root {base}: no CIFAR-10 python batches found "
            f"(expected {FOLDER_NAME}/ with {', '.join(expected)})"
        )
    return folder


class CIFAR10(Dataset):
    """CIFAR-10 train or test split from a local python-format folder, normalised to [-1, 1] as NeuroSim does.

    ``augment`` (train only in practice) adds NeuroSim's pad-4 random 32x32 crop and horizontal flip.
    Items are (float32 image (3, 32, 32), int label).
    """

    def __init__(self, root: str | Path, train: bool = True, *, augment: bool = False) -> None:
        folder = cifar10_folder(root)
        names = TRAIN_BATCHES if train else TEST_BATCHES
        missing = [n for n in names if not (folder / n).is_file()]
        if missing:
            raise DatasetError(f"CIFAR-10 folder {folder}: missing batch files {missing}")
        parts = [read_cifar_batch(folder / n) for n in names]
        self.images = torch.from_numpy(np.concatenate([p[0] for p in parts]))
        self.labels = torch.from_numpy(np.concatenate([p[1] for p in parts]))
        self.augment = augment
        self.classes = _label_names(folder)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        img = self.images[index]
        if self.augment:
            padded = torch.nn.functional.pad(img, (4, 4, 4, 4))
            top, left = (int(v) for v in torch.randint(0, 9, (2,)))
            img = padded[:, top : top + 32, left : left + 32]
            if bool(torch.rand(()) < 0.5):
                img = img.flip(-1)
        return normalise(img, CIFAR_MEAN, CIFAR_STD), int(self.labels[index])


def _label_names(folder: Path) -> list[str]:
    meta = folder / "batches.meta"
    default = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    if not meta.is_file():
        return default
    try:
        obj = _ArrayOnlyUnpickler(io.BytesIO(meta.read_bytes()), encoding="latin1").load()
        names = obj.get("label_names", obj.get(b"label_names")) if isinstance(obj, dict) else None
        return [n.decode() if isinstance(n, bytes) else str(n) for n in names] if names else default
    except Exception as exc:
        raise DatasetError(f"{meta}: unreadable CIFAR-10 meta file ({type(exc).__name__}: {exc})") from exc
