"""The command line on hostile, sloppy or odd inputs: one-line input errors (exit 2), bugs with traceback (exit 1)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from neurocim.cli import main

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
CHIP = REPO / "src" / "neurocim" / "examples" / "chip_sram_22nm.yaml"
NETWORK = DATA / "vgg8_network.csv"
TRACES = DATA / "vgg8_traces.npz"
ALIAS_BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n" for a, b in zip("abcdef", "bcdefg", strict=True)
)


def _run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def _input_error(result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.startswith("error: ")
    for part in parts:
        assert part in result.output, result.output


def test_the_alias_bomb_fails_clearly_in_under_a_second(tmp_path):
    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB)
    for command in (["estimate", tmp_path / "bomb.yaml", "--network", NETWORK, "--traces", TRACES],
                    ["accuracy", tmp_path / "bomb.yaml"], ["run", tmp_path / "bomb.yaml", "--out", tmp_path / "o"]):
        _run(*command)  # the first call imports the command's modules (PyTorch for accuracy and run)
        start = time.perf_counter()
        result = _run(*command)
        assert time.perf_counter() - start < 1.0
        _input_error(result, "bomb.yaml: its aliases expand to more than 100000 values")
        assert len(result.output) < 300
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.yaml"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "the file is empty"),
        (b"array: {rows: 64}\narray: {rows: 32}\n", "duplicate key 'array'"),
        (b"array: {rows: true}\n", "array.rows: expected a number, got true"),
        (b"cell: {r_on_ohm: 1e400}\n", "cell.r_on_ohm: must be a finite number, got inf"),
        (b"cell: {type: \xe9}\n", "not UTF-8 text (byte 0xe9 at offset 13)"),
    ],
)
def test_sloppy_chip_files(tmp_path, text, message):
    (tmp_path / "c.yaml").write_bytes(text)
    _input_error(_run("estimate", tmp_path / "c.yaml", "--network", NETWORK, "--traces", TRACES), "c.yaml", message)


def test_a_directory_given_as_a_file(tmp_path):
    _input_error(_run("estimate", tmp_path, "--network", NETWORK, "--traces", TRACES), "is a directory")
    _input_error(_run("estimate", CHIP, "--network", tmp_path, "--traces", TRACES), "is a directory")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is not a valid .npz (the file is empty, 0 bytes)"),
        (TRACES.read_bytes()[:5000], "is not a valid .npz"),
        (bytes(range(256)) * 8, "is not a valid .npz (not a zip archive"),
    ],
)
def test_corrupt_trace_files(tmp_path, content, message):
    (tmp_path / "t.npz").write_bytes(content)
    result = _run("estimate", CHIP, "--network", NETWORK, "--traces", tmp_path / "t.npz")
    _input_error(result, "t.npz", message)
    assert "allow_pickle" not in result.output and "Aborted" not in result.output


def test_neurosim_params_with_few_values(tmp_path):
    for params in ({}, {"technode": 22}):
        (tmp_path / "p.json").write_text(json.dumps(params))
        out = tmp_path / "r.json"
        result = _run("estimate", "--neurosim-params", tmp_path / "p.json", "--network", NETWORK, "--traces", TRACES,
                      "--json", out, "--quiet")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert json.loads(out.read_text())["chip"]["clock_period_s"] == pytest.approx(1.6974e-9, rel=1e-4)
    (tmp_path / "p.json").write_text('{"pipeline": "false"}')
    result = _run("estimate", "--neurosim-params", tmp_path / "p.json", "--network", NETWORK, "--traces", TRACES)
    _input_error(result, "p.json: pipeline='false' is a flag: allowed true, false, 0 or 1")


def _never_called(*args, **kwargs):
    raise AssertionError("the computation started although an output path cannot be written")


def test_outputs_are_checked_before_the_computation(tmp_path, monkeypatch):
    monkeypatch.setattr("neurocim.estimate.estimate_from_files", _never_called)
    monkeypatch.setattr("neurocim.runner.run", _never_called)
    monkeypatch.setattr("neurocim.accuracy.run_accuracy", _never_called)
    (tmp_path / "file").write_text("")
    estimate = ["estimate", CHIP, "--network", NETWORK, "--traces", TRACES]
    _input_error(_run(*estimate, "--json", tmp_path), "--json", "is a directory; give a file name")
    _input_error(_run(*estimate, "--json", tmp_path / "file" / "r.json"), "file is not a folder")
    _input_error(_run("accuracy", "--json", tmp_path), "is a directory")
    _input_error(_run("run", "--out", tmp_path / "file"), "--out", "exists and is not a folder")
    _input_error(_run("run", "--json", tmp_path, "--out", tmp_path / "o"), "--json")
    _input_error(_run("network", "--csv", tmp_path), "--csv")
    _input_error(_run("sweep-accuracy", "--png", tmp_path), "--png")
    if sys.platform.startswith("linux"):
        _input_error(_run(*estimate, "--json", "/proc/neurocim/r.json"), "cannot write in /proc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_json_into_a_missing_folder_is_written(tmp_path):
    out = tmp_path / "new" / "deeper" / "r.json"
    result = _run("estimate", CHIP, "--network", NETWORK, "--traces", TRACES, "--json", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["chip"]["area_m2"] > 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["r.json"]  # no temporary file left


def test_internal_errors_show_their_traceback_and_ask_for_a_report(monkeypatch):
    def bug(*args, **kwargs):
        return 1 / 0

    monkeypatch.setattr("neurocim.estimate.estimate_from_files", bug)
    result = _run("estimate", CHIP, "--network", NETWORK, "--traces", TRACES)
    assert result.exit_code == 1
    assert "Traceback" in result.output and "ZeroDivisionError" in result.output
    assert "internal error (ZeroDivisionError): this is a bug in neurocim" in result.output
    assert "please report it" in result.output


def test_estimate_is_quiet_when_piped_or_asked():
    for extra in ([], ["--quiet"]):
        result = _run("estimate", CHIP, "--network", NETWORK, "--traces", TRACES, *extra)
        assert result.exit_code == 0 and "estimating" not in result.output


def test_huge_inputs_are_echoed_in_bounded_messages(tmp_path):
    keys = {f"{'k' * 5000}{i}": list(range(1000)) for i in range(100)}  # 100 unknown, long keys with long values
    (tmp_path / "c.json").write_text(json.dumps(keys))
    result = _run("estimate", tmp_path / "c.json", "--network", NETWORK, "--traces", TRACES)
    _input_error(result, "Extra inputs are not permitted", "more problems")
    assert len(result.output) < 45 * 1010
