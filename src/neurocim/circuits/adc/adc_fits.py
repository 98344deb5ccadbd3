"""Characterisation fits of the column ADCs (flash MLSA and SAR) as vectorised functions of the column resistance."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np

from neurocim.circuits.adc.piecewise_fit import PiecewiseFit, as_float_array

# NeuroSim's Cadence characterisation assumes a 0.5 V read; a resistance at V_read is rescaled by 0.5/V_read.
CHARACTERISATION_READ_VOLTAGE = 0.5
# Static power of a column with no conducting row (R = inf), W; it is not multiplied by the comparator count.
IDLE_COLUMN_POWER = 1e-6
# Temperature coefficient of the static-power fits, 1/K (reference 300 K).
POWER_TEMPERATURE_COEFF = 1.3e-3
# NeuroSim's HP fits exist down to 10 nm; smaller nodes reuse the 7 nm row.
_HP_FALLBACK_NODE = 7


# The tables and fits below are constants of the package's data, loaded once per process and immutable (read-only
# mappings, tuples, frozen records), so keeping them cannot give a stale answer.


def _frozen(value: Any) -> Any:
    """A JSON value made immutable: objects as read-only mappings, arrays as tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


@cache
def _table(name: str) -> Mapping[str, Any]:
    """One of the package's characterisation tables (circuits/data/<name>), read-only."""
    text = resources.files("neurocim.circuits").joinpath("data", name).read_text()
    return _frozen(json.loads(text))


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
    """The MLSA latency table of one node, current-sense (CSA) or voltage-sense (VSA) (a frozen record of the
    package's data)."""
    rows = _table("mlsa_tables.json")["latency"]["current" if current_mode else "voltage"]
    if str(node_nm) not in rows:
        raise ValueError(f"no MLSA latency fit for node {node_nm} nm; known: {sorted(map(int, rows))}")
    d = rows[str(node_nm)]
    return LatencyFit(PiecewiseFit.from_dict(d), d["refcap"], d["dc"], d["r2"], d["res_threshold"])


@cache
def mlsa_lstp_power_fit(node_nm: int) -> PiecewiseFit:
    """Current-mode LSTP static power per comparator (W) vs scaled column resistance (a frozen record of the package's
    data)."""
    rows = _table("mlsa_tables.json")["static_power"]["lstp_current"]
    return PiecewiseFit.from_dict(rows.get(str(node_nm), rows["1"]))  # NeuroSim: unknown nodes take the 1 nm row


def _hp_row(table: Mapping[str, Any], node_nm: int) -> Mapping[str, Any]:
    return table.get(str(node_nm), table[str(_HP_FALLBACK_NODE)])


def temperature_factor(temperature_k: int) -> float:
    """Temperature scaling of the static-power fits."""
    return 1 + POWER_TEMPERATURE_COEFF * (temperature_k - 300)


def mlsa_column_power(
    r_scaled: np.ndarray, node_nm: int, hp: bool, current_mode: bool, adc_levels: int, temperature_k: int
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
        p += row["per_comparator_uw"] * (adc_levels - 1) * 1e-6
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            p = mlsa_lstp_power_fit(node_nm)(x)
            p *= adc_levels - 1
    p = _idle_columns(p, x)
    factor = temperature_factor(temperature_k)
    return p * factor if factor != 1 else p


def sar_column_power(r_scaled: np.ndarray, node_nm: int, hp: bool, adc_levels: int, temperature_k: int) -> np.ndarray:
    """Power of one SAR ADC conversion (W) at resistances scaled by 0.5/V_read (np.inf: no active row)."""
    x = as_float_array(r_scaled)
    tables = _table("sar_tables.json")
    row = _hp_row(tables["hp"], node_nm) if hp else tables["lstp"].get(str(node_nm), tables["lstp"]["1"])
    bits = np.log2(adc_levels)
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
