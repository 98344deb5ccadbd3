"""The eNVM read pass: PE costs from fit sums against the element-wise read, row bands, two-level conductances."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocim.arch.cost import Cost
from neurocim.arch.pe import ProcessingElement
from neurocim.arch.pe_common import Block
from neurocim.arch.subarray.column_model import conductance_and_range, effective_conductance
from neurocim.arch.subarray.envm_read import _band, _strip_slot, _trace_memo, strip_read_stats
from neurocim.arch.subarray.subarray import SubArray
from neurocim.arch.tile import Tile
from neurocim.circuits.adc.piecewise_fit import PiecewiseFit, PiecewiseSums
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context
from neurocim.mapping.cells import cells_to_conductance
from neurocim.mapping.tile_visits import tile_plan
from neurocim.workload.cache import WorkloadCache


def _pe(cell: dict, adc_bits: int = 5) -> ProcessingElement:
    """A PE of 2 x 2 sub-arrays of 64 x 64 cells."""
    config = ChipConfig.model_validate(
        {"cell": cell, "array": {"rows": 64, "cols": 64, "cols_per_adc": 8}, "adc": {"bits": adc_bits}}
    )
    ctx = build_context(config)
    p = ctx.p
    subarray = SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)
    return ProcessingElement(ctx, subarray, 2, 2, False, 1e9, dtype=np.float32)


def _elementwise(pe: ProcessingElement, evaluate, *args) -> Cost:
    """evaluate(*args) (of the PE or a tile of its kind) with every column resistance read one by one (no column
    statistics)."""
    statistic, pe.reader._read_statistic = pe.reader._read_statistic, None
    try:
        return evaluate(*args)
    finally:
        pe.reader._read_statistic = statistic


def _assert_same_result(got: Cost, want: Cost, rel: float) -> None:
    for field in dataclasses.fields(Cost):
        assert getattr(got, field.name) == pytest.approx(getattr(want, field.name), rel=rel), field.name


# (array duplication): sub-array grid; every block with its own adder-tree pass; the whole matrix in one sub-array
@pytest.mark.parametrize("dup", [(1, 1), (2, 1), (4, 4)])
@pytest.mark.parametrize("cell", [{"type": "rram"}, {"type": "rram", "bits_per_cell": 2}, {"type": "fefet"}])
def test_pe_adc_energy_from_fit_sums_matches_the_elementwise_read(cell, dup):
    pe = _pe(cell)
    rng = np.random.default_rng(11)
    digits = rng.integers(0, 2**pe.ctx.p.cell_bits, (100, 100)).astype(np.int8)  # partial last strip and block
    x = (rng.random((100, 300)) < 0.3).astype(np.uint8)
    x[:, :5] = 0  # vectors with no active row
    x[:, 5:40] = x[:, 40:75]  # repeated vectors
    assert pe.reader.adc_energy(pe.reader.read_stats(digits, x, Block(100, 100, 300, *dup))) is not None  # fit sums
    args = (digits, x, Block(100, 100, 300, *dup), 1e9, False)
    fast = pe.evaluate(*args)
    _assert_same_result(fast, _elementwise(pe, pe.evaluate, *args), rel=1e-6)
    assert fast.energy_adc > 0


def test_pes_reading_the_same_trace_inputs_keep_their_own_adc_energy():
    pe = _pe({"type": "rram"}, adc_bits=4)
    rng = np.random.default_rng(5)
    x = (rng.random((100, 200)) < 0.25).astype(np.uint8)
    x[:, :3] = 0
    first, second = (rng.integers(0, 2, (100, 100)).astype(np.int8) for _ in range(2))
    for a in (x, first, second):
        a.setflags(write=False)  # trace arrays: the costs without the ADC are memoised by the inputs and shape
    results = [pe.evaluate(d, x, Block(100, 100, 200), 1e9, False) for d in (first, second, first)]
    assert results[0].energy_adc != results[1].energy_adc
    assert results[2] == results[0]
    assert results[0].energy - results[0].energy_adc == results[1].energy - results[1].energy_adc
    for d, got in zip((first, second), results, strict=False):
        want = _elementwise(pe, pe.evaluate, d.copy(), x.copy(), Block(100, 100, 200), 1e9, False)
        _assert_same_result(got, want, rel=1e-6)


# (novel mapping, speed-up): novel PEs; conventional grid; duplicated PEs; every PE holding the whole matrix
@pytest.mark.parametrize("novel, speed_up", [(True, (1, 1)), (False, (1, 1)), (False, (2, 1)), (False, (4, 4))])
def test_tiles_reading_the_same_trace_inputs_keep_their_own_adc_energy(novel, speed_up):
    ctx = _pe({"type": "rram"}).ctx
    p = ctx.p
    subarray = SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)
    tile = Tile(ctx, subarray, novel, 2, 64, 1e9, dtype=np.float32)
    rng = np.random.default_rng(9)
    x = (rng.random((100, 120)) < 0.3).astype(np.uint8)
    first, second = (rng.integers(0, 2, (100, 90)).astype(np.int8) for _ in range(2))
    for a in (x, first, second):
        a.setflags(write=False)
    plan = tile_plan(novel, 2, 64, *speed_up, 100, 90)
    assert tile.pe.reader.adc_energy(tile._read_stats(first, x, plan, 120)) is not None  # the fit-sum path
    args = (Block(100, 90, 120, *speed_up), 1e9, False)
    results = [tile.evaluate(d, x, *args) for d in (first, second)]
    assert results[0].energy_adc != results[1].energy_adc
    for d, got in zip((first, second), results, strict=True):
        _assert_same_result(got, _elementwise(tile.pe, tile.evaluate, d.copy(), x.copy(), *args), rel=1e-6)


def test_reads_without_the_adc_from_strip_totals_match_the_vector_by_vector_sums(monkeypatch):
    pe = _pe({"type": "rram"})
    rng = np.random.default_rng(4)
    x = (rng.random((100, 300)) < 0.3).astype(np.uint8)
    x[:, :4] = 0
    digits = np.zeros((100, 100), np.int8)
    strips = pe.reader.read_layout(100, 100, 1, 1)[0]
    assert pe.reader._read_line(1e9) is not None  # the sub-array's costs are affine in the activity
    from_totals = pe.reader._reads_without_adc(digits, x, strips, 300, 1e9)
    pe.reader._read_cache[("affine", 1e9)] = None  # as for costs that are not affine
    by_vector = pe.reader._reads_without_adc(digits, x, strips, 300, 1e9)
    np.testing.assert_allclose(np.array(from_totals), np.array(by_vector), rtol=1e-12)
    reads = pe.subarray.vector_reads
    monkeypatch.setattr(pe.subarray, "vector_reads", lambda activity, *a, **k: reads(activity**2, *a, **k))
    assert pe.reader._read_line(2e9) is None  # a cost quadratic in the activity is caught


def test_adc_static_energy_checks_the_clamp_block_by_block_when_the_merged_range_is_too_wide():
    # piece 1 (x - 1.5 on [1, 2)) is negative below 1.5
    fit = PiecewiseFit((1.0, 2.0), ("lin", "lin", "lin"), (0.0, 1.0, 0.0), (1.0, -1.5, 1.0))

    def pack(weight, total, x_min, x_max) -> PiecewiseSums:
        arrays = (np.array(weight, dtype=float), np.array(total, dtype=float), np.array(x_min), np.array(x_max))
        return PiecewiseSums(fit.breaks, fit.kinds, *arrays)

    # block 0 holds 0.5 and 3.0 (pieces 0 and 2), block 1 holds 1.8: the merged piece-1 range [1, 2) reaches below 1.5
    split = pack([[1, 0, 1], [0, 1, 0]], [[0.5, 0, 3.0], [0, 1.8, 0]], [0.5, 1.8], [3.0, 1.8])
    assert fit.sum_over(split.merged) is None
    assert fit.total_over(split) == pytest.approx(1.0 + 1.0 + 0.3)
    below = pack([[1, 0, 1], [0, 1, 0]], [[0.5, 0, 3.0], [0, 1.2, 0]], [0.5, 1.2], [3.0, 1.2])  # 1.2 - 1.5 < 0
    assert fit.total_over(below) is None


def test_two_level_conductance_picks_the_table_bits_exactly():
    config = ChipConfig.model_validate({"cell": {"type": "rram"}})
    ctx = build_context(config)
    p = ctx.p
    subarray = SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)
    model = ProcessingElement(ctx, subarray, 1, 1, False, 1e9).column_model
    digits = (np.random.default_rng(2).random((128, 256)) < 0.4).astype(np.int8)
    conductance = digits * (model.g_max - model.g_min) + model.g_min
    for dtype in (np.float32, np.float64):
        got, (low, high) = conductance_and_range(digits, model, 128, dtype)
        want = effective_conductance(conductance, model, 128, dtype)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, want)
        assert low <= got.min() and got.max() <= high  # the bounds of the level tables
    digits[3, 7] = 2
    with pytest.raises(ValueError, match=r"cell digits of 1-bit cells must lie in 0..1, got 0..2"):
        effective_conductance(digits, model, 128)


@pytest.mark.parametrize("bits_per_cell", [2, 3])
@pytest.mark.parametrize("col_period", [None, 48, 128, 300])
def test_multi_level_conductance_picks_the_value_of_every_cell_exactly(bits_per_cell, col_period):
    """The per-period level tables give every cell the conductance its digit has through its wires (the same float),
    for periods shorter than, equal to and longer than the block and without one."""
    config = ChipConfig.model_validate({"cell": {"type": "fefet", "bits_per_cell": bits_per_cell}})
    ctx = build_context(config)
    p = ctx.p
    subarray = SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)
    model = ProcessingElement(ctx, subarray, 1, 1, False, 1e9).column_model
    top = (1 << bits_per_cell) - 1
    digits = np.random.default_rng(bits_per_cell).integers(1, top, (40, 200)).astype(np.int8)  # not the lowest
    def through_wires(d: np.ndarray, dtype) -> np.ndarray:
        conductance = cells_to_conductance(d, model.cell_bits, model.g_max, model.g_min)
        return effective_conductance(conductance, model, col_period, dtype)

    block = digits[:, 3:]
    for dtype in (np.float32, np.float64):
        got, (low, high) = conductance_and_range(block, model, col_period, dtype)
        np.testing.assert_array_equal(got, through_wires(block, dtype))
        # the bounds: the lowest and highest level used, at every position of the block
        assert low == through_wires(np.full_like(block, block.min()), dtype).min()
        assert high == through_wires(np.full_like(block, block.max()), dtype).max()


def test_strips_of_a_row_band_read_together_give_the_strip_by_strip_sums():
    config = ChipConfig.model_validate({"cell": {"type": "rram"}, "array": {"rows": 64, "cols": 64, "cols_per_adc": 8}})
    ctx = build_context(config)
    p = ctx.p
    subarray = SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)
    pe = ProcessingElement(ctx, subarray, 2, 2, False, 1e9, dtype=np.float32)
    rng = np.random.default_rng(8)
    digits = rng.integers(0, 2, (128, 384)).astype(np.int8)  # three strips of two blocks per row band
    x = (rng.random((128, 12)) < 0.4).astype(np.uint8)
    x[:, 0] = 0  # a vector with no active row
    x[:, 1] = x[:, 2]  # a repeated one
    blocks = [(0, 64), (64, 64)]
    frozen_digits, frozen_x = digits.copy(), x.copy()
    for a in (frozen_digits, frozen_x):
        a.setflags(write=False)
    model, key, statistic = pe.column_model, pe.reader._model_key, pe.reader._read_statistic
    for row in (0, 64):
        for first in (0, 128, 256):
            args = (model, key, blocks, 64, np.float32, statistic)
            alone = strip_read_stats(digits[row : row + 64, first : first + 128], x[row : row + 64], *args)
            banded = strip_read_stats(
                frozen_digits[row : row + 64, first : first + 128], frozen_x[row : row + 64], *args
            )
            np.testing.assert_array_equal(banded.pieces.weight, alone.pieces.weight)
            # one wider product: BLAS may round a float32 conductance differently
            for field in ("total", "x_min", "x_max"):
                np.testing.assert_allclose(getattr(banded.pieces, field), getattr(alone.pieces, field), rtol=1e-6)
            assert banded.idle_weight == alone.idle_weight == 1.0
    assert _band(frozen_digits[:64, 128:256], frozen_digits, 128, blocks, 64)[1:] == (128, 128, 3)
    assert _band(frozen_digits[:64, 64:192], frozen_digits, 64, blocks, 64) is None  # not aligned to the strips
    assert _band(frozen_digits[:64, :128], frozen_digits, 0, [(0, 64), (64, 32)], 64) is None  # a partial block


@settings(max_examples=60, deadline=None)
@given(
    pe=st.tuples(st.integers(0, 40), st.integers(0, 60), st.integers(0, 30), st.integers(0, 50)),
    strip=st.tuples(st.integers(0, 50), st.integers(0, 40), st.integers(0, 60), st.integers(0, 90)),
    dtype=st.sampled_from([np.int8, np.float32]),
)
def test_strip_keys_told_from_their_pe_equal_the_owner_lookup(pe, strip, dtype):
    """The value keys of a strip's weights and inputs, told from those of its PE's views, are the keys the lookup
    through their owners gives (a strip reuses what was kept under them)."""
    cache = WorkloadCache()
    weights = cache.own(np.zeros((48, 64), dtype), (("layer",), "weights"))
    inputs = cache.own(np.zeros((48, 80), np.uint8), (("layer",), "inputs"))
    r0, n, c0, nv = pe
    w_pe, x_pe = weights[r0 : r0 + n, c0:], inputs[r0 : r0 + n, : max(nv, 1)]
    slot = _trace_memo(w_pe, x_pe)
    row, num_row, stop, vectors = strip
    w, x = w_pe[row : row + num_row, :stop], x_pe[row : row + num_row, :vectors]
    told = _strip_slot(slot, w_pe, x_pe, row, w, x)
    looked_up = _trace_memo(w, x)
    assert told[1:3] == looked_up[1:3]
    assert told[0].owner == looked_up[0].owner and told[3] is looked_up[3]
