"""Post-training quantization ranges: per tensor / per channel, max / percentile, observers, zero data."""

import pytest
import torch

from neurocim.quant import RangeObserver, abs_range, fake_quantize_symmetric, safe_scale, symmetric_codes, weight_scale


def test_weight_scale_per_tensor_and_channel():
    w = torch.tensor([[0.5, -2.0], [0.1, 0.2], [0.0, 0.0]])
    assert weight_scale(w, per_channel=False).item() == 2.0
    assert weight_scale(w, per_channel=True).tolist() == pytest.approx([2.0, 0.2, 1.0])  # zero channel -> 1, never 0


def test_percentile():
    x = torch.arange(1, 10001, dtype=torch.float64)
    assert abs_range(x, "percentile", 99.0) == pytest.approx(9900, rel=1e-3)
    assert abs_range(x.view(100, 100), "percentile", 100.0, dim=0).tolist() == (x.view(100, 100).amax(1)).tolist()
    with pytest.raises(ValueError, match="percentile"):
        abs_range(x, "percentile", 0.0)
    with pytest.raises(ValueError, match="range method"):
        abs_range(x, "mean")


def test_fake_quantize_and_codes():
    x = torch.tensor([-1.0, -0.3, 0.0, 0.26, 2.0])
    assert symmetric_codes(x, torch.tensor(1.0), 4).tolist() == [-4, -1, 0, 1, 4]
    assert fake_quantize_symmetric(x, torch.tensor(1.0), 4).tolist() == pytest.approx([-1, -2 / 7, 0, 2 / 7, 1])
    assert torch.equal(fake_quantize_symmetric(torch.zeros(3), torch.tensor(0.0), 8), torch.zeros(3))
    assert safe_scale(torch.tensor([0.0, float("nan"), 3.0])).tolist() == [1.0, 1.0, 3.0]


def test_observer():
    obs = RangeObserver("max")
    assert not obs.seen
    obs.update(torch.tensor([0.5, -1.5]))
    obs.update(torch.tensor([3.0]))
    assert (obs.minimum, obs.maximum, obs.abs_range, obs.seen) == (-1.5, 3.0, 3.0, True)
    obs.update(torch.tensor([-4.0, 1.0]))  # the negative extreme sets max |x|
    assert (obs.minimum, obs.maximum, obs.abs_range) == (-4.0, 3.0, 4.0)
    with pytest.raises(ValueError, match="range method"):
        RangeObserver("avg")
