"""WAGE quantizers: NeuroSim semantics (half-to-even Q, C, shift, QE, QG, fan-in scale, straight-through)."""

import pytest
import torch

from neurocim.quant import (
    nearest_pow2,
    stochastic_round,
    straight_through,
    wage_activation,
    wage_clip,
    wage_error_quantize,
    wage_gradient_quantize,
    wage_init_scale,
    wage_round,
    wage_weight,
)


def test_round_is_half_to_even_on_the_grid():
    x = torch.tensor([0.5 / 128, 1.5 / 128, -2.5 / 128, 0.3, 1.2])
    assert wage_round(x, 8).tolist() == [0.0, 2 / 128, -2 / 128, round(0.3 * 128) / 128, round(1.2 * 128) / 128]


def test_round_special_widths():
    x = torch.tensor([-0.3, 0.0, 0.7])
    assert wage_round(x, 1).tolist() == [-1.0, 0.0, 1.0]
    assert torch.equal(wage_round(x, 16), x)


def test_clip():
    x = torch.tensor([-2.0, 0.999, 2.0])
    assert wage_clip(x, 8).tolist() == [-127 / 128, 127 / 128, 127 / 128]
    assert wage_clip(x, 1).tolist() == [-1.0, pytest.approx(0.999), 1.0]
    assert wage_clip(x, 16).tolist() == [-1.0, pytest.approx(0.999), 1.0]


@pytest.mark.parametrize(
    "fan_in, scale", [(27, 2), (1152, 16), (2304, 16), (4608, 32), (8192, 32), (1024, 16), (64, 4)]
)
def test_init_scale_vgg8(fan_in, scale):
    assert wage_init_scale(fan_in, 8) == scale


def test_init_scale_bad_input():
    with pytest.raises(ValueError, match="fan_in"):
        wage_init_scale(0, 8)
    with pytest.raises(ValueError, match="bits"):
        wage_init_scale(10, 0)


def test_shift_and_error_quantizer_no_nan_on_zero():
    assert nearest_pow2(torch.tensor([3.0, 0.7, 0.0])).tolist() == [4.0, 0.5, 1.0]
    assert torch.equal(wage_error_quantize(torch.zeros(3), 8), torch.zeros(3))
    g = torch.tensor([0.03, -0.01])
    assert wage_error_quantize(g, 8).tolist() == [round(0.96 * 128) / 128, round(-0.32 * 128) / 128]  # / 2^-5


def test_stochastic_rounding_is_unbiased_and_seeded():
    x = torch.full((200_000,), 0.25)
    r = stochastic_round(x, torch.Generator().manual_seed(1))
    assert set(r.unique().tolist()) == {0.0, 1.0}
    assert float(r.mean()) == pytest.approx(0.25, abs=0.005)
    assert torch.equal(r, stochastic_round(x, torch.Generator().manual_seed(1)))


def test_gradient_quantizer():
    g = torch.tensor([0.5, -0.25, 0.0])
    q = wage_gradient_quantize(g, 8, lr=8.0, generator=torch.Generator().manual_seed(0))
    assert q.tolist() == [8 / 128, -4 / 128, 0.0]  # g / shift(0.5) * 8 is integer: SR keeps it
    assert torch.equal(wage_gradient_quantize(torch.zeros(2), 8, 8.0), torch.zeros(2))


def test_activation_forward_and_backward():
    x = torch.tensor([0.3, 1.5, -0.02], requires_grad=True)
    y = wage_activation(x, 8, 8)
    assert y.tolist() == [round(0.3 * 128) / 128, 127 / 128, round(-0.02 * 128) / 128]
    y.backward(torch.tensor([0.06, 0.06, -0.03]))
    # QE divides by the power of two nearest 0.06 (1/16), the clamp blocks the saturated element
    assert x.grad.tolist() == [round(0.06 * 16 * 128) / 128, 0.0, round(-0.03 * 16 * 128) / 128]


def test_straight_through_is_exact():
    w = torch.tensor([0.123456789, -0.7], requires_grad=True)
    q = wage_weight(w, 8)
    assert torch.equal(q, wage_round(w.detach(), 8))
    q.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]
    v = torch.tensor([1e-8, 3.0])
    assert torch.equal(straight_through(v, torch.tensor([1e8, -5.0])), v)
