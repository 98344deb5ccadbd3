"""Run configuration: the bundled default, partial files over it, one home per setting, clear refusals."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import neurocim
from neurocim.config.accuracy import AccuracyConfig
from neurocim.config.chip import CellType, ChipConfig
from neurocim.config.io import ConfigError, load_chip_config
from neurocim.config.run import DEFAULT_RUN, DatasetName, RunConfig, dump_run_config, load_config

REPO = Path(__file__).resolve().parents[2]


def test_default_is_the_bundled_run_digits_cnn_on_22nm_rram():
    cfg = load_config()
    assert cfg == RunConfig() == load_config(DEFAULT_RUN)
    assert DEFAULT_RUN.parent.name == "examples" and DEFAULT_RUN.parent.parent.name == "neurocim"  # shipped
    assert cfg.chip.cell.type is CellType.RRAM and cfg.chip.technology.node_nm == 22
    assert (cfg.chip.adc.bits, cfg.chip.cell.bits_per_cell, cfg.chip.array.rows) == (5, 1, 128)
    assert cfg.model.name == "digits_cnn" and cfg.model.checkpoint is None
    assert cfg.data.name is DatasetName.DIGITS and cfg.data.root is None
    # the chip is exactly the RRAM example that `neurocim estimate` uses
    rram = REPO / "src" / "neurocim" / "examples" / "chip_rram_22nm.yaml"
    assert cfg.chip == load_chip_config(rram)


def test_partial_sections_keep_the_default_for_what_they_leave_out():
    cfg = load_config({"chip": {"adc": {"bits": 3}}, "accuracy": {"seed": 7}, "data": {"test_samples": 50}})
    assert cfg.chip.adc.bits == 3 and cfg.chip.cell.type is CellType.RRAM  # not ChipConfig's SRAM default
    assert cfg.accuracy.seed == 7 and cfg.accuracy.devices.d2d_sigma == RunConfig().accuracy.devices.d2d_sigma
    assert cfg.data.test_samples == 50 and cfg.data.batch_size == RunConfig().data.batch_size
    # complete objects are taken as they are
    explicit = RunConfig(chip=ChipConfig(), accuracy=AccuracyConfig())
    assert explicit.chip.cell.type is CellType.SRAM and explicit.accuracy.devices.ideal


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip(tmp_path, suffix):
    cfg = load_config({"chip": {"cell": {"bits_per_cell": 2}, "adc": {"bits": 6}}, "data": {"batch_size": 10}})
    path = tmp_path / f"run{suffix}"
    dump_run_config(cfg, path)
    assert load_config(path) == cfg
    if suffix == ".json":
        assert json.loads(path.read_text())["chip"]["cell"]["bits_per_cell"] == 2


def test_chip_section_may_name_a_chip_file(tmp_path):
    (tmp_path / "mine.yaml").write_text("cell: {type: fefet}\nadc: {bits: 4}\n")
    run = tmp_path / "run.yaml"
    run.write_text("chip: mine.yaml\n")
    assert load_config(run).chip.cell.type is CellType.FEFET and load_config(run).chip.adc.bits == 4
    run.write_text("chip: chip_sram_22nm.yaml\n")  # a bundled example
    assert load_config(run).chip.cell.type is CellType.SRAM
    run.write_text("chip: nowhere.yaml\n")
    with pytest.raises(ConfigError, match="nowhere.yaml.*not found"):
        load_config(run)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"accuracy": {"adc": {"bits": 4}}}, r"accuracy\.adc\.bits is a hardware setting.*chip\.adc\.bits"),
        ({"accuracy": {"cell_bits": 2}}, r"accuracy\.cell_bits .*chip\.cell\.bits_per_cell"),
        ({"accuracy": {"quantization": {"weight_bits": 4}}}, r"chip\.precision\.weight_bits"),
        (
            {"accuracy": {"devices": {"on_off_ratio": 10}}},
            r"accuracy\.devices\.on_off_ratio .*chip\.cell\.on_off_ratio",
        ),
        ({"chip": {"adc": {"range_mode": "full_scale"}}}, r"chip\.adc\.range_mode .*accuracy\.adc\.range_mode"),
        ({"chip": {"seed": 3}}, r"chip\.seed .*accuracy\.seed"),
        ({"adc": {"bits": 3}}, r"'adc' is not a top-level section.*chip\.adc or accuracy\.adc"),
        (
            {"chip": {"cell": {"bits_per_cell": 3}}},
            r"bits_per_cell=3 does not divide precision\.weight_bits=8.*1, 2, 4, 8",
        ),
        ({"chip": {"precision": {"input_bits": 2}}, "accuracy": {"input": {"bits_per_cycle": 4}}}, "bits_per_cycle=4"),
        ({"chip": {"cell": {"type": "sram", "bits_per_cell": 2}}}, "SRAM stores 1 bit"),
        ({"model": {"name": "vgg9"}}, r"model\.name='vgg9' is unknown; allowed: digits_cnn, vgg8"),
        ({"model": {"name": "vgg8"}}, r"model\.checkpoint is required for model\.name='vgg8'"),
        ({"model": {"checkpoint": "/no/such/weights.pt"}}, "file not found"),
        ({"data": {"name": "cifar10"}}, r"data\.root is required for data\.name=cifar10"),
        ({"data": {"name": "imagenet", "root": "/no/such/folder"}}, r"data\.root='/no/such/folder': folder not found"),
        ({"data": {"root": "/tmp"}}, r"not used by data\.name=digits"),
        ({"data": {"name": "mnist"}}, r"data\.name.*'digits', 'cifar10' or 'imagenet'"),
        ({"data": {"batch_size": 0}}, r"data\.batch_size: Input should be greater than or equal to 1 \(got 0\)"),
        ({"modle": {"name": "digits_cnn"}}, r"modle: Extra inputs are not permitted"),
    ],
)
def test_contradictory_or_bad_settings_are_refused(data, message):
    with pytest.raises(ConfigError, match=message):
        load_config(data)


def test_neurosim_compat_keeps_neurosims_truncation_with_a_warning():
    with pytest.warns(UserWarning, match="only the 6 low bits"):
        cfg = load_config({"chip": {"cell": {"bits_per_cell": 3}}, "accuracy": {"compat": "neurosim_v14"}})
    assert cfg.chip.cell.bits_per_cell == 3


def test_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("accuracy:\n  adc: {bits: 4}\n")
    with pytest.raises(ConfigError, match=rf"{bad}: accuracy\.adc\.bits"):
        load_config(bad)
    bad.write_text("chip: [1, 2\n")
    with pytest.raises(ConfigError, match="cannot parse"):
        load_config(bad)
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "missing.yaml")
    with pytest.raises(TypeError, match=r"got ChipConfig \(wrap it: RunConfig\(chip=\.\.\.\)\)"):
        load_config(ChipConfig())


def test_top_level_api_is_lazy():
    code = "import sys, neurocim; print('torch' in sys.modules, 'pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
    from neurocim.nn.convert import convert_
    from neurocim.nn.evaluate import evaluate

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert neurocim.load_config is load_config and neurocim.convert_ is convert_ and neurocim.evaluate is evaluate
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        neurocim.nope  # noqa: B018
