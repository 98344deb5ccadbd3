"""Floorplan parity with NeuroSim V1.4: tile/PE sizes, tiles, speed-up and utilisation per layer."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive
from neurocim.mapping.floorplan import FloorplanError, FloorplanInputs, plan_floor
from neurocim.workload.network import load_network_csv, network_from_array

DATA = Path(__file__).parents[1] / "data"
REFERENCE = Path(__file__).parents[3] / "shared" / "reference" / "neurosim_v14"
CASES = sorted(p for p in (REFERENCE / "cases").glob("*") if (p / "expected.json").is_file())

RESNET18 = [
    (224, 224, 3, 7, 7, 64, 1, 2), (56, 56, 64, 3, 3, 64, 0, 1), (56, 56, 64, 3, 3, 64, 0, 1),
    (56, 56, 64, 3, 3, 64, 0, 1), (56, 56, 64, 3, 3, 64, 0, 1), (56, 56, 64, 3, 3, 128, 0, 2),
    (28, 28, 128, 3, 3, 128, 0, 1), (56, 56, 64, 1, 1, 128, 0, 2), (28, 28, 128, 3, 3, 128, 0, 1),
    (28, 28, 128, 3, 3, 128, 0, 1), (28, 28, 128, 3, 3, 256, 0, 2), (14, 14, 256, 3, 3, 256, 0, 1),
    (28, 28, 128, 1, 1, 256, 0, 2), (14, 14, 256, 3, 3, 256, 0, 1), (14, 14, 256, 3, 3, 256, 0, 1),
    (14, 14, 256, 3, 3, 512, 0, 2), (7, 7, 512, 3, 3, 512, 0, 1), (14, 14, 256, 1, 1, 512, 0, 2),
    (7, 7, 512, 3, 3, 512, 0, 1), (7, 7, 512, 3, 3, 512, 1, 1), (1, 1, 512, 1, 1, 1000, 0, 1),
]  # fmt: skip


def _bools(bits: str) -> tuple[bool, ...]:
    return tuple(b == "1" for b in bits.replace(" ", ""))


def _neurosim(*args, **kwargs) -> FloorplanInputs:
    """Floorplan settings with NeuroSim's count of a tile's cells (quirk `floorplan_partial_sub_arrays`), as its runs
    printed utilisation."""
    return FloorplanInputs(*args, **kwargs, partial_sub_arrays=True)


# Printed by the original NeuroSim V1.4 (Param.cpp edited as named, full double precision).
# fmt: off
EMBEDDED = {
    "v01_default": ("vgg8", _neurosim(), {
        "num_pe_nm": 9, "pe_size_nm": 512, "tile_size_cm": 1024, "pe_size_cm": 512, "num_tile_nm": 36,
        "num_tile_cm": 67, "num_tile_row": 11, "num_tile_col": 10, "speed_up_degree": 4,
        "memory_utilization": 0.9810376213592233,
        "is_novel": (False, True, True, True, True, True, False, False),
        "num_tiles_row": (2, 4, 1, 2, 1, 1, 8, 1),
        "num_tiles_col": (1, 2, 4, 4, 8, 8, 8, 1),
        "speedup_row": (16, 16, 4, 4, 2, 1, 1, 1),
        "speedup_col": (1, 1, 1, 1, 1, 1, 1, 8),
        "utilization": (0.2109375, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.625),
    }),
    "v17_conventional": ("vgg8", _neurosim(novel_mapping=False), {
        "num_pe_nm": 0, "pe_size_nm": 0, "tile_size_cm": 1024, "pe_size_cm": 512, "num_tile_nm": 0,
        "num_tile_cm": 171, "num_tile_row": 14, "num_tile_col": 13, "speed_up_degree": 4,
        "memory_utilization": 0.8014437134502924,
        "is_novel": (False, False, False, False, False, False, False, False),
        "num_tiles_row": (2, 32, 8, 12, 3, 5, 8, 1),
        "num_tiles_col": (1, 1, 2, 2, 4, 4, 8, 1),
        "speedup_row": (16, 16, 4, 4, 1, 1, 1, 1),
        "speedup_col": (1, 1, 1, 1, 1, 1, 1, 8),
        "utilization": (0.2109375, 0.5625, 0.5625, 0.75, 0.75, 0.9, 1.0, 0.625),
    }),
    "v10_rows64_cols128": ("vgg8", _neurosim(sub_array_rows=64, sub_array_cols=128), {
        "num_pe_nm": 9, "pe_size_nm": 256, "tile_size_cm": 512, "pe_size_cm": 256, "num_tile_nm": 128,
        "num_tile_cm": 262, "num_tile_row": 20, "num_tile_col": 20, "speed_up_degree": 4,
        "memory_utilization": 0.9921474358974359,
        "is_novel": (False, True, True, True, True, True, False, False),
        "num_tiles_row": (2, 8, 2, 4, 1, 2, 16, 2),
        "num_tiles_col": (2, 4, 8, 8, 16, 16, 16, 1),
        "speedup_row": (16, 16, 4, 4, 1, 1, 1, 1),
        "speedup_col": (1, 1, 1, 1, 1, 1, 1, 4),
        "utilization": (0.421875, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.625),
    }),
    # operationmode 6 (XNOR parallel): 2 rows and 1 column per synapse; NeuroSim keeps 128 sub-array columns
    "vgg8_xnor_rows32": ("vgg8", _neurosim(32, 128, 2, 1, novel_mapping=False, pipeline=False), {
        "num_pe_nm": 0, "pe_size_nm": 0, "tile_size_cm": 256, "pe_size_cm": 128, "num_tile_nm": 0,
        "num_tile_cm": 409, "num_tile_row": 21, "num_tile_col": 20, "speed_up_degree": 8,
        "memory_utilization": 0.9815861858190709,
        "is_novel": (False, False, False, False, False, False, False, False),
        "num_tiles_row": (1, 9, 9, 18, 18, 36, 64, 8),
        "num_tiles_col": (1, 1, 1, 1, 2, 2, 4, 1),
        "speedup_row": (4, 1, 1, 1, 1, 1, 1, 1),
        "speedup_col": (2, 2, 1, 1, 1, 1, 1, 2),
        "utilization": (0.84375, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.078125),
    }),
    "resnet18_rows64_layer_by_layer": ("resnet18", _neurosim(64, 128, pipeline=False), {
        "num_pe_nm": 9, "pe_size_nm": 256, "tile_size_cm": 512, "pe_size_cm": 256, "num_tile_nm": 168,
        "num_tile_cm": 31, "num_tile_row": 15, "num_tile_col": 14, "speed_up_degree": 8,
        "memory_utilization": 0.9959759736180904,
        "is_novel": _bools("0 111111 0 1111 0 1111 0 11 0"),
        "num_tiles_row": (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 2, 1),
        "num_tiles_col": (1, 2, 2, 2, 2, 4, 4, 2, 4, 4, 8, 8, 4, 8, 8, 16, 16, 8, 16, 16, 16),
        "speedup_row": (2, 4, 4, 4, 4, 4, 2, 8, 2, 2, 2, 1, 4, 1, 1, 1, 1, 2, 1, 1, 1),
        "speedup_col": (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        "utilization": (0.57421875,) + (1.0,) * 19 + (0.9765625,),
    }),
    # RRAM with cellBit 4: 2 columns per synapse
    "resnet18_rows32_cell4_speedup2": ("resnet18", _neurosim(32, 128, 1, 2, speedup_degree=2), {
        "num_pe_nm": 9, "pe_size_nm": 128, "tile_size_cm": 256, "pe_size_cm": 128, "num_tile_nm": 152,
        "num_tile_cm": 25, "num_tile_row": 14, "num_tile_col": 13, "speed_up_degree": 2,
        "memory_utilization": 0.993070268361582,
        "is_novel": _bools("0 111111 0 1111 0 1111 0 11 0"),
        "num_tiles_row": (2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 2, 2, 4, 1, 4, 4, 2),
        "num_tiles_col": (1, 1, 1, 1, 1, 2, 2, 1, 2, 2, 4, 4, 2, 4, 4, 8, 8, 4, 8, 8, 8),
        "speedup_row": (2, 2, 2, 2, 2, 2, 1, 4, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1),
        "speedup_col": (2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        "utilization": (0.57421875,) + (1.0,) * 19 + (0.9765625,),
    }),
}
# fmt: on


def _network(name):
    if name == "vgg8":
        return load_network_csv(DATA / "vgg8_network.csv")
    return network_from_array(np.array(RESNET18))


@pytest.mark.parametrize("case", sorted(EMBEDDED))
def test_embedded_neurosim_floorplans(case):
    net, inputs, expected = EMBEDDED[case]
    fp = plan_floor(_network(net), inputs)
    got = {key: getattr(fp, key) for key in expected}
    assert got == expected


def test_defaults_from_params_match_param_cpp_run():
    fp = plan_floor(_network("vgg8"), derive(ChipConfig()))
    assert fp == plan_floor(_network("vgg8"), FloorplanInputs())
    assert fp.num_tiles == (2, 8, 4, 8, 8, 8, 64, 1)
    assert fp.speedup == (16, 16, 4, 4, 2, 1, 1, 8)
    assert fp.total_tiles == 103 and fp.num_pe_cm == 2
    assert fp.pipeline_speedup == (16, 16, 4, 4, 1, 1, 1, 1)


def test_layer_by_layer_has_no_pipeline_speedup():
    fp = plan_floor(_network("vgg8"), FloorplanInputs(pipeline=False))
    assert fp.pipeline_speedup == (1,) * 8
    assert fp.speed_up_degree == 8  # the cap only applies with pipeline
    assert fp.num_tile_cm + fp.num_tile_nm == fp.total_tiles


def test_subarray_too_large_is_an_error_unless_relaxed():
    thin = network_from_array(np.array([(32, 32, 48, 3, 3, 12, 0, 1), (32, 32, 12, 3, 3, 12, 0, 1)]))
    with pytest.raises(FloorplanError, match="SubArray Size is too large"):
        plan_floor(thin, FloorplanInputs())
    fp = plan_floor(thin, FloorplanInputs(strict_hierarchy=False))
    assert fp.hierarchy_clamped and fp.pe_size_nm == 256 and fp.tile_size_cm == 512
    assert not plan_floor(thin, FloorplanInputs(32, 32)).hierarchy_clamped


def test_tile_locations_follow_running_tile_count():
    fp = plan_floor(_network("vgg8"), FloorplanInputs())
    totals = [r * fp.num_tile_row + c for r, c in zip(fp.tile_loc_row, fp.tile_loc_col, strict=True)]
    # NeuroSim quirk reproduced: layer i starts after the tiles of layers 2..i (its own included, layer 1's not).
    assert totals == [0] + np.cumsum(fp.num_tiles[1:]).tolist()


def _inputs_from_param_cpp(p: dict) -> FloorplanInputs:
    """FloorplanInputs from a reference params.json (Param.cpp names; main.cpp's mode decoding)."""
    cell_bits = min(1 if p["memcelltype"] == 1 else p["cellBit"], p["synapseBit"])
    mode = p["operationmode"]
    rows_per_synapse = 2 if mode in (5, 6) else 1
    cols_per_synapse = 2 if mode == 4 else 1 if mode in (3, 5, 6) else math.ceil(p["synapseBit"] / cell_bits)
    return FloorplanInputs(
        p["numRowSubArray"], p["numColSubArray"], rows_per_synapse, cols_per_synapse,
        bool(p["novelMapping"]), bool(p["pipeline"]), p["speedUpDegree"], partial_sub_arrays=True,
    )  # fmt: skip


def _six(x: float) -> str:
    return f"{x:.6g}"  # NeuroSim prints 6 significant digits


@pytest.mark.skipif(not CASES, reason="reference cases (../shared) not available")
@pytest.mark.parametrize("case_dir", CASES, ids=[c.name for c in CASES])
def test_reference_case_floorplan(case_dir):
    expected = json.loads((case_dir / "expected.json").read_text())
    if expected["case"]["status"] != "ok":
        pytest.skip("case is an expected NeuroSim error, no floorplan printed")
    params = json.loads((case_dir / "params.json").read_text())
    traces = expected["case"]["traces"].split(".")[0]
    table = np.load(REFERENCE / "traces" / f"{traces}.npz")[expected["case"]["network_key"]]
    fp = plan_floor(network_from_array(table), _inputs_from_param_cpp(params))

    layers = expected["layers"]
    assert list(fp.num_tiles) == [ly["num_tiles"] for ly in layers]
    assert list(fp.speedup) == [ly["speedup"] for ly in layers]
    assert [_six(u) for u in fp.utilization] == [_six(ly["utilization"]) for ly in layers]
    assert _six(100 * fp.memory_utilization) == _six(100 * expected["chip"]["memory_utilization"])

    stdout = (case_dir / "stdout.txt").read_text()
    sizes = re.findall(r"Storage Size: (\S+)", stdout)
    mine = [f"{fp.tile_size_cm}x{fp.tile_size_cm}", f"{fp.pe_size_cm}x{fp.pe_size_cm}"]
    if params["novelMapping"]:
        mine.append(f"{fp.num_pe_nm}x{fp.pe_size_nm}x{fp.pe_size_nm}")
    assert sizes == mine
    assert f"SubArray Size: {fp.sub_array_rows}x{fp.sub_array_cols}" in stdout
