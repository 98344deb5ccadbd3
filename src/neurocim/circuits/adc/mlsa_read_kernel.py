"""Compiled pass of V2.1's sense-amp read law (mlsa_timing_v21): every read's slowest column and its energy."""

# A read takes its slowest column's time. Each column first gets an upper bound on its time from a table over its
# resistance (MlsaTimingV21._compiled_law); the column with the highest bound is timed first, then only the columns
# whose bound exceeds the read's time so far (in real reads a few of a hundred). A timed column evaluates a few of its
# comparators: the ratios Rref / R rise with the sorted references and the law is monotone between the breaks (the
# fits' range ends, the pieces' boundary and critical points), so the slowest comparator (or the fastest, for a
# negative T_max) is the first or last reference between two breaks. The helpers take the fits as tuples and are
# inlined: a call that passed arrays would count references to them, per column.

from __future__ import annotations

import math

import numba
import numpy as np

IDLE_POWER_W = 1e-6  # a column with no conducting row
LOW_RATIO = 0.9  # V2.1 meant a flat T_max within 0.9 ..1.1; its `a <= x <= b` test is always true in C++
FIXED_S = 1e-9  # conversion time outside the fits' ratio range, on the HP roadmap, at 22 nm and below
RATIO_RANGE = (0.05, 20.0)  # comparators whose reference is this far from R convert in FIXED_S
READ_CLAMP_S = (1e-9, 10e-9)  # a read takes its slowest column's time, clamped to this range
BINS_PER_OCTAVE = 256  # bins of the column time bounds: x = m 2^e (frexp), bin 256 e + floor(512 (m - 0.5))

_inline = numba.njit(cache=True, nogil=True, inline="always")
_LOG10_E = 1 / math.log(10)


@_inline
def _horner(c, x):
    y = 0.0
    for k in range(len(c)):
        y = y * x + c[k]
    return y


@_inline
def _comparator(ratio, t_max, low, high):
    """One comparator's conversion time (s): column_latency's law at one ratio Rref / R."""
    if ratio >= RATIO_RANGE[1] or ratio <= RATIO_RANGE[0]:
        return FIXED_S
    if ratio <= LOW_RATIO:
        return t_max * _horner(low, ratio)
    return t_max * _horner(high, ratio)


@_inline
def _above(ratio, bound, inclusive):
    return ratio >= bound if inclusive else ratio > bound


@_inline
def _first_above(refs, x, bound, inclusive, per_ohm):
    """The first index of the sorted refs whose ratio refs[i] / x lies above `bound` (len(refs): none). Guessed from
    evenly spaced references (per_ohm: indices per ohm), kept where its neighbours lie clear of the bound by far more
    than a rounding, else found by stepping with the ratios themselves (any sorted references)."""
    n = len(refs)
    at = bound * x
    g = (at - refs[0]) * per_ohm
    k = 0 if not g > 0.0 else (n if not g < n else int(math.ceil(g)))
    if (k == 0 or refs[k - 1] < at * (1 - 1e-12)) and (k == n or refs[k] > at * (1 + 1e-12)):
        return k
    while k > 0 and _above(refs[k - 1] / x, bound, inclusive):
        k -= 1
    while k < n and not _above(refs[k] / x, bound, inclusive):
        k += 1
    return k


@_inline
def _column_time(x, refs, fit, breaks, inclusive, per_ohm):
    """The slowest comparator (s) of a column of scaled resistance x (0 < x < inf): the first and last references,
    and those on either side of every break."""
    a, b, low, high = fit
    t_max = (a * math.log(x / 1e3) + b) * 1e-9
    n = len(refs)
    slowest = max(_comparator(refs[0] / x, t_max, low, high), _comparator(refs[n - 1] / x, t_max, low, high))
    for q in range(len(breaks)):
        k = _first_above(refs, x, breaks[q], inclusive[q], per_ohm)
        if 0 < k < n:
            t = max(_comparator(refs[k - 1] / x, t_max, low, high), _comparator(refs[k] / x, t_max, low, high))
            slowest = max(slowest, t)
    return slowest


@_inline
def _time_bound(x, first_bin, bounds):
    """An upper bound on the conversion time (s) of a column of scaled resistance x; -inf for no conversion, inf
    without bounds (an empty table)."""
    if not (x > 0.0 and x < np.inf):  # no conducting row (inf), 0 or NaN
        return -np.inf
    if not len(bounds):
        return np.inf
    m, e = math.frexp(x)
    g = e * BINS_PER_OCTAVE + int((m - 0.5) * (2 * BINS_PER_OCTAVE)) - first_bin
    return bounds[g] if 0 <= g < len(bounds) else FIXED_S  # outside the bins no ratio is inside the fits' range


@_inline
def _column_power(x, power):
    """column_power's law at one scaled resistance x (W); log10 taken as ln / ln 10 (a rounding apart, the faster)."""
    comparators_w, k, exponent, factor = power
    if x > 0.0 and x < np.inf:
        return (comparators_w + k * math.exp(exponent * (math.log(x) * _LOG10_E))) * factor
    return IDLE_POWER_W * factor if x == np.inf else 0.0


@numba.njit(cache=True, nogil=True, boundscheck=False)
def slowest_reads(r, scale, refs, fit, breaks, inclusive, first_bin, bounds, power, out, energy):
    """out[v]: read v's slowest column time, clamped to READ_CLAMP_S (column_latency's law; r: reads x columns, ohm
    before `scale`); with an `energy` per read (len(energy) > 0), each column's power (`power`: comparators' W, k,
    exponent, temperature factor) for that time, summed (read_energy's law)."""
    n, cols = len(refs), r.shape[1]
    per_ohm = (n - 1) / (refs[n - 1] - refs[0]) if refs[n - 1] > refs[0] else 0.0
    bound, watts = np.empty(cols), np.empty(cols)
    for v in range(r.shape[0]):
        top, first = READ_CLAMP_S[0], -1  # the highest bound above the clamp's floor, and its column
        for j in range(cols):
            x = r[v, j] * scale
            bound[j] = _time_bound(x, first_bin, bounds)
            if bound[j] > top:
                top, first = bound[j], j
            if len(energy):
                watts[j] = _column_power(x, power)
        best = READ_CLAMP_S[0]  # the clamp's floor: a column converting faster changes nothing
        if first >= 0:
            best = max(best, _column_time(r[v, first] * scale, refs, fit, breaks, inclusive, per_ohm))
            for j in range(cols):
                if best >= READ_CLAMP_S[1]:  # the clamp's ceiling: no further column changes the read's time
                    break
                if bound[j] > best and j != first:
                    best = max(best, _column_time(r[v, j] * scale, refs, fit, breaks, inclusive, per_ohm))
        out[v] = t = min(best, READ_CLAMP_S[1])
        if len(energy):
            e = 0.0
            for j in range(cols):
                e += max(watts[j] * t, 0.0)
            energy[v] = e


# ---- the bounds' table ---------------------------------------------------------------------------------------------
_ROUNDING = 1e-9  # relative: far more than the rounding of any ratio, polynomial or product here


@_inline
def _factor_range(u, w, low, high, breaks):
    """(lowest, highest) factor on T_max over the ratios u..w inside RATIO_RANGE (inf, -inf where none), and whether
    a ratio in u..w may lie outside (FIXED_S). The extremes of each monotone piece lie at its ends: u, w and the
    breaks between them; at the pieces' boundary both are taken."""
    fixed = u <= RATIO_RANGE[0] * (1 + _ROUNDING) or w >= RATIO_RANGE[1] * (1 - _ROUNDING)
    f_lo, f_hi = np.inf, -np.inf
    if w > RATIO_RANGE[0] * (1 - _ROUNDING) and u < RATIO_RANGE[1] * (1 + _ROUNDING):
        lo, hi = min(max(u, RATIO_RANGE[0]), RATIO_RANGE[1]), min(max(w, RATIO_RANGE[0]), RATIO_RANGE[1])
        for q in range(len(breaks) + 2):
            p = lo if q == 0 else (hi if q == 1 else breaks[q - 2])
            if p < lo or p > hi:
                continue
            if p <= LOW_RATIO * (1 + _ROUNDING):
                f = _horner(low, p)
                f_lo, f_hi = min(f_lo, f), max(f_hi, f)
            if p >= LOW_RATIO * (1 - _ROUNDING):
                f = _horner(high, p)
                f_lo, f_hi = min(f_lo, f), max(f_hi, f)
    return f_lo, f_hi, fixed


@numba.njit(cache=True, nogil=True, boundscheck=False)
def column_time_bounds(refs, fit, breaks, x0, x1, out):
    """out[k]: an upper bound on the slowest comparator (s) of a column whose scaled resistance lies in x0[k]..x1[k].
    Each reference's ratios across the bin span refs[i] / x1 .. refs[i] / x0; between two breaks the law is monotone,
    so of the references whose spans hold no break only the first and last in each piece can be the slowest: the
    references around each break (and the ends) are bounded, T_max taken at the bin's ends, then widened by more than
    rounding."""
    a, b, low, high = fit
    n = len(refs)
    for k in range(len(x0)):
        t0, t1 = (a * math.log(x0[k] / 1e3) + b) * 1e-9, (a * math.log(x1[k] / 1e3) + b) * 1e-9
        f_lo, f_hi, fixed = np.inf, -np.inf, False
        for q in range(len(breaks) + 2):
            if q < len(breaks):  # the references whose spans hold the break, and one on either side
                i0 = max(np.searchsorted(refs, breaks[q] * x0[k] * (1 - _ROUNDING)) - 1, 0)
                i1 = min(np.searchsorted(refs, breaks[q] * x1[k] * (1 + _ROUNDING), side="right"), n - 1)
            else:  # the first and the last reference
                i0 = i1 = 0 if q == len(breaks) else n - 1
            for i in range(i0, i1 + 1):
                lo, hi, out_of_range = _factor_range(refs[i] / x1[k], refs[i] / x0[k], low, high, breaks)
                f_lo, f_hi, fixed = min(f_lo, lo), max(f_hi, hi), fixed or out_of_range
        bound = FIXED_S if fixed else -np.inf
        if f_lo <= f_hi:
            bound = max(bound, t0 * f_lo, t0 * f_hi, t1 * f_lo, t1 * f_hi)
        out[k] = bound + _ROUNDING * abs(bound) + 1e-30
