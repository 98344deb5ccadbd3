"""The sweep files shipped in examples/ load, and their points are refused only where the README says."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from neurocim.explore.engine import PointRunner
from neurocim.explore.space import point_key
from neurocim.explore.spec import load_sweep
from neurocim.explore.store import PointRow
from neurocim.explore.strategies import planned_points

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "neurocim" / "examples"


@pytest.mark.parametrize(
    ("name", "points", "refused"),
    [
        # SRAM with 2- or 4-bit cells (a constraint), RRAM at 14 and 7 nm (the chip's validation)
        ("explore_vgg8_technologies.yaml", 54, 18),
        ("explore_digits_adc.yaml", 42, 0),
    ],
)
def test_example_sweeps_load_and_refuse_only_what_they_say(name, points, refused):
    spec = load_sweep(EXAMPLES / name)
    planned = planned_points(spec.dims, spec.strategy)
    workload = SimpleNamespace(input_bits=spec.base.chip.precision.input_bits)  # what the points are checked against
    runner = PointRunner(spec, store=None, backend=None, workload=workload)
    rows = [runner.prepare(seq, point_key(point), point) for seq, point in enumerate(planned)]
    assert len(rows) == points
    assert sum(isinstance(row, PointRow) for row in rows) == refused
