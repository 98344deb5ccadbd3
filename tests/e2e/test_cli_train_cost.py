"""End-to-end: `neurocim train` records the training-cost traces and, when the chip asks, the epoch's cost."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
import yaml
from click.testing import CliRunner

from neurocim.cli import main
from neurocim.config.io import read_mapping
from neurocim.models import build_model
from neurocim.train.checkpoint import DEFAULT_TRAIN_RUN
from neurocim.train.forward import trainable_layers
from neurocim.train.outputs import save_training
from neurocim.train.run import train_run
from neurocim.workload.training_traces import read_training_npz


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)  # the command sets its own thread count


def _chip_layers() -> list[str]:
    return [name for name, _ in trainable_layers(build_model("digits_cnn"))]


def _small_run(training: bool) -> dict:
    data = read_mapping(DEFAULT_TRAIN_RUN)
    data["data"].update(test_samples=30, batch_size=30)
    data["train"].update(epochs=1, batch_size=32, train_samples=96)
    if training:
        data["chip"].update(training={"enabled": True}, pipeline={"enabled": False})
    return data


@pytest.fixture(scope="module")
def estimated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("train_cost")
    run = tmp / "run.yaml"
    run.write_text(yaml.safe_dump(_small_run(training=True)))
    result = CliRunner().invoke(main, ["train", str(run), "--out", str(tmp / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    return tmp / "out", result.output


def test_traces_read_back_with_the_network_shapes(estimated):
    out, _ = estimated
    traces = read_training_npz(out / "train_traces.npz")
    assert (traces.weight_bits, traces.input_bits) == (5, 8)
    assert [t.layer.name for t in traces.layers] == _chip_layers()
    for t in traces.layers:
        layer = t.layer
        rows = layer.in_channels * layer.kernel_h * layer.kernel_w
        assert t.trace.weights.shape == t.old_weights.shape == (rows, layer.out_channels)
        assert t.trace.input_codes.shape[0] == rows and t.trace.input_codes.shape[1] >= 1
        assert 0.0 < t.activity < 1.0
    # the last update moved some weights: old and new codes differ somewhere, on the same grid
    assert any((t.old_weights != t.trace.weights).any() for t in traces.layers)


def test_cost_printed_and_saved_beside_train_json(estimated):
    out, output = estimated
    assert "training cost per epoch:" in output and "TOPS/W" in output
    chip = json.loads((out / "train.json").read_text())["training_cost"]
    report = json.loads((out / "train_cost.json").read_text())
    assert chip == report["chip"]
    total = chip["training"]["total"]
    for value in (total["latency_s"], total["energy_j"], chip["area_m2"], chip["tops_per_w"]):
        assert math.isfinite(value) and value > 0
    assert len(report["layers"]) == len(_chip_layers())


def test_no_cost_when_the_chip_does_not_train(tmp_path):
    result = train_run(_small_run(training=False), out=tmp_path)
    files = save_training(result, tmp_path, plots=False)
    assert result.cost is None and json.loads((tmp_path / "train.json").read_text())["training_cost"] is None
    assert tmp_path / "train_traces.npz" in files and not (tmp_path / "train_cost.json").exists()
    with np.load(tmp_path / "train_traces.npz") as arrays:
        assert int(arrays["wl_weight"]) == 5 and arrays["network_csv"].shape == (len(_chip_layers()), 8)
