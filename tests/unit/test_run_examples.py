"""The bundled run files load, and paths inside a run file are relative to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from neurocim.config.chip import CellType
from neurocim.config.io import ConfigError
from neurocim.config.run import EXAMPLES, DatasetName, load_config


@pytest.mark.parametrize("cell", ["sram", "rram", "fefet"])
def test_digits_examples_put_the_digits_cnn_on_each_chip(cell):
    cfg = load_config(EXAMPLES / f"run_digits_{cell}_22nm.yaml")
    assert cfg.chip.cell.type is CellType(cell) and cfg.model.name == "digits_cnn"
    assert cfg.accuracy.monte_carlo_repeats == 3 and cfg.data.name is DatasetName.DIGITS
    assert cfg.accuracy.devices.d2d_sigma == (0.0 if cell == "sram" else 0.05)


def test_vgg8_example_reads_local_files_relative_to_itself(tmp_path):
    run_file = tmp_path / "run_vgg8_cifar10.yaml"
    shutil.copy(EXAMPLES / "run_vgg8_cifar10.yaml", run_file)
    with pytest.raises(ConfigError, match=r"model\.checkpoint='.*VGG8\.pth': file not found"):
        load_config(run_file)
    (tmp_path / "VGG8.pth").write_bytes(b"")
    with pytest.raises(ConfigError, match=r"data\.root='.*cifar-10-batches-py': folder not found"):
        load_config(run_file)
    (tmp_path / "cifar-10-batches-py").mkdir()
    cfg = load_config(run_file)
    assert cfg.model.checkpoint == tmp_path / "VGG8.pth" and cfg.data.root == tmp_path / "cifar-10-batches-py"
    assert cfg.model.options == {"wage_outputs": True} and cfg.chip.cell.type is CellType.RRAM


def test_absolute_paths_stay_as_written(tmp_path):
    weights = tmp_path / "w.pt"
    weights.write_bytes(b"")
    run_file = tmp_path / "sub" / "run.yaml"
    run_file.parent.mkdir()
    run_file.write_text(f"model: {{name: vgg8, checkpoint: {weights}}}\n")
    assert load_config(run_file).model.checkpoint == weights
    assert Path(load_config({"model": {"name": "vgg8", "checkpoint": str(weights)}}).model.checkpoint) == weights


def test_a_precision_written_twice_and_disagreeing_is_refused(tmp_path):
    weights = tmp_path / "VGG8.pth"
    weights.write_bytes(b"")
    model = {"name": "vgg8", "checkpoint": str(weights), "options": {"act_bits": 6}}
    with pytest.raises(ConfigError, match=r"model\.options\.act_bits=6 contradicts chip\.precision\.input_bits=8"):
        load_config({"model": model})
    assert load_config({"chip": {"precision": {"input_bits": 6}}, "model": model}).chip.precision.input_bits == 6
