"""Characterisation fits of the column ADCs (flash MLSA and SAR) as vectorised functions of the column resistance."""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

import numpy as np

# NeuroSim's Cadence characterisation assumes a 0.5 V read; a resistance at V_read is rescaled by 0.5/V_read.
CHARACTERISATION_READ_VOLTAGE = 0.5
# Static power of a column with no conducting row (R = inf), W; it is not multiplied by the comparator count.
IDLE_COLUMN_POWER = 1e-6
# Temperature coefficient of the static-power fits, 1/K (reference 300 K).
POWER_TEMPERATURE_COEFF = 1.3e-3
# NeuroSim's HP fits exist down to 10 nm; smaller nodes reuse the 7 nm row.
_HP_FALLBACK_NODE = 7


@cache
def _table(name: str) -> dict[str, Any]:
    text = resources.files("neurocim.circuits").joinpath("data", name).read_text()
    return json.loads(text)


@dataclass(frozen=True)
class PiecewiseFit:
    """y = a_i * f_i(x) + b_i on [breaks[i-1], breaks[i]), with f_i = x ('lin') or ln(x) ('log')."""

    breaks: tuple[float, ...]
    kinds: tuple[str, ...]
    slopes: tuple[float, ...]
    offsets: tuple[float, ...]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PiecewiseFit:
        kinds, slopes, offsets = zip(*d["pieces"], strict=True)
        return cls(tuple(d["breaks"]), tuple(kinds), tuple(slopes), tuple(offsets))

    def affine(self, x_scale: float, mul: float, add: float) -> PiecewiseFit:
        """The fit of R -> mul * self(x_scale * R) + add (x_scale > 0), with the constants folded into the pieces."""
        slopes, offsets = [], []
        for kind, a, b in zip(self.kinds, self.slopes, self.offsets, strict=True):
            if kind == "log":  # a ln(sR) + b = a ln R + (a ln s + b)
                slopes.append(mul * a)
                offsets.append(mul * (a * math.log(x_scale) + b) + add)
            else:
                slopes.append(mul * a * x_scale)
                offsets.append(mul * b + add)
        breaks = tuple(b / x_scale for b in self.breaks)
        return PiecewiseFit(breaks, self.kinds, tuple(slopes), tuple(offsets))

    def piece_index(self, x: np.ndarray) -> np.ndarray:
        """Index of the piece each x falls in (x < b0 -> 0, b0 <= x < b1 -> 1, ...)."""
        return np.searchsorted(np.asarray(self.breaks), x, side="right")

    def __call__(self, x: np.ndarray | float) -> np.ndarray:
        """Evaluate at positive, finite x (array in, array out; float32 input is evaluated in float32).

        Every piece is evaluated on all of x and the pieces are laid over each other from the last one down
        (cheaper than gathering per-element coefficients)."""
        x = as_float_array(x)
        real = x.dtype.type
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # callers mask x <= 0 and inf
            log_x = np.log(x) if "log" in self.kinds else None

            def piece(i: int) -> np.ndarray:
                out = (log_x if self.kinds[i] == "log" else x) * real(self.slopes[i])
                out += real(self.offsets[i])
                return out

            y = np.asarray(piece(len(self.kinds) - 1))
            for i in range(len(self.breaks) - 1, -1, -1):
                below = x < real(self.breaks[i])
                if below.any():
                    np.copyto(y, piece(i), where=below)
        return y

    def sum_over(self, sums: PiecewiseSums) -> np.ndarray | None:
        """max(self(x), 0) summed over the values behind `sums`, per group; None when the clamp at 0 could act
        (some piece is negative somewhere on the range of its values) or the breaks differ."""
        if (sums.breaks, sums.kinds) != (self.breaks, self.kinds):
            return None
        _, _, _, slopes, offsets = self._piece_arrays
        f_lo, f_hi = sums.range_ends
        with np.errstate(invalid="ignore"):
            ends = [f * slopes + offsets for f in (f_lo, f_hi)]
        # pieces are monotone: non-negative at both ends of their range means the clamp never acts inside
        if not ((ends[0] >= 0) & (ends[1] >= 0) | (sums.weight <= 0)).all():
            return None
        return (sums.total * slopes + sums.weight * offsets).sum(axis=1)

    @cached_property
    def _piece_arrays(self) -> tuple[np.ndarray, ...]:
        """(lower edge, upper edge, is log, slope, offset) of every piece, as arrays."""
        edges = np.array((-math.inf,) + self.breaks + (math.inf,))
        return (
            edges[:-1],
            edges[1:],
            np.array([k == "log" for k in self.kinds]),
            np.array(self.slopes),
            np.array(self.offsets),
        )

    @cached_property
    def _steps(self) -> tuple[tuple[float, float, float], list[tuple[float, tuple[float, float, float]]]]:
        """(coefficients of x, ln x and 1 of the last piece, [(break, change of the three below it)] downwards)."""
        coef = [
            (a, 0.0, b) if k == "lin" else (0.0, a, b)
            for k, a, b in zip(self.kinds, self.slopes, self.offsets, strict=True)
        ]
        steps = [
            (self.breaks[j], tuple(lo - hi for lo, hi in zip(coef[j], coef[j + 1], strict=True)))
            for j in range(len(self.breaks) - 1, -1, -1)
        ]
        return coef[-1], steps

    def blended(self, x: np.ndarray) -> np.ndarray:
        """The fit at positive, finite x to a few units in the last place, in x's precision: the hot path.

        Instead of laying pieces over each other (a masked copy per piece), the coefficients of x, ln x and 1
        start at the last piece's and step to the piece below at every break x lies under, as arithmetic on
        the comparison masks."""
        x = as_float_array(x)
        real = x.dtype.type
        last, steps = self._steps
        coef: list = [real(c) for c in last]  # of x, of ln x, and 1
        for brk, step in steps:
            below = x < real(brk)
            if not below.any():
                break  # nothing lies under this break, so nothing under the lower ones either
            for c, delta in enumerate(step):
                if delta:
                    coef[c] = np.multiply(below, real(delta), dtype=x.dtype) + coef[c]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # callers mask x <= 0 and inf
            if "log" in self.kinds:
                y = np.log(x)
                y *= coef[1]
                if np.ndim(coef[0]) or coef[0]:
                    y += x * coef[0]
            else:
                y = x * coef[0]
            y += coef[2]
        return y


@dataclass(frozen=True)
class PiecewiseSums:
    """Weighted sums over positive finite values split at a fit's breaks, per group (e.g. per sub-array).

    Per group g and piece i: the weight of the values in the piece, the weighted sum of x over the 'lin' pieces
    and of ln x over the 'log' pieces, and a range [x_min, x_max] holding the group's values: enough to sum any
    fit with these breaks and kinds over the values without the values themselves."""

    breaks: tuple[float, ...]
    kinds: tuple[str, ...]
    weight: np.ndarray  # (groups, pieces)
    total: np.ndarray  # (groups, pieces): sum of w*x ('lin') or w*ln x ('log')
    x_min: np.ndarray  # (groups,), inf when empty
    x_max: np.ndarray  # (groups,), -inf when empty

    @cached_property
    def range_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """f_i (x or ln x) at the ends of the range each piece's values can lie in, (groups, pieces) each: what a
        fit's clamp check needs of the sums, kept for every fit they are summed with."""
        edges = np.array((-math.inf,) + self.breaks + (math.inf,))
        is_log = np.array([k == "log" for k in self.kinds])
        lo = np.maximum(self.x_min[:, None], edges[:-1])
        hi = np.minimum(self.x_max[:, None], edges[1:])
        with np.errstate(divide="ignore", invalid="ignore"):
            return tuple(np.where(is_log, np.log(v), v) for v in (lo, hi))

    @classmethod
    def empty(cls, breaks: tuple[float, ...], kinds: tuple[str, ...], groups: int) -> PiecewiseSums:
        shape = (groups, len(kinds))
        return cls(breaks, kinds, np.zeros(shape), np.zeros(shape), np.full(groups, np.inf), np.full(groups, -np.inf))

    def __add__(self, other: PiecewiseSums) -> PiecewiseSums:
        if (self.breaks, self.kinds) != (other.breaks, other.kinds):
            raise ValueError("PiecewiseSums of different fits cannot be added")
        return PiecewiseSums(
            self.breaks,
            self.kinds,
            self.weight + other.weight,
            self.total + other.total,
            np.minimum(self.x_min, other.x_min),
            np.maximum(self.x_max, other.x_max),
        )


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


def as_float_array(x: np.ndarray | float) -> np.ndarray:
    """x as a floating array: float32 stays float32 (the fast chip path), anything else becomes float64."""
    a = np.asarray(x)
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float64)


def _idle_columns(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """p where x is a finite non-zero resistance; IDLE_COLUMN_POWER where x = inf; 0 elsewhere (0 or nan)."""
    live = np.isfinite(x)
    live &= x != 0
    if live.all():
        return p
    return np.where(live, p, np.where(np.isinf(x), p.dtype.type(IDLE_COLUMN_POWER), p.dtype.type(0.0)))


@dataclass(frozen=True)
class LatencyFit:
    """MLSA conversion latency vs reference resistance (s), with the column-capacitance penalty term."""

    base: PiecewiseFit
    ref_cap: float  # F, column capacitance of the Cadence reference
    delta_c: float  # s, fitting parameter dC
    r2: float  # ohm, fitting parameter R2
    res_threshold: float  # ohm, above this the latency grows with the column capacitance

    def __call__(self, r: np.ndarray | float, column_cap: float) -> np.ndarray:
        """Latency at resistance(s) r for a total column capacitance column_cap (F)."""
        r = np.asarray(r, dtype=float)
        t = self.base(r)
        over = r > self.res_threshold
        if np.any(over):
            slope = self.delta_c / (self.r2 - self.res_threshold)
            t[over] += slope * (r[over] - self.res_threshold) * ((column_cap - self.ref_cap) / self.ref_cap)
        return t


@cache
def mlsa_latency_fit(node_nm: int, current_mode: bool) -> LatencyFit:
    """The MLSA latency table of one node, current-sense (CSA) or voltage-sense (VSA)."""
    rows = _table("mlsa_tables.json")["latency"]["current" if current_mode else "voltage"]
    if str(node_nm) not in rows:
        raise ValueError(f"no MLSA latency fit for node {node_nm} nm; known: {sorted(map(int, rows))}")
    d = rows[str(node_nm)]
    return LatencyFit(PiecewiseFit.from_dict(d), d["refcap"], d["dc"], d["r2"], d["res_threshold"])


@cache
def mlsa_lstp_power_fit(node_nm: int) -> PiecewiseFit:
    """Current-mode LSTP static power per comparator (W) vs scaled column resistance."""
    rows = _table("mlsa_tables.json")["static_power"]["lstp_current"]
    return PiecewiseFit.from_dict(rows.get(str(node_nm), rows["1"]))  # NeuroSim: unknown nodes take the 1 nm row


def _hp_row(table: dict[str, Any], node_nm: int) -> dict[str, Any]:
    return table.get(str(node_nm), table[str(_HP_FALLBACK_NODE)])


def temperature_factor(temperature_k: int) -> float:
    """Temperature scaling of the static-power fits."""
    return 1 + POWER_TEMPERATURE_COEFF * (temperature_k - 300)


def mlsa_column_power(
    r_scaled: np.ndarray, node_nm: int, hp: bool, current_mode: bool, level_output: int, temperature_k: int
) -> np.ndarray:
    """Static power of one MLSA column (W) at resistances already scaled by 0.5/V_read (np.inf: no active row).

    Vectorised, in the precision of the input (float32 or float64)."""
    x = as_float_array(r_scaled)
    if not current_mode:
        p = np.zeros_like(x)
    elif hp:
        row = _hp_row(_table("mlsa_tables.json")["static_power"]["hp_current"], node_nm)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            p = np.log10(x)
            p *= row["exponent"]
            np.exp(p, out=p)
        p *= row["k"]
        p += row["per_comparator_uw"] * (level_output - 1) * 1e-6
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            p = mlsa_lstp_power_fit(node_nm)(x)
            p *= level_output - 1
    p = _idle_columns(p, x)
    factor = temperature_factor(temperature_k)
    return p * factor if factor != 1 else p


def sar_column_power(r_scaled: np.ndarray, node_nm: int, hp: bool, level_output: int, temperature_k: int) -> np.ndarray:
    """Power of one SAR ADC conversion (W) at resistances scaled by 0.5/V_read (np.inf: no active row)."""
    x = as_float_array(r_scaled)
    tables = _table("sar_tables.json")
    row = _hp_row(tables["hp"], node_nm) if hp else tables["lstp"].get(str(node_nm), tables["lstp"]["1"])
    bits = np.log2(level_output)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = np.log10(x)
        p *= row["exponent"]
        np.exp(p, out=p)
    p *= row["k"]
    p += (row["a_uw"] * bits + row["c_uw"]) * 1e-6
    p = _idle_columns(p, x)
    factor = temperature_factor(temperature_k)
    return p * factor if factor != 1 else p


def sequential_sum(terms: np.ndarray) -> float:
    """Left-to-right float sum (NeuroSim's += loop order), vectorised."""
    terms = np.asarray(terms, dtype=float).ravel()
    if terms.size == 0:
        return 0.0
    return float(np.cumsum(terms)[-1])
