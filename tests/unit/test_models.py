"""Tests of the reference models, NeuroSim checkpoint loading and the shipped digits CNN."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from neurocim.models import (
    MODEL_NAMES,
    CheckpointError,
    WageOutput,
    build_model,
    densenet40,
    load_neurosim_checkpoint,
    neurosim_key_map,
    neurosim_state_dict,
    resnet18,
    vgg8,
)
from neurocim.models.train import DIGITS_WEIGHTS, evaluate_float, load_pretrained_digits, train_float

NEUROSIM_REPO = Path("/work/.mirror/neurosim+DNN_NeuroSim_V1.4/repo")


def _mapped_layers(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]


def _shape_row(layer: nn.Module) -> tuple[int, ...]:
    if isinstance(layer, nn.Linear):
        return (1, 1, layer.in_features, 1, 1, layer.out_features)
    return (layer.in_channels, *layer.kernel_size, layer.out_channels, layer.stride[0])


# Channel / kernel / output shapes from NeuroSim's NetWork_VGG8.csv.
VGG8_ROWS = [
    (3, 3, 3, 128, 1),
    (128, 3, 3, 128, 1),
    (128, 3, 3, 256, 1),
    (256, 3, 3, 256, 1),
    (256, 3, 3, 512, 1),
    (512, 3, 3, 512, 1),
    (1, 1, 8192, 1, 1, 1024),
    (1, 1, 1024, 1, 1, 10),
]


@pytest.mark.parametrize(
    ("name", "shape", "out"),
    [
        ("digits_cnn", (2, 1, 8, 8), 10),
        ("vgg8", (2, 3, 32, 32), 10),
        ("densenet40", (2, 3, 32, 32), 10),
        ("resnet18", (1, 3, 224, 224), 1000),
    ],
)
def test_output_shapes(name: str, shape: tuple[int, ...], out: int) -> None:
    model = build_model(name).eval()
    with torch.no_grad():
        y = model(torch.randn(shape))
    assert y.shape == (shape[0], out)
    assert torch.isfinite(y).all()


def test_registry_names_and_errors() -> None:
    assert set(MODEL_NAMES) == {"digits_cnn", "vgg8", "densenet40", "resnet18"}
    assert isinstance(build_model("VGG-8", wage_outputs=True), nn.Module)
    with pytest.raises(ValueError, match="unknown model name 'vgg16'"):
        build_model("vgg16")
    with pytest.raises(TypeError, match="bad keyword"):
        build_model("vgg8", depth=3)
    with pytest.raises(ValueError, match="expects input of shape"):
        vgg8()(torch.zeros(1, 3, 28, 28))


def test_vgg8_layers_match_neurosim_csv() -> None:
    rows = [_shape_row(m) for m in _mapped_layers(vgg8())]
    assert rows == VGG8_ROWS
    assert not any(isinstance(m, WageOutput) for m in vgg8().modules())  # plain by default
    scales = [m.scale for m in vgg8(wage_outputs=True).modules() if isinstance(m, WageOutput)]
    assert scales == [2, 16, 16, 16, 16, 32, 32, 16]  # the constants of NeuroSim's VGG cfg


def test_densenet40_layers_match_neurosim_csv() -> None:
    layers = _mapped_layers(densenet40())
    assert len(layers) == 40 and isinstance(layers[-1], nn.Linear)
    convs = [m for m in layers if isinstance(m, nn.Conv2d)]
    three = [c for c in convs[1:] if c.kernel_size == (3, 3)]
    one = [c for c in convs if c.kernel_size == (1, 1)]
    assert len(three) == 18 and all((c.in_channels, c.out_channels) == (48, 12) for c in three)
    # 1x1 inputs in the CSV: bottlenecks 24..84, 48..108, 60..120 (step 12) and transitions 96->48, 120->60.
    assert [c.in_channels for c in one] == [*range(24, 96, 12), 96, *range(48, 120, 12), 120, *range(60, 132, 12)]
    assert (layers[-1].in_features, layers[-1].out_features) == (132, 10)


def test_resnet18_layers_match_neurosim_csv() -> None:
    layers = _mapped_layers(resnet18())
    assert len(layers) == 21
    assert _shape_row(layers[0]) == (3, 7, 7, 64, 2)
    downs = [c for c in layers if isinstance(c, nn.Conv2d) and c.kernel_size == (1, 1)]
    assert [(c.in_channels, c.out_channels, c.stride[0]) for c in downs] == [(64, 128, 2), (128, 256, 2), (256, 512, 2)]
    assert _shape_row(layers[-1]) == (1, 1, 512, 1, 1, 1000)
    assert resnet18(fc_bias=False).fc.bias is None


def test_wage_output() -> None:
    w = WageOutput(4.0, bits=8)
    y = w(torch.tensor([8.0, -8.0, 0.3, 1.0]))
    assert torch.allclose(y, torch.tensor([127 / 128, -127 / 128, 0.078125, 0.25]))
    assert torch.equal(WageOutput(4.0, bits=None)(torch.tensor([8.0])), torch.tensor([2.0]))
    with pytest.raises(ValueError, match="scale"):
        WageOutput(0.0)
    plain, wage = densenet40(), densenet40(wage_outputs=True)
    assert list(plain.state_dict()) == list(wage.state_dict())  # one checkpoint fits both
    scales = sorted({m.scale for m in wage.modules() if isinstance(m, WageOutput)})
    assert scales == [2.0, 4.0, 8.0]


@pytest.mark.parametrize("builder", [vgg8, densenet40])
def test_neurosim_key_round_trip(builder, tmp_path: Path) -> None:
    torch.manual_seed(0)
    src = builder(wage_outputs=True)
    ns = neurosim_state_dict(src)
    names = list(ns)
    if builder is vgg8:
        assert names == [
            "features.0.weight",
            "features.2.weight",
            "features.5.weight",
            "features.7.weight",
            "features.10.weight",
            "features.12.weight",
            "classifier.0.weight",
            "classifier.2.weight",
        ]
    else:
        assert names[:2] == ["conv1.0.weight", "conv1.1.weight"]
        assert "dense1.0.conv.3.weight" in ns and "trans2.conv.1.running_var" in ns
        assert names[-1] == "classifier.0.weight" and len(names) == 235
    path = tmp_path / "ckpt.pth"
    torch.save(ns, path)
    dst = load_neurosim_checkpoint(builder(wage_outputs=True), path)
    for key, value in src.state_dict().items():
        assert torch.equal(dst.state_dict()[key], value), key
    x = torch.randn(2, 3, 32, 32)
    src.eval(), dst.eval()
    assert torch.equal(src(x), dst(x))


def test_checkpoint_errors(tmp_path: Path) -> None:
    model = densenet40()
    with pytest.raises(CheckpointError, match="checkpoint not found"):
        load_neurosim_checkpoint(model, tmp_path / "nope.pth")
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match="not a loadable PyTorch weights file"):
        load_neurosim_checkpoint(model, junk)
    ns = neurosim_state_dict(model)
    ns.pop("dense1.0.conv.3.weight")
    ns["dense1.0.conv.2.weight"] = torch.zeros(1)
    ns["classifier.0.weight"] = torch.zeros(10, 10)
    bad = tmp_path / "bad.pth"
    torch.save(ns, bad)
    with pytest.raises(CheckpointError) as err:
        load_neurosim_checkpoint(model, bad)
    msg = str(err.value)
    assert "missing keys [dense1.0.conv.3.weight]" in msg
    assert "unexpected keys [dense1.0.conv.2.weight]" in msg
    assert "classifier.0.weight (model (10, 132), file (10, 10))" in msg
    ns = neurosim_state_dict(model)
    ns["conv1.0.weight"][0, 0, 0, 0] = float("nan")
    torch.save({"state_dict": {f"module.{k}": v for k, v in ns.items()}}, bad)  # wrapped, DataParallel names
    with pytest.raises(CheckpointError, match=r"non-finite values in \[conv1.0.weight\]"):
        load_neurosim_checkpoint(model, bad)


def test_unexpected_keys_can_be_ignored(tmp_path: Path) -> None:
    sd = build_model("digits_cnn").state_dict()
    sd["classifier.fc2.bias"] = torch.zeros(10)  # like torchvision's fc.bias that NeuroSim's ResNet18 drops
    path = tmp_path / "digits.pth"
    torch.save(sd, path)
    with pytest.raises(CheckpointError, match=r"unexpected keys \[classifier.fc2.bias\]"):
        load_neurosim_checkpoint(build_model("digits_cnn"), path)
    with pytest.warns(UserWarning, match="classifier.fc2.bias"):
        load_neurosim_checkpoint(build_model("digits_cnn"), path, strict=False)


def test_resnet18_keeps_torchvision_names() -> None:
    keys = neurosim_key_map(resnet18())
    assert all(k == v for k, v in keys.items())
    assert {
        "conv1.weight",
        "bn1.running_var",
        "layer2.0.downsample.0.weight",
        "layer4.1.bn2.bias",
        "fc.weight",
        "fc.bias",
    } <= set(keys)


def _neurosim_densenet_checkpoint(tmp_path: Path) -> Path | None:
    """DenseNet40.pth from the NeuroSim mirror when this machine has it (about 750 kB), else None."""
    if not NEUROSIM_REPO.is_dir():
        return None
    out = tmp_path / "DenseNet40.pth"
    proc = subprocess.run(
        ["git", "-C", str(NEUROSIM_REPO), "show", "HEAD:Inference_pytorch/log/DenseNet40.pth"],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout:
        return None
    out.write_bytes(proc.stdout)
    return out


def test_real_neurosim_densenet40_checkpoint(tmp_path: Path) -> None:
    path = _neurosim_densenet_checkpoint(tmp_path)
    if path is None:
        pytest.skip("NeuroSim's DenseNet40.pth is not available on this machine")
    model = load_neurosim_checkpoint(densenet40(wage_outputs=True), path).eval()
    assert model.classifier.fc.weight.abs().max() <= 1.0  # WAGE weights live in [-1, 1]
    with torch.no_grad():
        y = model(torch.rand(4, 3, 32, 32) * 2 - 1)
    assert y.shape == (4, 10) and torch.isfinite(y).all()


def _digits_test_loader() -> DataLoader:
    from neurocim.data import digits_datasets

    return DataLoader(digits_datasets()[1], batch_size=512)


def test_shipped_digits_weights_reach_95_percent() -> None:
    assert DIGITS_WEIGHTS.is_file() and DIGITS_WEIGHTS.stat().st_size < 100_000
    model = load_pretrained_digits(retrain_if_missing=False)
    assert evaluate_float(model, _digits_test_loader()) >= 0.95


def test_training_a_few_steps_reduces_loss() -> None:
    from neurocim.data import digits_datasets

    torch.manual_seed(0)
    model = build_model("digits_cnn")
    loader = DataLoader(digits_datasets()[0], batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0))
    x, y = next(iter(DataLoader(digits_datasets()[0], batch_size=256)))
    before = nn.functional.cross_entropy(model(x), y).item()
    train_float(model, loader, epochs=1, max_steps=15, lr=1e-2)
    with torch.no_grad():
        after = nn.functional.cross_entropy(model(x), y).item()
    assert after < 0.8 * before


def test_evaluate_float_rejects_empty_loader() -> None:
    with pytest.raises(ValueError, match="no samples"):
        evaluate_float(build_model("digits_cnn"), [])


def test_missing_digits_weights_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="digits weights not found: .*absent.pt"):
        load_pretrained_digits(tmp_path / "absent.pt", retrain_if_missing=False)
