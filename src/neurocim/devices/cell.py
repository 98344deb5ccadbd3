"""Electrical view of a memory cell, as the cost model sees it."""

from __future__ import annotations

from dataclasses import dataclass

from neurocim.config.chip import AccessType, CellType
from neurocim.config.params import Params


@dataclass(frozen=True)
class MemCell:
    """Cell type, footprint (in feature sizes) and resistances at the read voltage."""

    type: CellType
    access: AccessType
    height_f: float  # cell height in feature sizes
    width_f: float  # cell width in feature sizes
    feature_size: float  # m; NeuroSim sizes eNVM cells and per-cell wires by the wire width
    resistance_on: float
    resistance_off: float
    resistance_access: float
    read_voltage: float
    read_pulse_width: float
    access_voltage: float
    write_voltage: float
    min_sense_voltage: float
    width_access_cmos: float  # in F (SRAM access transistor)
    width_sram_cell_nmos: float  # in F
    width_sram_cell_pmos: float  # in F

    @property
    def resistance_avg(self) -> float:
        return (self.resistance_on + self.resistance_off) / 2


def mem_cell(p: Params) -> MemCell:
    """Build the cell record from resolved parameters."""
    if p.cell_type is CellType.SRAM:
        h, w = p.height_in_feature_size_sram, p.width_in_feature_size_sram
    elif p.access_type is AccessType.CMOS:
        h, w = p.height_in_feature_size_1t1r, p.width_in_feature_size_1t1r
    else:
        h, w = p.height_in_feature_size_crossbar, p.width_in_feature_size_crossbar
    return MemCell(
        type=p.cell_type,
        access=p.access_type,
        height_f=h,
        width_f=w,
        feature_size=p.feature_size_wire,
        resistance_on=p.resistance_on,
        resistance_off=p.resistance_off,
        resistance_access=p.resistance_access,
        read_voltage=p.read_voltage,
        read_pulse_width=p.read_pulse_width,
        access_voltage=p.access_voltage,
        write_voltage=p.write_voltage,
        min_sense_voltage=p.min_sense_voltage,
        width_access_cmos=p.width_access_cmos,
        width_sram_cell_nmos=p.width_sram_cell_nmos,
        width_sram_cell_pmos=p.width_sram_cell_pmos,
    )
