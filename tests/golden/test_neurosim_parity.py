"""Golden parity with NeuroSim V1.4 on fixed traces: every reference case in ../shared and the shipped ones."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from neurocim.compat.param_cpp import config_from_params
from neurocim.config.io import ConfigError
from neurocim.estimate import estimate
from neurocim.workload.prepared import PreparedWorkload, prepare
from neurocim.workload.trace_files import load_traces_npz

from .parity import compare

REPO = Path(__file__).resolve().parents[2]
SHARED_CASES = REPO.parent / "shared" / "reference" / "neurosim_v14" / "cases"
SHARED_TRACES = REPO.parent / "shared" / "reference" / "neurosim_v14" / "traces"
SHIPPED_CASES = REPO / "tests" / "data" / "neurosim_cases"
SHIPPED_TRACES = REPO / "tests" / "data"


def _cases() -> list:
    found, seen = [], set()
    for root, traces in ((SHIPPED_CASES, SHIPPED_TRACES), (SHARED_CASES, SHARED_TRACES)):
        if root.is_dir():
            for case in sorted(p for p in root.iterdir() if (p / "expected.json").is_file()):
                if case.name not in seen:  # a shipped copy of a shared case runs once
                    seen.add(case.name)
                    found.append(pytest.param(case, traces, id=case.name))
    return found


@functools.cache
def _workload(path: Path, key: str) -> PreparedWorkload:
    """One prepared workload per trace file, shared by the cases that read it (as a sweep shares it)."""
    return prepare(*load_traces_npz(path, network_key=key))


@pytest.mark.parametrize("case_dir, traces_dir", _cases())
def test_matches_neurosim(case_dir: Path, traces_dir: Path):
    expected = json.loads((case_dir / "expected.json").read_text())
    params = json.loads((case_dir / "params.json").read_text())
    case = expected["case"]
    if case.get("status", "ok") != "ok":
        with pytest.raises((ConfigError, ValueError), match="rram"):
            config_from_params(params)
        return
    workload = _workload(traces_dir / case["traces"], case.get("network_key", "network_csv"))
    report = estimate(config_from_params(params), workload).to_dict()
    problems = compare(report, expected)
    assert not problems, "\n".join(problems)
