"""Voltage sense amplifier of NeuroSim V1.4 (read-out of the RRAM sigmoid look-up table)."""

from __future__ import annotations

import math

from neurocim.circuits.base import Footprint, Layout
from neurocim.circuits.constants import HEIGHT_WIDTH_RATIO_LIMIT, MAX_TRANSISTOR_HEIGHT, MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import GateType, Mos, gate_area, gate_capacitance, gate_leakage, on_resistance

VOLTAGE_SENSE_DIFF = 0.1  # V, bit-line swing the amplifier resolves
# Energy per read of one amplifier, J, measured at 65 nm and 1.1 V (scaled by (Vdd/1.1)^2).
ENERGY_PER_READ_65NM = 9.845e-15
_REFERENCE_VDD = 1.1
_NMOS_COUNT, _PMOS_COUNT = 6, 5
_PRECHARGE_DELAY_FACTOR = 2.3  # ln(10) RC settling of the precharge


class VoltageSenseAmp:
    """num_read_col latch-type voltage sense amplifiers."""

    def __init__(
        self,
        ctx: CircuitContext,
        num_read_col: int,
        clk_freq: float,
        *,
        res_mem_cell_on: float,
        res_mem_cell_off: float,
    ) -> None:
        """res_mem_cell_on/off are NeuroSim's run-time cell.resMemCellOn/Off (ohm), set by the sub-array."""
        self.ctx = ctx
        self.num_read_col = num_read_col
        self.clk_freq = clk_freq
        self.res_mem_cell_on = res_mem_cell_on
        self.res_mem_cell_off = res_mem_cell_off
        tech, temperature = ctx.tech, ctx.temperature
        f = tech.feature_size
        self.width_nmos = MIN_NMOS_SIZE * f
        self.width_pmos = tech.pn_size_ratio * MIN_NMOS_SIZE * f
        height = f * MAX_TRANSISTOR_HEIGHT
        _, h_n, w_n = gate_area(GateType.INV, 1, self.width_nmos, 0, height, tech)
        # NeuroSim quirk: the PMOS footprint and capacitances are computed with the PMOS width on the NMOS side
        _, h_p, w_p = gate_area(GateType.INV, 1, self.width_pmos, 0, height, tech)
        self.area_unit = (h_n * w_n) * _NMOS_COUNT + (h_p * w_p) * _PMOS_COUNT
        self.res_precharge = on_resistance(self.width_pmos, Mos.PMOS, temperature, tech)
        self.cap_nmos_gate, self.cap_nmos_drain = gate_capacitance(GateType.INV, 1, self.width_nmos, 0, h_n, tech)
        self.cap_pmos_gate, self.cap_pmos_drain = gate_capacitance(GateType.INV, 1, self.width_pmos, 0, h_p, tech)
        self.cap_s1 = self.cap_nmos_gate + self.cap_nmos_drain + self.cap_pmos_drain
        # about two NAND2 gates leak inside the latch; the cell side floats
        leak = gate_leakage(GateType.NAND, 2, self.width_nmos, self.width_pmos, temperature, tech)
        self.leakage = leak * tech.vdd * 2

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """Amplifiers in a row; new_width is the width of ONE amplifier (NeuroSim's CalculateArea argument),
        capped so that its aspect ratio stays within HEIGHT_WIDTH_RATIO_LIMIT. new_height and mode are unused."""
        unit_width = new_width
        x = math.sqrt(self.area_unit / HEIGHT_WIDTH_RATIO_LIMIT)
        if unit_width > x:
            unit_width = x
        area = self.area_unit * self.num_read_col
        height = self.area_unit / unit_width if unit_width else math.inf  # C++ divides by zero
        fp = Footprint(area, height, unit_width * self.num_read_col)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp

    def latency(self, cap_input_load: float = 0.0, num_read: float = 1.0) -> float:
        """Precharge plus the time for the cell-current difference to develop VOLTAGE_SENSE_DIFF (s)."""
        v_read = self.ctx.cell.read_voltage_v
        current_diff = v_read / self.res_mem_cell_on - v_read / self.res_mem_cell_off
        t = (
            _PRECHARGE_DELAY_FACTOR * self.res_precharge * self.cap_s1
            + VOLTAGE_SENSE_DIFF * (self.cap_s1 + self.cap_nmos_drain + cap_input_load) / current_diff
        )
        return t * num_read

    def energy(self, num_read: float = 1.0) -> float:
        """Dynamic energy (J) of num_read reads of all amplifiers."""
        vdd = self.ctx.tech.vdd
        return ENERGY_PER_READ_65NM * (vdd / _REFERENCE_VDD) * (vdd / _REFERENCE_VDD) * self.num_read_col * num_read
