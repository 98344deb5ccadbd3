"""Tests of the offline data loaders: CIFAR-10 python batches, image folders and scikit-learn digits."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from neurocim.data import (
    CIFAR10,
    DatasetError,
    ImageFolder,
    digits_datasets,
    digits_split,
    get_loaders,
    read_cifar_batch,
    write_cifar_batch,
)


def _cifar_images(n: int, offset: int) -> np.ndarray:
    """uint8 (n, 3, 32, 32): red = (32*row + col) % 256, green = offset + index, blue = 255."""
    red = (np.arange(1024) % 256).reshape(32, 32)
    imgs = np.empty((n, 3, 32, 32), np.uint8)
    for i in range(n):
        imgs[i, 0], imgs[i, 1], imgs[i, 2] = red, offset + i, 255
    return imgs


def _write_tiny_cifar(root: Path, per_batch: int = 2, n_test: int = 3) -> Path:
    """A tiny cifar-10-batches-py folder: 5 train batches of ``per_batch`` images and a test batch."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for b in range(1, 6):
        write_cifar_batch(folder / f"data_batch_{b}", _cifar_images(per_batch, 10 * b), [b] * per_batch)
    # The test batch is written by hand, in the layout of the original files (flat rows R..G..B, bytes keys).
    imgs = _cifar_images(n_test, 100)
    record = {
        b"batch_label": b"testing batch 1 of 1",
        b"labels": [0, 9, 3][:n_test],
        b"data": imgs.reshape(n_test, -1),
        b"filenames": [b"a.png", b"b.png", b"c.png"][:n_test],
    }
    # Pickles made by numpy 1.x (like the published ones) name numpy.core, not numpy._core.
    raw = pickle.dumps(record, protocol=2).replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    (folder / "test_batch").write_bytes(raw)
    meta = {b"label_names": [b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"h", b"i", b"j"], b"num_vis": 3072}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    return folder


def test_cifar_batches_load_with_neurosim_normalisation(tmp_path: Path) -> None:
    folder = _write_tiny_cifar(tmp_path)
    assert b"numpy.core.multiarray" in (folder / "test_batch").read_bytes()
    test = CIFAR10(tmp_path, train=False)  # the parent folder works as root
    assert len(test) == 3 and test.classes[:2] == ["a", "b"]
    x, y = test[1]
    assert x.shape == (3, 32, 32) and x.dtype == torch.float32 and y == 9
    assert x[0, 0, 0] == -1.0 and x[0, 0, 5] == pytest.approx(5 / 255 * 2 - 1)  # red: row-major ramp
    assert x[0, 1, 0] == pytest.approx(32 / 255 * 2 - 1)
    assert torch.allclose(x[1], torch.full((32, 32), 101 / 255 * 2 - 1))  # green: 100 + index
    assert torch.all(x[2] == 1.0)  # blue 255 -> +1
    train = CIFAR10(folder, train=True)  # the batches folder itself works too
    assert len(train) == 10 and train.labels.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_cifar_loaders(tmp_path: Path) -> None:
    _write_tiny_cifar(tmp_path)
    loaders = get_loaders("cifar10", tmp_path, batch_size=4, test_batch_size=8)
    xb, yb = next(iter(loaders.train))
    assert xb.shape == (4, 3, 32, 32) and yb.dtype == torch.int64
    assert xb.min() >= -1.0 and xb.max() <= 1.0  # augmentation pads with black (-1)
    xt, yt = next(iter(loaders.test))
    assert xt.shape == (3, 3, 32, 32) and yt.tolist() == [0, 9, 3]
    only_test = get_loaders("CIFAR-10", tmp_path, train=False)
    assert only_test.train is None and len(only_test.test.dataset) == 3


def test_cifar_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="CIFAR-10 root: folder not found: .*nowhere"):
        get_loaders("cifar10", tmp_path / "nowhere")
    with pytest.raises(DatasetError, match="root is required"):
        get_loaders("cifar10")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no CIFAR-10 python batches found"):
        CIFAR10(tmp_path / "empty")
    folder = _write_tiny_cifar(tmp_path / "c")
    (folder / "data_batch_3").unlink()
    with pytest.raises(DatasetError, match=r"missing batch files \['data_batch_3'\]"):
        CIFAR10(folder, train=True)
    bad = folder / "data_batch_1"
    bad.write_bytes(pickle.dumps({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}))
    with pytest.raises(DatasetError, match=r"data_batch_1: field 'data' must be uint8 of shape \(N, 3072\)"):
        read_cifar_batch(bad)
    bad.write_bytes(pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 12]}))
    with pytest.raises(DatasetError, match="field 'labels' outside 0..9"):
        read_cifar_batch(bad)
    bad.write_bytes(b"garbage")
    with pytest.raises(DatasetError, match="not a CIFAR-10 python batch"):
        read_cifar_batch(bad)


class _Evil:
    def __reduce__(self):
        return (print, ("unpickled code ran",))


def test_cifar_reader_refuses_code_in_pickles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({"data": _Evil(), "labels": [0]}))
    with pytest.raises(DatasetError, match="global 'builtins.print' is not allowed"):
        read_cifar_batch(path)
    assert "unpickled code ran" not in capsys.readouterr().out


def _write_image_folder(root: Path) -> None:
    from PIL import Image

    for split in ("train", "val"):
        for cls, color, size in (("cat", (255, 0, 0), (40, 30)), ("dog", (0, 0, 255), (30, 50))):
            d = root / split / cls
            d.mkdir(parents=True)
            Image.new("RGB", size, color).save(d / "0.png")
            Image.new("L", size, 128).save(d / "1.PNG")  # grey-scale becomes RGB
        (root / split / "dog" / "notes.txt").write_text("ignored")


def test_image_folder_loader(tmp_path: Path) -> None:
    _write_image_folder(tmp_path)
    loaders = get_loaders("imagenet", tmp_path, batch_size=2, image_size=16, resize=20)
    ds = loaders.test.dataset
    assert isinstance(ds, ImageFolder) and ds.classes == ["cat", "dog"] and len(ds) == 4
    xb, yb = next(iter(loaders.test))
    assert xb.shape == (2, 3, 16, 16) and yb.tolist() == [0, 0]
    red = torch.tensor([(1 - 0.485) / 0.229, -0.456 / 0.224, -0.406 / 0.225])
    assert torch.allclose(xb[0].mean(dim=(1, 2)), red, atol=1e-5)
    assert torch.allclose(xb[1, 0], torch.full((16, 16), (128 / 255 - 0.485) / 0.229), atol=1e-5)
    xtr, _ = next(iter(loaders.train))
    assert xtr.shape == (2, 3, 16, 16)


def test_image_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="ImageNet root: folder not found"):
        get_loaders("imagenet", tmp_path / "missing")
    (tmp_path / "val").mkdir()
    with pytest.raises(DatasetError, match="sub-folder 'train' not found"):
        get_loaders("imagenet", tmp_path)
    with pytest.raises(DatasetError, match="no class sub-folders"):
        get_loaders("imagenet", tmp_path, train=False)
    (tmp_path / "val" / "cls").mkdir()
    with pytest.raises(DatasetError, match="no .jpg/.jpeg/.png files"):
        ImageFolder(tmp_path / "val")
    (tmp_path / "val" / "cls" / "broken.png").write_bytes(b"not an image")
    ds = ImageFolder(tmp_path / "val", resize=8, crop=8)
    with pytest.raises(DatasetError, match="broken.png: not a readable image"):
        ds[0]
    with pytest.raises(DatasetError, match=r"crop \(9\) must not exceed resize \(8\)"):
        ImageFolder(tmp_path / "val", resize=8, crop=9)


def test_digits_split_is_fixed_and_stratified() -> None:
    train_idx, test_idx = digits_split()
    again = digits_split()
    assert np.array_equal(train_idx, again[0]) and np.array_equal(test_idx, again[1])
    assert len(np.intersect1d(train_idx, test_idx)) == 0 and len(train_idx) + len(test_idx) == 1797
    train, test = digits_datasets()
    counts = torch.bincount(test.tensors[1], minlength=10)
    assert counts.min() >= 40 and counts.max() <= 50  # about a quarter of each class (~180 each)
    x = train.tensors[0]
    assert x.shape[1:] == (1, 8, 8) and x.min() == -1.0 and x.max() == 1.0


def test_digits_loaders_and_name_errors() -> None:
    loaders = get_loaders("digits", batch_size=32)
    xb, yb = next(iter(loaders.train))
    assert xb.shape == (32, 1, 8, 8) and yb.shape == (32,)
    with pytest.raises(DatasetError, match="takes no root"):
        get_loaders("digits", root="/tmp")
    with pytest.raises(DatasetError, match="unknown data set 'mnist'"):
        get_loaders("mnist")
    with pytest.raises(DatasetError, match="batch_size must be an integer >= 1, got 0"):
        get_loaders("digits", batch_size=0)
    with pytest.raises(DatasetError, match="test_fraction"):
        digits_split(test_fraction=1.5)
