"""End-to-end: `neurocim train-estimate` from the command line, good and bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from neurocim.cli import main
from neurocim.workload.network import Layer
from neurocim.workload.trace_files import save_traces_npz
from neurocim.workload.traces import LayerTrace

LAYERS = (Layer(8, 8, 16, 3, 3, 32, name="conv"), Layer(1, 1, 512, 1, 1, 10, name="fc"))
CHIP = {
    "cell": {"type": "fefet", "bits_per_cell": 5},
    "precision": {"weight_bits": 5},
    "pipeline": {"enabled": False},
    "training": {"enabled": True, "batch_size": 4, "iterations_per_epoch": 3},
}


def _run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def _files(tmp_path: Path, chip: dict | None = None) -> tuple[Path, Path]:
    rng = np.random.default_rng(5)
    traces, extra = [], {}
    for i, layer in enumerate(LAYERS, start=1):
        codes = rng.integers(-15, 16, size=(layer.rows, layer.out_channels))
        inputs = rng.integers(0, 256, size=(layer.rows, layer.num_windows))
        traces.append(LayerTrace.from_weight_codes(codes, 1 / 16, inputs, 8))
        extra[f"L{i}_weight_old_code"] = np.clip(codes + rng.integers(-1, 2, size=codes.shape), -15, 15)
        extra[f"L{i}_activity"] = np.array(0.25)
    npz = tmp_path / "train_traces.npz"
    save_traces_npz(npz, LAYERS, traces, weight_bits=5, extra=extra)
    config = tmp_path / "chip.yaml"
    config.write_text(yaml.safe_dump(chip or CHIP))
    return config, npz


def test_train_estimate_writes_an_epoch_report(tmp_path):
    pytest.importorskip("neurocim.training_cost.backprop", reason="needs the back-propagation hardware models")
    config, npz = _files(tmp_path)
    out = tmp_path / "epoch.json"
    result = _run("train-estimate", config, "--traces", npz, "--json", out, "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    chip = report["chip"]
    assert set(chip["training"]) == {"forward", "activation_gradient", "weight_gradient", "weight_update", "total"}
    assert chip["training"]["total"]["energy_j"] > 0 and chip["tops_per_w"] > 0
    assert report["layers"][0]["training"]["activation_gradient"]["energy_j"] == 0
    assert "weight update" in result.output


def test_train_estimate_needs_exactly_one_chip(tmp_path):
    _, npz = _files(tmp_path)
    result = _run("train-estimate", "--traces", npz)
    assert result.exit_code == 2 and "exactly one of CONFIG.yaml or --neurosim-params" in result.output


def test_train_estimate_refuses_a_chip_without_training(tmp_path):
    config, npz = _files(tmp_path, {**CHIP, "training": {"enabled": False}})
    result = _run("train-estimate", config, "--traces", npz)
    assert result.exit_code == 2 and "chip.training.enabled is false" in result.output


def test_train_estimate_refuses_traces_of_another_precision(tmp_path):
    chip = {**CHIP, "precision": {"weight_bits": 8}, "cell": {"type": "fefet", "bits_per_cell": 8}}
    config, npz = _files(tmp_path, chip)
    result = _run("train-estimate", config, "--traces", npz)
    assert result.exit_code == 2 and "5-bit weights" in result.output and "weight_bits=8" in result.output


def test_train_estimate_refuses_traces_without_old_weights(tmp_path):
    config, _ = _files(tmp_path)
    rng = np.random.default_rng(1)
    traces = []
    for x in LAYERS:
        codes = rng.integers(-15, 16, size=(x.rows, x.out_channels))
        inputs = rng.integers(0, 256, size=(x.rows, x.num_windows))
        traces.append(LayerTrace.from_weight_codes(codes, 1 / 16, inputs, 8))
    npz = tmp_path / "forward_only.npz"
    save_traces_npz(npz, LAYERS, traces, weight_bits=5)
    result = _run("train-estimate", config, "--traces", npz)
    assert result.exit_code == 2 and "weights before the update" in result.output
