"""Vectorised bit-serial CIM matrix-vector product: groups x cycles x slices as tensor dims, ADC per read, chunked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from neurocim.config.accuracy import AdcRangeMode
from neurocim.nn import exact_reads
from neurocim.nn.grouping import RowGroups
from neurocim.nn.settings import Lattice


@dataclass(frozen=True)
class ArrayOperands:
    """Weight side of one layer, grouped for the ADC reads; conductances in lattice units."""

    groups: RowGroups
    digits: Tensor  # (G, N, K*C) float32, programmed digits
    delta: Tensor | None  # (G, N, K*C) float32, frozen deviation of each cell's conductance
    square: Tensor | None  # (G, N, K*C) float32, conductance^2 (per-read noise variance)
    slices: int
    significance: Tensor  # (K,) float64, 2^(c k)
    lattice: Lattice
    read_sigma: float = 0.0  # relative std of every cell at every read (independent per read)
    bias: Tensor | None = None  # (C,) float64, lattice units: NeuroSim adds the bias inside every read
    call_conductance: Callable[[int, int], Tensor] | None = None  # compat: (z0, z1) -> (G, Zc, N, K*C) conductance

    @property
    def columns(self) -> int:
        return self.digits.shape[-1] // self.slices


@dataclass(frozen=True)
class AdcSpec:
    """How reads are digitised: NeuroSim min/max per call, a fixed range, or not at all (observer / ideal)."""

    bits: int
    mode: AdcRangeMode | None  # None: no quantization
    step: float = 1.0  # fixed-range modes, lattice units
    observer: Callable[[Tensor], None] | None = None  # sees every raw read (calibration)
    observer_split_invariant: bool = False  # the observer's result does not depend on how reads are split (max)


@dataclass(frozen=True)
class InputStream:
    """Input codes (rows, R) produced per chunk of items (images / vectors) and split into cycle digits."""

    codes: Callable[[int, int], Tensor]  # items [i0, i1) -> (rows, R) float64 integer codes
    items: int
    rows_per_item: int
    digits: Callable[[Tensor], tuple[Tensor, Tensor]]  # codes -> ((Z, *codes.shape) digits, (Z,) float64 weights)
    cycles: int
    max_digit: int  # largest |digit| of one cycle


def _plan(stream: InputStream, ops: ArrayOperands, budget: int, whole_batch: bool) -> tuple[int, int]:
    """Cycles and items per chunk so that one chunk's reads hold at most ~budget elements.

    whole_batch: split cycles before items when possible (NeuroSim's per-call min/max then needs one pass only).
    """
    per_row = ops.groups.count * ops.digits.shape[-1]
    per_item = stream.rows_per_item * per_row
    per_cycle = stream.items * per_item
    if whole_batch and per_cycle <= budget:
        return min(stream.cycles, budget // per_cycle), stream.items
    z_chunk = stream.cycles if stream.cycles * per_item <= budget else max(1, budget // per_item)
    return z_chunk, max(1, budget // (z_chunk * per_item))


def _reads(digits: Tensor, z0: int, ops: ArrayOperands, gen: torch.Generator | None) -> tuple[Tensor, Tensor]:
    """Main reads (G, Zc, m, K, C) and reference reads (G, Zc, m, 1|C), float64 lattice units."""
    zc, m, _ = digits.shape
    G, N, KC = ops.digits.shape
    x = ops.groups.gather_last(digits).permute(2, 0, 1, 3).reshape(G, zc * m, N)
    count = x.sum(-1, dtype=torch.float64).unsqueeze(-1)
    main = torch.bmm(x, ops.digits).double().mul_(ops.lattice.slope).add_(count * ops.lattice.offset)
    if ops.call_conductance is not None:
        g = ops.call_conductance(z0, z0 + zc) - (ops.digits * ops.lattice.slope + ops.lattice.offset).unsqueeze(1)
        main += torch.matmul(x.view(G, zc, m, N), g).reshape(G, zc * m, KC)
    elif ops.delta is not None:
        main += torch.bmm(x, ops.delta)
    if ops.read_sigma > 0:
        assert ops.square is not None  # read noise comes with the squared conductances it scales
        std = torch.bmm(x * x, ops.square).double().sqrt_().mul_(ops.read_sigma)
        main += std.mul_(torch.randn(std.shape, generator=gen, device=std.device, dtype=std.dtype))
    main = main.view(G, zc, m, ops.slices, -1)
    ref = (count * ops.lattice.reference).view(G, zc, m, 1)
    if ops.bias is not None:
        main += ops.bias
        ref = ref + ops.bias
    return main, ref


def _floor_minmax_(x: Tensor, bits: int, lo: Tensor, hi: Tensor) -> Tensor:
    """In place: NeuroSim's floor ADC over [lo, hi] (as quant.adc.minmax_floor_quantize); constant calls pass."""
    levels = 2.0**bits
    span = torch.where(hi > lo, hi - lo, torch.ones_like(hi))  # a constant call is all lo: code 0 gives lo back
    return x.sub_(lo).mul_(levels).div_(span).floor_().clamp_(0.0, levels - 1.0).mul_(span / levels).add_(lo)


def _digitise(main: Tensor, ref: Tensor, adc: AdcSpec, stats: tuple[Tensor, ...] | None) -> tuple[Tensor, Tensor]:
    """ADC output in lattice units; fixed-range modes return codes (the caller multiplies by the step)."""
    if adc.observer is not None:
        adc.observer(main)
        adc.observer(ref)
    if adc.mode is None or adc.observer is not None:
        return main, ref
    if adc.mode is AdcRangeMode.NEUROSIM_BATCH_MINMAX:
        lo_m, hi_m, lo_r, hi_r = stats if stats is not None else _stats(main, ref)
        main = _floor_minmax_(main, adc.bits, lo_m[:, :, None, :, None], hi_m[:, :, None, :, None])
        return main, _floor_minmax_(ref.clone(), adc.bits, lo_r[:, :, None, None], hi_r[:, :, None, None])
    top = 2.0**adc.bits - 1.0  # round half to even, as quant.adc.fixed_range_quantize with lo = 0
    return main.div_(adc.step).round_().clamp_(0.0, top), (ref / adc.step).round_().clamp_(0.0, top)


def _stats(main: Tensor, ref: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Per call min/max: main over (rows, columns) per (group, cycle, slice); reference per (group, cycle)."""
    return main.amin(dim=(2, 4)), main.amax(dim=(2, 4)), ref.amin(dim=(2, 3)), ref.amax(dim=(2, 3))


def _merge(a: tuple[Tensor, ...] | None, b: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    if a is None:
        return b
    return (torch.minimum(a[0], b[0]), torch.maximum(a[1], b[1]), torch.minimum(a[2], b[2]), torch.maximum(a[3], b[3]))


def bit_serial_mvm(stream: InputStream, ops: ArrayOperands, adc: AdcSpec, budget: int, seed: int) -> Tensor:
    """sum over groups, cycles z and slices k of w_z 2^(ck) (ADC(main) - ADC(reference)): (items*rows, C) float64.

    In lattice units: with ideal cells and a lossless ADC it equals gain * A @ (2X - (2^b - 1)) exactly.
    NeuroSim's per-call min/max needs the whole batch: with more than one chunk a first pass collects it.
    Ideal cells read by a fixed-range ADC take the float32 path of exact_reads (same numbers, faster).
    """
    if exact_reads.applicable(stream, ops, adc):
        return exact_reads.bit_serial_exact(stream, ops, adc, budget)
    minmax = adc.mode is AdcRangeMode.NEUROSIM_BATCH_MINMAX and adc.observer is None
    z_chunk, i_chunk = _plan(stream, ops, budget, whole_batch=minmax)
    chunks = [(i0, min(i0 + i_chunk, stream.items)) for i0 in range(0, stream.items, i_chunk)]
    two_pass = minmax and len(chunks) > 1  # statistics are per cycle, so splitting cycles needs no extra pass
    stats = _collect_stats(stream, ops, chunks, z_chunk, seed) if two_pass else None
    fixed = adc.mode in (AdcRangeMode.CALIBRATED, AdcRangeMode.FULL_SCALE) and adc.observer is None
    ref_weight = float(ops.significance.sum())
    out = torch.zeros(stream.items * stream.rows_per_item, ops.columns, dtype=torch.float64, device=ops.digits.device)
    for n, (i0, i1) in enumerate(chunks):
        digits, weights = stream.digits(stream.codes(i0, i1))
        rows = slice(i0 * stream.rows_per_item, i1 * stream.rows_per_item)
        for z0 in range(0, stream.cycles, z_chunk):
            z1 = min(z0 + z_chunk, stream.cycles)
            main, ref = _reads(digits[z0:z1].float(), z0, ops, _generator(seed, n, z0, out.device))
            part = None if stats is None else tuple(s[:, z0:z1] for s in stats)
            if part is None and adc.mode is AdcRangeMode.NEUROSIM_BATCH_MINMAX:
                part = _stats(main, ref)
            main, ref = _digitise(main, ref, adc, part)
            w = weights[z0:z1]
            total = torch.einsum("zmkc,z,k->mc", main.sum(0), w, ops.significance)
            total -= torch.einsum("zmc,z->mc", ref.sum(0), w) * ref_weight  # the reference is the same for every k
            out[rows] += total * adc.step if fixed else total
    return out


def _collect_stats(stream, ops, chunks, z_chunk, seed) -> tuple[Tensor, ...] | None:
    stats = None
    for n, (i0, i1) in enumerate(chunks):
        digits, _ = stream.digits(stream.codes(i0, i1))
        per_z = []
        for z0 in range(0, stream.cycles, z_chunk):
            main, ref = _reads(digits[z0 : z0 + z_chunk].float(), z0, ops, _generator(seed, n, z0, ops.digits.device))
            per_z.append(_stats(main, ref))
        stats = _merge(stats, tuple(torch.cat([s[i] for s in per_z], dim=1) for i in range(4)))
    return stats


def _generator(seed: int, chunk: int, z0: int, device: torch.device) -> torch.Generator:
    """The same stream of per-read noise for a chunk in both passes."""
    return torch.Generator(device=device).manual_seed((seed + 7919 * chunk + 104_729 * z0) % (2**62))


def analog_mvm(x: Tensor, ops: ArrayOperands) -> Tensor:
    """Analog inputs (no bit-serialisation, no ADC; NeuroSim's first layer): x @ sum_k 2^(ck)(main - ref)/gain."""
    lat = ops.lattice
    G, N, KC = ops.digits.shape
    if ops.call_conductance is not None:
        g = ops.call_conductance(0, 1)[:, 0]
    else:
        g = ops.digits.double() * lat.slope + lat.offset
        if ops.delta is not None:
            g = g + ops.delta.double()
    signed = (g.double() - lat.reference).view(G, N, ops.slices, -1)
    w = torch.einsum("gnkc,k->gnc", signed, ops.significance)
    w = w / lat.gain  # exact for ideal cells: the sum is gain * (2X - (2^b - 1))
    rows = torch.zeros(ops.groups.rows + 1, w.shape[-1], dtype=torch.float64, device=w.device)
    rows[ops.groups.index.reshape(-1)] = w.reshape(G * N, -1)
    return x.double() @ rows[:-1]
