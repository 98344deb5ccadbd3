"""End-to-end: `neurocim explore` from the command line; a killed sweep resumes to the uninterrupted table."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from neurocim.cli import main
from tests.explore_support import tiny_sweep, write_tiny_traces

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sweep_file(tmp_path):
    write_tiny_traces(tmp_path / "tiny.npz")
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(tiny_sweep(Path("tiny.npz"))))  # traces relative to the sweep file
    return path


def _run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_writes_tables_and_plots_and_resumes(sweep_file, tmp_path):
    out = tmp_path / "out"
    first = _run("explore", sweep_file, "--out", out, "--quiet")
    assert first.exit_code == 0, first.output
    assert "18 points (12 ok, 6 invalid, 0 failed)" in first.output and "Pareto front" in first.output
    for name in ("results.parquet", "results.csv", "pareto.csv", "pareto_energy_area.png", "summary.txt"):
        assert (out / name).is_file(), name
    again = _run("explore", sweep_file, "--out", out, "--quiet")
    assert again.exit_code == 0 and again.output == first.output


def test_a_point_equals_neurocim_estimate_of_its_config(sweep_file, tmp_path):
    out = tmp_path / "out"
    assert _run("explore", sweep_file, "--out", out, "--quiet").exit_code == 0
    row = pd.read_csv(out / "results.csv").query("status == 'ok'").iloc[-1]
    chip_file = tmp_path / "chip.json"
    chip_file.write_text(json.dumps(json.loads(row["config"])["chip"]))
    result = _run("estimate", chip_file, "--traces", tmp_path / "tiny.npz", "--json", tmp_path / "report.json")
    assert result.exit_code == 0, result.output
    chip = json.loads((tmp_path / "report.json").read_text())["chip"]
    for key in ("area_m2", "latency_s", "dynamic_energy_j", "tops_per_w", "tops_per_mm2"):
        assert row[key] == pytest.approx(chip[key], rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", "spark"], "'spark' is not one of"),
        (["--address", "ray://x:1"], "needs --backend ray"),
        (["--workers", "0"], "0 is not in the range"),
    ],
)
def test_cli_refuses_bad_options(sweep_file, tmp_path, args, message):
    result = _run("explore", sweep_file, "--out", tmp_path / "o", "--quiet", *args)
    assert result.exit_code == 2 and message in result.output


def test_cli_refuses_a_bad_sweep_file_in_one_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("base: {}\nspace: {chip.adc.bitz: [1, 2]}\n")
    result = _run("explore", path, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: space: field 'chip.adc.bitz': chip.adc has no 'bitz'; allowed: bits, dummy_column_shared, "
        "sense_mode, type"
    ]


def _stored(db: Path) -> int:
    if not db.is_file():
        return 0
    try:
        with sqlite3.connect(db, timeout=0.05) as con:
            return con.execute("SELECT COUNT(*) FROM points").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not created yet, or the writer holds the lock
        return 0


def test_a_killed_sweep_resumes_to_the_uninterrupted_table(sweep_file, tmp_path):
    sweep = yaml.safe_load(sweep_file.read_text())
    sweep["space"]["chip.technology.node_nm"] = [22, 32, 45, 65]  # 72 points, 48 of them costed
    sweep_file.write_text(yaml.safe_dump(sweep))
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    code = f"import neurocim; neurocim.explore({str(sweep_file)!r}, {str(killed)!r}, batch=1, progress=False)"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    worker = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while _stored(killed / "results.sqlite") < 3 and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert worker.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    done = _stored(killed / "results.sqlite")
    assert 3 <= done < 72
    resumed = _run("explore", sweep_file, "--out", killed, "--quiet")
    assert resumed.exit_code == 0, resumed.output
    assert _run("explore", sweep_file, "--out", whole, "--quiet").exit_code == 0
    a, b = pd.read_parquet(killed / "results.parquet"), pd.read_parquet(whole / "results.parquet")
    assert len(a) == 72
    pd.testing.assert_frame_equal(a.drop(columns="seconds"), b.drop(columns="seconds"))
