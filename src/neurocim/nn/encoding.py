"""A layer's integer encodings under its settings: weight codes and scales, input codes, cycles, read groups."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from neurocim.config.accuracy import QuantScheme
from neurocim.mapping.layer_mapping import LayerMapping
from neurocim.nn.grouping import RowGroups, neurosim_groups
from neurocim.nn.settings import LayerSettings
from neurocim.quant import codes as qc
from neurocim.quant.ptq import safe_scale, weight_scale
from neurocim.quant.wage import wage_round

UNSET = -1.0  # value of a calibration buffer that was never set


def weight_denominator(s: LayerSettings) -> float:
    """Divisor of 2X - (2^b - 1): 2^b in NeuroSim compat, 2^b - 1 otherwise (the exact level values)."""
    return 2.0**s.weight_bits if s.neurosim else 2.0**s.weight_bits - 1.0


def weight_codes(weight: Tensor, s: LayerSettings, wage_scale: float) -> tuple[Tensor, Tensor]:
    """Offset-binary codes X (C_out, R) float64 and the output scale per channel (C_out,) float64."""
    q = s.accuracy.quantization
    w = weight.detach().double().reshape(weight.shape[0], -1)
    if s.scheme is QuantScheme.WAGE:
        scale = torch.full_like(w[:, 0], 1.0 / wage_scale)
        return qc.offset_binary_codes(wage_round(w, s.weight_bits), s.weight_bits), scale
    per_channel = q.weight_granularity.value == "per_channel"
    scale = weight_scale(w, per_channel, q.weight_calibration.value, q.percentile).expand(w.shape[0]).clone()
    return qc.offset_binary_codes(torch.clamp(w / scale[:, None], -1.0, 1.0), s.weight_bits), scale


def input_codes(
    x: Tensor, s: LayerSettings, act_scale: float, act_signed: bool, name: str
) -> tuple[Tensor, float, float, bool]:
    """Integer input codes (float64), their denominator, the input scale, and whether they are signed."""
    bits = s.input_bits
    if s.neurosim:  # round((2^b - 1) x), no clamp; bits peeled as sign-magnitude
        return torch.round(x.double() * (2.0**bits - 1.0)), 2.0**bits, 1.0, True
    scale = 1.0
    if s.scheme is QuantScheme.PTQ:
        if act_scale == UNSET:
            raise RuntimeError(
                f"layer {name!r}: input range not calibrated (quantization.scheme=ptq); "
                "run neurocim.nn.calibrate_(model, batches) first"
            )
        scale = float(safe_scale(torch.tensor(act_scale)))
    x_norm = x.double() / scale
    if act_signed:
        return qc.signed_input_codes(x_norm, bits), 2.0 ** (bits - 1) - 1.0, scale, True
    return qc.unsigned_input_codes(x_norm, bits), 2.0**bits - 1.0, scale, False


def digit_fn(s: LayerSettings, signed: bool) -> Callable[[Tensor], tuple[Tensor, Tensor]]:
    """codes -> (per-cycle digits, cycle weights)."""
    if s.neurosim:
        return lambda a: qc.sign_magnitude_bits(a, s.input_bits)
    return lambda a: qc.input_digits(a, s.input_bits, s.bits_per_cycle, signed)


def cycles(s: LayerSettings, signed: bool) -> int:
    """Read cycles per input vector."""
    if s.neurosim:
        return s.input_bits
    low = s.input_bits - 1 if signed else s.input_bits
    return -(-low // s.bits_per_cycle) + int(signed)


def max_digit(s: LayerSettings) -> int:
    """Largest input digit of one cycle."""
    return 1 if s.neurosim else 2**s.bits_per_cycle - 1


def row_groups(s: LayerSettings, mapping: LayerMapping) -> RowGroups:
    """Read groups of a layer mapped as `mapping`: the chip's, or in NeuroSim compat the wrapper's."""
    if s.neurosim:
        return neurosim_groups(mapping.channels, mapping.positions, s.group_size)
    return RowGroups.of(mapping)
