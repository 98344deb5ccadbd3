"""Grouping points by read setting: no chip field outside READ_FIELDS starts a read pass, and the pieces handed to
workers keep every read setting whole and give every result back in order."""

from __future__ import annotations

import copy
import enum
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import neurocim.arch.subarray.envm_read as envm_read
from neurocim.config.chip import ChipConfig
from neurocim.config.io import ConfigError
from neurocim.estimate import estimate
from neurocim.explore.batches import (
    READ_FIELDS,
    by_read_setting,
    gather,
    grouped_chunks,
    is_read_field,
    read_key,
    split,
)
from neurocim.workload.cache import WorkloadCache
from neurocim.workload.prepared import prepare
from tests.explore_support import tiny_workload


def _leaves(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from _leaves(kind, f"{prefix}{name}.")
        else:
            yield prefix + name


def _other_values(value: Any) -> list[Any]:
    """A few valid-looking values other than `value` (each still validated by the chip config)."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, enum.Enum):
        return [member.value for member in type(value) if member != value]
    if isinstance(value, int):
        return [2 * value, max(1, value // 2)]
    if isinstance(value, float):
        return [1.5 * value, value / 1.5]
    return [2, 8] if value is None else []


def _changed(base: dict, path: str, value: Any) -> ChipConfig | None:
    section = copy.deepcopy(base)
    *parents, name = path.split(".")
    node = section
    for part in parents:
        node = node.setdefault(part, {})
    node[name] = value
    try:
        return ChipConfig.model_validate(section)
    except (ValidationError, ValueError):
        return None


@pytest.fixture
def counted(monkeypatch) -> dict[str, int]:
    """Counts of read passes (the compiled column-statistics pass) and of arrays a workload cache takes (cell
    digits, input bit planes, blocks of them): what a new read setting pays."""
    calls = {"read": 0, "own": 0}
    read_sums, own = envm_read._read_sums, WorkloadCache.own

    def counting_read(*args, **kwargs):
        calls["read"] += 1
        return read_sums(*args, **kwargs)

    def counting_own(self, *args):
        calls["own"] += 1
        return own(self, *args)

    monkeypatch.setattr(envm_read, "_read_sums", counting_read)
    monkeypatch.setattr(WorkloadCache, "own", counting_own)
    return calls


@pytest.mark.parametrize("cell", ["rram", "sram"])
def test_no_field_outside_the_read_key_starts_a_read_pass(cell, counted):
    base = {"cell": {"type": cell}}
    base_chip = ChipConfig.model_validate(base)
    workload = prepare(*tiny_workload())
    estimate(base_chip, workload)
    costed, starting = 0, []
    for path in (p for p in _leaves(ChipConfig) if not is_read_field(p)):
        value = base_chip
        for part in path.split("."):
            value = getattr(value, part)
        for other in _other_values(value):
            chip = _changed(base, path, other)
            if chip is None:
                continue
            counted["read"] = counted["own"] = 0
            try:
                estimate(chip, workload)
            except (ConfigError, ValueError):  # a chip the cost model refuses (e.g. no floorplan) reads nothing new
                continue
            costed += 1
            if counted["read"] or counted["own"]:
                starting.append(f"{path}={other!r}: {counted}")
            estimate(base_chip, workload)
    assert costed > 100, "too few chips were costed for the check to mean anything"
    assert not starting, f"fields outside READ_FIELDS start a read pass: {starting}"


@pytest.mark.parametrize(
    "path, value", [("array.rows", 64), ("cell.bits_per_cell", 2), ("technology.temperature_k", 350)]
)
def test_fields_of_the_read_key_start_one(path, value, counted):
    base = {"cell": {"type": "rram"}}
    workload = prepare(*tiny_workload())
    estimate(ChipConfig.model_validate(base), workload)
    counted["read"] = counted["own"] = 0
    chip = _changed(base, path, value)
    assert chip is not None and is_read_field(path)
    estimate(chip, workload)
    assert counted["read"] + counted["own"] > 0


def test_read_key_takes_read_fields_and_sections_only():
    point = {"chip.adc.bits": 6, "chip.array.rows": 64, "chip.technology.node_nm": 32, "accuracy.repeats": 2}
    assert read_key(point) == (("chip.array.rows", "64"), ("chip.technology.node_nm", "32"))
    assert is_read_field("chip.cell") and is_read_field("quirks.v21_activity_over_block_rows")
    assert not is_read_field("chip.adc.bits") and not is_read_field("chip.cell.read_pulse_width_s")


def test_a_read_field_at_the_base_value_is_the_base_read_setting():
    base = {"chip": {"array": {"rows": 128}, "technology": {"node_nm": 22}}}
    assert read_key({"chip.array.rows": 128, "chip.adc.bits": 5}, base) == ()
    point = {"chip.array.rows": 64, "chip.technology.node_nm": 22, "chip.cell.type": "rram"}
    assert read_key(point, base) == (("chip.array.rows", "64"), ("chip.cell.type", "'rram'"))  # not in base: its own


keys_of = st.lists(st.sampled_from([(), ("a",), ("b",), ("c",), ("d",)]), max_size=40)


@given(keys=keys_of, parts=st.integers(1, 5))
def test_grouped_pieces_keep_read_settings_whole_and_results_in_order(keys, parts):
    items = [f"item{i}" for i in range(len(keys))]
    pieces, indices = split(items, keys, parts)
    assert sorted(i for piece in indices for i in piece) == list(range(len(items)))
    assert len(pieces) <= parts and all(pieces) and all(piece == sorted(piece) for piece in indices)
    owner = {}
    for k, piece in enumerate(indices):
        for i in piece:
            assert keys[i] == () or owner.setdefault(keys[i], k) == k  # a read setting other than the base's is whole
    results = [[f"result of {item}" for item in piece] for piece in pieces]
    assert gather(indices, results) == [f"result of {item}" for item in items]


@given(n=st.integers(0, 50), parts=st.integers(1, 4))
def test_base_setting_points_are_spread_evenly(n, parts):
    pieces = grouped_chunks([()] * n, parts)
    assert sum(map(len, pieces)) == n and (not pieces or max(map(len, pieces)) - min(map(len, pieces)) <= 1)


@given(st.lists(st.tuples(st.sampled_from([16, 32, 64]), st.sampled_from([3, 4])), max_size=30))
def test_points_of_one_read_setting_are_made_adjacent(values):
    todo = [(seq, {"chip.array.rows": rows, "chip.adc.bits": bits}) for seq, (rows, bits) in enumerate(values)]
    ordered = by_read_setting(todo)
    assert sorted(ordered, key=lambda item: item[0]) == todo
    settings = [item[1]["chip.array.rows"] for item in ordered]
    changes = sum(a != b for a, b in zip(settings, settings[1:], strict=False))
    assert changes == max(0, len(set(settings)) - 1)


_NAMES = st.sampled_from(sorted({part for f in READ_FIELDS for part in f.split(".")} | {"bits", "x", "cells"}))


@given(st.lists(_NAMES, min_size=1, max_size=4), st.booleans())
def test_a_read_field_is_one_that_holds_or_lies_in_a_listed_field(parts, prefixed):
    """The lookup agrees with the plain definition: the path is a listed field, lies inside one or holds one."""
    field = ".".join(parts)
    plain = any(field == r or field.startswith(r + ".") or r.startswith(field + ".") for r in READ_FIELDS)
    assert is_read_field(("chip." if prefixed else "") + field) == plain
