"""chip.compat and its quirk registry: every quirk is one named switch that acts, and the docs list them all."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from neurocim.compat.param_cpp import load_params_json
from neurocim.compat.quirks import QUIRKS, ChipCompat, enabled_quirks
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive
from neurocim.estimate import estimate
from neurocim.workload.network import Layer
from neurocim.workload.prepared import PreparedWorkload, prepare
from neurocim.workload.traces import LayerTrace

REPO = Path(__file__).resolve().parents[2]
LAYERS = (Layer(8, 8, 16, 3, 3, 32, pooled=True, name="conv"), Layer(1, 1, 512, 1, 1, 10, name="fc"))
RRAM = {"cell": {"type": "rram"}}

# per quirk: a chip (over compat neurosim_v14) and the weights of the workload where switching it off changes the report
WHERE_IT_ACTS = {
    "windows_ignore_padding": ({}, "grid"),
    "operations_ignore_stride": ({}, "grid"),
    "flash_adc_integer_division": ({}, "grid"),
    "pe_output_bits_sqrt": ({"array": {"rows": 8, "cols": 8}}, "grid"),
    "adder_tree_drops_odd_input": ({}, "grid"),
    "tile_buffers_take_pe_type": ({"buffers": {"tile_type": "sram", "pe_type": "register_file"}}, "grid"),
    "grid_pe_repeats_previous": ({"mapping": "conventional", "array": {"rows": 16, "cols": 16}}, "grid"),
    "top_weight_level_wraps": (RRAM, "top"),
    "weights_rounded_as_csv": (RRAM, "off_grid"),
    "novel_rows_position_major": ({}, "grid"),
    "read_groups_floor": ({"array": {"parallel_rows": 48}}, "grid"),
    "floorplan_partial_sub_arrays": ({"array": {"rows": 32, "cols": 128}}, "grid"),
}


@functools.cache
def _workload(weights: str) -> PreparedWorkload:
    rng = np.random.default_rng(7)
    traces = []
    for layer in LAYERS:
        inputs = rng.integers(0, 256, size=(layer.rows, layer.ifm_h * layer.ifm_w))
        shape = (layer.rows, layer.out_channels)
        if weights == "off_grid":  # float weights, as a model that is not quantised to 8 bits has them
            traces.append(LayerTrace(rng.uniform(-1, 1, size=shape), inputs, 8))
            continue
        codes = rng.integers(-128, 128, size=shape)
        if weights == "top":
            codes[::3] = 128  # +1.0, the top of the weight range
        traces.append(LayerTrace.from_weight_codes(codes, 1 / 128, inputs, 8))
    return prepare(LAYERS, traces)


def _merged(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merged(base.get(key, {}), value) if isinstance(value, dict) else value
    return out


V14_QUIRKS = {q.name for q in QUIRKS if ChipCompat.NEUROSIM_V14 in q.modes}


def test_every_registered_quirk_has_a_case_where_it_acts():
    assert set(WHERE_IT_ACTS) == V14_QUIRKS  # the V2.1 ones: tests/unit/test_v21_forward.py


@pytest.mark.parametrize("name", sorted(WHERE_IT_ACTS))
def test_switching_a_quirk_off_changes_the_estimate(name):
    chip, weights = WHERE_IT_ACTS[name]
    config = _merged({"compat": "neurosim_v14"}, chip)
    workload = _workload(weights)
    with_quirk = estimate(ChipConfig.model_validate(config), workload).to_dict()
    without = estimate(ChipConfig.model_validate({**config, "quirks": {name: False}}), workload).to_dict()
    assert with_quirk != without
    # and on its own, over the faithful default, it gives what neurosim_v14 minus the others gives
    alone = ChipConfig.model_validate({**_merged({}, chip), "quirks": {name: True}})
    assert derive(alone).quirks == {name}


def test_compat_modes_and_overrides():
    assert enabled_quirks(ChipCompat.NONE) == frozenset()
    assert enabled_quirks(ChipCompat.NEUROSIM_V14) == V14_QUIRKS
    assert enabled_quirks(ChipCompat.NEUROSIM_V14, {"windows_ignore_padding": False}) == V14_QUIRKS - {
        "windows_ignore_padding"
    }
    assert derive(ChipConfig()).quirks == frozenset()  # faithful by default


def test_an_unknown_quirk_is_refused_at_load_with_the_allowed_names():
    with pytest.raises(ValidationError, match=r"quirks: unknown \[.no_such_quirk.\]; allowed: .*windows_ignore"):
        ChipConfig.model_validate({"quirks": {"no_such_quirk": True}})


def test_neurosim_parameter_files_import_with_its_quirks():
    config = load_params_json(REPO / "tests" / "data" / "neurosim_cases" / "v01_default" / "params.json")
    assert config.compat is ChipCompat.NEUROSIM_V14


def test_the_faithful_count_of_windows_is_the_padded_convolution_the_trace_holds():
    workload = _workload("grid")
    faithful = estimate(ChipConfig(), workload)
    neurosim = estimate(ChipConfig(compat="neurosim_v14"), workload)
    conv = LAYERS[0]
    assert conv.num_windows == 36  # NeuroSim: (8-3+1)^2
    ops = faithful.chip.num_operations
    assert ops == 2 * (64 * conv.rows * conv.out_channels + 512 * 10)
    assert neurosim.chip.num_operations == 2 * (64 * conv.rows * conv.out_channels + 512 * 10)  # stride 1: H*W
    assert faithful.layers[0].dynamic_energy_j > neurosim.layers[0].dynamic_energy_j


def test_the_docs_list_every_quirk_of_the_registry():
    text = (REPO / "docs" / "compat_quirks.md").read_text()
    listed = {line.split("`")[1] for line in text.splitlines() if line.startswith("| `")}
    assert listed == {q.name for q in QUIRKS}, "regenerate with: python benchmarks/compat_effects.py"
    assert json.dumps(sorted(listed))  # names are plain strings
