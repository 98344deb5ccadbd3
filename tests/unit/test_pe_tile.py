"""Processing element and tile against NeuroSim V1.4 (ProcessingUnit.cpp / Tile.cpp via a C++ harness)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from neurocim.arch.pe_common import Block
from neurocim.arch.subarray.subarray import SubArray
from neurocim.arch.tile import Tile
from neurocim.circuits.context import CircuitContext
from neurocim.config.chip import ChipConfig
from neurocim.config.derived import derive

GOLDEN = json.loads((Path(__file__).parent / "pe_tile_golden.json").read_text())
WINDOWS = 5
NUM_PE_NM, PE_NM, NUM_PE_CM, PE_CM = 4, 64, 2, 64

BASE = {
    "compat": "neurosim_v14",  # golden values from NeuroSim's own PE and tile
    "array": {"rows": 32, "cols": 32, "cols_per_adc": 8},
    "precision": {"weight_bits": 8, "input_bits": 4},
    "adc": {"bits": 5},
}
CASES = {
    "sram22": {},
    "sram22_par8": {"array": {"parallel_rows": 8}},
    "sram22_async": {"clock": {"synchronous": False}},
    "sram22_relu_tile": {"activation": {"place": "tile", "function": "relu"}},
    "sram22_sigmoid_tile": {"activation": {"place": "tile", "function": "sigmoid"}},
    "sram22_sync_data": {"interconnect": {"sync_data_transfer": True, "global_bus": "htree"}},
    "sram22_seq": {"array": {"read_mode": "sequential"}},
    "sram7": {"technology": {"node_nm": 7}},
    "sram7_async": {"technology": {"node_nm": 7}, "clock": {"synchronous": False}},
    "rram22_cb2": {"cell": {"type": "rram", "bits_per_cell": 2}},
    "rram65_async_noval": {
        "cell": {"type": "rram"},
        "technology": {"node_nm": 65},
        "clock": {"synchronous": False},
        "calibration": {"validated": False},
    },
    "rram22_xbar_seq": {
        "cell": {"type": "rram", "access": "none", "bits_per_cell": 2},
        "array": {"read_mode": "sequential"},
    },
    "fefet22": {"cell": {"type": "fefet"}},
    "sram130": {"technology": {"node_nm": 130}},
    "sram22_rect": {"array": {"cols": 64}},
    "rram22_rect_par8": {"cell": {"type": "rram"}, "array": {"rows": 64, "parallel_rows": 8}},
}
# name, tile (else PE), novel, speed-up (or PE duplication) row/col, matrix rows, cols -- the harness's call list
CALLS = [
    ("cm_nodup", True, False, 1, 1, 100, 60),
    ("cm_partial", True, False, 2, 1, 50, 40),
    ("cm_partial_acc", True, False, 1, 2, 100, 40),
    ("cm_fulldup_multi", True, False, 4, 2, 20, 24),
    ("cm_fulldup_single", True, False, 4, 4, 20, 24),
    ("nm_tile", True, True, 2, 1, 120, 48),
    ("nm_tile_full", True, True, 1, 1, 256, 64),
    ("pe_cm_nodup", False, False, 1, 1, 50, 40),
    ("pe_nm_dup_multi", False, True, 2, 1, 40, 40),
    ("pe_cm_dup_single", False, False, 2, 2, 20, 24),
]
OUTPUTS = {
    "readLatency": "latency",
    "readDynamicEnergy": "energy",
    "leakage": "leakage",
    "leakageSRAMInUse": "leakage_sram_in_use",
    "bufferLatency": "buffer_latency",
    "bufferDynamicEnergy": "buffer_energy",
    "icLatency": "ic_latency",
    "icDynamicEnergy": "ic_energy",
    "coreLatencyADC": "latency_adc",
    "coreLatencyAccum": "latency_accum",
    "coreLatencyOther": "latency_other",
    "coreEnergyADC": "energy_adc",
    "coreEnergyAccum": "energy_accum",
    "coreEnergyOther": "energy_other",
}
# Deviation: NeuroSim's asynchronous DFF tile buffer divides by zero in its decoder (infinite latency); the
# Buffer model drives the line load instead (circuits/memories/buffer.py), so these tile outputs are finite here.
ASYNC_TILE_BUFFER = ("latency", "buffer_latency", "latency_other")


def merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = merge(a[k], v) if isinstance(v, dict) and k in a else v
    return out


def context(name: str) -> CircuitContext:
    p = derive(ChipConfig.model_validate(merge(BASE, CASES[name])))
    return CircuitContext.of(p)


def weights(p, rows: int, cols: int, salt: int) -> np.ndarray:
    i, j = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    r = 2**p.cell_bits
    d = (3 * i + 5 * j + i * j + salt) % r
    return d / (r - 1) * (p.max_conductance - p.min_conductance) + p.min_conductance


def inputs(rows: int, n: int, salt: int) -> np.ndarray:
    i, k = np.meshgrid(np.arange(rows), np.arange(n), indexing="ij")
    x = (((i * 7 + k * 3 + i * k + salt) % 5) < 2).astype(np.uint8)
    x[:, 2 % n] = 0
    return x


def close(got: float, want: float, rel: float = 1e-9) -> bool:
    if math.isnan(want) or math.isinf(want):
        return got == want or (math.isnan(got) and math.isnan(want))
    return math.isclose(got, want, rel_tol=rel, abs_tol=1e-30)


def build(name: str):
    ctx = context(name)
    p = ctx.p
    subarray = SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)
    tile_nm = Tile(ctx, subarray, True, NUM_PE_NM, PE_NM, 1e9)
    tile_cm = Tile(ctx, subarray, False, NUM_PE_CM, PE_CM, 1e9)
    return ctx, tile_nm, tile_cm


def evaluate(ctx, tile_nm: Tile, tile_cm: Tile, call, clk_freq: float, clock_pass: bool):
    name, is_tile, novel, su_r, su_c, rows, cols = call
    p = ctx.p
    nv = WINDOWS * p.chip.precision.input_bits
    w, x = weights(p, rows, cols, rows + cols), inputs(rows, nv, rows)
    tile = tile_nm if novel else tile_cm
    if is_tile:
        return tile.evaluate(w, x, Block(rows, cols, nv, su_r, su_c), clk_freq, clock_pass)
    return tile.pe.evaluate(w, x, Block(rows, cols, nv, su_r, su_c), clk_freq, clock_pass)


@pytest.mark.parametrize("name", sorted(CASES))
def test_area_matches_neurosim(name: str) -> None:
    _, tile_nm, tile_cm = build(name)
    g = GOLDEN[name]
    for tile, key in ((tile_nm, "tile_nm"), (tile_cm, "tile_cm")):
        parts = tile.layout()
        got = {
            "area": parts.area,
            "ic": parts.ic,
            "adc": parts.adc,
            "accum": parts.accumulation,
            "other": parts.other,
            "array": parts.array,
            "height": tile.height,
            "width": tile.width,
        }
        for k, v in got.items():
            assert close(v, g[f"{key}.{k}"]), (key, k, v, g[f"{key}.{k}"])
        pe, pkey = tile.pe, "pe_nm" if tile.novel else "pe_cm"
        got = {
            "area": pe.area,
            "adc": pe.area_adc,
            "accum": pe.area_accum,
            "other": pe.area_other,
            "array": pe.area_array,
            "height": pe.height,
            "width": pe.width,
        }
        for k, v in got.items():
            assert close(v, g[f"{pkey}.{k}"]), (pkey, k, v, g[f"{pkey}.{k}"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_performance_matches_neurosim(name: str) -> None:
    ctx, tile_nm, tile_cm = build(name)
    tile_nm.layout()
    tile_cm.layout()
    g = GOLDEN[name]
    clk_freq = 1e9
    if ctx.p.chip.clock.synchronous:
        period = 0.0
        for call in CALLS:
            r = evaluate(ctx, tile_nm, tile_cm, call, clk_freq, True)
            assert close(r.clk_period, g[f"clk.{call[0]}"]), call[0]
            period = max(period, r.clk_period)
        clk_freq = min(clk_freq, 1 / period)
    assert close(clk_freq, g["clkFreq"])
    bad = []
    for call in CALLS:
        r = evaluate(ctx, tile_nm, tile_cm, call, clk_freq, False)
        for cpp, py in OUTPUTS.items():
            want, got = g[f"{call[0]}.{cpp}"], getattr(r, py)
            if math.isinf(want) and py in ASYNC_TILE_BUFFER and call[1] and not ctx.p.chip.clock.synchronous:
                assert math.isfinite(got), (call[0], py)  # documented deviation, see ASYNC_TILE_BUFFER
                continue
            if not close(got, want):
                bad.append(f"{call[0]}.{py}: {got!r} != {want!r}")
    assert not bad, "\n".join(bad)


def test_pe_grid_follows_tile_size() -> None:
    ctx, tile_nm, tile_cm = build("sram22_rect")  # 32 x 64 sub-arrays, 64 x 64 PEs
    assert (tile_cm.pe.num_subarray_row, tile_cm.pe.num_subarray_col) == (2, 2)  # square initialisation grid
    assert tile_cm.pe.grid == (2, 1)  # what the performance pass walks


def test_sram_read_cache_is_transparent() -> None:
    ctx, _, tile_cm = build("sram22")
    p = ctx.p
    nv = WINDOWS * p.chip.precision.input_bits
    w, x = weights(p, 50, 40, 1), inputs(50, nv, 3)
    first = tile_cm.pe.evaluate(w, x, Block(50, 40, nv), 5e8)
    assert tile_cm.pe.reader._read_cache
    again = tile_cm.pe.evaluate(w, x, Block(50, 40, nv), 5e8)
    tile_cm.pe.reader._read_cache.clear()
    fresh = tile_cm.pe.evaluate(w, x, Block(50, 40, nv), 5e8)
    assert first == again == fresh
