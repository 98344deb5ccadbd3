"""End-to-end: `neurocim train` and `neurocim sweep-training` from the command line, good and bad inputs."""

from __future__ import annotations

import csv
import json
import os

import pytest
import torch
import yaml
from click.testing import CliRunner

from neurocim.cli import main
from neurocim.config.io import read_mapping
from neurocim.train.checkpoint import DEFAULT_TRAIN_RUN


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _small_run(tmp_path, **train) -> str:
    data = read_mapping(DEFAULT_TRAIN_RUN)
    data["data"].update(test_samples=90, batch_size=90)
    data["train"].update({"epochs": 2, "batch_size": 32, "train_samples": 160, **train})
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)  # the command sets its own thread count


def test_train_writes_json_csv_npz_checkpoint_and_plots(tmp_path):
    run = _small_run(tmp_path)
    out, js = tmp_path / "out", tmp_path / "t.json"
    result = _run("train", run, "--out", out, "--json", js, "--quiet", "--epochs", 1)
    assert result.exit_code == 0, result.output
    data = json.loads(js.read_text())
    assert data["float_accuracy"] is None and 0.0 <= data["test_accuracy"] <= 1.0
    keys = {"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "pulses_per_update_mean",
            "devices_written_fraction"}  # fmt: skip
    assert len(data["epochs"]) == 1 and keys <= set(data["epochs"][0])
    assert data["config"]["train"]["epochs"] == 1 and data["config"]["train"]["device"]["model"] == "linear"
    for name in ("train.json", "train.csv", "train.npz", "checkpoint.pt", "train_curves.png", "train_device.png"):
        assert (out / name).is_file(), name
    # a second call resumes from the checkpoint and adds the missing epoch
    again = _run("train", run, "--out", out, "--json", js, "--quiet", "--float-baseline")
    assert again.exit_code == 0, again.output
    data = json.loads(js.read_text())
    assert [e["epoch"] for e in data["epochs"]] == [0, 1]
    assert 0.0 <= data["float_accuracy"] <= 1.0
    with (out / "train.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) == 2


@pytest.mark.parametrize(
    ("train", "needle"),
    [
        ({"device": {"model": "neurosim_v21", "nonlinearity_ltp": 0}}, "train.device: nonlinearity_ltp=0"),
        ({"device": {"max_level": 1}}, "train.device.max_level"),
        ({"device": {"c2c_sigma": -0.1}}, "train.device.c2c_sigma"),
        ({"device": {"max_level": 64}}, "do not fit chip.cell.bits_per_cell=5"),
        ({"learning_rate": 0}, "train.learning_rate"),
    ],
)
def test_bad_run_files_fail_in_one_line(tmp_path, train, needle):
    data = read_mapping(DEFAULT_TRAIN_RUN)
    for key, value in train.items():
        if isinstance(value, dict):
            data["train"][key].update(value)
        else:
            data["train"][key] = value
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    result = _run("train", path, "--out", tmp_path / "o", "--quiet")
    assert result.exit_code == 2
    assert needle in result.output and "Traceback" not in result.output


def test_sweep_training_writes_csv_and_png(tmp_path):
    run = _small_run(tmp_path, epochs=1)
    csv_out, png = tmp_path / "s.csv", tmp_path / "s.png"
    result = _run("sweep-training", run, "--nonlinearity", "1,9", "--c2c", "0.5", "--momentum", "0,0.9",
                  "--csv", csv_out, "--png", png, "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.output
    with csv_out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6 and {r["sweep"] for r in rows} == {"nonlinearity", "c2c"}
    assert png.is_file() and os.path.getsize(png) > 1000
