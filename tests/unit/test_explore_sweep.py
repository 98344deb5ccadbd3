"""Sweeps on a tiny two-layer workload: counts, refused points, metrics equal to standalone estimates, resume."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neurocim
from neurocim.config.io import ConfigError, chip_config_from
from neurocim.estimate import estimate
from neurocim.explore.metrics import chip_metrics
from neurocim.workload.trace_files import load_traces_npz
from tests.explore_support import tiny_sweep, write_tiny_traces


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return write_tiny_traces(tmp_path_factory.mktemp("workload") / "tiny.npz")


@pytest.fixture(scope="module")
def grid(traces, tmp_path_factory):
    out = tmp_path_factory.mktemp("grid")
    return out, neurocim.explore(tiny_sweep(traces), out, progress=False)


def _no_cost(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a stored point was recomputed")

    monkeypatch.setattr("neurocim.explore.backends.cost_points", refuse)
    monkeypatch.setattr("neurocim.explore.backends.evaluate_accuracies", refuse)


def test_grid_sweep_counts_and_reports_refused_points(grid):
    out, frame = grid
    assert len(frame) == 18 and frame["point"].tolist() == list(range(18))
    assert frame["status"].value_counts().to_dict() == {"ok": 12, "invalid": 6}
    invalid = frame[frame["status"] == "invalid"]
    assert (invalid["chip.cell.bits_per_cell"] == 3).all()
    assert invalid["message"].str.contains("chip.cell.bits_per_cell=3").all()
    summary = (out / "summary.txt").read_text()
    assert "18 points (12 ok, 6 invalid, 0 failed)" in summary and "6 invalid: constraint" in summary
    for name in ("results.parquet", "results.csv", "pareto.csv", "pareto_energy_latency.png", "sensitivity.png"):
        assert (out / name).stat().st_size > 0
    assert list(frame.columns[:6]) == ["point", "chip.adc.bits", "chip.cell.bits_per_cell", "chip.array.rows",
                                       "status", "message"]  # fmt: skip
    import pandas as pd

    assert pd.read_parquet(out / "results.parquet").drop(columns="seconds").equals(frame.drop(columns="seconds"))


def test_every_point_equals_a_standalone_estimate_of_its_config(grid, traces):
    _, frame = grid
    layers, layer_traces = load_traces_npz(traces)
    for _, row in frame[frame["status"] == "ok"].iterrows():
        chip = chip_config_from(json.loads(row["config"])["chip"])
        assert chip.adc.bits == row["chip.adc.bits"] and chip.array.rows == row["chip.array.rows"]
        expected = chip_metrics(estimate(chip, layers, layer_traces))
        assert {m: row[m] for m in expected} == expected
        assert row["energy_j"] == pytest.approx(expected["dynamic_energy_j"] + expected["leakage_energy_j"])


def _equal_to_standalone_estimates(frame, traces) -> None:
    layers, layer_traces = load_traces_npz(traces)
    ok = frame[frame["status"] == "ok"]
    assert len(ok)
    for _, row in ok.iterrows():
        chip = chip_config_from(json.loads(row["config"])["chip"])
        expected = chip_metrics(estimate(chip, layers, layer_traces))
        assert {m: row[m] for m in expected} == expected


def test_points_that_reuse_tile_sides_and_pe_evaluations_equal_standalone_estimates(traces, tmp_path):
    space = {
        "chip.adc.bits": [4, 6],
        "chip.buffers.tile_type": ["register_file", "sram"],
        "chip.buffers.global_type": ["register_file", "sram"],
        "chip.clock.max_frequency_hz": [2.5e8, 1e9],
        "chip.pipeline.speedup_degree": [1, 4],
    }
    sweep = tiny_sweep(traces, space=space, constraints=[], strategy={"name": "random", "samples": 12, "seed": 3})
    _equal_to_standalone_estimates(neurocim.explore(sweep, tmp_path, progress=False, plots=False), traces)


# fields whose points share tile sides, PE evaluations and the chip-level circuits' figures (global buffer, bus,
# accumulation, activation, pooling) and whose configurations are validated only where they differ from the base
_CHIP_LEVEL_SPACE = {
    "chip.adc.bits": [4, 6],
    "chip.buffers.global_type": ["register_file", "sram"],
    "chip.buffers.global_core_cols": [64, 128],
    "chip.interconnect.global_bus": ["xy_bus", "htree"],
    "chip.interconnect.global_delay_tolerance": [0.1, 0.4],
    "chip.clock.max_frequency_hz": [2.5e8, 1e9],
    "chip.clock.synchronous": [True, False],
    "chip.pipeline.enabled": [True, False],
    "chip.activation.function": ["relu", "sigmoid"],
    "chip.activation.place": ["chip", "tile"],
}


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({path: st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True)
                              for path, values in _CHIP_LEVEL_SPACE.items()}),
       st.integers(0, 2**16))  # fmt: skip
def test_points_that_reuse_chip_level_figures_equal_standalone_estimates(traces, tmp_path_factory, space, seed):
    samples = min(10, math.prod(len(values) for values in space.values()))
    strategy = {"name": "random", "samples": samples, "seed": seed}
    sweep = tiny_sweep(traces, space=space, constraints=[], strategy=strategy)
    out = tmp_path_factory.mktemp("chip_level")
    _equal_to_standalone_estimates(neurocim.explore(sweep, out, progress=False, plots=False), traces)


def test_pareto_csv_is_the_non_dominated_set(grid):
    import pandas as pd

    out, frame = grid
    front = pd.read_csv(out / "pareto.csv")
    ok = frame[frame["status"] == "ok"]
    objectives = ["energy_j", "latency_s", "area_m2"]
    for _, row in ok.iterrows():
        dominated = (ok[objectives] <= row[objectives]).all(axis=1) & (ok[objectives] < row[objectives]).any(axis=1)
        assert dominated.any() != (row["point"] in set(front["point"]))


def test_rerun_resumes_without_recomputing(grid, traces, monkeypatch):
    out, frame = grid
    _no_cost(monkeypatch)
    again = neurocim.explore(tiny_sweep(traces), out, progress=False, plots=False)
    assert again.equals(frame)


def test_another_sweep_in_the_same_folder_is_refused(grid, traces):
    out, _ = grid
    with pytest.raises(ConfigError, match="holds the results of another sweep"):
        neurocim.explore(tiny_sweep(traces, constraints=[]), out, progress=False)


def test_invalid_configurations_are_counted_with_the_validation_message(traces, tmp_path):
    sweep = tiny_sweep(traces, constraints=[])
    sweep["space"] = {"chip.cell.type": ["sram", "rram"], "chip.cell.bits_per_cell": [1, 2],
                      "chip.precision.input_bits": [8, 4]}  # fmt: skip
    frame = neurocim.explore(sweep, tmp_path, progress=False, plots=False)
    counts = frame["status"].value_counts().to_dict()
    assert counts == {"invalid": 5, "ok": 3}
    messages = frame.loc[frame["status"] == "invalid", "message"]
    assert messages.str.contains("bits_per_cell=2 is invalid for SRAM").sum() == 2
    assert messages.str.contains("input_bits=4 differs from the workload").sum() == 3


def test_chips_the_cost_model_refuses_are_invalid_before_accuracy_is_paid(tmp_path):
    sweep = {
        "base": {"accuracy": {"devices": {"d2d_sigma": 0.0}}, "data": {"test_samples": 60, "batch_size": 60}},
        "space": {"chip.adc.bits": [1, 5]},  # a 1-bit current-sense flash ADC has no cost model
        "accuracy": True,
    }
    frame = neurocim.explore(sweep, tmp_path, progress=False, plots=False)
    assert frame["status"].tolist() == ["invalid", "ok"]
    assert frame["message"][0].startswith("adc.bits=1 with a current-sense flash ADC has no cost model")
    assert "accuracy evaluated 1 time (" in (tmp_path / "summary.txt").read_text()


@pytest.mark.parametrize(("strategy", "count"), [({"name": "random", "samples": 5, "seed": 1}, 5),
                                                  ({"name": "sobol", "samples": 4, "seed": 2}, 4)])  # fmt: skip
def test_samplers_produce_their_number_of_points(traces, tmp_path, strategy, count):
    sweep = tiny_sweep(traces, strategy=strategy, constraints=[])
    sweep["space"] = {"chip.adc.bits": [3, 4, 5, 6], "chip.technology.node_nm": [22, 32, 45]}
    frame = neurocim.explore(sweep, tmp_path, progress=False, plots=False)
    assert len(frame) == count and (frame["status"] == "ok").all()


def test_optuna_runs_its_trials_and_resumes_to_the_same_table(traces, tmp_path, monkeypatch):
    sweep = tiny_sweep(traces, strategy={"name": "optuna", "trials": 10, "seed": 3, "batch": 4}, constraints=[])
    sweep["space"] = {"chip.adc.bits": {"low": 3, "high": 8, "step": 1}, "chip.technology.node_nm": [22, 32, 45]}
    sweep["objectives"] = {"energy_j": "min", "tops_per_mm2": "max"}
    frame = neurocim.explore(sweep, tmp_path, progress=False, plots=False)
    assert 1 <= len(frame) <= 10 and (frame["status"] == "ok").all()  # one row per distinct point asked
    assert frame["point"].max() <= 9  # the trial number that first asked the point
    _no_cost(monkeypatch)
    assert neurocim.explore(sweep, tmp_path, progress=False, plots=False).equals(frame)


def test_accuracy_is_paid_once_per_distinct_accuracy_setting(tmp_path):
    sweep = {
        "base": {"accuracy": {"devices": {"d2d_sigma": 0.0}}, "data": {"test_samples": 60, "batch_size": 60}},
        "space": {"chip.adc.bits": [2, 5], "chip.technology.node_nm": [22, 32], "chip.adc.type": ["flash", "sar"]},
        "accuracy": True,
    }
    frame = neurocim.explore(sweep, tmp_path, progress=False)
    assert len(frame) == 8 and (frame["status"] == "ok").all()
    assert "accuracy evaluated 2 times" in (tmp_path / "summary.txt").read_text()
    by_bits = frame.groupby("chip.adc.bits")["accuracy"]
    assert (by_bits.nunique() == 1).all()  # node and ADC type do not move accuracy
    assert by_bits.first()[5] > by_bits.first()[2]
    assert list(frame.columns[6:9]) == ["accuracy", "energy_j", "latency_s"]  # objectives first
    assert (tmp_path / "pareto_accuracy_energy.png").is_file()


def test_a_point_whose_estimate_fails_is_recorded_as_failed(traces, tmp_path, monkeypatch):
    import neurocim.explore.costing as costing

    real = costing.estimate

    def fragile(chip, *workload):
        if chip.adc.bits == 5:
            raise ArithmeticError("report.chip.latency_s is inf: the model produced a non-finite value")
        return real(chip, *workload)

    monkeypatch.setattr(costing, "estimate", fragile)
    sweep = tiny_sweep(traces, constraints=[])
    sweep["space"] = {"chip.adc.bits": [4, 5]}
    frame = neurocim.explore(sweep, tmp_path, progress=False, plots=False)
    assert frame["status"].tolist() == ["ok", "failed"]
    assert frame["message"][1] == "ArithmeticError: report.chip.latency_s is inf: the model produced a non-finite value"
    assert frame.loc[1, ["energy_j", "latency_s"]].isna().all()
    assert "1 failed: ArithmeticError" in (tmp_path / "summary.txt").read_text()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"backend": "spark"}, "backend='spark' is unknown; allowed: local, ray"),
        ({"workers": 0}, "workers=0 must be an integer >= 1"),
        ({"address": "ray://head:10001"}, "is for backend=ray only"),
        ({"batch": 0}, "batch=0 must be an integer >= 1"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(traces, tmp_path, options, message):
    with pytest.raises(ConfigError) as err:
        neurocim.explore(tiny_sweep(traces), tmp_path / "out", progress=False, **options)
    assert message in str(err.value)
    assert not (tmp_path / "out").exists()
