"""Shared part of the column ADC models (flash and SAR): constructor arguments, minimum devices, layout."""

from __future__ import annotations

from neurocim.circuits.adc.converter import ColumnConverter
from neurocim.circuits.base import Footprint, Layout, fit_to_side
from neurocim.circuits.constants import MIN_NMOS_SIZE
from neurocim.circuits.context import CircuitContext


class ColumnAdc(ColumnConverter):
    """ADCs of `num_col` column groups resolving `adc_levels` levels, built from minimum-size devices."""

    def __init__(
        self,
        ctx: CircuitContext,
        num_col: int,
        adc_levels: int,
        clk_freq: float,
        num_read_cell_per_operation_neuro: int,
    ) -> None:
        self.ctx = ctx
        self.num_col = num_col
        self.adc_levels = adc_levels
        self.clk_freq = clk_freq
        self.num_read_cell_per_operation_neuro = num_read_cell_per_operation_neuro
        tech = ctx.tech
        f = tech.feature_size
        self.width_nmos = MIN_NMOS_SIZE * f
        self.width_pmos = tech.pn_size_ratio * MIN_NMOS_SIZE * f
        self.leakage = 0.0  # any static power is part of the per-conversion energy

    def natural_area(self) -> float:
        """Area (m^2) of all the ADCs."""
        raise NotImplementedError

    def layout(self, new_height: float = 0.0, new_width: float = 0.0, mode: Layout = Layout.NONE) -> Footprint:
        """All ADCs side by side, fitted to the array width (or height)."""
        fp = fit_to_side(type(self).__name__, self.natural_area(), new_height, new_width, mode)
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        return fp
