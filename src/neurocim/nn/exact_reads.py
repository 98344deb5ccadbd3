"""Bit-serial product of ideal cells (fixed-range ADC or calibration) as exact float32 integer reads."""

# With ideal cells every read is an integer in lattice units. Below 2^23 float32 holds it exactly, its products and
# sums are exact, and the correctly rounded quotient read / step rounds to the same integer as the exact quotient (a
# non-tie quotient lies at least 1/(2 step) from a tie, more than its float32 error). So this path gives the very
# numbers of the float64 path while moving half the bytes, and digitises blocks of reads small enough to stay in
# cache. A calibration observer sees the raw reads block by block: allowed when its result does not depend on the
# split.

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from neurocim.config.accuracy import AdcRangeMode

if TYPE_CHECKING:
    from neurocim.nn.engine import AdcSpec, ArrayOperands, InputStream

EXACT_READ = 2**23  # reads below this digitise exactly in float32
EXACT_SUM = 2**24  # integer sums below this are exact in float32
BLOCK_READS = 2**20  # reads digitised at once per CPU thread (4 MB): cache resident, yet large products
MIN_GEMM_ROWS = 256  # cycles x input rows per product, so that each group's conductances are reused


def _read_bound(stream: InputStream, ops: ArrayOperands) -> int:
    """Largest |read| of ideal cells, main or reference, in lattice units."""
    lat = ops.lattice
    cell = max(lat.slope * lat.top_digit + lat.offset, lat.reference)
    return ops.groups.size * stream.max_digit * cell


def applicable(stream: InputStream, ops: ArrayOperands, adc: AdcSpec) -> bool:
    """Whether every read is an exact float32 integer, for a fixed-range ADC or a split-blind observer."""
    if adc.observer is not None:
        if not adc.observer_split_invariant:
            return False
    elif adc.mode not in (AdcRangeMode.CALIBRATED, AdcRangeMode.FULL_SCALE):
        return False
    elif not (float(adc.step).is_integer() and adc.step >= 1):
        return False  # a float32 step >= 2^24 may round, but every read then lies below half a step (code 0)
    if ops.delta is not None or ops.read_sigma > 0 or ops.call_conductance is not None or ops.bias is not None:
        return False
    return _read_bound(stream, ops) < EXACT_READ


def bit_serial_exact(stream: InputStream, ops: ArrayOperands, adc: AdcSpec, budget: int) -> Tensor:
    """As engine.bit_serial_mvm for `applicable` cases, the same float64 result: (items*rows, C) float64."""
    G, N, KC = ops.digits.shape
    per_item = stream.rows_per_item * max(G * N, KC)
    items_per_chunk = max(1, budget // per_item)
    out = torch.zeros(stream.items * stream.rows_per_item, ops.columns, dtype=torch.float64, device=ops.digits.device)
    for i0 in range(0, stream.items, items_per_chunk):
        i1 = min(i0 + items_per_chunk, stream.items)
        codes = ops.groups.gather_last(stream.codes(i0, i1).float()).transpose(0, 1)  # (G, rows, N)
        out[i0 * stream.rows_per_item : i1 * stream.rows_per_item] = _chunk(codes, stream, ops, adc)
    return out


def _blocks(rows: int, groups: int, cycles: int, width: int) -> tuple[int, int]:
    """Input rows and groups per block: about BLOCK_READS reads per thread, at least MIN_GEMM_ROWS product rows."""
    reads = BLOCK_READS * torch.get_num_threads()  # each thread's share stays cache sized; fewer, larger ops
    row_block = min(rows, max(-(-MIN_GEMM_ROWS // cycles), reads // (cycles * width)))
    group_block = min(groups, max(1, reads // (cycles * row_block * width)))
    blocks = -(-groups // group_block)
    return row_block, -(-groups // blocks)


def _chunk(codes: Tensor, stream: InputStream, ops: ArrayOperands, adc: AdcSpec) -> Tensor:
    """Digitised (or observed raw), weighted and summed reads of one chunk of input rows: (rows, C) float64."""
    G, rows, _ = codes.shape
    KC, Z, lat, observe = ops.digits.shape[-1], stream.cycles, ops.lattice, adc.observer
    top = 2.0**adc.bits - 1.0
    weights = stream.digits(codes[:1, :1])[1]  # (Z,) float64 powers of two
    largest = _read_bound(stream, ops) if observe is not None else top
    exact_acc = G * largest * float(weights.abs().sum()) < EXACT_SUM
    acc = torch.zeros(rows, KC, dtype=torch.float32 if exact_acc else torch.float64, device=codes.device)
    ref_acc = torch.zeros(rows, dtype=torch.float64, device=codes.device)
    row_block, group_block = _blocks(rows, G, Z, KC)
    for g0 in range(0, G, group_block):
        g1 = min(g0 + group_block, G)
        conductance = ops.digits[g0:g1] * float(lat.slope) + float(lat.offset)  # (gb, N, KC), exact integers
        w = weights.to(acc.dtype).repeat(g1 - g0)  # (gb*Z,) weight of each (group, cycle) row of a block
        for r0 in range(0, rows, row_block):
            r1 = min(r0 + row_block, rows)
            digits = stream.digits(codes[g0:g1, r0:r1])[0]  # (Z, gb, n, N)
            x = digits.transpose(0, 1).reshape(g1 - g0, Z * (r1 - r0), -1)
            reads = torch.bmm(x, conductance)  # (gb, Z*n, KC)
            ref = x.sum(-1, dtype=torch.float64).view(g1 - g0, Z, r1 - r0).mul_(float(lat.reference))
            if observe is not None:
                observe(reads)
                observe(ref)
            else:
                reads.div_(adc.step).round_().clamp_(0.0, top)
                ref.div_(adc.step).round_().clamp_(0.0, top)
            reads = reads if exact_acc else reads.double()
            acc[r0:r1].view(-1).addmv_(reads.view((g1 - g0) * Z, -1).t(), w)
            ref_acc[r0:r1] += torch.einsum("gzn,z->n", ref, weights)
    main = torch.einsum("nkc,k->nc", acc.double().view(rows, ops.slices, -1), ops.significance)
    main.sub_(ref_acc.mul_(float(ops.significance.sum())).unsqueeze(1))
    return main if observe is not None else main.mul_(adc.step)
