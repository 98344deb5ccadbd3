"""The eNVM read pass: strip and PE fit sums against the element-wise read, row bands, two-level conductances."""

from __future__ import annotations

import numpy as np
import pytest

from neurocim.arch.column_model import effective_conductance
from neurocim.arch.envm_read import _band, strip_read_stats
from neurocim.arch.pe import ProcessingElement
from neurocim.arch.subarray import SubArray
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context


@pytest.mark.parametrize("cell", [{"type": "rram"}, {"type": "rram", "bits_per_cell": 2}, {"type": "fefet"}])
def test_strip_from_sums_matches_the_elementwise_read(cell):
    config = ChipConfig.model_validate(
        {"cell": cell, "array": {"rows": 64, "cols": 64, "cols_per_adc": 8}, "adc": {"bits": 5}}
    )
    ctx = build_context(config)
    p = ctx.p
    subarray = SubArray(ctx, p.num_row_sub_array, p.num_col_sub_array, p.wires.unit_resistance, 1e9)
    pe = ProcessingElement(ctx, subarray, 2, 2, False, 1e9, dtype=np.float32)
    assert pe._energy_fit is not None
    rng = np.random.default_rng(11)
    digits = rng.integers(0, 2**p.cell_bit, (64, 128)).astype(np.int8)
    x = (rng.random((64, 300)) < 0.3).astype(np.uint8)
    x[:, :5] = 0  # vectors with no active row
    x[:, 5:40] = x[:, 40:75]  # repeated vectors
    blocks = [(0, 64), (64, 64)]
    fast = pe._strip(digits, x, 0, 64, blocks, 300, 1e9, 64)
    pe._energy_fit = None
    slow = pe._strip(digits, x, 0, 64, blocks, 300, 1e9, 64)
    np.testing.assert_allclose(np.array(fast), np.array(slow), rtol=1e-6)
    assert np.array(fast)[:, 4].min() > 0  # energies are positive


def test_pe_block_sums_from_stacked_sums_match_strip_by_strip():
    config = ChipConfig.model_validate(
        {"cell": {"type": "rram"}, "array": {"rows": 64, "cols": 64, "cols_per_adc": 8}, "adc": {"bits": 4}}
    )
    ctx = build_context(config)
    p = ctx.p
    subarray = SubArray(ctx, p.num_row_sub_array, p.num_col_sub_array, p.wires.unit_resistance, 1e9)
    pe = ProcessingElement(ctx, subarray, 2, 2, False, 1e9, dtype=np.float32)
    rng = np.random.default_rng(5)
    digits = rng.integers(0, 2, (100, 100)).astype(np.int8)  # partial last strip and block
    x = (rng.random((100, 200)) < 0.25).astype(np.uint8)
    x[:, :3] = 0
    for a in (digits, x):
        a.setflags(write=False)  # trace arrays: the stacked sums are memoised with them
    assert pe._pe_from_sums(digits, x, pe._strips(100, 100, 2, 2), 200, 1e9) is not None  # the stacked path
    batched = pe._block_sums(digits, x, 100, 100, 200, 1e9, 2, 2)
    assert batched.shape == (4, 8)
    strips = [(0, 64, [(0, 64), (64, 36)]), (64, 36, [(0, 64), (64, 36)])]
    by_strip = np.array([b for row, n, blocks in strips for b in pe._strip(digits, x, row, n, blocks, 200, 1e9, 64)])
    np.testing.assert_array_equal(batched, by_strip)
    assert pe._block_sums(digits, x, 100, 100, 200, 1e9, 2, 2) is not batched  # memo hit, fresh result
    np.testing.assert_array_equal(pe._block_sums(digits, x, 100, 100, 200, 1e9, 2, 2), batched)


def test_two_level_conductance_picks_the_table_bits_exactly():
    config = ChipConfig.model_validate({"cell": {"type": "rram"}})
    ctx = build_context(config)
    p = ctx.p
    subarray = SubArray(ctx, p.num_row_sub_array, p.num_col_sub_array, p.wires.unit_resistance, 1e9)
    model = ProcessingElement(ctx, subarray, 1, 1, False, 1e9).column_model
    digits = (np.random.default_rng(2).random((128, 256)) < 0.4).astype(np.int8)
    conductance = digits * (model.g_max - model.g_min) + model.g_min
    for dtype in (np.float32, np.float64):
        got = effective_conductance(digits, model, 128, dtype)
        want = effective_conductance(conductance, model, 128, dtype)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, want)


def test_strips_of_a_row_band_read_together_give_the_strip_by_strip_sums():
    config = ChipConfig.model_validate({"cell": {"type": "rram"}, "array": {"rows": 64, "cols": 64, "cols_per_adc": 8}})
    ctx = build_context(config)
    p = ctx.p
    subarray = SubArray(ctx, p.num_row_sub_array, p.num_col_sub_array, p.wires.unit_resistance, 1e9)
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
    model, key, fit = pe.column_model, pe._model_key, pe._energy_fit
    for row in (0, 64):
        for first in (0, 128, 256):
            args = (model, key, blocks, 64, np.float32, fit)
            alone = strip_read_stats(digits[row : row + 64, first : first + 128], x[row : row + 64], *args)
            banded = strip_read_stats(
                frozen_digits[row : row + 64, first : first + 128], frozen_x[row : row + 64], *args
            )
            np.testing.assert_array_equal(banded.sums.weight, alone.sums.weight)
            # one wider product: BLAS may round a float32 conductance differently
            for field in ("total", "x_min", "x_max"):
                np.testing.assert_allclose(getattr(banded.sums, field), getattr(alone.sums, field), rtol=1e-6)
            assert banded.idle_weight == alone.idle_weight == 1.0
    assert _band(frozen_digits[:64, 128:256], frozen_digits, blocks, 64)[1:] == (128, 128, 3)
    assert _band(frozen_digits[:64, 64:192], frozen_digits, blocks, 64) is None  # not aligned to the strips
    assert _band(frozen_digits[:64, :128], frozen_digits, [(0, 64), (64, 32)], 64) is None  # a partial block
