"""Compiled steps of the exponential (neurosim_v21) pulse update on CPU float32 devices, bit for bit the torch path."""

# `PulseResponse.apply_at_` on the devices that get pulses does about thirty tensor operations; here one pass gathers
# the devices and forms the exponents, torch evaluates exp and expm1 (so that the transcendental values are torch's
# own), and one pass finishes the step and writes it back. The arithmetic is float32 in the torch path's order (no
# fused multiply-add), so the torch path is the oracle in tests. Per-device fields are an array and a stride: stride 0
# reads element 0 for every device (a value shared by all).

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np

# compiled functions take numpy arrays and scalars; typed loosely for the callers
_jit: Callable[[Callable[..., Any]], Callable[..., Any]] = numba.njit(
    nogil=True, cache=True, error_model="numpy", boundscheck=False
)


@_jit
def _unit(x):
    """x clamped to [0, 1], NaN kept (as torch.clamp)."""
    if x < 0:
        return np.float32(0.0)
    if x > 1:
        return np.float32(1.0)
    return x


@_jit
def exponential_prepare(w, idx, n, lo, lo_s, hi, hi_s, a_ltp, ltp_s, a_ltd, ltd_s, m, before, u, count, r, q):
    """Per written device j: before = w[idx], u = C((before - lo) / span, 0, 1), count = |n|, r = -(1/a) and
    q = -d / a (d = +-count / m, + for LTP), a the device's LTP or LTD curve parameter."""
    zero, one = np.float32(0.0), np.float32(1.0)
    for j in range(len(idx)):
        i = idx[j]
        low = lo[i * lo_s]
        b = w[i]
        before[j] = b
        x = (b - low) / (hi[i * hi_s] - low)
        u[j] = _unit(x)
        c = abs(n[j])
        count[j] = c
        up = n[j] > zero
        a = a_ltp[i * ltp_s] if up else a_ltd[i * ltd_s]
        r[j] = (one / a) * np.float32(-1.0)
        dp = c / m
        d = dp if up else -dp
        q[j] = -d / a


@_jit
def exponential_finish(w, idx, before, u, span, e, count, z, c2c, lo, lo_s, hi, hi_s, change):
    """u' = C(((u span + 1) e - 1) / span, 0, 1) [+ c2c sqrt(count) z, C(., 0, 1)] back in weight units, written to
    w[idx]; change = the new weight - before (z empty: no c2c noise)."""
    one = np.float32(1.0)
    noisy = len(z) > 0
    for j in range(len(idx)):
        i = idx[j]
        s = span[j]
        moved = _unit((((u[j] * s) + one) * e[j] - one) / s)
        if noisy:
            moved = _unit(moved + (c2c * np.sqrt(count[j])) * z[j])
        low = lo[i * lo_s]
        after = moved * (hi[i * hi_s] - low) + low
        w[i] = after
        change[j] = after - before[j]
