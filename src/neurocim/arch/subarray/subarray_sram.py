"""SRAM bit-line periphery shared by both read modes: precharger, write driver, bit-line delay and cell leakage."""

from __future__ import annotations

import math

from neurocim.arch.subarray.subarray_geometry import ArrayGeometry
from neurocim.circuits.base import Reads
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.drivers.precharger import Precharger
from neurocim.circuits.drivers.sram_write_driver import SRAMWriteDriver
from neurocim.circuits.gates.gates import GateType, Mos, gate_leakage, on_resistance
from neurocim.circuits.gates.gates_common import fin_factor


def _fin_factor(ctx: CircuitContext) -> int:
    return fin_factor(ctx.tech)


def sram_cell_leakage(ctx: CircuitContext) -> float:
    """Leakage power (W) of one 6T cell, modelled as two inverters."""
    tech, cell = ctx.tech, ctx.cell
    k, f = _fin_factor(ctx), tech.feature_size
    width_n, width_p = cell.nmos_width_f * k * f, cell.pmos_width_f * k * f
    return gate_leakage(GateType.INV, 1, width_n, width_p, ctx.temperature, tech) * tech.vdd * 2


class SramColumn:
    """Per-column precharger and write driver of an SRAM array (always present, for area and leakage)."""

    def __init__(self, ctx: CircuitContext, geo: ArrayGeometry) -> None:
        self.ctx, self.geo = ctx, geo
        self.precharger = Precharger(ctx, geo.num_col, geo.res_col, geo.num_col)
        self.write_driver = SRAMWriteDriver(ctx, geo.num_col)
        self.leakage = self.precharger.leakage + self.write_driver.leakage

    def layout(self, width_array: float) -> None:
        self.precharger.layout(0.0, width_array)
        self.write_driver.layout(0.0, width_array)

    @property
    def height_top(self) -> float:
        return self.precharger.height + self.write_driver.height

    @property
    def area(self) -> float:
        return self.precharger.area + self.write_driver.area

    def precharge_latency(self) -> float:
        return self.precharger.latency(self.geo.cap_col, 1)

    def precharge_energy(self, num_read: Reads) -> Reads:
        return self.precharger.energy(self.geo.cap_col, num_read)

    def col_delay(self) -> float:
        """Bit-line discharge to half the sense swing (s): Elmore delay of the access + pull-down path."""
        ctx, geo = self.ctx, self.geo
        tech, cell = ctx.tech, ctx.cell
        n = geo.num_row
        width_pd = cell.nmos_width_f * _fin_factor(ctx) * tech.feature_size
        res_pull_down = on_resistance(width_pd, Mos.NMOS, ctx.temperature, tech)
        cap_per_cell = geo.cap_col / n + geo.cap_cell_access
        res_per_cell = geo.res_col / n
        elmore = (geo.res_cell_access + res_pull_down) * cap_per_cell * n
        elmore += cap_per_cell * res_per_cell * n * (n + 1) / 2
        return elmore * math.log(tech.vdd / (tech.vdd - cell.min_sense_voltage_v / 2))
