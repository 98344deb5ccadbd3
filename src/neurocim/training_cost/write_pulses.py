"""Write pulses of one sub-array's update: conductances before and after, written row by row (set, then reset)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CellWrite:
    """What a cell write costs besides the lines: its pulse and, for FeFETs, the polarization switched."""

    delta_g_min_s: float  # conductance step of one pulse, S
    num_levels: int  # pulses across the full range (the larger of LTP and LTD)
    write_voltage_v: float
    binary: bool  # SRAM: a changed bit is one write
    fefet_polarization_c_per_m2: float | None  # FeFET: switched polarization instead of V^2 G t
    fefet_cell_area_m2: float = 0.0  # the ferroelectric area charged per cell (2 F^2)


@dataclass(frozen=True)
class RowWrites:
    """The writes of one sub-array's update (NeuroSim V2.1 GetWriteUpdateEstimation)."""

    rows: int
    cols: int
    set_pulses: int  # sum over rows of the longest set pulse train in the row
    reset_pulses: int  # same for reset
    rows_set: int  # rows that set cells (a row that sets and resets counts here)
    rows_reset: int  # rows that only reset cells
    cols_set: int  # cells set per setting row (whole cells, rounded down)
    cols_reset: int  # cells reset per resetting row
    cell_pulse_power_w: float  # sum over pulses of V^2 G: the cells' energy per second of pulse width
    cell_switch_energy_j: float  # FeFET: polarization switched, whatever the pulse width

    def cell_energy_j(self, pulse_width_s: float) -> float:
        """Energy dissipated in the cells themselves with pulses of `pulse_width_s`."""
        return self.cell_pulse_power_w * pulse_width_s + self.cell_switch_energy_j

    @property
    def total_pulses(self) -> int:
        return self.set_pulses + self.reset_pulses

    @property
    def rows_written(self) -> float:
        return (self.rows_set + self.rows_reset) / 2.0

    @property
    def activity_row(self) -> float:
        return self.rows_written / self.rows if self.rows else 0.0

    @property
    def activity_col(self) -> float:
        return (self.cols_set + self.cols_reset) / 2.0 / self.cols if self.cols else 0.0

    @property
    def pulses_per_row(self) -> int:
        """Average pulses per written row (whole pulses)."""
        return int(self.total_pulses / max(1.0, self.rows_written))


@dataclass(frozen=True)
class CellPulses:
    """Per cell of a matrix: signed pulse count (+ set, - reset, 0 untouched) and the cell's own write energy term
    (W per second of pulse for resistive cells, J for FeFETs: see `fefet`)."""

    signed: np.ndarray  # int32
    energy: np.ndarray  # float64
    fefet: bool


def cell_pulses(g_new: np.ndarray, g_old: np.ndarray, cell: CellWrite) -> CellPulses:
    """Pulses per cell `ceil(|dG|/dG_min)` where `|dG| >= dG_min` (eNVM), or one write per changed bit (SRAM), with
    the energy dissipated in the written cells: V^2 G per second of pulse (G the series mean of both states), or for
    FeFETs the polarization switched (erase, then program: |P_new + Pr| + |P_old + Pr|) times V over 2 F^2."""
    g_n, g_o = np.asarray(g_new, dtype=np.float64), np.asarray(g_old, dtype=np.float64)
    diff = g_n - g_o
    fefet = cell.fefet_polarization_c_per_m2 is not None
    if cell.binary:
        written = np.flatnonzero(diff != 0)
        count = np.ones(written.size)
    else:
        mag = np.abs(diff).ravel()
        written = np.flatnonzero(mag >= cell.delta_g_min_s)  # few cells: the rest of the work is on them only
        count = np.ceil(mag[written] / cell.delta_g_min_s)
    signed = np.zeros(diff.size, dtype=np.int32)
    signed[written] = np.where(diff.ravel()[written] > 0, count, -count)
    energy = np.zeros(diff.size)
    if not cell.binary and written.size:  # SRAM bit flips are charged with the array's lines
        energy[written] = _cell_energy(g_n.ravel()[written], g_o.ravel()[written], count, cell)
    return CellPulses(signed.reshape(diff.shape), energy.reshape(diff.shape), fefet)


def _cell_energy(g_n: np.ndarray, g_o: np.ndarray, count: np.ndarray, cell: CellWrite) -> np.ndarray:
    """Per written cell: V^2 G per second of pulse times the pulses, or the FeFET's switched polarization energy."""
    v = cell.write_voltage_v
    if cell.fefet_polarization_c_per_m2 is None:
        return v * v * 2.0 / np.abs(1.0 / g_n + 1.0 / g_o) * count
    pr, levels = cell.fefet_polarization_c_per_m2, cell.num_levels
    # polarization taken linear in conductance over the pulse levels, from -Pr to +Pr
    p_new = (g_n / cell.delta_g_min_s - levels / 2) * (2 * pr / levels)
    p_old = (g_o / cell.delta_g_min_s - levels / 2) * (2 * pr / levels)
    return (np.abs(p_new + pr) + np.abs(p_old + pr)) * v * cell.fefet_cell_area_m2


def block_writes(signed: np.ndarray, energy: np.ndarray, fefet: bool) -> RowWrites:
    """One sub-array block's writes from its cells' signed pulses: each row costs its longest set train plus its
    longest reset train."""
    rows, cols = signed.shape
    n_set, n_reset = (signed > 0).sum(axis=1), (signed < 0).sum(axis=1)
    rows_set, rows_reset = int(np.count_nonzero(n_set)), int(np.count_nonzero((n_set == 0) & (n_reset > 0)))
    max_set = signed.max(axis=1, initial=0)
    max_reset = -signed.min(axis=1, initial=0)
    total = float(energy.sum())
    return RowWrites(
        rows=rows,
        cols=cols,
        set_pulses=int(max_set.sum()),
        reset_pulses=int(max_reset.sum()),
        rows_set=rows_set,
        rows_reset=rows_reset,
        cols_set=int(n_set.sum()) // rows_set if rows_set else 0,
        cols_reset=int(n_reset.sum()) // rows_reset if rows_reset else 0,
        cell_pulse_power_w=0.0 if fefet else total,
        cell_switch_energy_j=total if fefet else 0.0,
    )


def row_writes(g_new: np.ndarray, g_old: np.ndarray, cell: CellWrite) -> RowWrites:
    """The writes of one sub-array from its conductances after and before the update."""
    found = cell_pulses(g_new, g_old, cell)
    return block_writes(found.signed, found.energy, found.fefet)
