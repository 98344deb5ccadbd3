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


def row_writes(g_new: np.ndarray, g_old: np.ndarray, cell: CellWrite) -> RowWrites:
    """Pulses per cell `ceil(|dG|/dG_min)` where `|dG| >= dG_min` (eNVM) or one write per changed bit (SRAM); each row
    costs its longest set train plus its longest reset train."""
    rows, cols = g_new.shape
    diff = np.asarray(g_new, dtype=np.float64) - np.asarray(g_old, dtype=np.float64)
    if cell.binary:
        pulses = (diff != 0).astype(np.float64)
    else:
        mag = np.abs(diff)
        pulses = np.where(mag >= cell.delta_g_min_s, np.ceil(mag / cell.delta_g_min_s), 0.0)
    up, down = (pulses > 0) & (diff > 0), (pulses > 0) & (diff < 0)
    n_set, n_reset = up.sum(axis=1), down.sum(axis=1)
    set_rows, reset_rows = n_set > 0, (n_set == 0) & (n_reset > 0)
    rows_set, rows_reset = int(set_rows.sum()), int(reset_rows.sum())
    max_set = np.where(up, pulses, 0.0).max(axis=1, initial=0.0)
    max_reset = np.where(down, pulses, 0.0).max(axis=1, initial=0.0)
    return RowWrites(
        rows=rows,
        cols=cols,
        set_pulses=int(max_set.sum()),
        reset_pulses=int(max_reset.sum()),
        rows_set=rows_set,
        rows_reset=rows_reset,
        cols_set=int(n_set.sum()) // rows_set if rows_set else 0,
        cols_reset=int(n_reset.sum()) // rows_reset if rows_reset else 0,
        **_cell_energy(g_new, g_old, pulses, cell),
    )


def _cell_energy(g_new: np.ndarray, g_old: np.ndarray, pulses: np.ndarray, cell: CellWrite) -> dict[str, float]:
    """Energy dissipated in the written cells: V^2 G t per pulse (G the series mean of both states), or for FeFETs
    the polarization switched (erase, then program: |P_new + Pr| + |P_old + Pr|) times V over the cell's 2 F^2."""
    none = {"cell_pulse_power_w": 0.0, "cell_switch_energy_j": 0.0}
    written = pulses > 0
    if cell.binary or not written.any():
        return none  # SRAM bit flips are charged with the array's lines
    g_n, g_o, n = np.asarray(g_new)[written], np.asarray(g_old)[written], pulses[written]
    v = cell.write_voltage_v
    if cell.fefet_polarization_c_per_m2 is None:
        g_mean = 2.0 / np.abs(1.0 / g_n + 1.0 / g_o)
        return {**none, "cell_pulse_power_w": float(np.sum(v * v * g_mean * n))}
    pr, levels = cell.fefet_polarization_c_per_m2, cell.num_levels
    # polarization taken linear in conductance over the pulse levels, from -Pr to +Pr
    p_new = (g_n / cell.delta_g_min_s - levels / 2) * (2 * pr / levels)
    p_old = (g_o / cell.delta_g_min_s - levels / 2) * (2 * pr / levels)
    switched = np.abs(p_new + pr) + np.abs(p_old + pr)
    return {**none, "cell_switch_energy_j": float(np.sum(switched) * v * cell.fefet_cell_area_m2)}
