"""Measured pulse response (conductance vs pulse number for LTP and LTD) and a fit of the exponential model."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from neurocim.config.io import ConfigError
from neurocim.devices.update.nl_table import ENTRIES, a_norm_table

COLUMNS = ("pulse", "ltp", "ltd")


@dataclass(frozen=True)
class PulseTable:
    """A device's normalised response: position u in [0, 1] after `pulses[i]` LTP (rising) or LTD (falling) pulses."""

    pulses: np.ndarray  # 0 .. P_max, strictly increasing
    ltp: np.ndarray  # u after that many potentiating pulses from the bottom: 0 -> 1, strictly increasing
    ltd: np.ndarray  # u after that many depressing pulses from the top: 1 -> 0, strictly decreasing
    source: str

    @property
    def max_pulse(self) -> float:
        return float(self.pulses[-1])


def _column(rows: list[dict[str, str]], name: str, path: Path) -> np.ndarray:
    try:
        values = np.array([float(r[name]) for r in rows], dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"device.table_csv={str(path)!r}: column {name!r} holds a non-number ({err})") from None
    if not np.all(np.isfinite(values)):
        raise ConfigError(f"device.table_csv={str(path)!r}: column {name!r} holds a non-finite value")
    return values


def _strict(values: np.ndarray, rising: bool) -> bool:
    steps = np.diff(values)
    return bool(np.all(steps > 0) if rising else np.all(steps < 0))


def read_pulse_table(path: str | Path) -> PulseTable:
    """Read a CSV with columns pulse,ltp,ltd (conductance in any one unit); refuse a curve that is not monotone."""
    path = Path(path)
    where = f"device.table_csv={str(path)!r}"
    if not path.is_file():
        raise ConfigError(f"{where}: file not found")
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ConfigError(f"{where}: missing column(s) {missing}; expected header {','.join(COLUMNS)}")
        rows = list(reader)
    if len(rows) < 3:
        raise ConfigError(f"{where}: {len(rows)} rows; at least 3 pulse numbers are needed")
    pulses, ltp, ltd = (_column(rows, c, path) for c in COLUMNS)
    if pulses[0] != 0 or not _strict(pulses, True):
        raise ConfigError(f"{where}: column 'pulse' must start at 0 and increase strictly")
    if not _strict(ltp, True):
        raise ConfigError(f"{where}: the LTP curve is not monotone (conductance must rise with every pulse)")
    if not _strict(ltd, False):
        raise ConfigError(f"{where}: the LTD curve is not monotone (conductance must fall with every pulse)")
    u_ltp = (ltp - ltp[0]) / (ltp[-1] - ltp[0])
    u_ltd = (ltd - ltd[-1]) / (ltd[0] - ltd[-1])
    return PulseTable(pulses, u_ltp, u_ltd, str(path))


def exp_curve(p: np.ndarray, a_norm: float) -> np.ndarray:
    """Normalised exponential response u(p) = (1 - e^(-p/A)) / (1 - e^(-1/A)), p in [0, 1] (V2.1 / manual Eq. 8.1)."""
    return np.expm1(-p / a_norm) / math.expm1(-1.0 / a_norm)


@dataclass(frozen=True)
class ExponentialFit:
    """Best nonlinearity labels of the exponential model for a measured table, and the fit's RMS error (in u)."""

    nonlinearity_ltp: float
    nonlinearity_ltd: float
    rmse_ltp: float
    rmse_ltd: float


def fit_exponential(table: PulseTable) -> ExponentialFit:
    """Fit the exponential model's labels (what NeuroSim's nonlinear_fit.m does by hand): least squares over all
    table labels of both signs. LTD is the curve walked backward from the top, as in the update rule."""
    p = table.pulses / table.max_pulse
    labels = np.concatenate([np.arange(1, ENTRIES + 1), -np.arange(1, ENTRIES + 1)]) / 100.0
    a_all = np.concatenate([a_norm_table(), -a_norm_table()])
    curves = np.stack([exp_curve(p, a) for a in a_all])  # (1800, P)
    err_ltp = np.sqrt(np.mean((curves - table.ltp) ** 2, axis=1))
    err_ltd = np.sqrt(np.mean((curves[:, ::-1] - table.ltd) ** 2, axis=1))
    i, j = int(np.argmin(err_ltp)), int(np.argmin(err_ltd))
    return ExponentialFit(float(labels[i]), float(labels[j]), float(err_ltp[i]), float(err_ltd[j]))


def interp(x: Tensor, xp: Tensor, fp: Tensor) -> Tensor:
    """Piecewise-linear interpolation of (xp, fp) at x (xp strictly increasing; x clamped to its range)."""
    flat = x.reshape(-1).clamp(float(xp[0]), float(xp[-1])).contiguous()
    idx = torch.searchsorted(xp, flat).clamp(1, xp.numel() - 1)
    x0, x1, f0, f1 = xp[idx - 1], xp[idx], fp[idx - 1], fp[idx]
    return (f0 + (flat - x0) / (x1 - x0) * (f1 - f0)).reshape(x.shape)
