"""Every plausible chip is refused at load with its field and what is allowed, or estimated to sane numbers."""

from __future__ import annotations

import math
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

from neurocim.compat.quirks import enabled_quirks
from neurocim.config.chip import CellType, ChipConfig, ReadMode
from neurocim.config.io import ConfigError
from neurocim.estimate import estimate
from neurocim.mapping.floorplan import FloorplanError
from neurocim.report.records import Breakdown, Report
from neurocim.workload.network import Layer

from .chip_space import chip_tree, computed_windows, random_traces, tiny_network

# A refusal names a field (`section.field=value` in the message, or pydantic's location) and what would do.
FIELD = re.compile(r"\b[a-z_]+\.[a-z_]+=")
ADVICE = re.compile(r"allowed|needs|use |only|must|should|exceeds|more than|greater|less|one of|valid", re.IGNORECASE)
# Chips are drawn in both compat modes (faithful, and NeuroSim V1.4's quirks). Bounds no physical chip of this size
# reaches (the broken estimates this guards against gave clocks of 1e5 s and 1e13 s per image): the slowest drawn
# chips sense for ~20 us a cycle; one conversion (a row group of a column) of any of them is well under 100 us;
# moving the tiny workload's data takes well under a millisecond.
MAX_CLOCK_PERIOD_S = 1e-3
MAX_CONVERSION_S = 1e-4
MAX_DATA_MOVEMENT_S = 1e-3
MAX_AREA_M2 = 0.07  # a whole 300 mm wafer
REL = 1e-9

SETTINGS = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}


def check_refusal(message: str, located: bool = False) -> None:
    assert located or FIELD.search(message), f"refusal names no field: {message}"
    assert ADVICE.search(message), f"refusal says nothing of what is allowed: {message}"


def check_validation_error(err: ValidationError) -> None:
    for problem in err.errors():
        check_refusal(problem["msg"], located=bool(problem["loc"]))


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-30)


def parts(b: Breakdown) -> float:
    assert b.buffer <= b.other * (1 + REL) and b.interconnect <= b.other * (1 + REL)  # parts of `other`
    return b.adc + b.accumulation + b.other


def floorplan_is_exact(chip: ChipConfig) -> bool:
    """The faithful floorplan counts the cells of the whole sub-arrays its PEs are built of. NeuroSim's (quirk
    `floorplan_partial_sub_arrays`) counts PE and tile sizes in powers of two of rows: only square power-of-two
    sub-arrays fill it exactly (otherwise its duplication counts partial sub-arrays and utilisation can pass 1)."""
    if "floorplan_partial_sub_arrays" not in enabled_quirks(chip.compat, chip.quirks):
        return True
    rows, cols = chip.array.rows, chip.array.cols
    return rows == cols and rows & (rows - 1) == 0


def serial_conversions(chip: ChipConfig, layers: list[Layer]) -> int:
    """Conversions of the workload done one after another: every input bit of every vector, every row group of
    every sub-array the layer occupies, every column an ADC serves (no parallelism at all)."""
    sram = chip.cell.type is CellType.SRAM
    cols_per_weight = math.ceil(chip.precision.weight_bits / (1 if sram else chip.cell.bits_per_cell))
    sequential_sram = sram and chip.array.read_mode is ReadMode.SEQUENTIAL
    cols_per_adc = cols_per_weight if sequential_sram else chip.array.cols_per_adc
    groups = math.ceil(chip.array.rows / chip.array.rows_in_parallel)
    total = 0
    for layer in layers:
        cols = layer.out_channels * cols_per_weight
        blocks = math.ceil(layer.rows / chip.array.rows) * math.ceil(cols / chip.array.cols)
        total += computed_windows(layer) * chip.precision.input_bits * groups * cols_per_adc * blocks
    return total


def check_report(chip: ChipConfig, report: Report) -> None:
    report.to_dict()  # every number finite and non-negative
    c = report.chip
    assert 0 < c.area_m2 < MAX_AREA_M2
    assert c.dynamic_energy_j > 0 and c.latency_s > 0
    assert close(parts(c.energy_breakdown_j), c.dynamic_energy_j)
    assert close(sum(layer.dynamic_energy_j for layer in report.layers), c.dynamic_energy_j)
    assert close(sum(layer.leakage_energy_j for layer in report.layers), c.leakage_energy_j)
    for layer in report.layers:
        assert close(parts(layer.energy_breakdown_j), layer.dynamic_energy_j)
        assert layer.latency_s > 0
    latencies = [layer.latency_s for layer in report.layers]
    assert close(c.latency_s, max(latencies) if chip.pipeline.enabled else sum(latencies))
    assert c.clock_period_s < MAX_CLOCK_PERIOD_S
    assert c.latency_s < serial_conversions(chip, tiny_network()) * MAX_CONVERSION_S + MAX_DATA_MOVEMENT_S
    if floorplan_is_exact(chip):
        assert 0 < c.memory_utilization <= 1
        assert all(0 < layer.utilization <= 1 for layer in report.layers)


def check_chip(tree: dict) -> None:
    """Refused at load (or, for what needs the technology, at estimate with a ConfigError), or sane numbers."""
    try:
        chip = ChipConfig.model_validate(tree)
    except ValidationError as err:
        check_validation_error(err)
        return
    layers = tiny_network()
    try:
        report = estimate(chip, layers, random_traces(layers, chip.precision.input_bits, seed=0))
    except ConfigError as err:
        check_refusal(str(err))
        return
    except FloorplanError as err:  # a network too small for these sub-arrays, refused as asked
        assert chip.strict_floorplan and "strict_floorplan=false" in str(err), str(err)
        return
    check_report(chip, report)


@settings(max_examples=80, derandomize=True, **SETTINGS)
@given(chip_tree())
def test_plausible_chips_are_refused_or_estimated_sanely(tree):
    check_chip(tree)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("NEUROCIM_SLOW"), reason="set NEUROCIM_SLOW=1 to draw 2000 chips")
@settings(max_examples=2000, **SETTINGS)
@given(chip_tree())
def test_many_plausible_chips_are_refused_or_estimated_sanely(tree):
    check_chip(tree)
