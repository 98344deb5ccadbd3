"""Nonlinearity label -> normalised A of the exponential pulse response (V2.1's table, carried as data)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

TABLE_FILE = Path(__file__).resolve().parent / "data" / "nonlinearity_to_A.json"
ENTRIES = 900  # labels 0.01 .. 9.00 in steps of 0.01


@cache
def a_norm_table() -> np.ndarray:
    """The 900 normalised A values (float64), read once from the package data (immutable)."""
    values = np.asarray(json.loads(TABLE_FILE.read_text())["A_norm"], dtype=np.float64)
    if values.shape != (ENTRIES,):
        raise RuntimeError(f"{TABLE_FILE}: expected {ENTRIES} entries, found {values.shape}")
    values.setflags(write=False)
    return values


def table_source() -> str:
    """Where the table's numbers come from."""
    return json.loads(TABLE_FILE.read_text())["source"]


def a_norm_truncated(labels: np.ndarray) -> np.ndarray:
    """V2.1's lookup: sign(NL) * table[clip(int(|NL| * 100) - 1, 0, 899)], |NL| * 100 in the labels' dtype."""
    labels = np.asarray(labels)
    scaled = np.abs(labels) * labels.dtype.type(100)
    index = np.clip(scaled.astype(np.int64) - 1, 0, ENTRIES - 1)
    return np.sign(labels).astype(np.float64) * a_norm_table()[index]


def a_norm_interpolated(labels: Tensor) -> Tensor:
    """Smooth lookup: sign(NL) * table interpolated linearly in |NL| (clipped to 0.01..9), float64."""
    table = torch.tensor(a_norm_table(), dtype=torch.float64, device=labels.device)
    pos = (labels.abs().double() * 100.0 - 1.0).clamp(0.0, ENTRIES - 1.0)
    low = pos.floor().long().clamp(max=ENTRIES - 2)
    frac = pos - low
    value = table[low] * (1.0 - frac) + table[low + 1] * frac
    return torch.sign(labels).double() * value


def label_of(a_norm: float) -> float:
    """The (positive) nonlinearity label whose normalised A is `a_norm` (inverse of the table, interpolated)."""
    table = a_norm_table()[::-1]  # A falls as the label grows: reverse for np.interp
    labels = np.arange(ENTRIES, 0, -1) / 100.0
    return float(np.interp(abs(a_norm), table, labels))
