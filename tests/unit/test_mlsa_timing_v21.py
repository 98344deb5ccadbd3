"""NeuroSim V2.1's data-dependent sense-amp timing against a plain per-comparator loop."""

from __future__ import annotations

import math
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocim.circuits.adc import mlsa_timing_v21
from neurocim.circuits.adc.mlsa_timing_v21 import (
    FIXED_S,
    READ_CLAMP_S,
    MlsaTimingV21,
    _bin,
    _monotone_breaks,
    v21_references,
)

REFS = v21_references(64, 240e3, 240e5, 128)
FITS_32 = ((0.0714, 0.7651), (3.7949, -5.6685, 2.6492, 0.4807), (0.000001, -0.00006, 0.0001, -0.0171, 1.0057))


def _loop(r: float, refs, read_voltage: float = 0.5) -> float:
    """One column, comparator by comparator, as V2.1 writes it (32 nm LSTP)."""
    r *= 0.5 / read_voltage
    if r == 0 or math.isinf(r):
        return 0.0
    (a, b), low, high = FITS_32
    t_max = (a * math.log(r / 1000) + b) * 1e-9
    slowest = 0.0
    levels = len(refs) + 1
    for i in range(1, levels - 1):  # V2.1's loop: every reference but the first (index 0)
        ratio = refs[i] / r
        if ratio >= 20 or ratio <= 0.05:
            t = 1e-9
        elif ratio <= 0.9:
            t = t_max * sum(c * ratio ** (3 - k) for k, c in enumerate(low))
        else:  # V2.1's `0.9 < ratio < 1.1` flat branch is never taken
            t = t_max * sum(c * ratio ** (4 - k) for k, c in enumerate(high))
        slowest = max(slowest, t)
    return slowest


def test_references_are_linear_in_resistance():
    assert len(REFS) == 63
    assert REFS[0] == pytest.approx(240e3 / 128 + 240e5 / (128 * 64))
    assert np.allclose(np.diff(REFS), 240e5 / (128 * 64))


@pytest.mark.parametrize("read_voltage", [0.5, 0.3])
def test_column_latency_matches_the_comparator_loop(read_voltage):
    timing = MlsaTimingV21.build(REFS, 32, True, True, read_voltage)
    r = np.exp(np.random.default_rng(5).uniform(np.log(500.0), np.log(1e8), 400))
    want = [_loop(x, REFS, read_voltage) for x in r]
    np.testing.assert_allclose(timing.column_latency(r), want, rtol=1e-12)
    assert timing.column_latency(np.array([np.inf, 0.0])).tolist() == [0.0, 0.0]


def test_a_read_takes_its_slowest_column_clamped():
    timing = MlsaTimingV21.build(REFS, 32, True, True, 0.5)
    r = np.array([[2e3, 2e5, np.inf], [np.inf, np.inf, np.inf], [np.nan, 5e3, np.inf], [1e9, 1e9, 1e9]])
    got = timing.read_latency(r)
    assert got[0] == pytest.approx(max(1e-9, _loop(2e3, REFS), _loop(2e5, REFS)))
    assert got[0] > 1e-9
    assert got[1] == 1e-9  # no conducting column: the 1 ns floor
    assert got[2] == pytest.approx(max(1e-9, _loop(5e3, REFS)))  # NaN skipped
    assert got[3] == 1e-9
    slow = MlsaTimingV21.build(REFS, 130, True, True, 0.5).read_latency(np.array([[1e12]]))
    assert slow.tolist() == [1e-9]  # ratio far below 0.05: fixed time


def test_without_fits_every_conversion_takes_one_nanosecond():
    r = np.array([[2e3, 2e5, np.inf]])
    for timing in (
        MlsaTimingV21.build(REFS, 22, True, True, 0.5),
        MlsaTimingV21.build(REFS, 32, False, True, 0.5),  # HP roadmap
        MlsaTimingV21.build(REFS, 32, True, False, 0.5),  # voltage mode
    ):
        assert timing.read_latency(r).tolist() == [1e-9]
    assert MlsaTimingV21.build(REFS, 22, True, True, 0.5).column_latency(r[0]).tolist() == [1e-9, 1e-9, 0.0]
    with pytest.raises(ValueError, match="read voltage must be > 0 V"):
        MlsaTimingV21.build(REFS, 32, True, True, 0.0)


@pytest.mark.parametrize("node", [130, 90, 65, 32])
def test_compiled_read_time_equals_the_element_wise_law(node):
    rng = np.random.default_rng(node)
    refs = v21_references(32, 20e3, 2e6, 64)
    r = 10.0 ** rng.uniform(1.5, 6.5, size=(40, 24))
    r[3] = np.inf
    r[5, ::2] = np.nan
    r[7, 1] = 0.0
    timing = MlsaTimingV21.build(refs, node, True, True, 0.4)
    oracle = np.clip(timing.column_latency(np.where(np.isnan(r), np.inf, r)).max(axis=1), *READ_CLAMP_S)
    assert timing.read_latency(r) == pytest.approx(oracle, rel=1e-12, abs=0.0)


def test_a_read_at_the_clamp_ceiling_equals_the_element_wise_law():
    refs = v21_references(32, 2e6, 2e9, 1)  # high references: T_max times a factor near 20 passes 10 ns
    timing = MlsaTimingV21.build(refs, 130, True, True, 0.5)
    candidates = 10.0 ** np.linspace(5.0, 9.0, 2001)
    slow = candidates[timing.column_latency(candidates) > READ_CLAMP_S[1]][0]  # a column past the ceiling
    r = 10.0 ** np.random.default_rng(3).uniform(5.0, 9.0, size=(6, 16))
    r[0, 0], r[1, 7], r[2, -1] = slow, slow, slow  # first, middle and last column
    oracle = np.clip(timing.column_latency(r).max(axis=1), *READ_CLAMP_S)
    assert timing.read_latency(r) == pytest.approx(oracle, rel=1e-12, abs=0.0)
    assert timing.read_latency(r)[:3].tolist() == [READ_CLAMP_S[1]] * 3


def test_read_energy_takes_the_reads_time_given_or_computed():
    timing = MlsaTimingV21.build(REFS, 32, True, True, 0.5)
    r = np.array([[2e3, 2e5, np.inf], [np.inf, 5e3, 7e4]])
    t = timing.read_latency(r)
    assert timing.read_energy(r, t).tolist() == timing.read_energy(r).tolist()
    with pytest.raises(ValueError, match="one time per read"):
        timing.read_energy(r, t[:1])


# ---- the compiled pass against the element-wise law, over nodes, levels and resistances ------------------------------
_SPECIAL = (np.inf, 0.0, np.nan, 1e-300, 1e300)


@st.composite
def _reads(draw):
    """A timing law (node, levels, cell, rows, read voltage) and reads whose resistances fall anywhere: far outside
    the fits' ratio range, on a piece's boundary or a critical point for some reference (exactly or a rounding away),
    inf, 0 or NaN."""
    node = draw(st.sampled_from([130, 90, 65, 45, 32]))
    levels = draw(st.integers(3, 300))
    r_on = draw(st.floats(1e2, 1e7))
    refs = v21_references(levels, r_on, r_on * draw(st.floats(1.5, 1e4)), draw(st.integers(1, 512)))
    timing = MlsaTimingV21.build(refs, node, True, True, draw(st.floats(0.05, 1.5)), draw(st.floats(250, 400)))
    breaks = (0.05, 0.9, 20.0, *_monotone_breaks(node)[0])
    reads, cols = draw(st.integers(1, 5)), draw(st.integers(1, 12))
    values = []
    for _ in range(reads * cols):
        kind = draw(st.sampled_from(["wide", "at a break", "special"]))
        if kind == "wide":
            values.append(10 ** draw(st.floats(-2.0, 10.0)))
        elif kind == "special":
            values.append(draw(st.sampled_from(_SPECIAL)))
        else:  # R = Rref / break (before the read voltage's scale), nudged by a few ulps or not at all
            ref = refs[draw(st.integers(1, max(len(refs) - 2, 1)))]
            r = ref / draw(st.sampled_from(breaks)) / timing.resistance_scale
            values.append(float(np.nextafter(r, np.inf if draw(st.booleans()) else 0.0)) if draw(st.booleans()) else r)
    return timing, np.array(values).reshape(reads, cols)


def _oracle(timing: MlsaTimingV21, r: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):  # the far ratios of 1e-300 ohm overflow to FIXED_S's branch
        return np.clip(timing.column_latency(np.where(np.isnan(r), np.inf, r)).max(axis=1), *READ_CLAMP_S)


@settings(max_examples=150, deadline=None)
@given(_reads())
def test_the_compiled_read_law_equals_every_comparator_timed(case):
    """With the column time bounds (any read: the threshold at 0) and without them (every column timed)."""
    timing, r = case
    for threshold in (0, r.size + 1):
        with patch.object(mlsa_timing_v21, "BOUNDED_READS_FROM", threshold):
            t, e = timing.read_latency_energy(r)
            assert t == pytest.approx(_oracle(timing, r), rel=1e-12, abs=0.0)
            assert timing.read_latency(r).tolist() == t.tolist()
            with np.errstate(over="ignore"):
                single = r.astype(np.float32)  # 1e300 ohm: inf
            assert timing.read_latency(single) == pytest.approx(_oracle(timing, single), rel=1e-12, abs=0.0)
            assert e == pytest.approx(timing.read_energy(r, t), rel=1e-12, abs=0.0)
            assert np.isfinite(e).all() and (e >= 0).all()


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([130, 65, 32]),
    st.lists(st.one_of(st.floats(1e2, 1e8), st.sampled_from([0.0, -1e3, np.inf])), min_size=3, max_size=40),
)
def test_any_references_in_any_order_give_the_law(node, refs):
    """References that are not evenly spaced (or sorted) are found by stepping through their ratios; 0, negative or
    infinite ones (a cell of infinite resistance) convert in FIXED_S."""
    timing = MlsaTimingV21.build(tuple(refs), node, True, True, 0.5)
    r = 10.0 ** np.random.default_rng(len(refs)).uniform(0.5, 9.5, size=(8, 16))
    for threshold in (0, r.size + 1):
        with patch.object(mlsa_timing_v21, "BOUNDED_READS_FROM", threshold):
            assert timing.read_latency(r) == pytest.approx(_oracle(timing, r), rel=1e-12, abs=0.0)


@pytest.mark.parametrize("node", [130, 90, 65, 32])
def test_the_column_time_bounds_hold_over_their_bins(node):
    """Every column's time lies under its bin's bound (the compiled pass times no column whose bound is below the
    read's time so far), and the bounds are within 1 % of the slowest column in most bins."""
    refs = v21_references(64, 240e3, 240e5, 128)
    timing = MlsaTimingV21.build(refs, node, True, True, 0.5)
    first, bounds = timing._time_bounds
    x = np.geomspace(refs[1] / 25, refs[-2] / 0.04, 20_001)
    bins = np.array([_bin(v) for v in x]) - first
    inside = (bins >= 0) & (bins < len(bounds))
    t = timing.column_latency(x / timing.resistance_scale)
    assert (t[inside] <= bounds[bins[inside]]).all()
    assert (t[~inside] <= FIXED_S).all()  # outside the bins: no reference's ratio inside the fits' range
    assert np.median(bounds[bins[inside]] / t[inside]) < 1.01
