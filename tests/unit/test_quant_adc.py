"""ADC transfer functions and drift: NeuroSim's min/max quantizers, the fixed-range ADC, retention."""

import math

import pytest
import torch

from neurocim.quant import (
    drift_factor,
    fixed_range_quantize,
    linear_quantize_out,
    minmax_floor_quantize,
    neurosim_retention,
    nonlinear_quantize_out,
    random_drift_sign,
    snapped_step,
)


def _neurosim_linear_quantize_out(x: torch.Tensor, bits: int) -> torch.Tensor:
    """The original formula, written out (V1.4 LinearQuantizeOut)."""
    lo, delta = float(x.min()), float(x.max() - x.min())
    if delta <= 0:
        return x.clone()
    step = 2.0**-bits * delta
    return torch.clamp(torch.floor((x - lo) / step), 0, 2.0**bits - 1) * step + lo


def test_linear_quantize_out_matches_neurosim():
    x = torch.rand(1000, dtype=torch.float64) * 7 - 2
    for bits in (1, 3, 5, 8):
        assert torch.allclose(linear_quantize_out(x, bits), _neurosim_linear_quantize_out(x, bits), atol=1e-12)


def test_floor_bias_and_exact_integer_floor():
    x = torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    assert linear_quantize_out(x, 2).tolist() == [0.0, 1.0, 2.0, 3.0, 3.0]  # max maps to max - step
    y = torch.tensor([0.0, 3.0, 10.0], dtype=torch.float64)  # (3 - 0) * 8 / 10 = 2.4 -> 2
    assert linear_quantize_out(y, 3).tolist() == [0.0, 2.5, 8.75]


def test_per_call_ranges_over_dims():
    x = torch.tensor([[0.0, 1.0, 2.0], [10.0, 10.0, 10.0]], dtype=torch.float64)
    q = linear_quantize_out(x, 1, dims=[1])
    assert q.tolist() == [[0.0, 1.0, 1.0], [10.0, 10.0, 10.0]]  # constant row passes through


def test_constant_tensor_no_nan():
    for x in (torch.zeros(5), torch.full((3,), 2.5)):
        assert torch.equal(linear_quantize_out(x, 5), x)
        assert torch.equal(nonlinear_quantize_out(x, 3), x)
        assert torch.equal(minmax_floor_quantize(x, 4, x.min(), x.max()), x)


def test_fixed_range_quantize():
    x = torch.tensor([-3.0, 0.0, 1.4, 1.5, 2.5, 100.0])
    assert fixed_range_quantize(x, 3, 0.0, 1.0).tolist() == [0.0, 0.0, 1.0, 2.0, 2.0, 7.0]
    with pytest.raises(ValueError, match="step"):
        fixed_range_quantize(x, 3, 0.0, 0.0)


def test_snapped_step():
    assert snapped_step(31.0, 5) == 1.0  # enough levels: one unit per code, lossless on the integer grid
    assert snapped_step(32.0, 5) == 2.0
    assert snapped_step(93.0, 5, unit=3.0) == 3.0
    assert snapped_step(0.0, 5) == 1.0
    with pytest.raises(ValueError, match="unit"):
        snapped_step(1.0, 5, unit=0.0)
    with pytest.raises(ValueError, match="adc bits"):
        snapped_step(1.0, 0)


def test_nonlinear_quantize_out_tables():
    x = torch.linspace(0, 1, 101, dtype=torch.float64)
    q3 = nonlinear_quantize_out(x, 3)
    assert q3[0] == pytest.approx(0.01) and q3[50] == pytest.approx(0.6) and q3[-1] == 1.0  # max passes through
    assert len(torch.unique(nonlinear_quantize_out(x, 5)[:-1])) <= 32
    assert torch.equal(nonlinear_quantize_out(x, 6), x)


def test_retention_identity_and_degenerate_time():
    d = torch.tensor([0.0, 1.0, 2.0, 3.0])
    sign = random_drift_sign(d.shape, torch.Generator().manual_seed(0))
    assert torch.equal(neurosim_retention(d, 0.0, 0.0, False, 0.0, sign), d)
    w = torch.tensor([-1.0, 0.0, 1.0])
    out = neurosim_retention(w, 0.0, 0.5, False, 0.0, torch.tensor([-1.0, 1.0, 0.0]))
    assert not torch.isnan(out).any() and out.min() >= -1 and out.max() <= 1


def test_retention_toward_target():
    w = torch.tensor([-1.0, -0.5, 0.5, 1.0])
    out = neurosim_retention(w, 100.0, 0.1, True, 0.5, None)
    # target (hi - lo) * 0.5 = 1: every cell drifts up, clamped at the max; (x + 1)/2 = 0 cannot move
    assert out[0] == -1 and out[1] > w[1] and out[2] > w[2] and out[3] == 1
    with pytest.raises(ValueError, match="time_s"):
        neurosim_retention(w, -1.0, 0.1, True, 0.5, None)


def test_drift_factor():
    s = torch.tensor([-1.0, 0.0, 1.0])
    assert drift_factor(s, 0.0, 0.1).tolist() == [1.0, 1.0, 1.0]
    assert drift_factor(s, 100.0, 0.1).tolist() == pytest.approx([100**-0.1, 1.0, 100**0.1])
    assert math.isfinite(float(drift_factor(s, 1e9, 0.5).max()))
    with pytest.raises(ValueError, match="time_s"):
        drift_factor(s, -1.0, 0.1)
