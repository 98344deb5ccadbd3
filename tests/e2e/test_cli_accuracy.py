"""End-to-end: `neurocim accuracy` and `neurocim sweep-accuracy` from the command line, good and bad inputs."""

from __future__ import annotations

import csv
import json

import torch
from click.testing import CliRunner

from neurocim.cli import main


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_default_run_writes_accuracies(tmp_path):
    out = tmp_path / "acc.json"
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(2)  # tests run on one thread (tests/conftest.py): start from two to see --threads act
        result = _run("accuracy", "--repeats", 2, "--json", out, "--quiet", "--threads", 1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert {"float_accuracy", "accuracy_mean", "accuracy_std", "repeats", "accuracies"} <= set(data)
    # the digits CNN (98.4 % float) on the default 22 nm RRAM chip, 5-bit ADC, 5 % device spread
    assert 0.97 < data["float_accuracy"] <= 1.0
    assert 0.90 < data["accuracy_mean"] <= data["float_accuracy"]
    assert data["repeats"] == 2 and len(data["accuracies"]) == 2 and data["samples"] == 450
    assert 0.0 < data["accuracy_std"] < 0.05 and not data["deterministic"]
    assert data["config"]["chip"]["cell"]["type"] == "rram" and data["config"]["model"]["name"] == "digits_cnn"
    assert f"{100 * data['accuracy_mean']:.2f} ± {100 * data['accuracy_std']:.2f} %" in result.output


def test_config_file_run(tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("chip: {adc: {bits: 2}}\naccuracy: {devices: {d2d_sigma: 0}}\ndata: {test_samples: 60}\n")
    result = _run("accuracy", cfg, "--quiet")
    assert result.exit_code == 0, result.output
    assert "(3 repeats, ideal devices: identical; 60 images)" in result.output
    mean = float(result.output.split("hardware accuracy ")[1].split(" ±")[0])
    assert mean < 50  # a 2-bit ADC wrecks the network


def test_bad_config_is_refused_with_the_field(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("accuracy:\n  adc: {bits: 4}\n")
    result = _run("accuracy", cfg)
    assert result.exit_code == 2
    assert "accuracy.adc.bits is a hardware setting" in result.stderr and "chip.adc.bits" in result.stderr
    cfg.write_text("chip: {cell: {bits_per_cell: 3}}\n")
    result = _run("accuracy", cfg)
    assert result.exit_code == 2 and "bits_per_cell=3 does not divide precision.weight_bits=8" in result.stderr
    result = _run("accuracy", tmp_path / "missing.yaml")
    assert result.exit_code == 2 and "configuration file not found" in result.stderr


def test_missing_data_path(tmp_path):
    cfg = tmp_path / "cifar.yaml"
    cfg.write_text(f"data: {{name: cifar10, root: {tmp_path / 'nowhere'}}}\n")
    result = _run("accuracy", cfg)
    assert result.exit_code == 2 and "data.root=" in result.stderr and "folder not found" in result.stderr
    cfg.write_text(f"data: {{name: cifar10, root: {tmp_path}}}\n")  # exists, but holds no CIFAR-10 batches
    result = _run("accuracy", cfg)
    assert result.exit_code == 2 and "no CIFAR-10 python batches found" in result.stderr


def test_sweep_writes_csv_and_png(tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("accuracy: {devices: {d2d_sigma: 0}}\ndata: {test_samples: 60}\n")
    out_csv, out_png = tmp_path / "s.csv", tmp_path / "s.png"
    args = ("--adc-bits", "2,8", "--rows", "64,128", "--cell-bits", "1", "--csv", out_csv, "--png", out_png)
    result = _run("sweep-accuracy", cfg, *args, "--quiet")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out_csv.open()))
    assert [(r["rows"], r["adc_bits"]) for r in rows] == [("64", "2"), ("64", "8"), ("128", "2"), ("128", "8")]
    for r in rows:
        assert 0 <= float(r["accuracy_mean"]) <= 1 and r["cell_bits"] == "1"
    assert out_png.read_bytes()[:4] == b"\x89PNG"
    result = _run("sweep-accuracy", cfg, "--adc-bits", "two")
    assert result.exit_code == 2 and "comma-separated integers" in result.output
