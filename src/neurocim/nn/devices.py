"""Behavioural cell model for accuracy: conductance per digit, frozen device maps, per-read draws (lattice units)."""

from __future__ import annotations

import csv
import io
import math
import zlib
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from neurocim.config.accuracy import DeviceConfig, DriftDirection
from neurocim.errors import InputError
from neurocim.nn.settings import Lattice
from neurocim.quant.drift import drift_factor, neurosim_retention, random_drift_sign


@dataclass(frozen=True)
class ConductanceTable:
    """Measured per-state conductance: means relative to the top state, optional relative std per state."""

    mean: Tensor  # (2^c,), top state == 1
    rel_sigma: Tensor | None  # (2^c,)


def load_conductance_table(path: str | Path, bits_per_cell: int) -> ConductanceTable:
    """Read `state,conductance_s[,sigma_s]` rows; states must be exactly 0..2^c - 1 with positive means."""
    from neurocim.config.parse import ParseError, read_text

    try:
        text = read_text(path, "conductance table")
    except ParseError as err:
        raise InputError(str(err)) from None
    states, means, sigmas = [], [], []
    with io.StringIO(text, newline="") as f:
        reader = csv.DictReader(f)
        missing = {"state", "conductance_s"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path}: missing column(s) {sorted(missing)}; need state,conductance_s[,sigma_s]")
        for line, row in enumerate(reader, start=2):
            try:
                states.append(int(row["state"]))
                means.append(float(row["conductance_s"]))
                sigmas.append(float(row["sigma_s"]) if row.get("sigma_s") not in (None, "") else None)
            except ValueError as err:
                raise InputError(f"{path}:{line}: {err}") from None
    levels = 2**bits_per_cell
    if sorted(states) != list(range(levels)):
        raise InputError(
            f"{path}: states {sorted(states)} must be exactly 0..{levels - 1} for bits_per_cell={bits_per_cell}"
        )
    order = sorted(range(levels), key=lambda i: states[i])
    mean = torch.tensor([means[i] for i in order], dtype=torch.float64)
    if not bool(torch.isfinite(mean).all()) or bool((mean <= 0).any()):
        raise InputError(f"{path}: conductance_s must be a finite number > 0 for every state")
    if any(s is not None and not math.isfinite(s) for s in sigmas):
        raise InputError(f"{path}: sigma_s must be finite")
    rel = None
    if any(s is not None for s in sigmas):
        if any(s is None or s < 0 for s in sigmas):
            raise InputError(f"{path}: sigma_s must be given and >= 0 for every state, or for none")
        rel = torch.tensor([sigmas[i] for i in order], dtype=torch.float64) / mean
    return ConductanceTable(mean / mean[-1], rel)


def layer_seed(seed: int, name: str, repeat: int = 0) -> int:
    """A stable per-layer, per-repeat seed (independent of Python's hash randomisation)."""
    return (seed * 1_000_003 + zlib.crc32(name.encode()) * 7919 + repeat * 104_729) % (2**62)


def ideal_conductance(digits: Tensor, lattice: Lattice) -> Tensor:
    """Lattice conductance of each digit (exact integers)."""
    return digits * lattice.slope + lattice.offset


@dataclass(frozen=True)
class DeviceMap:
    """One draw of a layer's devices: programmed digits (faults applied) and conductance deviations."""

    digits: Tensor  # (K, R, C) float32
    delta: Tensor | None  # (K, R, C) float32, actual - ideal conductance, lattice units; None when exact
    conductance: Tensor  # (K, R, C) float32, actual conductance

    @property
    def exact(self) -> bool:
        return self.delta is None


def exact_device_map(cfg: DeviceConfig, frozen_drift: bool = True) -> bool:
    """Whether draw_device_map leaves every cell on its ideal conductance (it then draws no random number)."""
    table = cfg.conductance_table_csv is not None
    return not (cfg.faults.active or table or cfg.d2d_sigma > 0 or (frozen_drift and cfg.drift.active))


def draw_device_map(
    digits: Tensor, lattice: Lattice, cfg: DeviceConfig, seed: int, frozen_drift: bool = True
) -> DeviceMap:
    """Frozen non-idealities of one device draw: faults, per-state table, d2d variation, drift (CPU generator)."""
    gen = torch.Generator().manual_seed(seed)
    shape = digits.shape
    d = digits.detach().float().cpu()
    if cfg.faults.active:
        u = torch.rand(shape, generator=gen)
        d = torch.where(u < cfg.faults.stuck_at_0_rate, torch.zeros_like(d), d)
        stuck_high = (u >= cfg.faults.stuck_at_0_rate) & (u < cfg.faults.stuck_at_0_rate + cfg.faults.stuck_at_1_rate)
        d = torch.where(stuck_high, torch.full_like(d, lattice.top_digit), d)
    ideal = ideal_conductance(d, lattice)
    g, rel_sigma = ideal, None
    if cfg.conductance_table_csv is not None:
        table = load_conductance_table(cfg.conductance_table_csv, lattice.bits_per_cell)
        top = float(lattice.per_normalised * lattice.top_digit)
        g = (table.mean.float() * top)[d.long()]
        rel_sigma = None if table.rel_sigma is None else table.rel_sigma.float()[d.long()]
    sigma = rel_sigma if rel_sigma is not None else cfg.d2d_sigma
    if rel_sigma is not None or cfg.d2d_sigma > 0:
        g = torch.clamp(g * (1 + sigma * torch.randn(shape, generator=gen)), min=0.0)
    if frozen_drift and cfg.drift.active:
        g = _drift(g, lattice, cfg, gen)
    delta = None if g is ideal else (g - ideal)
    return DeviceMap(d.to(digits.device), None if delta is None else delta.to(digits.device), g.to(digits.device))


def _drift(g: Tensor, lattice: Lattice, cfg: DeviceConfig, gen: torch.Generator) -> Tensor:
    """Power-law drift of every cell, direction frozen per device; clamped to the nominal range / the target."""
    lo, hi = float(lattice.offset), float(lattice.per_normalised * lattice.top_digit)
    drift = cfg.drift
    if drift.direction is DriftDirection.TOWARD_TARGET:
        target = lo + drift.target * (hi - lo)
        sign = torch.sign(target - g)
        moved = g * drift_factor(sign, drift.time_s, drift.coefficient, drift.reference_time_s)
        goal = torch.full_like(g, target)
        return torch.where(sign > 0, torch.minimum(moved, goal), torch.maximum(moved, goal))
    sign = random_drift_sign(g.shape, gen)
    return torch.clamp(g * drift_factor(sign, drift.time_s, drift.coefficient, drift.reference_time_s), lo, hi)


def neurosim_call_conductance(
    device: DeviceMap, lattice: Lattice, cfg: DeviceConfig, cycles: int, generator: torch.Generator
) -> Tensor:
    """NeuroSim compat: conductance redrawn for every read call, (cycles, K, R, C) lattice units.

    Retention acts on the digits (NeuroSim's [-1, 1] formula, range per cycle and slice), then every cell gets
    g (1 + N(0, c2c_sigma)); both are redrawn for each input cycle and forward call and shared by the batch.
    """
    shape = (cycles, *device.digits.shape)
    dev = device.digits.device
    d = device.digits.unsqueeze(0).expand(shape)
    if cfg.drift.active:
        toward = cfg.drift.direction is DriftDirection.TOWARD_TARGET
        sign = None if toward else random_drift_sign(shape, generator, dev)
        d = neurosim_retention(d, cfg.drift.time_s, cfg.drift.coefficient, toward, cfg.drift.target, sign, dims=(2, 3))
    g = ideal_conductance(d, lattice)
    if device.delta is not None:
        g = g + device.delta.unsqueeze(0)
    if cfg.c2c_sigma > 0:
        g = g * (1 + cfg.c2c_sigma * torch.randn(shape, generator=generator, device=dev))
    return g
