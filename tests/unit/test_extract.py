"""Layer tables extracted from PyTorch models: shapes, pooling, links, and the errors of what cannot be described."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from neurocim.models import build_model
from neurocim.workload.extract import NETWORK_INPUT, extract_network
from neurocim.workload.network import WorkloadError, load_network_csv, write_network_csv

DATA = Path(__file__).resolve().parents[1] / "data"


def _rows(net) -> list[tuple[int, ...]]:
    return [layer.as_row() for layer in net.layers]


def test_vgg8_table_is_neurosims_network_csv():
    net = extract_network(build_model("vgg8"), torch.randn(2, 3, 32, 32))
    assert _rows(net) == [layer.as_row() for layer in load_network_csv(DATA / "vgg8_network.csv")]
    assert net.names()[0] == "features.conv1" and net.names()[-1] == "classifier.fc2"
    assert net.links["features.conv1"].inputs == (NETWORK_INPUT,)
    assert net.links["classifier.fc1"].inputs == ("features.conv6",)


def test_network_csv_round_trip(tmp_path):
    net = extract_network(build_model("digits_cnn"), torch.randn(1, 1, 8, 8))
    write_network_csv(tmp_path / "net.csv", net.layers)
    assert [layer.as_row() for layer in load_network_csv(tmp_path / "net.csv")] == _rows(net)


class _Block(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.short = nn.Conv2d(c_in, c_out, 1, stride, bias=False) if stride != 1 or c_in != c_out else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4:  # data-dependent control flow: no symbolic tracer could follow this
            raise ValueError("4-D input expected")
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(y + (x if self.short is None else self.short(x)))


class _TinyResNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.blocks = nn.Sequential(_Block(8, 8, 1), _Block(8, 16, 2))
        self.head = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.stem(x)), 2)  # functional pooling
        return self.head(self.blocks(x).mean(dim=(2, 3)))


def test_residual_network_shapes_pooling_and_links():
    net = extract_network(_TinyResNet(), torch.randn(3, 1, 16, 16))
    assert net.names() == [
        "stem", "blocks.0.conv1", "blocks.0.conv2", "blocks.1.conv1", "blocks.1.conv2", "blocks.1.short", "head"
    ]  # fmt: skip
    rows = dict(zip(net.names(), _rows(net), strict=True))
    assert rows["stem"] == (16, 16, 1, 3, 3, 8, 1, 1)  # F.max_pool2d(., 2) after ReLU: pooled
    assert rows["blocks.0.conv1"] == (8, 8, 8, 3, 3, 8, 0, 1)
    assert rows["blocks.1.conv1"] == (8, 8, 8, 3, 3, 16, 0, 2)
    assert rows["blocks.1.short"] == (8, 8, 8, 1, 1, 16, 0, 2)
    assert rows["head"] == (1, 1, 16, 1, 1, 10, 0, 1)
    block1 = net.links["blocks.1.conv1"]
    assert block1.merge == "add" and set(block1.inputs) == {"stem", "blocks.0.conv2"}
    assert net.links["blocks.0.conv2"].inputs == ("blocks.0.conv1",) and net.links["blocks.0.conv2"].merge == ""
    assert net.links["head"].merge == "add"


def test_dense_concatenation_is_recorded():
    net = extract_network(build_model("densenet40"), torch.randn(1, 3, 32, 32))
    assert len(net.layers) == 40
    link = net.links["dense1.1.reduce.conv"]
    assert link.merge == "concat" and set(link.inputs) == {"conv1.conv", "dense1.0.grow.conv"}


def test_pooling_other_than_2x2_max_does_not_count():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.AvgPool2d(2), nn.Conv2d(4, 4, 3), nn.MaxPool2d(3, 3))
    net = extract_network(model, torch.randn(1, 1, 12, 12))
    assert [layer.pooled for layer in net.layers] == [False, False]


def test_linear_on_a_sequence_is_one_vector_per_position():
    model = nn.Sequential(nn.Linear(12, 6), nn.GELU(), nn.Linear(6, 3))
    net = extract_network(model, torch.randn(2, 5, 12))
    assert _rows(net) == [(5, 1, 12, 1, 1, 6, 0, 1), (5, 1, 6, 1, 1, 3, 0, 1)]
    assert net.layers[0].num_windows == 5


def test_kernel_larger_than_the_map_uses_the_padded_map():
    net = extract_network(nn.Sequential(nn.Conv2d(2, 2, 3, padding=1)), torch.randn(1, 2, 1, 1))
    assert _rows(net) == [(3, 3, 2, 3, 3, 2, 0, 1)]


def test_a_module_called_twice_is_described_once():
    conv = nn.Conv2d(2, 2, 3, padding=1)

    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = conv

        def forward(self, x):
            return self.conv(self.conv(x))

    assert len(extract_network(Twice(), torch.randn(1, 2, 6, 6)).layers) == 1


def test_training_mode_is_restored_and_nothing_is_left_hooked():
    model = build_model("digits_cnn").train()
    extract_network(model, torch.randn(1, 1, 8, 8))
    assert model.training
    assert all(not m._forward_pre_hooks and not m._forward_hooks for m in model.modules())


@pytest.mark.parametrize(
    ("model", "shape", "message"),
    [
        (nn.Sequential(nn.Conv2d(4, 4, 3, groups=2)), (1, 4, 8, 8), r"'0': groups=2; .*dense convolutions only"),
        (nn.Sequential(nn.Conv2d(1, 2, 3, stride=(2, 1))), (1, 1, 8, 8), r"stride=\(2, 1\); .*equal strides"),
        (nn.Sequential(nn.ReLU()), (1, 1, 8, 8), "ran no nn.Conv2d or nn.Linear"),
    ],
)
def test_what_the_table_cannot_describe_is_refused(model, shape, message):
    with pytest.raises(WorkloadError, match=message):
        extract_network(model, torch.randn(shape))


def test_bad_arguments():
    with pytest.raises(TypeError, match="must be an nn.Module"):
        extract_network("vgg8", torch.randn(1, 3, 32, 32))  # type: ignore[arg-type]
    with pytest.raises(WorkloadError, match="batched tensor"):
        extract_network(nn.Linear(2, 2), torch.randn(2))
