"""Integer encodings: offset-binary weights, slicing over cells, input codes and per-cycle digits."""

import pytest
import torch

from neurocim.quant import (
    input_digits,
    num_slices,
    offset_binary_codes,
    offset_binary_levels,
    sign_magnitude_bits,
    signed_input_codes,
    slice_codes,
    slice_significance,
    unsigned_input_codes,
)


def test_offset_binary_codes_neurosim_integerisation():
    w = torch.tensor([-1.0, 0.0, 64 / 128, 127 / 128, 1.0, 3.0])
    # round(127.5 (w + 1)), half to even: 127.5 -> 128; clamped to [0, 255]
    assert offset_binary_codes(w, 8).tolist() == [0, 128, 191, 254, 255, 255]
    assert offset_binary_levels(offset_binary_codes(w, 8), 8).tolist() == [-255, 1, 127, 253, 255, 255]


@pytest.mark.parametrize("bits, cell", [(8, 1), (8, 2), (8, 4), (8, 8), (6, 3), (4, 2)])
def test_slicing_round_trip(bits, cell):
    codes = torch.arange(2**bits, dtype=torch.float64)
    k = num_slices(bits, cell)
    digits = slice_codes(codes, cell, k)
    assert digits.shape == (k, 2**bits) and digits.max() <= 2**cell - 1
    assert torch.equal((digits * slice_significance(cell, k)[:, None]).sum(0), codes)


def test_bits_per_cell_must_divide_weight_bits():
    with pytest.raises(ValueError, match=r"cell.bits_per_cell=3 does not divide precision.weight_bits=8"):
        num_slices(8, 3)
    with pytest.warns(UserWarning, match="only the 6 low bits"):
        assert num_slices(8, 3, allow_truncation=True) == 2


def test_slice_codes_rejects_negative():
    with pytest.raises(ValueError, match="non-negative"):
        slice_codes(torch.tensor([-1.0]), 1, 8)
    with pytest.raises(ValueError, match="axis=3 must be in -3..2"):
        slice_codes(torch.zeros(2, 3), 1, 8, axis=3)


def test_slice_axis_and_wide_codes():
    codes = torch.tensor([[0.0, 5.0, 255.0], [17.0, 128.0, 3.0]])  # (2, 3)
    first = slice_codes(codes, 2, 4)  # (4, 2, 3)
    assert torch.equal(slice_codes(codes, 2, 4, axis=2), first.permute(1, 2, 0))
    assert torch.equal(slice_codes(codes, 2, 4, axis=-1), first.permute(1, 2, 0))
    assert slice_codes(codes, 2, 4, axis=1).tolist()[1] == [[1, 0, 3], [0, 0, 0], [1, 0, 0], [0, 2, 0]]  # 17, 128, 3
    wide = torch.tensor([2.0**40 + 6], dtype=torch.float64)  # beyond int32: still exact
    assert slice_codes(wide, 2, 21)[:, 0].tolist() == [2, 1] + [0] * 18 + [1]


def test_input_codes():
    x = torch.tensor([-0.2, 0.0, 0.5, 64 / 128, 1.0, 1.7])
    assert unsigned_input_codes(x, 8).tolist() == [0, 0, 128, 128, 255, 255]  # 127.5 -> 128 (half to even)
    assert signed_input_codes(x, 8).tolist() == [-25, 0, 64, 64, 127, 127]  # 63.5 -> 64


@pytest.mark.parametrize(
    "bits, per_cycle, signed", [(8, 1, False), (8, 2, False), (7, 3, False), (8, 1, True), (8, 3, True), (4, 4, False)]
)
def test_input_digits_reconstruct_codes(bits, per_cycle, signed):
    if signed:
        codes = torch.arange(-(2 ** (bits - 1)) + 1, 2 ** (bits - 1), dtype=torch.float64)
    else:
        codes = torch.arange(2**bits, dtype=torch.float64)
    digits, weights = input_digits(codes, bits, per_cycle, signed)
    assert digits.min() >= 0 and digits.max() <= 2**per_cycle - 1
    assert torch.equal((digits * weights[:, None]).sum(0), codes)
    assert digits.shape[0] == -(-(bits - signed) // per_cycle) + signed


def test_input_digits_bad_cycle_width():
    with pytest.raises(ValueError, match="input.bits_per_cycle"):
        input_digits(torch.zeros(2), 4, 5)


def _neurosim_peeling(a: torch.Tensor, bits: int) -> list[torch.Tensor]:
    out = []
    for _ in range(bits):
        b = torch.fmod(a, 2)
        a = torch.round((a - b) / 2)
        out.append(b)
    return out


def test_sign_magnitude_bits_match_neurosim_fmod_peeling():
    a = torch.tensor([0.0, 5.0, -3.0, 255.0, 300.0, -130.0], dtype=torch.float64)
    bits, weights = sign_magnitude_bits(a, 8)
    assert torch.equal(bits, torch.stack(_neurosim_peeling(a, 8)))
    assert weights.tolist() == [2.0**z for z in range(8)]
