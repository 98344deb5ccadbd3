"""Column converters on the fast path: the ADC energy from read-pass statistics against the element-wise read."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurocim.arch.pe import ProcessingElement
from neurocim.arch.pe_common import Block
from neurocim.arch.subarray.read_kernel import block_read_sums
from neurocim.arch.subarray.subarray import SubArray
from neurocim.circuits.adc.converter import ColumnConverter, ColumnStats, ReadStatistic
from neurocim.circuits.adc.flash_adc import FlashAdc
from neurocim.circuits.adc.resistance_histogram import ResistanceHistogram
from neurocim.circuits.adc.sar_adc import SarAdc
from neurocim.config.chip import ChipConfig
from neurocim.estimate import build_context

from .test_envm_read import _assert_same_result, _elementwise

# ADC energy from the statistics against the element-wise read: exact piece sums (LSTP current-sense flash) and
# counts (voltage sense) agree to rounding; the histogram (128 bins an octave) measured below 1e-6.
HISTOGRAM_RTOL = 1e-5
ADCS = {
    "flash_current": {"type": "flash"},
    "flash_voltage": {"type": "flash", "sense_mode": "voltage"},
    "sar": {"type": "sar"},
}


def _pe(cell: dict, adc: dict, node: int = 22, roadmap: str = "lstp", converter=None) -> ProcessingElement:
    """A PE of 2 x 2 sub-arrays of 64 x 64 cells; `converter(ctx, adc)` replaces the ADC (a SAR one) if given."""
    config = ChipConfig.model_validate(
        {
            "technology": {"node_nm": node, "roadmap": roadmap},
            "cell": cell,
            "array": {"rows": 64, "cols": 64, "cols_per_adc": 8},
            "adc": adc,
        }
    )
    ctx = build_context(config)
    p = ctx.p
    subarray = SubArray(ctx, p.chip.array.rows, p.chip.array.cols, p.wires.unit_resistance, 1e9)
    if converter is not None:
        subarray.mode.adc.sar = converter(ctx, subarray.mode.adc.sar)
    return ProcessingElement(ctx, subarray, 2, 2, False, 1e9, dtype=np.float32)


def _trace(cell_bits: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    digits = rng.integers(0, 2**cell_bits, (100, 100)).astype(np.int8)  # a partial last strip and block
    x = (rng.random((100, 240)) < rng.uniform(0.05, 0.6)).astype(np.uint8)
    x[:, :5] = 0  # vectors with no active row
    return digits, x


def _fast_and_elementwise(pe: ProcessingElement, digits: np.ndarray, x: np.ndarray, dup=(1, 1)):
    nv = x.shape[1]
    assert pe.reader.adc_energy(pe.reader.read_stats(digits, x, Block(100, 100, nv, *dup))) is not None  # the fast path
    args = (digits, x, Block(100, 100, nv, *dup), 1e9, False)
    return pe.evaluate(*args), _elementwise(pe, pe.evaluate, *args)


@pytest.mark.parametrize("roadmap", ["lstp", "hp"])
@pytest.mark.parametrize("adc", list(ADCS))
@pytest.mark.parametrize("cell", [{"type": "rram"}, {"type": "fefet", "bits_per_cell": 2}])
def test_every_adc_takes_the_fast_path_and_matches_the_elementwise_read(cell, adc, roadmap):
    pe = _pe(cell, {**ADCS[adc], "bits": 5}, roadmap=roadmap)
    fast, want = _fast_and_elementwise(pe, *_trace(pe.ctx.p.cell_bits))
    assert fast.energy_adc > 0
    _assert_same_result(fast, want, rel=HISTOGRAM_RTOL)


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cell_type=st.sampled_from(["rram", "fefet"]),
    cell_bits=st.integers(1, 4),
    adc=st.sampled_from(list(ADCS)),
    adc_bits=st.integers(2, 7),
    node=st.sampled_from([22, 32, 45, 65, 90, 130]),
    roadmap=st.sampled_from(["lstp", "hp"]),
    dup=st.sampled_from([(1, 1), (2, 1), (4, 4)]),
    seed=st.integers(0, 2**16),
)
def test_adc_energy_from_statistics_matches_the_elementwise_read(
    cell_type, cell_bits, adc, adc_bits, node, roadmap, dup, seed
):
    pe = _pe({"type": cell_type, "bits_per_cell": cell_bits}, {**ADCS[adc], "bits": adc_bits}, node, roadmap)
    fast, want = _fast_and_elementwise(pe, *_trace(cell_bits, seed), dup)
    assert fast.energy_adc == pytest.approx(want.energy_adc, rel=HISTOGRAM_RTOL)
    assert fast.energy == pytest.approx(want.energy, rel=HISTOGRAM_RTOL)


class _SquareLawSar(SarAdc):
    """An ADC added later: a SAR ADC whose conversion power grows with the column conductance squared."""

    def __init__(self, ctx, like: SarAdc) -> None:
        super().__init__(ctx, like.num_col, like.adc_levels, like.clk_freq, like.num_read_cell_per_operation_neuro)

    def column_power(self, column_resistance: np.ndarray) -> np.ndarray:
        r = np.asarray(column_resistance)
        return np.where(np.isinf(r), 1e-6, 1e-6 + (1e4 / r) ** 2).astype(r.dtype)


def test_a_converter_that_only_gives_its_energy_per_resistance_is_on_the_fast_path():
    pe = _pe({"type": "rram", "bits_per_cell": 2}, {"type": "sar", "bits": 5}, converter=_SquareLawSar)
    assert pe.subarray.mode.adc.converter.read_statistic() == ReadStatistic(bins_per_octave=128)
    fast, want = _fast_and_elementwise(pe, *_trace(2))
    assert fast.energy_adc == pytest.approx(want.energy_adc, rel=HISTOGRAM_RTOL)


def test_converters_ask_for_what_their_energy_needs():
    assert issubclass(FlashAdc, ColumnConverter) and issubclass(SarAdc, ColumnConverter)
    lstp = _pe({"type": "rram"}, {"type": "flash"}).subarray.mode.adc.converter.read_statistic()
    assert lstp.kinds and not lstp.bins_per_octave  # exact piece sums of its fit
    voltage = _pe({"type": "rram"}, ADCS["flash_voltage"]).subarray.mode.adc.converter
    assert not voltage.read_statistic().reads_resistances  # no R-dependent static power
    assert voltage.summed_static_energy(ColumnStats(3.0, 2.0)) == pytest.approx(2 * voltage.idle_energy())
    for adc, roadmap in (("flash_current", "hp"), ("sar", "lstp")):
        converter = _pe({"type": "rram"}, ADCS[adc], roadmap=roadmap).subarray.mode.adc.converter
        assert converter.read_statistic().bins_per_octave == 128
        assert converter.summed_static_energy(ColumnStats(1.0, 0.0)) is None  # no histogram: read element-wise


def test_read_statistics_are_checked():
    with pytest.raises(ValueError, match="2 breaks need 3 pieces"):
        ReadStatistic((1.0, 2.0), ("lin", "log"))
    with pytest.raises(ValueError, match="power of two"):
        ReadStatistic(bins_per_octave=100)
    with pytest.raises(ValueError, match="'lin' or 'log'"):
        ReadStatistic((1.0,), ("lin", "exp"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_histogram_holds_every_resistance_in_its_bin(dtype):
    rng = np.random.default_rng(3)
    rows_on = rng.random((200, 64)) < 0.3
    rows_on[:, 0] = True
    g_eff = np.exp(rng.uniform(np.log(1e-7), np.log(1e-4), (64, 96))).astype(dtype)
    counts = rng.integers(1, 5, 200).astype(np.float64)
    blocks = [(0, 40), (50, 46)]
    found = block_read_sums(rows_on, counts, g_eff, blocks, 4.0, (), (), bins_per_octave=64)
    r = 4.0 / (rows_on.astype(np.float64) @ g_eff.astype(np.float64))
    for b, (s, w) in enumerate(blocks):
        hist = ResistanceHistogram(64, found.hist_first, found.hist_count[b], found.hist_total[b]).trimmed()
        values, weights = r[:, s : s + w], np.broadcast_to(counts[:, None], (200, w))
        assert hist.weight == weights.sum() and not found.outside[b]
        assert hist.total.sum() == pytest.approx((weights * values).sum(), rel=1e-6)
        # the bins: [2^e (1 + k/64), 2^e (1 + (k+1)/64)) of the absolute index e * 64 + k
        index = hist.first + np.arange(len(hist.count))
        lower = 2.0 ** (index // 64) * (1 + (index % 64) / 64)
        means = hist.total[hist.count > 0] / hist.count[hist.count > 0]
        held = lower[hist.count > 0]
        assert (means >= held * (1 - 1e-6)).all() and (means < held * (1 + 1 / 64) * (1 + 1e-6)).all()
        # a power law summed from the bin means
        exact = (weights * (1.0 / values)).sum()
        assert hist.sum_of(lambda x: 1.0 / x) == pytest.approx(exact, rel=2e-5)
    assert block_read_sums(rows_on, counts, g_eff, blocks, 4.0, (), ()).hist_count.shape == (2, 0)
    # bounds on the conductances that do not hold (the caller's promise broken): values fall outside the bins
    narrow = (float(g_eff.max()) * 10, float(g_eff.max()) * 20)
    assert block_read_sums(rows_on, counts, g_eff, blocks, 4.0, (), (), 64, g_range=narrow).outside.all()


def test_histograms_combine_over_their_bins():
    a = ResistanceHistogram(8, 10, np.array([1.0, 0.0, 2.0]), np.array([1.1, 0.0, 4.6]))
    b = ResistanceHistogram(8, 8, np.array([0.0, 3.0]), np.array([0.0, 3.3]))
    both = ResistanceHistogram.combined([a, b])
    assert both.first == 8
    np.testing.assert_array_equal(both.count, [0.0, 3.0, 1.0, 0.0, 2.0])
    assert both.trimmed().first == 9 and len(both.trimmed().count) == 4
    assert both.sum_of(lambda x: x) == pytest.approx(1.1 + 4.6 + 3.3)
    with pytest.raises(ValueError, match="bins per octave"):
        ResistanceHistogram.combined([a, ResistanceHistogram(16, 0, np.ones(1), np.ones(1))])
    stacked = ColumnStats.stacked([ColumnStats(3.0, 1.0, histogram=a), ColumnStats(3.0, 0.0, histogram=b)])
    assert (stacked.live, stacked.idle, stacked.conversions) == (6.0, 1.0, 7.0)
    assert stacked.histogram.weight == 6.0
