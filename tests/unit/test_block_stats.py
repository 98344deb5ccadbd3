"""Trace statistics of weight/input blocks against NeuroSim V1.4 (GetColumnResistance, LoadInWeightData, ...)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from neurocim.arch.subarray.block_stats import active_row_histogram, distinct_vectors, iter_vector_stats, vector_stats
from neurocim.arch.subarray.column_model import ColumnModel
from neurocim.config.chip import CellType
from neurocim.mapping.blocks import copy_array, copy_input, reshape_array, reshape_input
from neurocim.mapping.cells import cells_to_conductance, levels_to_cells, weights_to_conductance

GOLDEN = json.loads((Path(__file__).parent / "block_stats_golden.json").read_text())
G_MAX, G_MIN = 1e-5, 1e-5 / 17
WIRE_ROW, WIRE_COL, R_ACCESS, SRAM_ACCESS = 3.25, 1.75, 25000.0, 6543.21

# name: cell, 1T1R access, parallel read, numRowParallel, cell bits, SRAM access resistance (numRowSubArray 16)
CASES = {
    "rram1t1r_par": (CellType.RRAM, True, True, 16, 1, 0.0),
    "rram1t1r_par4": (CellType.RRAM, True, True, 4, 2, 0.0),
    "rram_xbar_par": (CellType.RRAM, False, True, 16, 1, 0.0),
    "rram1t1r_seq": (CellType.RRAM, True, False, 1, 2, 0.0),
    "fefet_par": (CellType.FEFET, True, True, 8, 1, 0.0),
    "sram_par": (CellType.SRAM, True, True, 16, 1, SRAM_ACCESS),
    "sram_seq": (CellType.SRAM, True, False, 1, 1, SRAM_ACCESS),
    "rram_nonbin": (CellType.RRAM, True, True, 16, 1, 0.0),
    "sram_nonbin": (CellType.SRAM, True, True, 16, 1, SRAM_ACCESS),
}


def weights(rows: int, cols: int, cell_bits: int) -> np.ndarray:
    """The harness's deterministic conductance block."""
    i, j = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    d = (3 * i + 5 * j + i * j) % (2**cell_bits)
    return d / (2**cell_bits - 1) * (G_MAX - G_MIN) + G_MIN


def inputs(rows: int, n: int) -> np.ndarray:
    """The harness's deterministic input bits (vector 2 is all zero)."""
    i, k = np.meshgrid(np.arange(rows), np.arange(n), indexing="ij")
    x = (((i * 7 + k * 3 + i * k) % 5) < 2).astype(float)
    x[:, 2] = 0.0
    return x


def model(name: str) -> ColumnModel:
    cell, cmos, parallel, nrp, _, sram_access = CASES[name]
    return ColumnModel(cell, cmos, parallel, 16, 16 // nrp, WIRE_ROW, WIRE_COL, R_ACCESS, sram_access)


def reference_column_resistance(x: np.ndarray, w: np.ndarray, m: ColumnModel) -> list[float]:
    """Obviously-correct per-vector GetColumnResistance (one bit-vector x, one block w)."""
    out = []
    rows, cols = w.shape
    for j in range(cols):
        g, active = 0.0, 0
        for i in range(rows):
            if m.cell_type is CellType.SRAM:
                total = m.res_cell_access + m.wire_res_col
            else:
                total = 1.0 / w[i, j] + (j + 1) * m.wire_res_row + (rows - i) * m.wire_res_col
                if m.cell_type is CellType.RRAM and m.access_cmos:
                    total += m.res_access
            if int(x[i]) == 1:
                g += 1.0 / total
                active += 1
        if m.cell_type is not CellType.SRAM:
            if m.parallel_read:
                g /= m.num_add
            else:
                g = g / active if active else float("nan")
        out.append(1.0 / g if g != 0 else float("inf"))
    return out


def case_data(name: str) -> tuple[np.ndarray, np.ndarray]:
    w, x = weights(12, 5, CASES[name][4]), inputs(12, 6)
    if "nonbin" in name:
        x[0, 0], x[1, 0], x[3, 1] = 2.0, 0.5, 1.5
    return w, x


def assert_same(got: np.ndarray, want: np.ndarray, rtol: float = 1e-12) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(np.isinf(got), np.isinf(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=rtol, atol=0)


@pytest.mark.parametrize("name", sorted(CASES))
def test_column_resistance_matches_neurosim(name: str) -> None:
    w, x = case_data(name)
    stats = vector_stats(w, x, model(name))
    activity, res = stats.expanded()
    golden = np.array(GOLDEN["columns"][name])
    assert np.array_equal(activity, golden[:, 0])
    assert_same(res, golden[:, 1:])
    assert stats.num_vectors == x.shape[1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_column_resistance_matches_reference(name: str) -> None:
    w, x = case_data(name)
    m = model(name)
    _, res = vector_stats(w, x, m).expanded()
    for k in range(x.shape[1]):
        assert_same(res[k], reference_column_resistance(x[:, k], w, m))


@pytest.mark.parametrize("cell", [CellType.RRAM, CellType.SRAM, CellType.FEFET])
@pytest.mark.parametrize("parallel", [True, False])
def test_random_blocks_match_reference(cell: CellType, parallel: bool) -> None:
    rng = np.random.default_rng(7)
    m = ColumnModel(cell, True, parallel, 32, 4 if parallel else 1, 0.8, 1.3, R_ACCESS, SRAM_ACCESS)
    w = rng.choice([G_MIN, G_MAX, 3e-6], size=(29, 11))
    x = (rng.random((29, 40)) < 0.3).astype(np.uint8)
    x[:, 5] = x[:, 7]  # duplicates
    x[:, 9] = 0
    stats = vector_stats(w, x, m, col_period=4)
    activity, res = stats.expanded()
    assert len(stats.counts) < 40
    for k in range(40):
        assert activity[k] == x[:, k].sum() / 32
        for c0 in range(0, 11, 4):  # the column index restarts every col_period columns
            block = w[:, c0 : c0 + 4]
            assert_same(res[k, c0 : c0 + 4], reference_column_resistance(x[:, k], block, m))


def test_chunks_cover_all_vectors() -> None:
    rng = np.random.default_rng(3)
    m = ColumnModel(CellType.RRAM, True, True, 16, 1, 1.0, 1.0, R_ACCESS, 0.0)
    w = rng.choice([G_MIN, G_MAX], size=(16, 8))
    x = (rng.random((16, 300)) < 0.5).astype(np.uint8)
    whole = vector_stats(w, x, m)
    chunks = list(iter_vector_stats(w, x, m, max_elements=8 * 7))
    assert len(chunks) > 5
    assert sum(c.num_vectors for c in chunks) == 300
    # (BLAS may sum in another order for another shape: equal to rounding)
    np.testing.assert_allclose(
        np.concatenate([c.column_resistance for c in chunks]), whole.column_resistance, rtol=1e-14
    )
    np.testing.assert_array_equal(np.concatenate([c.counts for c in chunks]), whole.counts)


def test_sram_histogram_and_activity() -> None:
    x = np.zeros((10, 6), dtype=np.uint8)
    x[:3, 0] = 1
    x[:3, 1] = 1
    x[:7, 3] = 1
    m = ColumnModel(CellType.SRAM, True, True, 16, 1, 0.0, 2.0, 0.0, 1000.0)
    stats = vector_stats(np.full((10, 5), G_MAX), x, m)
    assert sorted(stats.counts.tolist()) == [1, 2, 3]
    assert stats.column_resistance.shape == (3, 5)
    act, counts = active_row_histogram(x, 16)
    assert act.tolist() == [0.0, 3 / 16, 7 / 16] and counts.tolist() == [3, 2, 1]


def test_distinct_vectors_count_read_rows_and_vectors_without_a_conducting_row() -> None:
    x = np.zeros((10, 7), dtype=np.uint8)
    x[:3, [0, 1]] = 1
    x[4:7, 2] = 1  # another pattern with 3 rows
    x[:7, 3] = 1
    vectors = distinct_vectors(x, 10)
    assert sorted(vectors.counts.tolist()) == [1, 1, 2, 3]
    rows, counts = vectors.read_rows
    assert rows.tolist() == [0, 3, 7] and counts.tolist() == [3.0, 3.0, 1.0]
    packed, live_counts, idle = vectors.conducting
    rows_on = np.unpackbits(packed, axis=1, count=10)
    assert rows_on.shape == (3, 10) and rows_on.sum(axis=1).min() > 0
    assert (np.unpackbits(packed, axis=1)[:, 10:] == 0).all()  # no bits past the last row
    np.testing.assert_array_equal(vectors.num_active[1:], rows_on.sum(axis=1))
    assert live_counts.sum() == 4.0 and idle == 3.0


def test_distinct_vectors_of_inputs_that_read_without_conducting_keep_only_the_conducting_rows() -> None:
    x = np.array([[1, 2, 0], [2, 2, 0], [0, 1, 2], [1, 1, 1], [2, 0, 1]] * 2, dtype=np.int16)  # 10 rows
    vectors = distinct_vectors(x, 10)
    rows_on = vectors.rows_on[vectors.inverse]  # back to every bit-vector
    np.testing.assert_array_equal(rows_on, (x == 1).T)
    assert (np.unpackbits(vectors.packed, axis=1)[:, 10:] == 0).all()  # the read-only rows' bits are dropped
    np.testing.assert_array_equal(vectors.num_active[vectors.inverse], (x == 1).sum(axis=0))
    np.testing.assert_array_equal(vectors.num_read[vectors.inverse], (x != 0).sum(axis=0))


@pytest.mark.parametrize("cell_bits", [1, 2, 3, 8])
def test_weight_loading_matches_neurosim(cell_bits: int) -> None:
    vals = [1.0, -1.0, 0.0, 0.5, -0.99609, 0.99219, 0.00391, -0.00391, 0.25196, -0.7, 0.12109, 0.1211]
    w = np.array([float(f"{v:10.5f}") for v in vals]).reshape(3, 4)
    got = weights_to_conductance(w, 8, cell_bits, -(-8 // cell_bits), G_MAX, G_MIN)
    np.testing.assert_array_equal(got, np.array(GOLDEN["load"][str(cell_bits)]))


def test_top_level_wraps_to_zero() -> None:
    cells = levels_to_cells(np.array([[256, 255, 0]]), 1, 8)
    assert cells[0, :8].tolist() == [0] * 8  # NeuroSim quirk: +1.0 is stored as 0
    assert cells[0, 8:16].tolist() == [1] * 8
    assert levels_to_cells(np.array([[256]]), 3, 3)[0].tolist() == [4, 0, 0]  # 9 bits hold 256
    assert levels_to_cells(np.array([[-5]]), 2, 2)[0].tolist() == [-1, -1]  # C remainder semantics


def test_slicing() -> None:
    m = np.arange(20)[:, None] * 10 + np.arange(3)[None, :]
    assert reshape_array(m, 1, 1, 2, 2, 3, 6)[:, 0].tolist() == GOLDEN["reshape"]
    assert reshape_input(m, 1, 2, 2, 3, 6)[:, 1].tolist() == [11, 21, 71, 81, 131, 141]
    assert copy_array(m, 2, 1, 3, 2).tolist() == [[21, 22], [31, 32], [41, 42]]
    assert copy_input(m, 18, 2, 5).tolist() == [[180, 181], [190, 191]]  # ends at the matrix edge
    assert reshape_array(m, 1, 0, 2, 1, 4, 6).shape == (7, 1)  # rows past the end are dropped


def test_digit_blocks_equal_conductance_blocks() -> None:
    rng = np.random.default_rng(11)
    m = ColumnModel(CellType.RRAM, True, True, 32, 1, 0.8, 1.3, R_ACCESS, 0.0, cell_bits=2, g_max=G_MAX, g_min=G_MIN)
    digits = levels_to_cells(rng.integers(0, 256, size=(20, 3)), 2, 4)
    x = (rng.random((20, 30)) < 0.4).astype(np.uint8)
    g = digits / 3 * (G_MAX - G_MIN) + G_MIN
    a = vector_stats(digits, x, m, col_period=4).expanded()[1]
    b = vector_stats(g, x, m, col_period=4).expanded()[1]
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("cell_bits", "cps"), [(1, 8), (1, 12), (1, 3), (2, 4), (3, 3), (4, 2), (8, 1), (1, 40)])
def test_levels_to_cells_matches_c_semantics(cell_bits: int, cps: int) -> None:
    rng = np.random.default_rng(cell_bits * 100 + cps)
    levels = rng.integers(-300, 5000, size=(17, 9))
    got = levels_to_cells(levels, cell_bits, cps)
    for (r, c), v in np.ndenumerate(levels):
        value, digits = int(v), []
        for _ in range(cps):  # C: remainder and quotient truncate toward zero
            rem = int(np.fmod(value, 2**cell_bits))
            digits.insert(0, rem)
            value = int(value / 2**cell_bits)
        assert got[r, c * cps : (c + 1) * cps].tolist() == digits
    nonneg = np.abs(levels)
    assert np.array_equal(
        cells_to_conductance(levels_to_cells(nonneg, cell_bits, cps), cell_bits, G_MAX, G_MIN),
        levels_to_cells(nonneg, cell_bits, cps) / (2**cell_bits - 1) * (G_MAX - G_MIN) + G_MIN,
    )
