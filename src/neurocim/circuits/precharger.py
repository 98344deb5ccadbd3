"""Bit-line precharger of SRAM arrays: two pull-up PMOS and one equaliser per column."""

from __future__ import annotations

import math

from neurocim.circuits.base import Footprint, Layout, fit
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates import (
    GateType,
    Mos,
    drain_cap,
    enlarge_size,
    gate_area,
    gate_leakage,
    horowitz,
    on_resistance,
    transconductance,
)


def pack_units(num_unit: int, unit_height: float, unit_width: float, new_width: float) -> tuple[float, float]:
    """(height, width) of `num_unit` equal cells packed in rows of the given width (NeuroSim column periphery)."""
    per_row = min(int(new_width / unit_width), num_unit)
    if per_row < 1:
        raise ValueError(f"a {unit_width:.3e} m wide unit does not fit the assigned width {new_width:.3e} m")
    rows = int(math.ceil(num_unit / per_row))
    return rows * unit_height, new_width


class Precharger:
    """Per-column bit-line precharge and equalisation; NeuroSim V1.4 Precharger model."""

    def __init__(self, ctx: CircuitContext, num_col: int, res_load: float, num_read_cell_per_operation: int):
        tech = ctx.tech
        f = tech.feature_size
        self.ctx = ctx
        self.num_col = num_col
        self.res_load = res_load  # bit-line wire resistance (ohm)
        self.num_read_cell_per_operation = num_read_cell_per_operation
        cell_height = f * MAX_TRANSISTOR_HEIGHT
        _, self.width_pmos_equal = enlarge_size(0.0, MIN_NMOS_SIZE * f, cell_height, tech)
        _, self.width_pmos_precharge = enlarge_size(0.0, 6 * f, cell_height, tech)
        _, h_pre, w_pre = gate_area(GateType.INV, 1, 0.0, self.width_pmos_precharge, cell_height, tech)
        _, h_eq, w_eq = gate_area(GateType.INV, 1, 0.0, self.width_pmos_equal, cell_height, tech)
        self.unit_height = h_pre * 2 + h_eq
        self.unit_width = max(w_pre, w_eq)
        self.cap_output = (drain_cap(self.width_pmos_precharge, Mos.PMOS, h_pre, tech)
                           + drain_cap(self.width_pmos_equal, Mos.PMOS, h_eq, tech))
        leak = gate_leakage(GateType.INV, 1, 0.0, self.width_pmos_precharge, ctx.temperature, tech)
        self.leakage = 2 * leak * tech.vdd * num_col
        self.area = self.height = self.width = 0.0

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """One unit per column, packed into rows of `new_width` (natural layout: a single row)."""
        if new_width and mode is Layout.NONE:
            height, width = pack_units(self.num_col, self.unit_height, self.unit_width, new_width)
        else:
            height, width = self.unit_height, self.num_col * self.unit_width
        fp = fit(height * width, height, width, new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self, cap_load: float, num_read: float = 1.0) -> float:
        """Precharge time (s) of a bit line of capacitance `cap_load`, times `num_read`."""
        tech = self.ctx.tech
        res_pull_up = on_resistance(self.width_pmos_precharge, Mos.PMOS, self.ctx.temperature, tech)
        tau = res_pull_up * (cap_load + self.cap_output) + self.res_load * cap_load / 2
        beta = 1 / (res_pull_up * transconductance(self.width_pmos_precharge, Mos.PMOS, tech))
        delay, _ = horowitz(tau, beta, 1e20)
        return delay * num_read

    def energy(self, cap_load: float, num_read: float) -> float:
        """Read energy (J): every precharged bit line recharged to Vdd, `num_read` times."""
        vdd = self.ctx.tech.vdd
        return cap_load * vdd * vdd * min(self.num_read_cell_per_operation, self.num_col) * num_read
