"""A point validated where it differs from its base gives the model, or the message, of a full strict validation."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from neurocim.config.chip import ChipConfig
from neurocim.config.io import ConfigError, validate_changed, validate_strictly
from neurocim.config.run import RunConfig, load_config
from neurocim.explore.space import apply_point

BASE_CHIP = validate_strictly(ChipConfig, {"cell": {"type": "rram"}}, "base")
BASE_RUN = load_config(None)
VALUES = st.one_of(
    st.booleans(),
    st.integers(-3, 300),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.5, 1e9, 2.5e8, -1.0]),
    st.sampled_from(["sram", "rram", "htree", "xy_bus", "register_file", "flash", "sar", "nonsense"]),
    st.none(),
)
CHIP_PATHS = [
    "adc.bits", "adc.type", "buffers.global_type", "buffers.tile_type", "interconnect.global_bus",
    "clock.max_frequency_hz", "pipeline.enabled", "pipeline.speedup_degree", "array.rows", "cell.bits_per_cell",
    "cell.type", "technology.node_nm", "technology.temperature_k", "precision.weight_bits",
]  # fmt: skip


def _outcome(validate) -> object:
    try:
        return validate()
    except ConfigError as err:
        return str(err)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(CHIP_PATHS), VALUES, min_size=1, max_size=4))
def test_a_chip_point_validates_as_a_full_strict_validation(point):
    data = apply_point(BASE_CHIP.model_dump(mode="json"), point)
    full = _outcome(lambda: validate_strictly(ChipConfig, data, "point"))
    assert _outcome(lambda: validate_changed(ChipConfig, data, "point", BASE_CHIP, point)) == full


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from([f"chip.{p}" for p in CHIP_PATHS] + ["accuracy.monte_carlo_repeats"]), VALUES,
                       min_size=1, max_size=3))  # fmt: skip
def test_a_run_point_validates_as_a_full_strict_validation(point):
    data = apply_point(BASE_RUN.model_dump(mode="json"), point)
    full = _outcome(lambda: validate_strictly(RunConfig, data, "point"))
    assert _outcome(lambda: validate_changed(RunConfig, data, "point", BASE_RUN, point)) == full

