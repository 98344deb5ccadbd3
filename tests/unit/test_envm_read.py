"""ADC-fit sums over column resistances (piecewise_sums.piecewise_sums) and the eNVM read pass built on them."""

from __future__ import annotations

import numpy as np
import pytest

from neurocim.arch.column_model import effective_conductance
from neurocim.arch.envm_read import _band, strip_read_stats
from neurocim.arch.pe import ProcessingElement
from neurocim.arch.subarray import SubArray
from neurocim.circuits.adc_fits import mlsa_lstp_power_fit
from neurocim.circuits.piecewise_fit import PiecewiseFit
from neurocim.circuits.piecewise_sums import piecewise_sums
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context


def _fit() -> PiecewiseFit:
    return mlsa_lstp_power_fit(22).affine(0.8, 4e-9, 2e-16)


def _elementwise(fit: PiecewiseFit, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Reference: sum over vectors and values of w * max(fit(x), 0), per group, in float64."""
    e = np.fmax(fit(x.astype(np.float64)), 0.0)
    return np.einsum("v,vgn->g", w, e)


@pytest.mark.parametrize("groups", [1, 3])
@pytest.mark.parametrize("equal_weights", [False, True])
@pytest.mark.parametrize("span", [(1e3, 3e6), (6e3, 2e5), (1e3, 4e3), (5e5, 2e6)])
def test_piecewise_sums_match_the_fit_summed_over_values(span, equal_weights, groups):
    rng = np.random.default_rng(7)
    x = np.exp(rng.uniform(np.log(span[0]), np.log(span[1]), (300, groups, 40))).astype(np.float32)
    w = np.full(300, 2.0) if equal_weights else rng.integers(1, 5, 300).astype(float)
    fit = _fit()
    got = fit.sum_over(piecewise_sums(x, w, fit.breaks, fit.kinds))
    np.testing.assert_allclose(got, _elementwise(fit, x, w), rtol=2e-7)


def test_piecewise_sums_add_up_over_chunks():
    rng = np.random.default_rng(3)
    x = np.exp(rng.uniform(np.log(1e3), np.log(1e6), (200, 2, 33))).astype(np.float32)  # odd width
    w = rng.integers(1, 3, 200).astype(float)
    fit = _fit()
    whole = piecewise_sums(x, w, fit.breaks, fit.kinds)
    parts = piecewise_sums(x[:70], w[:70], fit.breaks, fit.kinds) + piecewise_sums(
        x[70:], w[70:], fit.breaks, fit.kinds
    )
    np.testing.assert_allclose(parts.weight, whole.weight)
    np.testing.assert_allclose(fit.sum_over(parts), fit.sum_over(whole), rtol=1e-9)
    assert whole.weight.sum() == pytest.approx(w.sum() * 2 * 33)


def test_sum_over_declines_when_the_clamp_at_zero_could_act():
    fit = PiecewiseFit((10.0,), ("lin", "log"), (1.0, -1.0), (0.0, 3.0))  # log piece < 0 above e^3
    x = np.array([[[12.0, 18.0]]], dtype=np.float32)
    assert fit.sum_over(piecewise_sums(x, np.ones(1), fit.breaks, fit.kinds)) is not None
    x = np.array([[[12.0, 18.0, 50.0]]], dtype=np.float32)
    assert fit.sum_over(piecewise_sums(x, np.ones(1), fit.breaks, fit.kinds)) is None
    other = PiecewiseFit((11.0,), fit.kinds, fit.slopes, fit.offsets)
    assert other.sum_over(piecewise_sums(x, np.ones(1), fit.breaks, fit.kinds)) is None


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
