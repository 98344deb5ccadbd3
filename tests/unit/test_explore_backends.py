"""Backends agree: a local process pool and Ray (2 CPUs, skipped without Ray) give the in-process table."""

from __future__ import annotations

import importlib.util

import pytest

import neurocim
from tests.explore_support import tiny_sweep, write_tiny_traces


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    traces = write_tiny_traces(tmp_path_factory.mktemp("workload") / "tiny.npz")
    sweep = tiny_sweep(traces)
    sweep["space"]["chip.adc.bits"] = [4, 5]  # 12 points, 8 costed
    frame = neurocim.explore(sweep, tmp_path_factory.mktemp("local"), progress=False, plots=False)
    return sweep, frame.drop(columns="seconds")


@pytest.mark.slow
def test_process_pool_agrees_with_in_process(reference, tmp_path):
    sweep, expected = reference
    frame = neurocim.explore(sweep, tmp_path, workers=2, progress=False, plots=False)
    assert frame.drop(columns="seconds").equals(expected)


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="Ray is not installed (pip install neurocim[ray])")
def test_ray_agrees_with_local(reference, tmp_path):
    sweep, expected = reference
    frame = neurocim.explore(sweep, tmp_path, backend="ray", workers=2, progress=False, plots=False)
    assert frame.drop(columns="seconds").equals(expected)
