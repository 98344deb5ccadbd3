"""Compiled passes of training (CPU, float32): layer peaks, pulse counts, WAGE's output and error quantizers."""

# Each does in one pass what the torch path (`AnalogSGD._step_devices`, `train/forward.py`) does in several
# operations, with the same float32 arithmetic in the same order (no fused multiply-add, no reassociation), so the
# results are bit for bit those of the torch path, which stays the path for other devices and dtypes and the oracle in
# tests.

from __future__ import annotations

import math

import numba
import numpy as np
import torch
from torch import Tensor

_jit = numba.njit(nogil=True, cache=True, error_model="numpy", boundscheck=False)


def fits(t: Tensor) -> bool:
    """Whether the compiled passes take this tensor (CPU, float32, contiguous)."""
    return t.is_cpu and t.dtype is torch.float32 and t.is_contiguous()  # (the cheapest checks: a hot path)


@_jit
def _peak_bits(bits):
    """max of the int32 patterns with the sign bit cleared (int32 throughout: the compiler vectorises it)."""
    peak, magnitude = np.int32(0), np.int32(0x7FFFFFFF)
    for i in range(len(bits)):
        peak = np.int32(max(peak, np.int32(bits[i] & magnitude)))
    return peak


@_jit
def segment_peaks(bits, ends, out):
    """out[s] = max |x| over segment s (x[ends[s-1]:ends[s]]), on the float32 bit patterns as int32 (|x|: the sign bit
    cleared; their order is the floats' order, and a NaN's pattern is above inf's, so a NaN gives a NaN): an integer
    maximum. Read out as float32."""
    start = 0
    for s in range(len(ends)):
        out[s] = _peak_bits(bits[start : ends[s]])
        start = ends[s]


@_jit
def momentum_peaks(v, g, momentum, ends, out):
    """v = v momentum + g in place (float32: the product rounded, then the sum), then segment_peaks of the new v."""
    for i in range(len(v)):
        v[i] = v[i] * momentum + g[i]
    segment_peaks(v.view(np.int32), ends, out)


@_jit
def abs_peak(x):
    """max |x| of a C-contiguous float32 array of any shape (a NaN gives a NaN), as segment_peaks."""
    out = np.empty(1, dtype=np.int32)
    out[0] = _peak_bits(x.ravel().view(np.int32))
    return out.view(np.float32)[0]


@_jit
def _segment_counts(v, f, u, u2, per_step, limit, n):
    """pulse_counts' first pass over one segment (arrays sliced to it, indexed from 0: the compiler vectorises it)."""
    one = np.float32(1.0)
    second = len(u2) > 0
    for i in range(len(v)):
        steps = np.floor(v[i] * f + u[i])
        if per_step != one:
            steps = steps * per_step
            if second:
                steps = np.floor(steps + u2[i])
        if limit > 0:
            steps = min(max(steps, -limit), limit)
        n[i] = steps


@_jit
def pulse_counts(v, ends, factors, u, u2, per_step, limit, pulses_sum, pulses_max, written, idx, n):
    """Signed pulses per device, floor(v f + u) [* per_step, + u2, floor] [clamped to +-limit], of a step.

    f is the segment's factor; u2 empty: no second rounding; limit <= 0: no clamp. The devices that get pulses go
    to idx (flat index) and n (signed count), in order; their |n| is added to pulses_sum, maxed into pulses_max and
    counted in written. Returns how many devices get pulses. Two passes: every device's count into n, vectorised
    per segment (len(n) == len(v)), then the written devices' statistics and their packing to the front of idx, n.
    """
    start = 0
    for s in range(len(ends)):
        seg = slice(start, ends[s])
        _segment_counts(v[seg], factors[s], u[seg], u2[seg] if len(u2) else u2, per_step, limit, n[seg])
        start = ends[s]
    count, one, zero = 0, np.float32(1.0), np.float32(0.0)
    for i in range(len(v)):  # count <= i: each count is read before its slot is overwritten
        steps = n[i]
        if steps != zero:
            a = abs(steps)
            pulses_sum[i] += a
            if a > pulses_max[i]:
                pulses_max[i] = a
            written[i] += one
            idx[count] = i
            n[count] = steps
            count += 1
    return count


@_jit
def wage_output(y, out, inside, top, factor, lsb):
    """out = round(C(y, -top, top) factor) lsb and inside = 1 where the clip kept y (else 0, NaN: 0), in one pass
    (C-contiguous arrays of any shape; the scalars rounded to float32 first)."""
    one, zero = np.float32(1.0), np.float32(0.0)
    top, factor, lsb = np.float32(top), np.float32(factor), np.float32(lsb)
    y, out, inside = y.ravel(), out.ravel(), inside.ravel()
    for i in range(len(y)):
        x = y[i]
        c = -top if x < -top else top if x > top else x
        inside[i] = one if c == x else zero
        out[i] = np.rint(c * factor) * lsb


@_jit
def error_quantize(g, out, s, lsb, inside):
    """QE in one call: p = max |g| (as abs_peak), then out = round(C(g s / shift, 1 - s, s - 1)) lsb [* inside] with
    shift = 2^round(log2 p) (1 for p 0 or NaN). Returns p; out is left unwritten when p is infinite (refused by the
    caller). round(log2 p) from p = m 2^k, m in [0.5, 1): k when m > 1/sqrt(2), else k - 1 (log2 m is -1/2 only at
    m = 1/sqrt(2), which no float32 is: never a tie)."""
    p = abs_peak(g)
    if p == np.inf:
        return p
    shift = 1.0
    if p > 0:
        m, k = math.frexp(np.float64(p))
        shift = math.ldexp(1.0, k if m > 0.7071067811865476 else k - 1)
    _error_quantize(g, out, s / shift, s - 1.0, lsb, inside)
    return p


@_jit
def _error_quantize(g, out, factor, bound, lsb, inside):
    """out = round(C(g factor, -bound, bound)) lsb [* inside] (NaN kept), in one pass (C-contiguous arrays of any
    shape; inside empty: no mask; the scalars rounded to float32 first)."""
    factor, bound, lsb = np.float32(factor), np.float32(bound), np.float32(lsb)
    g, out, inside = g.ravel(), out.ravel(), inside.ravel()
    masked = len(inside) > 0
    for i in range(len(g)):
        x = g[i] * factor
        x = -bound if x < -bound else bound if x > bound else x
        q = np.rint(x) * lsb
        out[i] = q * inside[i] if masked else q


@_jit
def weight_quantize(w, out, bound, factor):
    """out = round(C(w, -bound, bound) factor) / factor (NaN kept), in one pass."""
    for i in range(len(w)):
        x = w[i]
        x = -bound if x < -bound else bound if x > bound else x
        out[i] = np.rint(x * factor) / factor
