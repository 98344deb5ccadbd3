"""Sweep files: dimensions from lists and ranges, safe constraint expressions, every bad input refused by name."""

from __future__ import annotations

import pytest

from neurocim.config.io import ConfigError
from neurocim.config.run import load_config
from neurocim.explore.constraints import parse_constraint
from neurocim.explore.space import apply_point, dimension
from neurocim.explore.spec import load_sweep

BASE = load_config(None).model_dump(mode="json")


def _sweep(**overrides):
    return {"base": {}, "space": {"chip.adc.bits": [3, 4]}, **overrides}


def test_dimensions_from_lists_steps_and_log_ranges():
    assert dimension("a", ["flash", "sar"]).values == ("flash", "sar")
    assert dimension("a", {"low": 2, "high": 8, "step": 2}).values == (2, 4, 6, 8)
    assert dimension("a", {"low": 0.1, "high": 0.3, "step": 0.1}).values == (0.1, 0.2, 0.3)
    assert dimension("a", {"low": 64, "high": 512, "log": True, "count": 4}).values == (64, 128, 256, 512)
    assert dimension("a", {"low": 1e-9, "high": 1e-7, "log": True, "count": 3}).values == (1e-9, 1e-8, 1e-7)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([], "empty"),
        ([3, 3], "repeat"),
        ({"low": 1}, "high: expected a finite number"),
        ({"low": 4, "high": 2, "step": 1}, "below low"),
        ({"low": 1, "high": 4, "step": 0}, "step: expected a number > 0"),
        ({"low": 0, "high": 4, "log": True, "count": 3}, "low > 0"),
        ({"low": 1, "high": 4, "log": True}, "count: expected an integer"),
        ({"low": 1, "high": 4, "step": 1, "count": 3}, "keys ['count']"),
        ({"low": 1, "high": 1e9, "step": 1}, "at most"),
        ("5", "expected a list"),
    ],
)
def test_bad_dimensions_are_refused_with_the_field(spec, message):
    with pytest.raises(ConfigError, match="space.chip.adc.bits") as err:
        dimension("chip.adc.bits", spec)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("sweep", "message"),
    [
        (_sweep(space={"chip.adc.bitz": [1]}), "chip.adc has no 'bitz'; allowed: bits,"),
        (_sweep(space={"chip.adc": [1]}), "is a section"),
        (_sweep(space={"model.name": ["vgg8"]}), "not sweepable"),
        (_sweep(space={"accuracy.seed": [1, 2]}), "set `accuracy: true`"),
        (_sweep(space={}), "space is empty"),
        (_sweep(objectives={"accuracy": "max"}), "needs `accuracy: true`"),
        (_sweep(objectives={"energy": "min"}), "unknown metric 'energy'; allowed: accuracy"),
        (_sweep(objectives={"energy_j": "least"}), "objectives.energy_j"),
        (_sweep(strategy="random"), "strategy.samples is required"),
        (_sweep(strategy={"name": "grid", "trials": 3}), "not used by strategy.name=grid"),
        (_sweep(strategy={"name": "sobol", "samples": 3}), "exceeds the 2 distinct points"),
        (_sweep(strategy="annealing"), "strategy.name"),
        (_sweep(space={f"chip.{f}": {"low": 1, "high": 200} for f in ("adc.bits", "array.rows", "array.cols")}),
         "grid has 8000000 points"),
        (_sweep(base="missing.yaml"), "run file not found"),
        (_sweep(workload={"traces": "missing.npz"}), "workload.traces='missing.npz': file not found"),
        (_sweep(constraints=["chip.adc.bits > chip.foo"]), "reads 'chip.foo'"),
        (_sweep(colour="red"), "colour"),
    ],
)
def test_bad_sweep_files_are_refused_with_the_field(sweep, message, tmp_path):
    with pytest.raises(ConfigError) as err:
        load_sweep(sweep, base_dir=tmp_path)
    assert message in str(err.value)


def test_base_run_file_is_relative_to_the_sweep_file(tmp_path):
    (tmp_path / "run.yaml").write_text("chip: {cell: {type: fefet}, adc: {bits: 6}}\n")
    (tmp_path / "sweep.yaml").write_text("base: run.yaml\nspace: {chip.array.rows: [64, 128]}\n")
    spec = load_sweep(tmp_path / "sweep.yaml")
    assert spec.base.chip.cell.type.value == "fefet" and spec.base.chip.adc.bits == 6
    assert list(spec.objectives) == ["energy_j", "latency_s", "area_m2"]  # the default objectives, cost-only
    assert spec.fingerprint() == load_sweep(tmp_path / "sweep.yaml").fingerprint()


def test_constraints_evaluate_field_paths_safely():
    rule = parse_constraint("chip.precision.weight_bits % chip.cell.bits_per_cell == 0", BASE)
    assert rule.holds(BASE)
    three = apply_point(BASE, {"chip.cell.bits_per_cell": 3})
    assert not rule.holds(three)
    assert "chip.cell.bits_per_cell=3" in rule.explain(three)
    assert BASE["chip"]["cell"]["bits_per_cell"] == 1  # apply_point leaves the base alone
    node = parse_constraint("chip.cell.type != 'rram' or chip.technology.node_nm >= 22", BASE)
    assert node.holds(BASE) and not node.holds(apply_point(BASE, {"chip.technology.node_nm": 14}))
    assert parse_constraint("chip.adc.bits in [4, 5] and not chip.adc.bits == 4", BASE).holds(BASE)
    assert parse_constraint("2 ** chip.adc.bits if chip.adc.bits > 3 else 0", BASE).holds(BASE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", "uses Call"),
        ("(lambda: 1)()", "uses Call"),
        ("chip.adc['bits'] > 1", "uses Subscript"),
        ("[x for x in chip]", "uses ListComp"),
        ("chip.adc.bits.real > 1", "reads 'chip.adc.bits.real'"),
        ("chip.adc.bits >", "not an expression"),
        ("", "expected an expression"),
    ],
)
def test_constraints_refuse_anything_but_the_expression_language(text, message):
    with pytest.raises(ConfigError) as err:
        parse_constraint(text, BASE)
    assert message in str(err.value)


def test_constraint_runtime_errors_are_config_errors():
    with pytest.raises(ConfigError, match="exceeds 64"):
        parse_constraint("2 ** (chip.adc.bits * 100) > 1", BASE).holds(BASE)
    with pytest.raises(ConfigError, match="division"):
        parse_constraint("chip.adc.bits / (chip.adc.bits - 5) > 1", BASE).holds(BASE)
