"""ImageNet-style image folders (one sub-folder per class of JPEG/PNG files) read with Pillow, no torchvision."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from .common import IMAGENET_MEAN, IMAGENET_STD, DatasetError, normalise, require_dir

__all__ = ["IMAGE_EXTENSIONS", "ImageFolder", "load_image"]

IMAGE_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".png")


def load_image(
    path: str | Path, resize: int, crop: int, *, random_crop: bool = False, flip: bool = False
) -> torch.Tensor:
    """Read an image as RGB, scale its shorter side to ``resize``, crop ``crop`` x ``crop`` -> uint8 (3, crop, crop).

    The crop is centred, or random when ``random_crop``; ``flip`` mirrors it with probability 0.5.
    """
    from PIL import Image, UnidentifiedImageError

    if crop > resize:
        raise DatasetError(f"load_image: crop ({crop}) must not exceed resize ({resize})")
    try:
        with Image.open(path) as opened:
            im = opened.convert("RGB")
            w, h = im.size
            scale = resize / min(w, h)
            size = (max(crop, round(w * scale)), max(crop, round(h * scale)))
            im = im.resize(size, Image.Resampling.BILINEAR)
            arr = np.asarray(im, dtype=np.uint8)
    except (OSError, UnidentifiedImageError) as exc:
        raise DatasetError(f"{path}: not a readable image ({type(exc).__name__}: {exc})") from exc
    h, w = arr.shape[:2]
    if random_crop:
        top = int(torch.randint(0, h - crop + 1, ()))
        left = int(torch.randint(0, w - crop + 1, ()))
    else:
        top, left = (h - crop) // 2, (w - crop) // 2
    img = torch.from_numpy(arr[top : top + crop, left : left + crop].copy()).permute(2, 0, 1)
    if flip and bool(torch.rand(()) < 0.5):
        img = img.flip(-1)
    return img.contiguous()


class ImageFolder(Dataset):
    """Images under ``root/<class>/*.{jpg,jpeg,png}``; classes are the sorted sub-folder names.

    Test transform (NeuroSim's ImageNet validation): resize the shorter side to ``resize`` (256),
    centre-crop ``crop`` (224), scale to [0, 1] and normalise with ``mean``/``std`` (ImageNet's).
    ``augment`` uses a random crop and horizontal flip instead of the centre crop.
    Items are (float32 image (3, crop, crop), int label).
    """

    def __init__(
        self,
        root: str | Path,
        *,
        resize: int = 256,
        crop: int = 224,
        mean: tuple[float, float, float] = IMAGENET_MEAN,
        std: tuple[float, float, float] = IMAGENET_STD,
        augment: bool = False,
    ) -> None:
        base = require_dir(root, "image folder")
        for field, value in (("resize", resize), ("crop", crop)):
            if not isinstance(value, int) or value < 1:
                raise DatasetError(f"image folder {base}: {field} must be a positive integer, got {value!r}")
        if crop > resize:
            raise DatasetError(f"image folder {base}: crop ({crop}) must not exceed resize ({resize})")
        self.classes = sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not self.classes:
            raise DatasetError(f"image folder {base}: no class sub-folders (expected {base}/<class>/<image>.jpg)")
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}
        self.samples: list[tuple[Path, int]] = [
            (f, self.class_to_idx[name])
            for name in self.classes
            for f in sorted((base / name).iterdir())
            if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS
        ]
        if not self.samples:
            raise DatasetError(
                f"image folder {base}: no {'/'.join(IMAGE_EXTENSIONS)} files in its {len(self.classes)} class folders"
            )
        self.root, self.resize, self.crop = base, resize, crop
        self.mean, self.std, self.augment = mean, std, augment

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        path, label = self.samples[index]
        img = load_image(path, self.resize, self.crop, random_crop=self.augment, flip=self.augment)
        return normalise(img, self.mean, self.std), label
