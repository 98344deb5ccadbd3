"""Electrical view of a memory cell, as the cost model sees it."""

from __future__ import annotations

from dataclasses import dataclass

from neurocim.config.chip import AccessType, CellType
from neurocim.config.derived import Derived


@dataclass(frozen=True)
class MemCell:
    """Cell type, footprint (in feature sizes) and resistances at the read voltage of one kind of memory cell (the
    chip's, or another a circuit holds, such as a look-up table's)."""

    type: CellType
    access: AccessType
    height_f: float  # cell height in feature sizes
    width_f: float  # cell width in feature sizes
    feature_size_m: float  # NeuroSim sizes eNVM cells and per-cell wires by the wire width
    r_on_ohm: float
    r_off_ohm: float
    r_access_ohm: float
    read_voltage_v: float
    read_pulse_width_s: float
    access_voltage_v: float
    write_voltage_v: float
    min_sense_voltage_v: float
    access_width_f: float  # SRAM access transistor width
    nmos_width_f: float  # SRAM pull-down width
    pmos_width_f: float  # SRAM pull-up width

    @property
    def r_avg_ohm(self) -> float:
        return (self.r_on_ohm + self.r_off_ohm) / 2


def mem_cell(p: Derived) -> MemCell:
    """The chip's memory cell."""
    cell = p.chip.cell
    return MemCell(
        type=cell.type,
        access=cell.access,
        height_f=p.cell_height_f,
        width_f=p.cell_width_f,
        feature_size_m=p.feature_size_m,
        r_on_ohm=cell.r_on_ohm,
        r_off_ohm=cell.r_off_ohm,
        r_access_ohm=p.r_access_ohm,
        read_voltage_v=p.read_voltage_v,
        read_pulse_width_s=cell.read_pulse_width_s,
        access_voltage_v=cell.access_voltage_v,
        write_voltage_v=cell.write_voltage_v,
        min_sense_voltage_v=cell.min_sense_voltage_v,
        access_width_f=p.sram_access_width_f,
        nmos_width_f=p.sram_nmos_width_f,
        pmos_width_f=p.sram_pmos_width_f,
    )
