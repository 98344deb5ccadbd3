"""The compiled eNVM read pass: ADC-fit sums over R = num_add / (active rows' conductances)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurocim.arch.subarray import read_kernel
from neurocim.arch.subarray.read_kernel import block_read_sums
from neurocim.circuits.adc.adc_fits import mlsa_lstp_power_fit
from neurocim.circuits.adc.piecewise_fit import PiecewiseFit, PiecewiseSums
from neurocim.workload.cache import ValueMemo

BLOCKS = [(0, 40), (40, 40), (90, 13)]  # a gap and an odd width


def block_fit_sums(rows_on, counts, g_eff, blocks, num_add, breaks, kinds, g_range=None):
    """The piece sums of block_read_sums alone: (weight, total, lowest and highest summed conductance) per block."""
    found = block_read_sums(rows_on, counts, g_eff, blocks, num_add, breaks, kinds, 0, g_range)
    return found.weight, found.total, found.g_low, found.g_high


def _fit() -> PiecewiseFit:
    return mlsa_lstp_power_fit(22).affine(0.8, 4e-9, 2e-16)  # breaks near 6.6e3 and 5.2e5 ohm


def _case(g_span: tuple[float, float], dtype, vectors: int = 300, seed: int = 7, rows: int = 64):
    rng = np.random.default_rng(seed)
    rows_on = rng.random((vectors, rows)) < 0.3
    rows_on[:, 0] = True  # every vector reads at least one row
    g_eff = np.exp(rng.uniform(np.log(g_span[0]), np.log(g_span[1]), (rows, 103))).astype(dtype)
    counts = rng.integers(1, 5, vectors).astype(np.float64)
    return rows_on, counts, g_eff


def _elementwise(fit: PiecewiseFit, rows_on, counts, g_eff, num_add: float) -> np.ndarray:
    """Reference per block: sum over vectors and columns of count * max(fit(R), 0), R in float64."""
    r = num_add / (rows_on.astype(np.float64) @ g_eff.astype(np.float64))
    e = np.fmax(fit(r), 0.0) * counts[:, None]
    return np.array([e[:, s : s + w].sum() for s, w in BLOCKS])


def _sums(fit, weight, total, g_low, g_high, num_add) -> PiecewiseSums:
    return PiecewiseSums(fit.breaks, fit.kinds, weight, total, num_add / g_high, num_add / g_low)


@pytest.mark.parametrize("subset_min_vectors", [0, 10**9])  # column sums from subset sums, or row by row
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("g_span", [(1e-7, 1e-4), (2e-6, 3e-6), (1e-4, 1e-3), (2e-7, 2e-6)])
def test_fit_sums_match_the_fit_summed_over_every_resistance(monkeypatch, g_span, dtype, subset_min_vectors):
    monkeypatch.setattr(read_kernel, "SUBSET_MIN_VECTORS", subset_min_vectors)
    fit, num_add = _fit(), 4.0
    rows_on, counts, g_eff = _case(g_span, dtype)
    weight, total, g_low, g_high = block_fit_sums(rows_on, counts, g_eff, BLOCKS, num_add, fit.breaks, fit.kinds)
    got = fit.sum_over(_sums(fit, weight, total, g_low, g_high, num_add))
    np.testing.assert_allclose(got, _elementwise(fit, rows_on, counts, g_eff, num_add), rtol=3e-6)
    # every value is counted once, in one piece
    np.testing.assert_array_equal(weight.sum(axis=1), counts.sum() * np.array([w for _, w in BLOCKS]))
    g = rows_on.astype(np.float64) @ g_eff.astype(np.float64)
    for b, (s, w) in enumerate(BLOCKS):
        assert g_low[b] == pytest.approx(g[:, s : s + w].min(), rel=1e-5)
        assert g_high[b] == pytest.approx(g[:, s : s + w].max(), rel=1e-5)


def test_products_stay_in_range_over_the_whole_float32_span():
    """Resistances from 1e-4 to 1e32 ohm: the ln sums come from products of scaled values, never inf or 0."""
    fit = PiecewiseFit((1.0, 1e20), ("log", "log", "log"), (1.0, 2.0, 3.0), (100.0, 60.0, 10.0))
    rows_on, counts, g_eff = _case((1.0, 2.0), np.float32, vectors=200)
    g_eff *= np.logspace(3, -33, 103, dtype=np.float32)  # columns from 1e3 down to 1e-33 siemens
    weight, total, g_low, g_high = block_fit_sums(rows_on, counts, g_eff, BLOCKS, 1.0, fit.breaks, fit.kinds)
    assert np.isfinite(total).all()
    r = 1.0 / (rows_on.astype(np.float64) @ g_eff.astype(np.float64))
    assert r.min() < 1e-3 and r.max() > 1e31  # values in all three pieces
    got = fit.sum_over(_sums(fit, weight, total, g_low, g_high, 1.0))
    np.testing.assert_allclose(got, _elementwise(fit, rows_on, counts, g_eff, 1.0), rtol=1e-6)


@pytest.mark.parametrize("rows", [1, 8, 13, 128])
def test_rows_pack_like_numpy_packbits(rows):
    mask = np.random.default_rng(rows).random((rows + 3, 50)) < 0.4
    view = mask[2 : 2 + rows, 5:45]  # a strided view, as the strips of a layer's inputs are
    for data in (view, view.astype(np.uint8)):
        out = np.zeros((-(-rows // 8), 40), np.uint8)
        read_kernel.pack_rows(data, out)
        np.testing.assert_array_equal(out, np.packbits(view, axis=0))


def test_the_task_split_does_not_change_the_sums(monkeypatch):
    fit = _fit()
    rows_on, counts, g_eff = _case((1e-7, 1e-4), np.float32, vectors=1000)
    monkeypatch.setattr(read_kernel, "SPLIT_VALUES", 10**9)  # one task
    whole = block_fit_sums(rows_on, counts, g_eff, BLOCKS, 4.0, fit.breaks, fit.kinds)
    monkeypatch.setattr(read_kernel, "SPLIT_VALUES", 1000)
    monkeypatch.setattr(read_kernel, "TASK_VALUES", 5000)  # 103,000 values: 22 tasks
    split = block_fit_sums(rows_on, counts, g_eff, BLOCKS, 4.0, fit.breaks, fit.kinds)
    _assert_same_but_rounding(split, whole)


@pytest.mark.parametrize("rows", [1, 3, 6, 27])
def test_rows_in_groups_of_four_with_a_partial_last_group(rows):
    fit = _fit()
    rows_on, counts, g_eff = _case((1e-5, 1e-4), np.float32, rows=rows)  # R within the unclamped fit
    weight, total, g_low, g_high = block_fit_sums(rows_on, counts, g_eff, BLOCKS, 4.0, fit.breaks, fit.kinds)
    got = fit.sum_over(_sums(fit, weight, total, g_low, g_high, 4.0))
    np.testing.assert_allclose(got, _elementwise(fit, rows_on, counts, g_eff, 4.0), rtol=3e-6)


@pytest.mark.parametrize("part_columns", [16, 40, 90])  # every block alone (wider than a part), 1 + 1 + 1, 2 + 1
def test_parts_of_the_columns_change_only_the_rounding(monkeypatch, part_columns):
    fit = _fit()
    rows_on, counts, g_eff = _case((1e-7, 1e-4), np.float32, vectors=500)
    monkeypatch.setattr(read_kernel, "PART_COLUMNS", 10**6)  # one part
    whole = block_fit_sums(rows_on, counts, g_eff, BLOCKS, 4.0, fit.breaks, fit.kinds)
    monkeypatch.setattr(read_kernel, "PART_COLUMNS", part_columns)
    _assert_same_but_rounding(block_fit_sums(rows_on, counts, g_eff, BLOCKS, 4.0, fit.breaks, fit.kinds), whole)


@pytest.mark.parametrize("blocks", [[(40, 40), (0, 40)], [(0, 40), (30, 20)], [(0, -1)], [(0, 40), (90, 14)]])
def test_blocks_out_of_column_order_or_overlapping_are_refused(blocks):
    fit = _fit()
    rows_on, counts, g_eff = _case((1e-7, 1e-4), np.float32, vectors=10)
    with pytest.raises(ValueError, match="blocks must"):  # the last case reaches past the 103 columns
        block_fit_sums(rows_on, counts, g_eff, blocks, 4.0, fit.breaks, fit.kinds)


def test_a_looser_conductance_range_changes_only_the_rounding():
    fit = _fit()
    rows_on, counts, g_eff = _case((1e-7, 1e-4), np.float32, vectors=500)
    found = block_fit_sums(rows_on, counts, g_eff, BLOCKS, 4.0, fit.breaks, fit.kinds)
    wide = block_fit_sums(rows_on, counts, g_eff, BLOCKS, 4.0, fit.breaks, fit.kinds, g_range=(1e-12, 1.0))
    _assert_same_but_rounding(wide, found)


def _assert_same_but_rounding(got: tuple, want: tuple) -> None:
    """block_fit_sums results: weights and conductance bounds equal, totals to rounding."""
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
    for a, b in zip(got[2:], want[2:], strict=True):
        np.testing.assert_array_equal(a, b)


def test_zero_conductance_and_no_vectors_show_in_the_bounds():
    fit = _fit()
    rows_on, counts, g_eff = _case((1e-7, 1e-4), np.float32)
    g_eff[:, 95] = 0.0  # a column of block 2 never conducts: R = inf there
    _, _, g_low, g_high = block_fit_sums(rows_on, counts, g_eff, BLOCKS, 4.0, fit.breaks, fit.kinds)
    assert g_low[2] == 0.0 and g_low[:2].min() > 0
    weight, total, g_low, g_high = block_fit_sums(rows_on[:0], counts[:0], g_eff, BLOCKS, 4.0, fit.breaks, fit.kinds)
    assert not weight.any() and not total.any()
    assert np.isinf(g_low).all() and not g_high.any()


def test_sum_over_declines_when_the_clamp_at_zero_could_act():
    fit = PiecewiseFit((10.0,), ("lin", "log"), (1.0, -1.0), (0.0, 3.0))  # log piece < 0 above e^3

    def sums(r: list[float]) -> PiecewiseSums:
        g_eff = 1.0 / np.array([r], dtype=np.float32)  # one row, read by one vector
        out = block_fit_sums(np.ones((1, 1), bool), np.ones(1), g_eff, [(0, len(r))], 1.0, fit.breaks, fit.kinds)
        return _sums(fit, *out, 1.0)

    assert fit.sum_over(sums([12.0, 18.0])) is not None
    assert fit.sum_over(sums([12.0, 18.0, 50.0])) is None
    other = PiecewiseFit((11.0,), fit.kinds, fit.slopes, fit.offsets)
    assert other.sum_over(sums([12.0, 18.0])) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    vectors=st.sampled_from([5, 40, 700]),
    widths=st.lists(st.integers(1, 300), min_size=1, max_size=5),
    bins=st.sampled_from([0, 16]),
)
def test_read_pass_with_kept_layouts_gives_the_same_sums_bit_for_bit(vectors, widths, bins):
    """Block layouts, piece scalings and task splits kept by value across passes (as a sweep's passes share them)
    give what the pass computes afresh: the same blocks with other vectors and conductances, and other blocks."""
    layouts = ValueMemo(8)
    blocks, start = [], 0
    for w in widths:
        blocks.append((start, w))
        start += w
    fit = _fit()
    for seed in (1, 2):
        rows_on, counts, _ = _case((1e-6, 1e-4), np.float32, vectors=vectors + 37 * seed, seed=seed)
        g_eff = np.exp(np.random.default_rng(seed).uniform(np.log(1e-6), np.log(1e-4), (64, start))).astype(np.float32)
        args = (rows_on, counts, g_eff, blocks, 0.5, fit.breaks, fit.kinds, bins)
        fresh, kept = block_read_sums(*args), block_read_sums(*args, layouts=layouts)
        for field in ("weight", "total", "hist_count", "hist_total", "outside", "g_low", "g_high"):
            np.testing.assert_array_equal(getattr(kept, field), getattr(fresh, field), err_msg=field)
        assert kept.hist_first == fresh.hist_first
