"""SAR ADC of NeuroSim V1.4: transistor-count area, (bits+1) ns per conversion, power fit vs column resistance."""

from __future__ import annotations

import math

import numpy as np

from neurocim.circuits.adc.adc_fits import CHARACTERISATION_READ_VOLTAGE, sar_column_power, sequential_sum
from neurocim.circuits.adc.column_adc import ColumnAdc
from neurocim.circuits.adc.piecewise_fit import as_float_array
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import GateType, gate_area
from neurocim.config.chip import Roadmap

# Transistor counts of one SAR ADC: base + per extra bit (NMOS, PMOS).
_NMOS_BASE, _NMOS_PER_BIT = 269, 109
_PMOS_BASE, _PMOS_PER_BIT = 209, 73
CYCLE_TIME = 1e-9  # s per SAR step


class SarAdc(ColumnAdc):
    """One SAR ADC per ADC column group; conversion takes log2(L)+1 steps of 1 ns."""

    def __init__(
        self,
        ctx: CircuitContext,
        num_col: int,
        adc_levels: int,
        clk_freq: float,
        num_read_cell_per_operation_neuro: int,
    ) -> None:
        super().__init__(ctx, num_col, adc_levels, clk_freq, num_read_cell_per_operation_neuro)
        tech = ctx.tech
        f = tech.feature_size
        self.bits = math.log2(adc_levels)
        self.conversion_latency = (self.bits + 1) * CYCLE_TIME
        height = f * MAX_TRANSISTOR_HEIGHT
        _, h_n, w_n = gate_area(GateType.INV, 1, self.width_nmos, 0, height, tech)
        _, h_p, w_p = gate_area(GateType.INV, 1, 0, self.width_pmos, height, tech)
        self.area_unit = (h_n * w_n) * (_NMOS_BASE + (self.bits - 1) * _NMOS_PER_BIT) + (h_p * w_p) * (
            _PMOS_BASE + (self.bits - 1) * _PMOS_PER_BIT
        )

    def natural_area(self) -> float:
        """Area (m^2) of all the ADCs side by side."""
        return self.area_unit * self.num_col

    def latency(self, num_read: float = 1.0) -> float:
        """Conversion latency (s), num_read conversions in a row."""
        return self.conversion_latency * num_read

    def column_power(self, column_resistance: np.ndarray) -> np.ndarray:
        """Power during a conversion of each column (W), vectorised; np.inf means no active row (flat 1 uW)."""
        p = self.ctx.p
        scaled = as_float_array(column_resistance) * (CHARACTERISATION_READ_VOLTAGE / p.read_voltage_v)
        return sar_column_power(
            scaled,
            p.chip.technology.node_nm,
            p.chip.technology.roadmap is Roadmap.HP,
            self.adc_levels,
            p.chip.technology.temperature_k,
        )

    def column_energy(self, column_resistance: np.ndarray) -> np.ndarray:
        """Energy of one conversion of each column (J)."""
        return self.column_power(column_resistance) * ((self.bits + 1) * CYCLE_TIME)

    # a SAR conversion's energy is its power during the conversion: all of it depends on the column resistance
    column_switching_energy = 0.0

    def static_energy(self, column_resistance: np.ndarray) -> np.ndarray:
        """Energy of one conversion of each column (J), the ColumnConverter view of column_energy."""
        return self.column_energy(column_resistance)

    def energy(self, column_resistance: np.ndarray, num_read: float = 1.0) -> float:
        """Dynamic energy (J) of converting every column num_read times, summed in NeuroSim's order."""
        return sequential_sum(self.column_energy(column_resistance)) * num_read
