"""Integer encodings: offset-binary weight codes, slicing over cells, input codes and their per-cycle digits."""

from __future__ import annotations

import warnings

import torch
from torch import Tensor


def _check_bits(bits: int, name: str, low: int = 1, high: int = 24) -> None:
    if not isinstance(bits, int) or not low <= bits <= high:
        raise ValueError(f"{name}={bits!r} must be an integer in {low}..{high}")


def offset_binary_codes(w_norm: Tensor, bits: int) -> Tensor:
    """X = round((2^b - 1)(w + 1)/2) in [0, 2^b - 1] (half to even), from w in [-1, 1]; float64 holding integers.

    Code X stands for the level (2X - (2^b - 1)) / (2^b - 1): a symmetric grid of 2^b levels from -1 to 1 that a
    mid-conductance reference column turns into signed products (NeuroSim's integerisation; it divides by 2^b).
    """
    _check_bits(bits, "weight bits")
    top = 2.0**bits - 1.0
    return torch.clamp(torch.round(top / 2.0 * (w_norm.double() + 1.0)), 0.0, top)


def offset_binary_levels(codes: Tensor, bits: int) -> Tensor:
    """2X - (2^b - 1): the signed odd integer a weight code contributes after reference subtraction."""
    return 2.0 * codes - (2.0**bits - 1.0)


def num_slices(weight_bits: int, bits_per_cell: int, allow_truncation: bool = False) -> int:
    """Cells per weight. Raises unless bits_per_cell divides weight_bits (NeuroSim drops the top bits silently)."""
    _check_bits(weight_bits, "precision.weight_bits")
    _check_bits(bits_per_cell, "cell.bits_per_cell", 1, 8)
    if weight_bits % bits_per_cell == 0:
        return weight_bits // bits_per_cell
    if not allow_truncation or weight_bits < bits_per_cell:
        raise ValueError(
            f"cell.bits_per_cell={bits_per_cell} does not divide precision.weight_bits={weight_bits}; "
            f"allowed: a divisor of {weight_bits} ({', '.join(str(d) for d in _divisors(weight_bits))})"
        )
    kept = weight_bits // bits_per_cell * bits_per_cell
    warnings.warn(
        f"NeuroSim compat: cell.bits_per_cell={bits_per_cell} does not divide precision.weight_bits={weight_bits}; "
        f"only the {kept} low bits of every weight reach the array, as in NeuroSim",
        stacklevel=3,
    )
    return weight_bits // bits_per_cell


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, min(n, 8) + 1) if n % d == 0]


def slice_codes(codes: Tensor, bits_per_cell: int, slices: int, axis: int = 0) -> Tensor:
    """Base-2^c digits of non-negative integer codes, LSB first, same dtype; the slice axis is inserted at `axis`.

    axis=0 gives shape (slices, *codes.shape). Bits above slices*c are dropped (callers check divisibility with
    `num_slices`). One slice is produced at a time, so the integer temporaries stay the size of `codes`.
    """
    _check_bits(bits_per_cell, "cell.bits_per_cell", 1, 8)
    if bool((codes < 0).any()):
        raise ValueError("slice_codes: codes must be non-negative integers")
    small = codes.numel() == 0 or float(codes.max()) < 2**31
    ints = codes.to(torch.int32 if small else torch.int64)
    axis = axis if axis >= 0 else axis + codes.dim() + 1
    if not 0 <= axis <= codes.dim():
        raise ValueError(f"slice_codes: axis={axis} must be in -{codes.dim() + 1}..{codes.dim()}")
    shape = (*codes.shape[:axis], slices, *codes.shape[axis:])
    out = torch.empty(shape, dtype=codes.dtype, device=codes.device)
    mask = 2**bits_per_cell - 1
    for k in range(slices):  # per slice, not per bit: each step is one vectorised pass over all codes
        out.select(axis, k).copy_((ints >> (k * bits_per_cell)) & mask)
    return out


def slice_significance(bits_per_cell: int, slices: int, dtype=torch.float64, device=None) -> Tensor:
    """2^(c*k) for k = 0..slices-1."""
    return torch.exp2(torch.arange(slices, dtype=dtype, device=device) * bits_per_cell)


def unsigned_input_codes(x_norm: Tensor, bits: int) -> Tensor:
    """A = round((2^b - 1) x) clamped to [0, 2^b - 1], for x in [0, 1]; float64 holding integers."""
    _check_bits(bits, "precision.input_bits")
    top = 2.0**bits - 1.0
    return torch.clamp(torch.round(x_norm.double() * top), 0.0, top)


def signed_input_codes(x_norm: Tensor, bits: int) -> Tensor:
    """A = round((2^(b-1) - 1) x) clamped to +-(2^(b-1) - 1), for x in [-1, 1]; float64 holding integers."""
    _check_bits(bits, "precision.input_bits", 2)
    top = 2.0 ** (bits - 1) - 1.0
    return torch.clamp(torch.round(x_norm.double() * top), -top, top)


def input_digits(codes: Tensor, bits: int, bits_per_cycle: int = 1, signed: bool = False) -> tuple[Tensor, Tensor]:
    """Per-cycle digits (Z, *codes.shape) >= 0 and their float64 weights (Z,), with codes == sum_z w_z * digit_z.

    Unsigned: base-2^d digits of A, LSB first (the last one narrower when d does not divide b).
    Signed (two's complement): the b-1 magnitude bits as above, then the sign bit alone with weight -2^(b-1).
    """
    _check_bits(bits, "precision.input_bits")
    _check_bits(bits_per_cycle, "input.bits_per_cycle", 1, bits)
    ints = codes.to(torch.int32)  # bits <= 24: int32 holds every code and is faster than int64
    low_bits = bits - 1 if signed else bits
    if signed:
        ints = ints & (2**bits - 1)  # two's complement pattern
    starts = list(range(0, low_bits, bits_per_cycle))
    widths = [min(bits_per_cycle, low_bits - s) for s in starts]
    shape = (-1, *([1] * codes.dim()))
    shift = torch.tensor(starts, device=codes.device, dtype=torch.int32).view(shape)
    mask = torch.tensor([2**w - 1 for w in widths], device=codes.device, dtype=torch.int32).view(shape)
    digits = (ints.unsqueeze(0) >> shift) & mask
    weights = [2.0**s for s in starts]
    if signed:
        digits = torch.cat([digits, ((ints >> (bits - 1)) & 1).unsqueeze(0)])
        weights.append(-(2.0 ** (bits - 1)))
    return digits.to(codes.dtype), torch.tensor(weights, dtype=torch.float64, device=codes.device)


def sign_magnitude_bits(codes: Tensor, bits: int) -> tuple[Tensor, Tensor]:
    """NeuroSim's bit peeling (fmod by 2): sign(A) * bit_z(|A|) for z < b, weights 2^z; higher bits are lost."""
    _check_bits(bits, "precision.input_bits")
    ints = codes.long()  # NeuroSim's codes are not clamped: they may exceed int32
    shift = torch.arange(bits, device=codes.device).view(-1, *([1] * codes.dim()))
    bits_out = ((ints.abs().unsqueeze(0) >> shift) & 1) * torch.sign(ints).unsqueeze(0)
    return bits_out.to(codes.dtype), torch.exp2(torch.arange(bits, dtype=torch.float64, device=codes.device))
