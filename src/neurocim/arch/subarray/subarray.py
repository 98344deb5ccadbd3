"""Sub-array of NeuroSim V1.4: memory array plus the periphery of its read mode; area, sensing cycle and read costs."""

from __future__ import annotations

import numpy as np

from neurocim.arch.subarray.subarray_common import SubArrayArea, SubArrayRead
from neurocim.arch.subarray.subarray_geometry import ArrayGeometry, array_geometry
from neurocim.arch.subarray.subarray_parallel import ParallelArray
from neurocim.arch.subarray.subarray_sequential import SequentialArray
from neurocim.circuits.context import CircuitContext

__all__ = ["SubArray", "SubArrayArea", "SubArrayRead"]


class SubArray:
    """One num_row x num_col sub-array in conventional parallel or sequential read mode.

    `clk_freq` is the clock the periphery is initialised with (param->clkFreq at Initialize time);
    `unit_wire_res` (ohm/m) is kept for reference: NeuroSim stores it but sizes the wires per metal layer.
    """

    def __init__(self, ctx: CircuitContext, num_row: int, num_col: int, unit_wire_res: float, clk_freq: float) -> None:
        p = ctx.p
        self.ctx = ctx
        self.num_row, self.num_col = num_row, num_col
        self.unit_wire_res = unit_wire_res
        self.clk_freq = clk_freq
        self.cols_muxed = min(p.cols_muxed, p.chip.array.cols)
        self.geometry: ArrayGeometry = array_geometry(ctx, num_row, num_col)
        self.mode: ParallelArray | SequentialArray
        if p.sequential:
            self.mode = SequentialArray(ctx, self.geometry, clk_freq, self.cols_muxed)
        else:
            self.mode = ParallelArray(ctx, self.geometry, clk_freq, self.cols_muxed)
        self.num_add = getattr(self.mode, "num_add", 1)
        fp = self.mode.layout()
        self.footprint: SubArrayArea = fp
        self.area, self.height, self.width = fp.area, fp.height, fp.width
        self.area_adc, self.area_accum, self.area_other = fp.area_adc, fp.area_accum, fp.area_other
        self.area_array = fp.area_array
        self.used_area = fp.used_area
        self.leakage = self.mode.leakage
        self.leakage_sram_in_use = self.mode.leakage_sram_in_use
        g = self.geometry
        self.res_cell_access = g.res_cell_access  # GetColumnResistance's access resistance (SRAM arrays)
        self.cap_row1, self.cap_row2, self.cap_col = g.cap_row1, g.cap_row2, g.cap_col
        self.res_row, self.res_col = g.res_row, g.res_col
        self.res_mem_cell_on, self.res_mem_cell_off = g.res_mem_cell_on, g.res_mem_cell_off
        self.res_mem_cell_avg = g.res_mem_cell_avg
        self._sensing: float | None = None  # computed on first use, after the layout

    def sensing_latency(self, activity: float | np.ndarray | None = None) -> float:
        """Sensing-cycle latency (s) of the clock pass. It does not depend on the input vector in V1.4 (the
        argument is accepted for symmetry with `read`), so the max over vectors is this one value."""
        if self._sensing is None:
            self._sensing = self.mode.sensing_latency()
        return self._sensing

    def read(
        self,
        activity: np.ndarray,
        column_resistance: np.ndarray,
        clk_freq: float,
        adc_levels: int | None = None,
        counts: np.ndarray | None = None,
        adc_energy: float | None = None,
    ) -> SubArrayRead:
        """Sum of CalculateLatency(..., false) + CalculatePower over a batch of input bit-vectors of one block.

        activity: (n_vectors,) active-row fraction per vector (denominator: the sub-array row count);
        column_resistance: (n_vectors, n_mapped_cols) ohm, np.inf where no row is active;
        clk_freq: the clock (Hz) after the sensing pass; adc_levels: the sub-array's levelOutput member
        (ADC levels in parallel mode, 2^cellBit in sequential mode; default: what the mode uses);
        counts: optional (n_vectors,) number of repetitions of each vector (distinct vectors given once);
        adc_energy: the ADC energy (J) of every vector, given instead of computed from column_resistance (which
        may then be None; parallel read mode only)."""
        act, costs = self._vector_costs(activity, column_resistance, clk_freq, adc_levels, adc_energy)
        return costs.total(act.shape[0], counts)

    def vector_reads(
        self,
        activity: np.ndarray,
        column_resistance: np.ndarray | None,
        clk_freq: float,
        adc_levels: int | None = None,
        adc_energy: float | None = None,
    ) -> np.ndarray:
        """Per-vector costs (n_vectors, 8) of the vectors `read` sums: latency, latency ADC/accumulation/other,
        energy, energy ADC/accumulation/other (arguments as for `read`)."""
        act, costs = self._vector_costs(activity, column_resistance, clk_freq, adc_levels, adc_energy)
        return costs.per_vector(act.shape[0])

    def _vector_costs(
        self, activity, column_resistance, clk_freq: float, adc_levels: int | None, adc_energy: float | None = None
    ):
        act = np.atleast_1d(np.asarray(activity, dtype=float))
        if adc_levels is None:
            adc_levels = self.ctx.p.read_levels
        if adc_energy is not None:
            if not isinstance(self.mode, ParallelArray):
                raise ValueError("adc_energy can only be given in parallel read mode")
            return act, self.mode.vector_costs(act, column_resistance, clk_freq, adc_levels, adc_energy=adc_energy)
        res = np.asarray(column_resistance)
        if res.dtype not in (np.float32, np.float64):
            res = res.astype(np.float64)
        if res.ndim == 1:
            res = res[None, :]
        if res.shape[0] != act.shape[0]:
            raise ValueError(f"column_resistance has {res.shape[0]} vectors, activity has {act.shape[0]}")
        return act, self.mode.vector_costs(act, res, clk_freq, adc_levels)
