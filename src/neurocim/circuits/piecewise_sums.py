"""Computing PiecewiseSums from arrays of column resistances: clipped passes, log products, small-input binning."""

from __future__ import annotations

import math
import threading

import numpy as np

from neurocim.circuits.piecewise_fit import PiecewiseSums, as_float_array


def piecewise_sums(
    x: np.ndarray, weights: np.ndarray, breaks: tuple[float, ...], kinds: tuple[str, ...]
) -> PiecewiseSums:
    """PiecewiseSums of x (vectors, groups, values), positive and finite, vector v weighted by weights[v].

    Works in x's precision with clipped copies instead of masks: the values of piece i are summed as
    sum(f(clip(x, b[i-1], b[i]))) minus the clipped ends; ln is taken of products of a few values at a time.
    Sums run row by row, or over the vectors first when all weights are equal (cheaper)."""
    x = as_float_array(x)
    w = np.asarray(weights, dtype=np.float64)
    n_vec, groups, n = x.shape
    if 0 < x.size <= SMALL_SUMS:
        return small_piecewise_sums(x, w, breaks, kinds)
    out = PiecewiseSums.empty(breaks, kinds, groups)
    if x.size == 0:
        return out
    flat = x.reshape(n_vec * groups, n)
    lo, hi = float(x.min()), float(x.max())
    real = x.dtype.type
    per_row = w.min() != w.max()
    size = n if per_row else n_vec * n  # values behind one entry of the sums below

    def total(a: np.ndarray, dtype=None) -> np.ndarray:  # (rows, m) -> per row, or per group over the vectors
        if per_row:
            return np.add.reduce(a, axis=1, dtype=dtype)
        return np.add.reduce(a.reshape(n_vec, groups, -1), axis=0, dtype=dtype).sum(axis=1, dtype=np.float64)

    def weighted(a: np.ndarray) -> np.ndarray:  # per row or per group -> weighted per group
        return w @ a.reshape(n_vec, groups) if per_row else w[0] * a

    p_lo, p_hi = (int(np.searchsorted(breaks, v, side="right")) for v in (lo, hi))
    below = {k: _count_below(flat, real(breaks[k]), total, per_row) for k in range(p_lo, p_hi)}
    in_piece = {i: (below[i] if i < p_hi else size) - (below[i - 1] if i > p_lo else 0) for i in range(p_lo, p_hi + 1)}
    log_sums = _dominant_log_sums(flat, in_piece, breaks, kinds, (lo, hi), total, n_vec if per_row else None)
    for i in range(p_lo, p_hi + 1):
        if log_sums is not None:
            out.weight[:, i] = weighted(in_piece[i] * np.ones(groups if not per_row else n_vec * groups))
            out.total[:, i] = weighted(log_sums[i])
            continue
        low = real(breaks[i - 1]) if i > p_lo else None
        high = real(breaks[i]) if i < p_hi else None
        c = flat
        if low is not None:
            c = np.maximum(c, low, out=scratch("clip", flat.shape, flat.dtype))
        if high is not None:
            c = np.minimum(c, high, out=scratch("clip", flat.shape, flat.dtype))
        n_low = below[i - 1] if low is not None else 0
        n_high = size - below[i] if high is not None else 0
        if kinds[i] == "log":
            s = total(
                _log_products(c, float(low) if low is not None else lo, float(high) if high is not None else hi),
                np.float64,
            )
            f_low, f_high = (math.log(float(b)) if b is not None else 0.0 for b in (low, high))
        else:
            s = total(c).astype(np.float64)
            f_low, f_high = (float(b) if b is not None else 0.0 for b in (low, high))
        s -= n_low * f_low + n_high * f_high
        out.weight[:, i] = weighted((size - n_low - n_high) * np.ones_like(s))
        out.total[:, i] = weighted(s)
    out.x_min[:] = lo  # the range of the whole chunk: a superset of every group's, enough for the clamp check
    out.x_max[:] = hi
    return out


# piecewise_sums takes the log of every value once when at most this fraction lies outside the fullest piece.
MINORITY_FRACTION = 1 / 16


def _dominant_log_sums(
    flat: np.ndarray,
    in_piece: dict[int, np.ndarray],
    breaks: tuple[float, ...],
    kinds: tuple[str, ...],
    span: tuple[float, float],
    total,
    per_row_vectors: int | None,
) -> dict[int, np.ndarray] | None:
    """Sum of ln x over the values of every piece when all pieces the values span are 'log' and nearly all values
    lie in one: ln of every value once (as products), minus the few others found by position. Per row of `flat`
    (per_row_vectors = vectors) or per group; None where this does not apply."""
    pieces = sorted(in_piece)
    if any(kinds[i] != "log" for i in pieces):
        return None
    counts = {i: float(np.sum(c)) for i, c in in_piece.items()}
    main = max(pieces, key=counts.__getitem__)
    if sum(c for i, c in counts.items() if i != main) > MINORITY_FRACTION * flat.size:
        return None
    everything = total(_log_products(flat, *span), np.float64)
    sums = {i: np.zeros_like(everything) for i in pieces if i != main}
    if sums:
        real = flat.dtype.type
        outside = np.less(flat, real(breaks[main - 1])) if main > pieces[0] else None
        if main < pieces[-1]:
            above = np.greater_equal(flat, real(breaks[main]))
            outside = above if outside is None else np.logical_or(outside, above, out=outside)
        where = np.flatnonzero(outside.ravel())  # 2-d np.nonzero is ten times slower
        row, values = where // flat.shape[1], flat.ravel()[where]
        piece = np.searchsorted(np.asarray(breaks, dtype=flat.dtype), values, side="right")  # as flat compares
        logs = np.log(values.astype(np.float64))
        slot = row if per_row_vectors is not None else row % len(everything)  # rows are (vector, group) pairs
        for i, s in sums.items():
            hit = piece == i
            s += np.bincount(slot[hit], weights=logs[hit], minlength=len(everything))
            everything = everything - s
    sums[main] = everything
    return sums


# Up to this many values, piecewise_sums bins every value into its piece (fewer, costlier array passes).
SMALL_SUMS = 1 << 14


def small_piecewise_sums(
    x: np.ndarray, w: np.ndarray, breaks: tuple[float, ...], kinds: tuple[str, ...]
) -> PiecewiseSums:
    """piecewise_sums of a few values: the piece of every value, then weighted histograms per (group, piece)."""
    n_vec, groups, n = x.shape
    pieces = len(kinds)
    values = x.astype(np.float64).ravel()
    bins = np.searchsorted(np.asarray(breaks, dtype=x.dtype), x.ravel(), side="right")  # as x compares to them
    bins += (np.arange(groups) * pieces).repeat(n)[None, :].repeat(n_vec, axis=0).ravel()
    weight = np.repeat(w, groups * n)
    shape = (groups, pieces)
    counts = np.bincount(bins, weights=weight, minlength=groups * pieces).reshape(shape)
    f = np.where(np.array([k == "log" for k in kinds])[bins % pieces], np.log(values), values)
    total = np.bincount(bins, weights=weight * f, minlength=groups * pieces).reshape(shape)
    lo, hi = float(values.min()), float(values.max())
    return PiecewiseSums(breaks, kinds, counts, total, np.full(groups, lo), np.full(groups, hi))


_SCRATCH = threading.local()


def scratch(name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A reused per-thread work array (fresh large arrays cost a page fault per page); contents undefined."""
    try:
        pool = _SCRATCH.arrays
    except AttributeError:
        pool = _SCRATCH.arrays = {}
    size = math.prod(shape)
    buf = pool.get((name, dtype))  # keyed on dtype as given: at worst one buffer per spelling of a dtype
    if buf is None or buf.size < size:
        buf = pool[(name, dtype)] = np.empty(size, dtype=dtype)
    return buf[:size].reshape(shape)


def _count_below(x: np.ndarray, bound: float, total, per_row: bool) -> np.ndarray:
    """How many values of x are < bound, per row or per group (`total` sums a (rows, m) array either way);
    per row as a popcount of the comparison bytes, faster than count_nonzero."""
    below = np.less(x, bound, out=scratch("below", x.shape, np.bool_))
    if not per_row:
        return total(below.view(np.uint8), np.int32)
    if below.shape[1] % 8 or not hasattr(np, "bitwise_count"):  # numpy < 2
        return np.count_nonzero(below, axis=1)
    return np.add.reduce(np.bitwise_count(below.view(np.uint64)), axis=1, dtype=np.int64)


def _log_products(c: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """ln of products of up to four values of every row of c (positive, finite, within [lo, hi]), in float64 where
    a row has an odd value out: the row sums of the result are the row sums of ln c with a quarter of the logarithms
    (the products stay well inside the floating range)."""
    info = np.finfo(c.dtype)
    group = 1
    while group < 4 and hi ** (2 * group) < float(info.max) / 16 and lo ** (2 * group) > float(info.tiny) * 16:
        group *= 2
    odd = []
    step = 0
    while group > 1 and c.shape[1] > 1:
        half = c.shape[1] // 2
        if c.shape[1] % 2:
            odd.append(c[:, -1:].astype(np.float64))
        c = np.multiply(c[:, :half], c[:, half : 2 * half], out=scratch(f"product{step}", (len(c), half), c.dtype))
        group //= 2
        step += 1
    logs = np.log(c, out=scratch("log", c.shape, c.dtype))
    if odd:
        logs = np.concatenate([logs.astype(np.float64)] + [np.log(v) for v in odd], axis=1)
    return logs
