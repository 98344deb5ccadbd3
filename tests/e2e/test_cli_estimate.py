"""End-to-end: `neurocim estimate` from the command line, good and bad inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from neurocim.cli import main

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
EXAMPLES = REPO / "src" / "neurocim" / "examples"
NETWORK = DATA / "vgg8_network.csv"
TRACES = DATA / "vgg8_traces.npz"
PARAMS = DATA / "neurosim_cases" / "v01_default" / "params.json"


def _run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def _example_with(tmp_path: Path, name: str, extra: str) -> Path:
    """The example chip file `name` with a line added."""
    path = tmp_path / name
    path.write_text((EXAMPLES / name).read_text() + extra + "\n")
    return path


def test_estimate_yaml_writes_a_complete_finite_report(tmp_path):
    out = tmp_path / "report.json"
    chip_file = _example_with(tmp_path, "chip_sram_22nm.yaml", "compat: neurosim_v14")
    result = _run("estimate", chip_file, "--network", NETWORK, "--traces", TRACES, "--json", out)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    chip = report["chip"]
    for key in (
        "area_m2",
        "clock_period_s",
        "latency_s",
        "dynamic_energy_j",
        "leakage_power_w",
        "leakage_energy_j",
        "tops",
        "tops_per_w",
        "tops_per_mm2",
        "fps",
        "memory_utilization",
    ):
        assert np.isfinite(chip[key]) and chip[key] > 0, key
    assert set(chip["area_breakdown_m2"]) == {"array", "adc", "accumulation", "interconnect", "other"}
    assert set(chip["energy_breakdown_j"]) == {"adc", "accumulation", "other", "buffer", "interconnect"}
    assert len(report["layers"]) == 8
    # the example is NeuroSim's default chip: with its quirks, the numbers of its Param.cpp run
    expected = json.loads((DATA / "neurosim_cases" / "v01_default" / "expected.json").read_text())
    assert chip["area_m2"] == pytest.approx(expected["chip"]["area_m2"], rel=1e-4)
    assert chip["tops_per_w"] == pytest.approx(expected["chip"]["tops_per_w"], rel=1e-3)
    # energy is conserved across the breakdown (buffer and interconnect are parts of "other")
    parts = chip["energy_breakdown_j"]
    assert parts["adc"] + parts["accumulation"] + parts["other"] == pytest.approx(chip["dynamic_energy_j"], rel=1e-9)
    assert "TOPS" in result.output


def test_the_faithful_default_differs_from_neurosim_where_a_quirk_acts(tmp_path):
    reports = {}
    for compat in ("none", "neurosim_v14"):
        out = tmp_path / f"{compat}.json"
        chip_file = _example_with(tmp_path, "chip_sram_22nm.yaml", f"compat: {compat}")
        result = _run("estimate", chip_file, "--network", NETWORK, "--traces", TRACES, "--json", out)
        assert result.exit_code == 0, result.output
        reports[compat] = json.loads(out.read_text())["chip"]
    faithful, neurosim = reports["none"], reports["neurosim_v14"]
    # padding counted: the first layers compute 1024 windows, not NeuroSim's 900, so an image takes longer
    assert faithful["latency_s"] > neurosim["latency_s"]
    assert faithful["num_operations"] > 0 and faithful["area_m2"] != neurosim["area_m2"]


def test_estimate_neurosim_params(tmp_path):
    out = tmp_path / "r.json"
    result = _run("estimate", "--neurosim-params", PARAMS, "--network", NETWORK, "--traces", TRACES, "--json", out)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["chip"]["clock_period_s"] == pytest.approx(1.6974e-9, rel=1e-4)


def _bad(tmp_path: Path, **changes) -> str:
    data = yaml.safe_load((EXAMPLES / "chip_sram_22nm.yaml").read_text())
    for key, value in changes.items():  # a section written again would be a duplicate key: replace it instead
        given = yaml.safe_load(str(value))
        data[key] = {**data[key], **given} if isinstance(data.get(key), dict) and isinstance(given, dict) else given
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(data))
    result = _run("estimate", config, "--network", NETWORK, "--traces", TRACES)
    assert result.exit_code == 2, result.output
    return result.output


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"bogus_section": 1}, "bogus_section"),
        ({"cell": "{type: rram}", "technology": "{node_nm: 7}"}, "rram"),
        ({"technology": "{node_nm: 7, roadmap: hp}"}, "roadmap"),
        ({"technology": "{node_nm: 14, temperature_k: 350}"}, "temperature_k"),
        ({"array": "{rows: 64, parallel_rows: 128}"}, "parallel_rows"),
        ({"cell": "{type: rram, r_on_ohm: 0}"}, "r_on_ohm"),
        ({"cell": "{type: rram, bits_per_cell: 9}"}, "bits_per_cell"),
        ({"array": "{rows: -128}"}, "rows"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, changes, message):
    assert message in _bad(tmp_path, **changes)


def test_missing_files_are_named(tmp_path):
    result = _run("estimate", EXAMPLES / "chip_sram_22nm.yaml", "--network", tmp_path / "no.csv", "--traces", TRACES)
    assert result.exit_code == 2 and "no.csv" in result.output
    result = _run("estimate", tmp_path / "none.yaml", "--network", NETWORK, "--traces", TRACES)
    assert result.exit_code == 2 and "none.yaml" in result.output


def test_trace_that_does_not_match_its_layer(tmp_path):
    net = tmp_path / "net.csv"
    rows = NETWORK.read_text().splitlines()
    rows[1] = rows[1].replace("128,3,3,128", "64,3,3,128", 1)  # layer 2 claims 64 input channels
    net.write_text("\n".join(rows) + "\n")
    result = _run("estimate", EXAMPLES / "chip_sram_22nm.yaml", "--network", net, "--traces", TRACES)
    assert result.exit_code == 2  # the file's own table disagrees: both rows are shown
    assert "given 32,32,64,3,3,128,1,1, file 32,32,128,3,3,128,1,1" in result.output
    with np.load(TRACES) as z:  # without its own table, the arrays are checked against the given network
        np.savez(tmp_path / "bare.npz", **{k: z[k] for k in z.files if k != "network_csv"})
    result = _run("estimate", EXAMPLES / "chip_sram_22nm.yaml", "--network", net, "--traces", tmp_path / "bare.npz")
    assert result.exit_code == 2
    assert "weights" in result.output and "576" in result.output and "1152" in result.output


def test_unknown_neurosim_parameter(tmp_path):
    params = json.loads(PARAMS.read_text())
    params["numColMuxd"] = 8
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps(params))
    result = _run("estimate", "--neurosim-params", bad, "--network", NETWORK, "--traces", TRACES)
    assert result.exit_code == 2 and "numColMuxd" in result.output


def test_needs_exactly_one_config():
    result = _run("estimate", "--network", NETWORK, "--traces", TRACES)
    assert result.exit_code == 2 and "exactly one" in result.output


@pytest.mark.parametrize(("given", "expected"), [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_the_command_line_lets_omp_threads_sleep_unless_told_otherwise(given, expected):
    """numba's OpenMP threads spin between launches by default; the command line asks them to sleep (a busy machine
    otherwise loses its cores to them), and a policy in the environment wins."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if given is not None:
        env["OMP_WAIT_POLICY"] = given
    code = "import os, neurocim.cli; print(os.environ['OMP_WAIT_POLICY'])"
    found = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == expected
