"""`neurocim run` / neurocim.run: accuracy and chip report from one configuration, end to end."""

from __future__ import annotations

import dataclasses
import json

import matplotlib.image as mpimg
import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from click.testing import CliRunner
from torch import nn
from torch.utils.data import DataLoader

import neurocim
from neurocim.cli import main
from neurocim.config.chip import PrecisionConfig
from neurocim.config.io import dump_config
from neurocim.config.run import load_config
from neurocim.data.digits import digits_datasets
from neurocim.errors import OutputError
from neurocim.estimate import estimate
from neurocim.models.train import train_float
from neurocim.workload.trace_files import load_traces, load_traces_npz

CHIP_KEYS = {"area_m2", "area_breakdown_m2", "clock_period_s", "latency_s", "latency_breakdown_s",
             "dynamic_energy_j", "energy_breakdown_j", "leakage_power_w", "leakage_energy_j", "tops", "tops_per_w",
             "tops_per_mm2", "fps", "memory_utilization"}  # fmt: skip
LAYER_KEYS = {"num_tiles", "speedup", "utilization", "latency_s", "dynamic_energy_j", "leakage_power_w",
              "leakage_energy_j", "latency_breakdown_s", "energy_breakdown_j", "name"}  # fmt: skip


def test_default_run_from_the_command_line(tmp_path):
    out, js = tmp_path / "out", tmp_path / "run.json"
    result = CliRunner().invoke(main, ["run", "--repeats", "1", "--out", str(out), "--json", str(js), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "hardware accuracy" in result.output and "TOPS/W" in result.output
    data = json.loads(js.read_text())
    acc = data["accuracy"]
    assert acc["repeats"] == 1 and acc["std"] == 0.0 and acc["float"] == pytest.approx(0.9844, abs=1e-3)
    assert 0.9 <= acc["mean"] <= acc["float"] + 0.01  # 5-bit ADC and 5 % spread cost the digits CNN a few %
    assert set(data["chip"]) >= CHIP_KEYS and data["chip"]["dynamic_energy_j"] > 0
    assert [layer["name"] for layer in data["layers"]] == [
        "features.conv1", "features.conv2", "classifier.fc1", "classifier.fc2"
    ]  # fmt: skip
    assert all(set(layer) >= LAYER_KEYS for layer in data["layers"])
    assert data["network"][1]["pooled"] and data["network"][1]["inputs"] == ["features.conv1"]
    assert json.loads((out / "run.json").read_text())["chip"] == data["chip"]
    for name in ("area", "latency", "energy"):
        image = mpimg.imread(out / f"{name}.png")
        assert image.shape[0] > 100 and image.std() > 0
    summary = (out / "summary.txt").read_text()
    assert summary.startswith("float accuracy 98.44 %") and "the smallest PE and tile are used" in summary
    assert data["floorplan"]["hierarchy_clamped"] is True  # 4 small layers on 128-row sub-arrays


@pytest.fixture(scope="module")
def small_run():
    cfg = load_config({"data": {"test_samples": 60, "batch_size": 30}, "accuracy": {"monte_carlo_repeats": 2}})
    return cfg, neurocim.run(cfg, progress=False)


def test_captured_traces_cost_the_same_as_traces_read_back_from_files(small_run, tmp_path):
    cfg, result = small_run
    assert result.accuracy.repeats == 2 and result.accuracy.samples == 60
    result.save_traces(tmp_path / "traces.npz")
    result.write_neurosim_traces(tmp_path / "csv")
    layers, traces = load_traces_npz(tmp_path / "traces.npz")
    assert [layer.name for layer in layers] == [layer.name for layer in result.chip_layers]
    expected = result.report.to_dict()
    assert estimate(cfg.chip, layers, traces).to_dict() == expected
    from_csv = load_traces(tmp_path / "csv", result.chip_layers, cfg.chip.precision.input_bits)
    assert estimate(cfg.chip, result.chip_layers, from_csv).to_dict() == expected


def test_estimate_command_reads_the_saved_traces_without_a_network_csv(small_run, tmp_path):
    cfg, result = small_run
    dump_config(cfg.chip, tmp_path / "chip.yaml")
    result.save_traces(tmp_path / "traces.npz")
    args = ["estimate", str(tmp_path / "chip.yaml"), "--traces", str(tmp_path / "traces.npz")]
    out = CliRunner().invoke(main, [*args, "--json", str(tmp_path / "r.json")])
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "r.json").read_text())["chip"] == result.report.to_dict()["chip"]
    result.write_neurosim_traces(tmp_path / "csv")
    out = CliRunner().invoke(main, ["estimate", str(tmp_path / "chip.yaml"), "--traces", str(tmp_path / "csv")])
    assert out.exit_code == 2 and "needs its network CSV (--network)" in out.output
    dump_config(cfg.chip.model_copy(update={"precision": PrecisionConfig(input_bits=6)}), tmp_path / "chip6.yaml")
    out = CliRunner().invoke(main, ["estimate", str(tmp_path / "chip6.yaml"), "--traces", str(tmp_path / "traces.npz")])
    assert out.exit_code == 2 and "traces were recorded with input_bits=8, the chip asks for 6" in out.output


def test_run_result_errors(small_run, tmp_path, monkeypatch):
    _, result = small_run
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        result.save(tmp_path / "file")
    broken = dataclasses.replace(result, seconds=float("nan"))  # the final check refuses the figures
    with pytest.raises(ArithmeticError, match="non-finite"):
        broken.save(tmp_path / "out" / "nested")
    assert not (tmp_path / "out").exists()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("neurocim.report.plots.plot_report", fail)  # a failure after some files are written
    with pytest.raises(OutputError, match="out: cannot write \\(No space left on device\\)"):
        result.save(tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no folder, no staging left behind


class _Block(nn.Module):
    """A residual block neurocim knows nothing about: conv-BN-ReLU-conv-BN plus an identity or 1x1 shortcut."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Conv2d(c_in, c_out, 1, stride, bias=False) if stride != 1 or c_in != c_out else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class _SmallResNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.stage1 = _Block(16, 16, 1)
        self.stage2 = _Block(16, 32, 2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stage2(self.stage1(F.relu(self.stem(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def test_a_small_resnet_built_here_runs_both_halves():
    torch.manual_seed(0)
    train, test = digits_datasets()
    model = _SmallResNet()
    train_float(model, DataLoader(train, batch_size=32, shuffle=True), epochs=4, lr=1e-2)
    test_loader = DataLoader(torch.utils.data.Subset(test, range(150)), batch_size=75)
    cfg = load_config({
        "chip": {"adc": {"bits": 8}},
        "accuracy": {"devices": {"d2d_sigma": 0.0}, "monte_carlo_repeats": 1},
        "model": {"exclude": ["fc"]},
    })  # fmt: skip
    result = neurocim.run(cfg, progress=False, model=model, test_data=test_loader)
    acc = result.accuracy
    assert acc.float_accuracy >= 0.85
    assert acc.accuracy_mean >= acc.float_accuracy - 0.05  # 8-bit ADC, ideal devices: close to float
    convs = ["stem", "stage1.conv1", "stage1.conv2", "stage2.conv1", "stage2.conv2", "stage2.shortcut"]
    assert [layer.name for layer in result.chip_layers] == convs and result.digital_layers == ["fc"]
    assert [r.name for r in result.report.layers] == convs
    data = result.to_dict()
    entries = {e["name"]: e for e in data["network"]}
    assert entries["stage2.conv1"]["merge"] == "add" and not entries["fc"]["on_chip"]
    assert set(entries["stage2.shortcut"]["inputs"]) == {"stem", "stage1.conv2"}
    assert (entries["stage2.conv1"]["stride"], entries["stage2.conv1"]["ifm_h"]) == (2, 8)
    chip = result.report.chip
    assert chip.dynamic_energy_j > 0 and chip.area_m2 > 0 and chip.tops_per_w > 0
    assert sum(r.dynamic_energy_j for r in result.report.layers) == pytest.approx(chip.dynamic_energy_j, rel=1e-9)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model: {name: nosuch}\n", "model.name='nosuch' is unknown; allowed: digits_cnn, vgg8"),
        ("model: {options: {width: 4}}\n", "model.options={'width': 4} need model.checkpoint"),
        ("accuracy: {adc: {bits: 4}}\n", "accuracy.adc.bits"),
    ],
)
def test_bad_run_files_get_one_line_errors(tmp_path, text, message):
    (tmp_path / "run.yaml").write_text(text)
    result = CliRunner().invoke(main, ["run", str(tmp_path / "run.yaml"), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_network_command_prints_and_writes_the_layer_table(tmp_path):
    result = CliRunner().invoke(main, ["network", "--csv", str(tmp_path / "net.csv")])
    assert result.exit_code == 0, result.output
    assert "features.conv2" in result.output and "classifier.fc1" in result.output
    assert (tmp_path / "net.csv").read_text().splitlines() == [
        "8,8,1,3,3,8,0,1", "8,8,8,3,3,16,1,1", "1,1,256,1,1,32,0,1", "1,1,32,1,1,10,0,1"
    ]  # fmt: skip
