"""Flash ADC: the multilevel sense amplifier (MLSA) of NeuroSim V1.4, with a vectorised, trace-dependent energy."""

from __future__ import annotations

import math

import numpy as np

from neurocim.circuits.adc.adc_fits import (
    CHARACTERISATION_READ_VOLTAGE,
    IDLE_COLUMN_POWER,
    LatencyFit,
    mlsa_column_power,
    mlsa_latency_fit,
    mlsa_lstp_power_fit,
    sequential_sum,
    temperature_factor,
)
from neurocim.circuits.adc.column_adc import ColumnAdc
from neurocim.circuits.adc.converter import ColumnStats, ReadStatistic
from neurocim.circuits.adc.piecewise_fit import PiecewiseFit, as_float_array
from neurocim.circuits.constants import MAX_TRANSISTOR_HEIGHT
from neurocim.circuits.context import CircuitContext
from neurocim.circuits.gates.gates import GateType, gate_area, gate_capacitance, gate_capacitance_gaa
from neurocim.config.chip import CellType, Roadmap
from neurocim.config.derived import READ_VOLTAGE_V

# Transistors per comparator (counted as minimum NMOS) in the area model.
TRANSISTORS_PER_COMPARATOR = 9
# NeuroSim V2.1's older MLSA: (NMOS, PMOS) per comparator by current mode, and no dummy reference columns.
V21_MLSA_TRANSISTORS = {True: (48, 24), False: (52, 60)}
# Conversion time of the voltage-mode MLSA, and the static-energy window of a VSA column, s.
VSA_CONVERSION_TIME = 1e-9
# GAA special-layout tuning of the sense-amp input devices: (gate factor, n tune, p tune) per node.
_GAA_TUNE = {2: (1.0 / 2.0, 4.5 / 15.0, 4.5 / 15.0), 1: (10.5 / 16.0, 4.5 / 10.0, 4.5 / 10.0)}
_SIZE_T = 2**64  # C++ size_t wrap-around


def reference_resistances(
    adc_levels: int,
    parallel: bool,
    is_sram: bool,
    conventional_parallel: bool,
    r_on_ohm: float,
    r_off_ohm: float,
    res_cell_access: float,
    parallel_rows: int,
) -> list[float]:
    """Reference resistances of the L-1 comparators, built as NeuroSim V1.4 builds them."""
    if parallel and conventional_parallel and is_sram and not res_cell_access > 0:
        # NeuroSim leaves param->resCellAccess unset (0) when numColMuxed == 1 and then divides by zero
        raise ValueError(f"res_cell_access must be > 0 for an SRAM flash ADC, got {res_cell_access}")
    rref: list[float] = []
    for i in range(adc_levels - 1):
        if parallel:
            if conventional_parallel:
                # linear in conductance, from "all parallel rows on" down to zero
                r_start = (res_cell_access if is_sram else r_on_ohm) / parallel_rows
                g_start = 1 / r_start
                g_step = 0 - g_start
                rref.append(1 / (g_start + i * g_step / adc_levels))
            elif not is_sram:  # NeuroSim quirk: SRAM gets no references outside conventional parallel mode
                g_start, g_end = 1 / r_on_ohm, 1 / r_off_ohm
                rref.append(1 / (g_start + i * (g_end - g_start) / adc_levels))
        else:
            g_start, g_end = 1 / r_on_ohm, 1 / r_off_ohm
            g_step = g_end - g_start
            g_offset = g_step / (2 * (adc_levels - 1))
            rref.append(1 / (g_start + g_offset + i * g_step / (adc_levels - 1)))
    return rref


class FlashAdc(ColumnAdc):
    """Multilevel sense amplifier: L-1 current- or voltage-mode comparators per ADC, plus shared dummy columns."""

    def __init__(
        self,
        ctx: CircuitContext,
        num_col: int,
        adc_levels: int,
        clk_freq: float,
        num_read_cell_per_operation_neuro: int,
        parallel: bool,
        current_mode: bool,
        *,
        column_cap: float,
        array_height: float,
        array_width_unit: float,
        reference_energy_peri: float = 0.0,
        res_cell_access: float = 0.0,
        conventional_parallel: bool = True,
    ) -> None:
        """num_col is the number of ADCs (columns / numColMuxed). Keyword arguments are NeuroSim's run-time globals:
        column_cap = param->columncap (F), array_height/array_width_unit = the dummy-column geometry (m),
        reference_energy_peri (J, set by SRAM sub-arrays only), res_cell_access = param->resCellAccess (ohm, SRAM).
        conventional_parallel is operationmode == 2 (False only for the BNN/XNOR parallel modes)."""
        super().__init__(ctx, num_col, adc_levels, clk_freq, num_read_cell_per_operation_neuro)
        p = ctx.p
        self.parallel = parallel
        self.current_mode = current_mode
        self.column_cap = column_cap
        self.array_height = array_height
        self.array_width_unit = array_width_unit
        self.reference_energy_peri = reference_energy_peri
        self.dumcolshared = p.dummy_cols_shared
        self.hp = p.chip.technology.roadmap is Roadmap.HP
        # the static-power fits take R * resistance_scale (Cadence characterisation at 0.5 V read)
        self.resistance_scale = CHARACTERISATION_READ_VOLTAGE / p.read_voltage_v
        self.rref = reference_resistances(
            adc_levels, parallel, ctx.cell.type is CellType.SRAM, conventional_parallel,
            p.chip.cell.r_on_ohm, p.chip.cell.r_off_ohm, res_cell_access, p.chip.array.rows_in_parallel,
        )  # fmt: skip
        self._size_caps()
        self.latency_fit: LatencyFit = mlsa_latency_fit(p.chip.technology.node_nm, current_mode)
        self.conversion_latency = self._reference_latency()
        self.conversion_time = self.conversion_latency if current_mode else VSA_CONVERSION_TIME
        self.comparator_switching_energy = self._switching_energy()
        self.column_switching_energy = self.comparator_switching_energy * (adc_levels - 1)
        inner = self.rref[1:-1]
        self.reference_power = sequential_sum(self.column_power(np.asarray(inner)) / self.dumcolshared)
        self._energy_fit = self._static_energy_fit()

    def _static_energy_fit(self) -> PiecewiseFit | None:
        """LSTP current mode: (P(R) + reference power) * T as one piecewise fit in the raw resistance R."""
        p = self.ctx.p
        if not self.current_mode or self.hp:
            return None
        gain = (self.adc_levels - 1) * temperature_factor(p.chip.technology.temperature_k) * self.conversion_time
        fit = mlsa_lstp_power_fit(p.chip.technology.node_nm)
        return fit.affine(self.resistance_scale, gain, self.reference_power * self.conversion_time)

    def _size_caps(self) -> None:
        tech, height = self.ctx.tech, self.ctx.tech.feature_size * MAX_TRANSISTOR_HEIGHT
        tune = _GAA_TUNE.get(tech.node_nm) if self.ctx.p.chip.sizing.special_layout else None
        if tune is not None:
            self.gate_cap_p, self.junction_cap_p = gate_capacitance_gaa(
                GateType.INV, 1, 0, self.width_pmos, height, tech, *tune
            )
            self.gate_cap_n, self.junction_cap_n = gate_capacitance_gaa(
                GateType.INV, 1, self.width_nmos, 0, height, tech, *tune
            )
        else:
            self.gate_cap_p, self.junction_cap_p = gate_capacitance(GateType.INV, 1, 0, self.width_pmos, height, tech)
            self.gate_cap_n, self.junction_cap_n = gate_capacitance(GateType.INV, 1, self.width_nmos, 0, height, tech)

    def latency_table(self, r: np.ndarray | float) -> np.ndarray:
        """NeuroSim's ColumnLatency_Table at raw resistance(s) r (s); the column load includes the L-3 mirror gates."""
        count = len(self.rref) - 2
        if count < 0:
            count += _SIZE_T  # NeuroSim quirk: unsigned size_t underflow when L < 3
        return self.latency_fit(r, self.column_cap + self.gate_cap_n * float(count))

    def _reference_latency(self) -> float:
        """Worst of the smallest and the second reference (trace-independent in V1.4)."""
        if not self.rref:
            return math.nan  # NeuroSim reads an empty reference list out of bounds (BNN/XNOR SRAM)
        t_min_ref = float(self.latency_table(self.rref[-1]))
        if len(self.rref) < 2:
            return t_min_ref  # NeuroSim quirk: Rref[1] is read out of bounds for L = 2; that term is dropped here
        return max(t_min_ref, float(self.latency_table(self.rref[1])))

    def _switching_energy(self) -> float:
        """Dynamic energy of one comparator per conversion (J)."""
        v_read = READ_VOLTAGE_V.get(self.ctx.p.chip.technology.node_nm, 0.0)
        vdd = self.ctx.tech.vdd
        lm1, dum = self.adc_levels - 1, self.dumcolshared
        # NeuroSim: 1/(levelOutput-1) is an integer division (0 for L > 2)
        inv_lm1 = 1 // lm1 if self.ctx.p.quirk("flash_adc_integer_division") else 1 / lm1
        gn, gp, jn, jp = self.gate_cap_n, self.gate_cap_p, self.junction_cap_n, self.junction_cap_p
        mirror = jn + gn if self.current_mode else jn  # VSA: only the junction loads the reference node
        e = (self.column_cap * 2) * (inv_lm1 + 1 / dum) / 2 * (v_read * v_read)  # column interface
        e += self.reference_energy_peri / dum  # reference-column activation
        e += (gn * 2 + mirror / lm1 + mirror / dum) * (v_read * v_read)  # input / mirror devices
        e += (gp * 2 + gn) * (vdd * vdd)
        e += (gp * 3 + gn * 3 + (jp + jn) * 3 + jp * 1) * (vdd * vdd)  # sense amp and latch
        e += (gp + gn) * (vdd * vdd)  # interface to the encoder
        return e

    def natural_area(self) -> float:
        """Area (m^2) of the comparators plus the shared dummy columns."""
        tech = self.ctx.tech
        _, h_nmos, w_nmos = gate_area(
            GateType.INV, 1, self.width_nmos, 0, tech.feature_size * MAX_TRANSISTOR_HEIGHT, tech
        )
        lm1 = self.adc_levels - 1
        if self.ctx.p.quirk("v21_mlsa_area"):
            _, h_pmos, w_pmos = gate_area(
                GateType.INV, 1, 0, self.width_pmos, tech.feature_size * MAX_TRANSISTOR_HEIGHT, tech
            )
            n, p = V21_MLSA_TRANSISTORS[self.current_mode]
            return (h_nmos * w_nmos * n + h_pmos * w_pmos * p) * lm1 * self.num_col
        area = h_nmos * w_nmos * TRANSISTORS_PER_COMPARATOR * lm1 * self.num_col
        area += self.array_height * self.array_width_unit * lm1 * self.num_col / self.dumcolshared
        return area

    def latency(self, cols_muxed: float = 1.0, num_read: float = 1.0) -> float:
        """Conversion latency (s) for cols_muxed sequential conversions, num_read times."""
        per_conversion = self.conversion_latency if self.current_mode else VSA_CONVERSION_TIME
        return per_conversion * cols_muxed * num_read

    def column_power(self, column_resistance: np.ndarray) -> np.ndarray:
        """Static power P(R) of each column (W), vectorised; np.inf means no active row (flat 1 uW)."""
        p = self.ctx.p
        scaled = as_float_array(column_resistance) * self.resistance_scale
        return mlsa_column_power(
            scaled,
            p.chip.technology.node_nm,
            self.hp,
            self.current_mode,
            self.adc_levels,
            p.chip.technology.temperature_k,
        )

    def column_static_energy(self, column_resistance: np.ndarray) -> np.ndarray:
        """max((P(R) + reference power) * T, 0) per column (J), the trace-dependent part of one conversion.

        Computed in the precision of the input (float32 or float64)."""
        e = self.column_power(column_resistance)
        e += self.reference_power
        e *= self.conversion_time
        return np.fmax(e, 0.0, out=e)  # fmax: nan -> 0 as well

    def static_energy(self, column_resistance: np.ndarray) -> np.ndarray:
        """column_static_energy from the folded fit (fewer passes over the data; equal to rounding), in the input's
        precision: the hot path of the chip's read pass."""
        fit = self._energy_fit
        if fit is None:
            return self.column_static_energy(column_resistance)
        x = as_float_array(column_resistance)
        e = fit.blended(x)
        if x.size and not (x.min() > 0 and x.max() < np.inf):  # zeros, nan or inf (no active row) somewhere
            live = np.isfinite(x) & (x != 0)
            idle_power = IDLE_COLUMN_POWER * temperature_factor(self.ctx.p.chip.technology.temperature_k)
            off = np.where(np.isinf(x), idle_power + self.reference_power, self.reference_power)
            e = np.where(live, e, off * self.conversion_time).astype(x.dtype, copy=False)
        return np.fmax(e, 0.0, out=e)

    def read_statistic(self) -> ReadStatistic:
        """LSTP current mode: the piece sums of its folded fit (exact); voltage mode: none (a conversion's static
        energy does not depend on a finite R); HP current mode: the default histogram."""
        if self._energy_fit is not None:
            return ReadStatistic(self._energy_fit.breaks, self._energy_fit.kinds)
        return ReadStatistic() if not self.current_mode else super().read_statistic()

    def summed_static_energy(self, stats: ColumnStats) -> float | None:
        """static_energy summed over the conversions behind `stats` (J); None where the folded fit's clamp at 0
        could act."""
        if self._energy_fit is not None:
            live = None if stats.pieces is None else self._energy_fit.total_over(stats.pieces)
        elif not self.current_mode:
            live = stats.live * float(self.static_energy(np.ones(1))[0])  # the same at any finite R
        else:
            return super().summed_static_energy(stats)
        return None if live is None else live + stats.idle * self.idle_energy()

    def column_energy(self, column_resistance: np.ndarray) -> np.ndarray:
        """Energy of one conversion of each column (J): switching plus static."""
        return self.column_switching_energy + self.column_static_energy(column_resistance)

    def energy(self, column_resistance: np.ndarray, num_read: float = 1.0) -> float:
        """Dynamic energy (J) of converting every column num_read times, summed in NeuroSim's order."""
        static = self.column_static_energy(column_resistance)
        terms = np.empty(2 * static.size)
        terms[0::2] = self.column_switching_energy
        terms[1::2] = static.ravel()
        return sequential_sum(terms) * num_read
